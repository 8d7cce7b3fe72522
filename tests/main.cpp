// Catch2 runner with SLEPc (and so PETSc and MPI) initialised around the whole session.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <slepcsys.h>

#include "petsc/blas.hpp"
#include "petsc/petsc.hpp"

int main(int argc, char **argv) {
  nessmap::use_fast_blas_kernels(argv);  // the program's kernels (petsc/blas.hpp), before anything else
  // PETSc must not see Catch's arguments; it gets only the program name.
  int petsc_argc = 1;
  char **petsc_argv = argv;
  if (SlepcInitialize(&petsc_argc, &petsc_argv, nullptr, nullptr)) return 1;
  nessmap::install_petsc_error_handler();
  const int result = Catch::Session().run(argc, argv);
  SlepcFinalize();
  return result;
}
