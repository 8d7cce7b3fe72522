// nessmap: non-equilibrium steady states of two qubit ensembles between two baths.
// Parses the command line, starts SLEPc (and so PETSc and MPI), runs one command of app/ and maps
// what it throws to the exit statuses documented in app/commands.hpp.
#include <slepcsys.h>

#include <cstring>
#include <iostream>
#include <stdexcept>

#include "app/commands.hpp"
#include "config/config.hpp"
#include "petsc/blas.hpp"
#include "petsc/petsc.hpp"

int main(int argc, char **argv) {
  namespace app = nessmap::app;
  nessmap::use_fast_blas_kernels(argv);  // may execute the program again: before anything else
  if (argc >= 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    std::cout << app::usage;
    return 0;
  }
  app::Arguments args;
  try {
    args = app::parse_arguments(argc, argv);
    if (args.command != "point" && args.command != "sweep" && args.command != "estimate")
      throw std::invalid_argument("unknown command '" + args.command + "'");
  } catch (const std::exception &e) {
    std::cerr << "nessmap: " << e.what() << "\n\n" << app::usage;
    return app::exit_bad_input;
  }

  int petsc_argc = static_cast<int>(args.petsc.size()) - 1;
  char **petsc_argv = args.petsc.data();
  if (SlepcInitialize(&petsc_argc, &petsc_argv, nullptr, nullptr) != 0) return app::exit_bad_input;
  nessmap::install_petsc_error_handler();

  int status = 0;
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  try {
    status = args.command == "sweep"      ? app::run_sweep(args)
             : args.command == "estimate" ? app::run_estimate(args)
                                          : app::run_point(args);
  } catch (const nessmap::ConfigError &e) {
    if (rank == 0) std::cerr << "nessmap: " << e.what() << "\n";
    status = app::exit_bad_input;
  } catch (const std::exception &e) {
    if (rank == 0) std::cerr << "nessmap: error: " << e.what() << "\n";
    status = app::exit_failed;
  }
  SlepcFinalize();
  return status;
}
