#pragma once
// The command line's choices for one `nessmap sweep` run, and its exit statuses.
#include <string>

namespace nessmap {

struct SweepOptions {
  bool resume = false;    // --resume: an existing journal is required
  bool restart = false;   // --restart: an existing journal is discarded
  bool quiet = false;     // no progress lines
  double progress_interval = 5.0;   // seconds between progress lines when stderr is not a terminal
  int slab = 0, slabs = 1;          // --slab I/K: only the I-th of K slices of the tasks
  std::string command_line;         // provenance
  std::string solver_options;       // the PETSc/SLEPc options in force (part of the identity)
};

// Exit statuses of `nessmap sweep`.
inline constexpr int sweep_complete = 0;      // every point computed (some may have failed)
inline constexpr int sweep_error = 1;         // an I/O or internal error; the journal is kept
inline constexpr int sweep_bad_input = 2;     // config, options or journal refused
inline constexpr int sweep_interrupted = 3;   // stopped by a signal; run again to resume

} // namespace nessmap
