#pragma once
// The commands of the nessmap executable (main.cpp only parses, initialises and dispatches):
//
//   nessmap point CONFIG.yaml [--set KEY=VALUE ...] [PETSc/SLEPc options]
//   mpirun -n P nessmap sweep CONFIG.yaml [--set KEY=VALUE ...] [sweep options] [PETSc options]
//   nessmap estimate CONFIG.yaml [--set KEY=VALUE ...] [PETSc options]
//
// Exit statuses (the same on every rank):
//   point     0 the point solved; 1 the point failed (the JSON, printed all the same, says why in
//             `failure` and `reason`); 2 bad input or usage
//   estimate  0 every family fits in this machine's memory; 2 one does not, or bad input
//   sweep     sweep/sweep.hpp: 0 complete, 1 error, 2 bad input, 3 interrupted and resumable
// An error outside a point's evaluation (PETSc cannot start, stdout cannot be written) is printed
// as "nessmap: error: ..." and exits 1, without JSON.
#include <string>
#include <vector>

#include "sweep/sweep.hpp"

namespace nessmap::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;     // point failed (JSON printed) or an error
inline constexpr int exit_bad_input = 2;

extern const char *const usage;

struct Arguments {
  std::string command, config;
  std::vector<std::string> overrides;
  std::vector<char *> petsc;  // argv for PETSc: program name and the options we do not own
  SweepOptions sweep;
  std::vector<std::string> sweep_options;  // the sweep-only options given (--resume, ...)
  int ranks_per_point = 0;                 // --ranks-per-point K, 0 when not given
  std::string command_line;
};


// Our own arguments are the command, the config file and --set; options with one dash belong to
// PETSc/SLEPc (passed on in `petsc`); anything else with two dashes is a mistake worth naming.
// Throws std::invalid_argument with a message for the user.
Arguments parse_arguments(int argc, char **argv);

// The commands, after SlepcInitialize with args.petsc. Collective over PETSC_COMM_WORLD. Bad input
// throws ConfigError (exit 2); the return value is the exit status.
int run_point(const Arguments &args);
int run_estimate(const Arguments &args);
int run_sweep(Arguments &args);

} // namespace nessmap::app
