// The PETSc layer: a C++ exception thrown inside a callback that PETSc calls comes back out of the
// PETSc call as a PetscFailure carrying its message, instead of unwinding through C frames.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "petsc/petsc.hpp"

using namespace nessmap;

namespace {

// A PCShell apply that throws once it is called.
PetscErrorCode throwing_apply(PC, Vec, Vec) {
  return petsc_callback("test apply", [] { throw std::runtime_error("the callback's own message"); });
}

// Runs one KSPSolve with that shell as the preconditioner.
void solve_through_throwing_shell() {
  PetscMat A;
  NESSMAP_PETSC(MatCreateSeqAIJ(PETSC_COMM_SELF, 2, 2, 1, nullptr, A.out()));
  for (PetscInt i = 0; i < 2; ++i) NESSMAP_PETSC(MatSetValue(A, i, i, 2.0, INSERT_VALUES));
  NESSMAP_PETSC(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  NESSMAP_PETSC(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscVec x, b;
  NESSMAP_PETSC(MatCreateVecs(A, x.out(), b.out()));
  NESSMAP_PETSC(VecSet(b, 1.0));
  PetscKSP ksp;
  NESSMAP_PETSC(KSPCreate(PETSC_COMM_SELF, ksp.out()));
  NESSMAP_PETSC(KSPSetOperators(ksp, A, A));
  NESSMAP_PETSC(KSPSetType(ksp, KSPGMRES));
  PC pc;
  NESSMAP_PETSC(KSPGetPC(ksp, &pc));
  NESSMAP_PETSC(PCSetType(pc, PCSHELL));
  NESSMAP_PETSC(PCShellSetApply(pc, throwing_apply));
  NESSMAP_PETSC(KSPSolve(ksp, b, x));
}

} // namespace

TEST_CASE("an exception inside a PETSc callback becomes a PetscFailure with its message", "[petsc]") {
  bool thrown = false;
  try {
    solve_through_throwing_shell();
  } catch (const PetscFailure &e) {
    thrown = true;
    INFO(e.what());
    CHECK(e.code() == PETSC_ERR_LIB);
    CHECK_THAT(std::string(e.what()), Catch::Contains("the callback's own message"));
  }
  CHECK(thrown);
  // The error state does not leak into the next PETSc call.
  PetscVec v;
  CHECK_NOTHROW([&] { NESSMAP_PETSC(VecCreateSeq(PETSC_COMM_SELF, 3, v.out())); }());
}
