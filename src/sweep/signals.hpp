#pragma once
// The graceful stop of a sweep: the first SIGTERM (SLURM's time limit), SIGUSR1 (forwarded by
// mpirun, or sent by `#SBATCH --signal`) or SIGINT (Ctrl-C) asks every rank that catches it to
// finish the points in flight and stop; a second SIGINT kills at once. Per process, not
// MPI-collective: each rank catches what is sent to it.
#include <string>

namespace nessmap {

// Installs the handlers for its lifetime (restoring the previous ones after) and clears the
// signal caught. One at a time per process.
class StopSignals {
public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;
};

// The first stop signal caught since the last StopSignals was made, or 0.
int stop_signal_caught();

// "SIGTERM", "SIGUSR1", "SIGINT", else "signal <number>".
std::string signal_name(int signal);

} // namespace nessmap
