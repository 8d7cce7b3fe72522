#include "solver/steady_state.hpp"

#include <slepceps.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <utility>

namespace nessmap {
namespace {

using PetscEPS = PetscOwner<EPS, EPSDestroy>;

// Direct LU by default: MUMPS (pivoting, parallel) where this PETSc has it, else PETSc's own.
void default_direct(PC pc) {
  NESSMAP_PETSC(PCSetType(pc, PCLU));
#if defined(PETSC_HAVE_MUMPS)
  NESSMAP_PETSC(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
#endif
}

std::string describe(KSP ksp) {
  KSPType kt;
  PC pc;
  PCType pt;
  NESSMAP_PETSC(KSPGetType(ksp, &kt));
  NESSMAP_PETSC(KSPGetPC(ksp, &pc));
  NESSMAP_PETSC(PCGetType(pc, &pt));
  std::string s = std::string("ksp ") + kt + ", pc " + pt;
  MatSolverType st = nullptr;
  if (PCFactorGetMatSolverType(pc, &st) == 0 && st) s += " (" + std::string(st) + ")";
  return s;
}

} // namespace

// The two ways of solving, behind one interface: `solve` leaves the unnormalised state in x.
class SteadyStateSolver::Backend {
public:
  virtual ~Backend() = default;
  // Returns false (with reason) when the solver did not converge.
  virtual bool solve(Mat A, Vec x, SteadyState &out) = 0;
};

namespace {

class KspBackend final : public SteadyStateSolver::Backend {
public:
  explicit KspBackend(MPI_Comm comm) {
    NESSMAP_PETSC(KSPCreate(comm, ksp_.out()));
    NESSMAP_PETSC(KSPSetType(ksp_, KSPPREONLY));
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
    default_direct(pc);
    // Iterative choices from the options get a tolerance that suits 1e-10 agreement.
    NESSMAP_PETSC(KSPSetTolerances(ksp_, 1e-13, 1e-50, PETSC_DEFAULT, 10000));
    NESSMAP_PETSC(KSPSetFromOptions(ksp_));
    if (uses_mumps()) detect_null_pivots();
  }

  bool solve(Mat A, Vec x, SteadyState &out) override {
    if (!b_) {
      NESSMAP_PETSC(MatCreateVecs(A, nullptr, b_.out()));
      NESSMAP_PETSC(VecZeroEntries(b_));
      NESSMAP_PETSC(VecSetValue(b_, 0, 1.0, INSERT_VALUES));  // row 0 is the trace row: Tr rho = 1
      NESSMAP_PETSC(VecAssemblyBegin(b_));
      NESSMAP_PETSC(VecAssemblyEnd(b_));
    }
    // Same Mat and pattern each time: PETSc redoes only the numeric factorization.
    NESSMAP_PETSC(KSPSetOperators(ksp_, A, A));
    NESSMAP_PETSC(KSPSolve(ksp_, b_, x));
    KSPConvergedReason reason;
    PetscInt its;
    NESSMAP_PETSC(KSPGetConvergedReason(ksp_, &reason));
    NESSMAP_PETSC(KSPGetIterationNumber(ksp_, &its));
    out.iterations = static_cast<int>(its);
    out.solver = describe(ksp_);
    out.reason = KSPConvergedReasons[reason];
    if (reason < 0) {
      PC pc;
      PCFailedReason pcr;
      NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
      NESSMAP_PETSC(PCGetFailedReason(pc, &pcr));
      if (pcr != PC_NOERROR) out.reason += std::string(" (") + PCFailedReasons[pcr] + ")";
      return false;
    }
#if defined(PETSC_HAVE_MUMPS)
    if (Mat F = mumps_factor()) {
      PetscInt null_pivots = 0;
      NESSMAP_PETSC(MatMumpsGetInfog(F, 28, &null_pivots));
      if (null_pivots > 0) {
        out.reason = "the steady state is not unique: with the trace row the Liouvillian still has " +
                     std::to_string(null_pivots) +
                     " null pivot(s), so its null space has dimension > 1 (identical qubits under a common "
                     "bath have dark states; make the couplings g non-uniform)";
        return false;
      }
    }
#endif
    return true;
  }

private:
  // With the trace row in place the matrix is regular exactly when the steady state is unique. A
  // null space of dimension > 1 leaves it singular, and LU then returns some member of that space
  // (sometimes a valid-looking one). MUMPS's null pivot detection (ICNTL(24)) names it: a pivot
  // below 1e-12 ||A|| (CNTL(3)) counts as null; roundoff leaves ~1e-16 ||A|| in a singular
  // direction, while the smallest rates of a unique problem stay far above. The settings go into
  // the options database, which every factor matrix reads when it is created (a new family makes
  // a new one), and an explicit option of the user's wins.
  static void detect_null_pivots() {
#if defined(PETSC_HAVE_MUMPS)
    for (const auto &[name, value] : {std::pair{"-mat_mumps_icntl_24", "1"}, std::pair{"-mat_mumps_cntl_3", "1e-12"}}) {
      PetscBool set = PETSC_FALSE;
      NESSMAP_PETSC(PetscOptionsHasName(nullptr, nullptr, name, &set));
      if (!set) NESSMAP_PETSC(PetscOptionsSetValue(nullptr, name, value));
    }
#endif
  }

  bool uses_mumps() const {
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
    PetscBool lu = PETSC_FALSE;
    NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCLU, &lu));
    MatSolverType type = nullptr;
    return lu && PCFactorGetMatSolverType(pc, &type) == 0 && type && std::string(type) == MATSOLVERMUMPS;
  }

  // The factor of the last solve when it is MUMPS's LU, else nullptr.
  Mat mumps_factor() const {
    if (!uses_mumps()) return nullptr;
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
    Mat F = nullptr;
    NESSMAP_PETSC(PCFactorGetMatrix(pc, &F));
    return F;
  }

  PetscKSP ksp_;
  PetscVec b_;
};

class EpsBackend final : public SteadyStateSolver::Backend {
public:
  explicit EpsBackend(MPI_Comm comm) {
    NESSMAP_PETSC(EPSCreate(comm, eps_.out()));
    NESSMAP_PETSC(EPSSetProblemType(eps_, EPS_NHEP));
    NESSMAP_PETSC(EPSSetDimensions(eps_, 1, PETSC_DEFAULT, PETSC_DEFAULT));
    NESSMAP_PETSC(EPSSetWhichEigenpairs(eps_, EPS_TARGET_MAGNITUDE));
    NESSMAP_PETSC(EPSSetTarget(eps_, 0.0));
    NESSMAP_PETSC(EPSSetTolerances(eps_, 1e-14, 200));
    ST st;
    KSP ksp;
    PC pc;
    NESSMAP_PETSC(EPSGetST(eps_, &st));
    NESSMAP_PETSC(STSetType(st, STSINVERT));
    NESSMAP_PETSC(STGetKSP(st, &ksp));
    NESSMAP_PETSC(KSPSetType(ksp, KSPPREONLY));
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    default_direct(pc);
    NESSMAP_PETSC(EPSSetFromOptions(eps_));
  }

  bool solve(Mat A, Vec x, SteadyState &out) override {
    NESSMAP_PETSC(EPSSetOperators(eps_, A, nullptr));
    NESSMAP_PETSC(EPSSolve(eps_));
    PetscInt nconv, its;
    EPSConvergedReason reason;
    NESSMAP_PETSC(EPSGetConverged(eps_, &nconv));
    NESSMAP_PETSC(EPSGetIterationNumber(eps_, &its));
    NESSMAP_PETSC(EPSGetConvergedReason(eps_, &reason));
    out.iterations = static_cast<int>(its);
    EPSType type;
    NESSMAP_PETSC(EPSGetType(eps_, &type));
    ST st;
    KSP ksp;
    NESSMAP_PETSC(EPSGetST(eps_, &st));
    NESSMAP_PETSC(STGetKSP(st, &ksp));
    out.solver = std::string("eps ") + type + ", st sinvert, " + describe(ksp);
    out.reason = EPSConvergedReasons[reason];
    if (nconv < 1) return false;
    PetscScalar lambda, lambda_i;
    NESSMAP_PETSC(EPSGetEigenpair(eps_, 0, &lambda, &lambda_i, x, nullptr));
    out.eigenvalue = std::abs(lambda);
    return true;
  }

private:
  PetscEPS eps_;
};

} // namespace

SteadyStateSolver::SteadyStateSolver(MPI_Comm comm, int N, const SolverConfig &config)
    : comm_(comm), config_(config), space_(config.space, N),
      matrix_(comm, space_, config.method == Method::ksp ? TraceRow::fold : TraceRow::none) {
  if (config.method == Method::ksp) backend_ = std::make_unique<KspBackend>(comm);
  else backend_ = std::make_unique<EpsBackend>(comm);
}

SteadyStateSolver::~SteadyStateSolver() = default;

SteadyState SteadyStateSolver::solve(const MasterEquation &me) {
  const auto start = std::chrono::steady_clock::now();
  SteadyState out;
  matrix_.assemble(me);
  if (!x_) NESSMAP_PETSC(MatCreateVecs(matrix_.mat(), x_.out(), Lx_.out()));
  Vec x = x_;
  try {
    out.converged = backend_->solve(matrix_.mat(), x, out);
  } catch (const PetscFailure &e) {
    out.converged = false;
    out.reason = e.what();
  }
  if (!out.converged) {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }

  // Every rank of the group gets the whole state (observables are serial code).
  if (!to_all_) NESSMAP_PETSC(VecScatterCreateToAll(x, to_all_.out(), gathered_.out()));
  NESSMAP_PETSC(VecScatterBegin(to_all_, x, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  NESSMAP_PETSC(VecScatterEnd(to_all_, x, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar *a;
  NESSMAP_PETSC(VecGetArrayRead(gathered_, &a));
  std::vector<Complex> values(a, a + space_.dimension());
  NESSMAP_PETSC(VecRestoreArrayRead(gathered_, &a));

  DensityMatrix rho(space_, std::move(values));
  const Complex tr = rho.trace();
  if (!std::isfinite(tr.real()) || !std::isfinite(tr.imag()) || std::abs(tr) == 0) {
    out.converged = false;
    out.reason = "solution is not finite or has zero trace";
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }
  // ksp: the trace row makes Tr rho = 1 part of the system, so its error measures the solve.
  // eps: the eigenvector has arbitrary scale and phase; dividing by its trace fixes both.
  out.trace_error = config_.method == Method::ksp ? std::abs(tr - 1.0) : 0.0;
  rho.scale(1.0 / tr);
  if (config_.method == Method::eps) out.trace_error = std::abs(rho.trace() - 1.0);

  // ||L rho||: with the folded matrix every row but 0 is a row of L, and row 0 of L rho follows
  // from trace preservation, (L rho)_00 = -sum_{m != 0} (L rho)_mm.
  {
    Vec y = Lx_;
    NESSMAP_PETSC(VecScale(x, 1.0 / tr));
    NESSMAP_PETSC(MatMult(matrix_.mat(), x, y));
    PetscScalar *ya;
    NESSMAP_PETSC(VecGetArray(y, &ya));
    const PetscInt b = matrix_.row_begin(), e = matrix_.row_end();
    if (matrix_.mode() == TraceRow::fold) {
      PetscScalar local = 0, total = 0;
      for (Bits m = 1; m < space_.hilbert_dimension(); ++m) {
        const auto i = space_.index(m, m);
        if (i >= b && i < e) local += ya[i - b];
      }
      MPI_Allreduce(&local, &total, 1, MPIU_SCALAR, MPIU_SUM, comm_);
      if (b == 0 && e > 0) ya[0] = -total;
    }
    NESSMAP_PETSC(VecRestoreArray(y, &ya));
    PetscReal norm;
    NESSMAP_PETSC(VecNorm(y, NORM_2, &norm));
    out.residual_norm = norm;
  }
  out.rho.emplace(std::move(rho));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

MemoryEstimate estimate_memory(int N, const SolverConfig &config, bool direct_factorization) {
  MemoryEstimate est;
  est.dimension = space_dimension(config.space, N);
  const double n = static_cast<double>(est.dimension);
  // Nonzeros per row grow with the number of jump and hopping terms; 4N + 2N^2 + 2 bounds the rows
  // measured up to N = 4 (values + column indices, 16 + 4 bytes, plus PETSc's row bookkeeping).
  const double per_row = 4.0 * N + 2.0 * N * N + 2.0;
  est.matrix_bytes = n * per_row * 20.0 + n * 40.0;
  // LU of the hypercube-like Liouvillian graph fills about half of n^2 (physics.md).
  if (direct_factorization) est.factor_bytes = 0.5 * n * n * 16.0;
  return est;
}

double physical_memory_bytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

} // namespace nessmap
