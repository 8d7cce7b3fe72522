#include "solver/steady_state.hpp"

#include <petscblaslapack.h>
#include <slepceps.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "solver/dicke_solver.hpp"
#include "solver/kronecker_sum.hpp"
#include "solver/no_jump.hpp"
#include "solver/real_form_lu.hpp"

namespace nessmap {

const char *to_string(Method m) {
  switch (m) {
  case Method::automatic: return "auto";
  case Method::ksp: return "ksp";
  case Method::eps: return "eps";
  case Method::sylvester: return "sylvester";
  }
  return "?";
}

namespace {

using PetscEPS = PetscOwner<EPS, EPSDestroy>;

// GMRES restart of the sylvester method (-ksp_gmres_restart wins); the basis costs restart + 2
// vectors. Converged runs take 10-40 iterations at the paper's parameters (physics.md) and 80-110
// where Omega dominates, where 60 does better than 30 (N = 5 strong corner: 83 and 104 iterations
// against 86 and 106). From a million rows (N >= 6 in the balanced block) 30: a long cycle there
// stalls at the rounding floor (N = 6, common bath, the paper's parameters: 41 iterations to the
// stagnation stop, current_error 7.0e-13, 72.7 s), where a restart's true residual goes on (34
// iterations, 5.2e-15, 61.4 s; cascaded 31 -> 30, independent 38 -> 33), and each vector is 43 MB.
// Not in the symmetric space, where N = 20-40 take 100-200 iterations.
int sylvester_restart(Space space, double rows) { return space != Space::symmetric && rows >= 1e6 ? 30 : 60; }

// Up to this dimension on one rank the direct solve is the real-coordinate LU, with PETSc's own
// sparse LU for the points it refuses, not MUMPS: at N = 2 (70 rows) MUMPS's fixed cost per call
// (option parsing, structure save and restore) was most of a point's time (measured in
// tests/benchmarks/results/2026-11-25-profile.md).
// The same N = 2 boundary as `auto`'s switch to GMRES (solver_config.hpp).
constexpr PetscInt small_direct_max_dimension = default_direct_max_dimension;
// Below this times the row's size a pivot counts as zero: singular to roundoff (MUMPS's CNTL(3)).
constexpr PetscReal zero_pivot = 1e-12;

// LU with MUMPS (pivoting, parallel) where this PETSc has it, else PETSc's own.
void mumps_lu(PC pc) {
  NESSMAP_PETSC(PCSetType(pc, PCLU));
#if defined(PETSC_HAVE_MUMPS)
  NESSMAP_PETSC(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
#endif
}

// The direct solve of the trace-row system: PETSc's own LU for small sequential problems (its
// zero-pivot check then reports a singular system), else MUMPS.
void default_direct(PC pc, MPI_Comm comm, PetscInt dimension) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size == 1 && dimension <= small_direct_max_dimension) {
    NESSMAP_PETSC(PCSetType(pc, PCLU));
    NESSMAP_PETSC(PCFactorSetMatSolverType(pc, MATSOLVERPETSC));
    NESSMAP_PETSC(PCFactorSetZeroPivot(pc, zero_pivot));
    // Quotient minimum degree fills least at N = 2: L+U has 2,389 nonzeros against 2,977 with
    // nested dissection (common, all_to_all; 13-21% fewer in every family).
    NESSMAP_PETSC(PCFactorSetMatOrderingType(pc, MATORDERINGQMD));
    return;
  }
  mumps_lu(pc);
}

std::string describe(KSP ksp) {
  KSPType kt;
  PC pc;
  PCType pt;
  NESSMAP_PETSC(KSPGetType(ksp, &kt));
  NESSMAP_PETSC(KSPGetPC(ksp, &pc));
  NESSMAP_PETSC(PCGetType(pc, &pt));
  std::string s = std::string("ksp ") + kt + ", pc " + pt;
  PetscBool shell = PETSC_FALSE;
  NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCSHELL, &shell));
  MatSolverType st = nullptr;
  const char *name = nullptr;
  if (shell && PCShellGetName(pc, &name) == 0 && name) s += " (" + std::string(name) + ")";
  else if (!shell && PCFactorGetMatSolverType(pc, &st) == 0 && st) s += " (" + std::string(st) + ")";
  // L never assembled (Storage::structured): a shell operator.
  Mat A = nullptr;
  PetscBool operators = PETSC_FALSE, shell_mat = PETSC_FALSE;
  NESSMAP_PETSC(KSPGetOperatorsSet(ksp, &operators, nullptr));
  if (operators) {
    NESSMAP_PETSC(KSPGetOperators(ksp, &A, nullptr));
    NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(A), MATSHELL, &shell_mat));
  }
  if (shell_mat) s += ", L structured";
  return s;
}

// A finished solve's iterations, solver description and PETSc's reason, into `out`.
KSPConvergedReason outcome(KSP ksp, SteadyState &out) {
  KSPConvergedReason reason;
  PetscInt its;
  NESSMAP_PETSC(KSPGetConvergedReason(ksp, &reason));
  NESSMAP_PETSC(KSPGetIterationNumber(ksp, &its));
  out.iterations = static_cast<int>(its);
  out.solver = describe(ksp);
  out.reason = KSPConvergedReasons[reason];
  return reason;
}

} // namespace

// The ways of solving, behind one interface: `solve` leaves the unnormalised state in x.
class SteadyStateSolver::Backend {
public:
  virtual ~Backend() = default;
  // Returns false (with reason) when the solver did not converge. `warm`: x holds the previous
  // point's normalised state on entry.
  virtual bool solve(const MasterEquation &me, const LiouvillianMatrix &matrix, Vec x, bool warm,
                     SteadyState &out) = 0;
  // After a converged solve, r = A x - b for the stage's matrix A and right-hand side b (ksp: the
  // trace row and e_0; else L and 0). Writes a first-order correction into delta, x_exact ~ x + delta
  // (up to a multiple of x where A is singular).
  virtual void correct(Vec r, Vec delta) = 0;
  // Whether correct() solves with the method's own factorisation, so that repeating it with an
  // accurate residual is iterative refinement.
  virtual bool refines() const { return true; }
  // The null space's dimension as this method measured it in the last converged solve: 1, or 2
  // for "at least two" (the null-space path then counts them). May set out.gap.
  virtual int dimension(const LiouvillianMatrix &, SteadyState &) { return 1; }
};

namespace {

// A line on stderr (first rank of the group) every `seconds` once an iterative solve has run that
// long: a point takes minutes with GMRES at N = 6 in the balanced block (Sylvester) and at N = 40
// in the symmetric space (ILU: 100 iterations, 12 min). Nothing when seconds <= 0.
class IterationProgress {
public:
  IterationProgress(MPI_Comm comm, double seconds) : seconds_(seconds) { MPI_Comm_rank(comm, &rank_); }
  void attach(KSP ksp) {
    if (seconds_ > 0) NESSMAP_PETSC(KSPMonitorSet(ksp, &IterationProgress::monitor, this, nullptr));
  }
  // Before each KSPSolve: the residuals are shown relative to b_norm, or where that is 0 to the
  // first one (PETSc's own test with a zero initial guess).
  void start(PetscReal b_norm = 0) {
    start_ = last_ = std::chrono::steady_clock::now();
    b_norm_ = b_norm;
  }

private:
  static PetscErrorCode monitor(KSP ksp, PetscInt it, PetscReal rnorm, void *ctx) {
    return petsc_callback("GMRES progress", [&] { static_cast<IterationProgress *>(ctx)->report(ksp, it, rnorm); });
  }
  void report(KSP ksp, PetscInt it, PetscReal rnorm) {
    if (it == 0 && b_norm_ <= 0) first_ = rnorm;
    const auto now = std::chrono::steady_clock::now();
    if (rank_ != 0 || std::chrono::duration<double>(now - last_).count() < seconds_) return;
    PetscReal rtol = 0;
    (void)KSPGetTolerances(ksp, &rtol, nullptr, nullptr, nullptr);
    const PetscReal reference = b_norm_ > 0 ? b_norm_ : first_;
    std::fprintf(stderr, "nessmap: GMRES iteration %d, residual %.2e of %s (target %.0e), %.0f s\n",
                 static_cast<int>(it), reference > 0 ? rnorm / reference : 0.0, b_norm_ > 0 ? "||b||" : "the first",
                 rtol, std::chrono::duration<double>(now - start_).count());
    last_ = now;
  }
  double seconds_;
  int rank_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
  PetscReal b_norm_ = 0, first_ = 0;
};

// The trace-row system L' rho = e_0 by one KSP. On one rank up to small_direct_max_dimension,
// unless -pc_type or a -pc_factor_ choice says otherwise, its PC is RealFormLU (real_form_lu.hpp):
// the LU of L' in the real coordinates of a Hermitian rho, about a third of the time of PETSc's
// complex LU at N = 2. Where that LU refuses a point (a small pivot, a large multiplier or
// condition number: nearly singular) or its solution's backward error is large, the point goes to
// a second KSP with PETSc's own LU, which decides as before, through its zero-pivot check, whether
// the steady state is unique.
class KspBackend final : public SteadyStateSolver::Backend {
public:
  KspBackend(MPI_Comm comm, const StateSpace &space, bool iterative = false, double progress_seconds = 0)
      : comm_(comm), space_(space), dimension_(static_cast<PetscInt>(space.dimension())), iterative_(iterative),
        progress_(comm, iterative ? progress_seconds : 0) {
    int size = 1;
    MPI_Comm_size(comm, &size);
    // An option that names a PC or a factorisation asks for PETSc's.
    bool named = false;
    for (const char *option : {"-pc_type", "-pc_factor_mat_solver_type", "-pc_factor_mat_ordering_type"}) {
      PetscBool set = PETSC_FALSE;
      NESSMAP_PETSC(PetscOptionsHasName(nullptr, nullptr, option, &set));
      named = named || set;
    }
    real_form_ = size == 1 && dimension_ <= small_direct_max_dimension && !named && !iterative;
    ksp_ = make_ksp(real_form_);
  }

  bool solve(const MasterEquation &me, const LiouvillianMatrix &matrix, Vec x, bool, SteadyState &out) override {
    Mat A = matrix.mat();
    if (!b_) {
      NESSMAP_PETSC(MatCreateVecs(A, nullptr, b_.out()));
      NESSMAP_PETSC(VecZeroEntries(b_));
      NESSMAP_PETSC(VecSetValue(b_, 0, 1.0, INSERT_VALUES));  // row 0 is the trace row: Tr rho = 1
      NESSMAP_PETSC(VecAssemblyBegin(b_));
      NESSMAP_PETSC(VecAssemblyEnd(b_));
    }
    last_ = nullptr;
    if (scaling()) return solve_scaled(matrix, x, out);
    if (!real_form_) return solve_with(ksp_, A, x, out);
    std::string why;
    if (factor_real_form(me, matrix, why)) {
      const bool ok = solve_with(ksp_, A, x, out);
      if (ok && lu_->backward_error() <= max_backward_error) return true;
      why = ok ? "backward error " + std::to_string(lu_->backward_error()) : out.reason;
    }
    if (!petsc_lu_) petsc_lu_ = make_ksp(false);
    const bool ok = solve_with(petsc_lu_, A, x, out);
    out.solver += " (after real LU: " + why + ")";
    return ok;
  }

  // One more solve with the LU that solved: delta = -L'^-1 r, a step of iterative refinement, which
  // for a backward-stable LU has the size of the solve's error.
  void correct(Vec r, Vec delta) override {
    if (last_ == ksp_.get() && scaling()) {
      // In the scaled coordinates of solve_scaled: D r in, D^-1 out.
      NESSMAP_PETSC(VecPointwiseMult(scaled_rhs_, scale_, r));
      progress_.start();
      NESSMAP_PETSC(KSPSolve(ksp_, scaled_rhs_, delta));
      NESSMAP_PETSC(VecPointwiseMult(delta, delta, unscale_));
    } else if (last_ == ksp_.get() && real_form_) {
      // The real LU itself (KSPSolve's own bookkeeping costs as much at N = 2), on r's Hermitian
      // part: the state is Hermitian in real coordinates, so is its error, and r's anti-Hermitian
      // part is the rounding of A x alone.
      NESSMAP_PETSC(apply_real_form_to(r, delta, true));
    } else {
      NESSMAP_PETSC(KSPSolve(last_, r, delta));
    }
    NESSMAP_PETSC(VecScale(delta, -1.0));
  }

  // GMRES's correction is another solve to its tolerance, not a factorisation applied again:
  // refinement would cost a whole solve a step (type 2 N = 10: 6 steps, 54 s against 46 s
  // without) for digits far below the points' tolerance. Its first correction still estimates
  // the error.
  bool refines() const override { return !iterative_; }

private:
  // GMRES with ILU in the symmetric space works on D L' D^-1, D = diag(sqrt(M(n))): the
  // coordinates x = D y of the classes' averages (symmetric_basis.hpp), which are the classes'
  // probabilities on the diagonal, and a trace row of ones. ILU(k) is blind to the similarity
  // (it keeps levels, not values) but the trace row's weights sqrt(M) (up to 1e13 at N = 25) are
  // not: in the orthonormal coordinates type 1 at N = 25 took 80 iterations and 110 s against 38
  // and 29 s scaled.
  bool scaling() const { return iterative_ && space_.symmetric() != nullptr; }
  bool solve_scaled(const LiouvillianMatrix &matrix, Vec x, SteadyState &out) {
    Mat A = matrix.mat();
    if (!scale_) {
      NESSMAP_PETSC(MatCreateVecs(A, scale_.out(), unscale_.out()));
      NESSMAP_PETSC(VecDuplicate(scale_, scaled_rhs_.out()));
      PetscInt lo, hi;
      NESSMAP_PETSC(VecGetOwnershipRange(scale_, &lo, &hi));
      PetscScalar *d, *u;
      NESSMAP_PETSC(VecGetArray(scale_, &d));
      NESSMAP_PETSC(VecGetArray(unscale_, &u));
      for (PetscInt i = lo; i < hi; ++i) {
        d[i - lo] = std::sqrt(space_.symmetric()->multiplicity(i));
        u[i - lo] = 1.0 / d[i - lo];
      }
      NESSMAP_PETSC(VecRestoreArray(scale_, &d));
      NESSMAP_PETSC(VecRestoreArray(unscale_, &u));
    }
    if (!scaled_ || scaled_generation_ != matrix.generation()) {
      scaled_.reset();
      NESSMAP_PETSC(MatDuplicate(A, MAT_COPY_VALUES, scaled_.out()));
      scaled_generation_ = matrix.generation();
    } else {
      NESSMAP_PETSC(MatCopy(A, scaled_, SAME_NONZERO_PATTERN));
    }
    NESSMAP_PETSC(MatDiagonalScale(scaled_, scale_, unscale_));
    // b = e_0 is its own scaled form: class 0 (all ground) has M = 1.
    const bool ok = solve_with(ksp_, scaled_, x, out);
    NESSMAP_PETSC(VecPointwiseMult(x, x, unscale_));
    return ok;
  }
  PetscMat scaled_;
  PetscVec scale_, unscale_, scaled_rhs_;
  std::uint64_t scaled_generation_ = 0;

  // A solution of the real LU is taken when max |R y - c| <= this (||R|| ||y|| + ||c||); LU
  // without pivoting that stays stable gives about 1e-16.
  static constexpr double max_backward_error = 1e-11;

  PetscKSP make_ksp(bool real_form) {
    PetscKSP ksp;
    NESSMAP_PETSC(KSPCreate(comm_, ksp.out()));
    NESSMAP_PETSC(KSPSetType(ksp, KSPPREONLY));
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    if (real_form) {
      NESSMAP_PETSC(PCSetType(pc, PCSHELL));
      NESSMAP_PETSC(PCShellSetContext(pc, this));
      NESSMAP_PETSC(PCShellSetApply(pc, &KspBackend::apply_real_form));
      NESSMAP_PETSC(PCShellSetName(pc, "real LU, Hermitian rho"));
    } else if (iterative_) {
      NESSMAP_PETSC(KSPSetType(ksp, KSPGMRES));
      int ranks = 1;
      MPI_Comm_size(comm_, &ranks);
      if (ranks == 1) {
        NESSMAP_PETSC(PCSetType(pc, PCILU));
        NESSMAP_PETSC(PCFactorSetLevels(pc, symmetric_ilu_levels));
      } else {
        NESSMAP_PETSC(PCSetType(pc, PCBJACOBI));  // ILU(0) on each rank's block
      }
    } else {
      default_direct(pc, comm_, dimension_);
    }
    // Iterative choices from the options get a tolerance that suits 1e-10 agreement.
    NESSMAP_PETSC(KSPSetTolerances(ksp, 1e-13, 1e-50, PETSC_DEFAULT, 10000));
    NESSMAP_PETSC(KSPSetFromOptions(ksp));
    if (iterative_) progress_.attach(ksp);
    return ksp;
  }

  // The real LU of this point's matrix, set up once per pattern (when the matrix is made anew).
  // False with the reason when it cannot serve this point.
  bool factor_real_form(const MasterEquation &me, const LiouvillianMatrix &matrix, std::string &why) {
    Mat A = matrix.mat();
    const PetscScalar *values = nullptr;
    if (lu_generation_ != matrix.generation()) {
      lu_generation_ = matrix.generation();
      lu_.reset();
      PetscBool seq = PETSC_FALSE;
      NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(A), MATSEQAIJ, &seq));
      const std::vector<std::uint8_t> parts = matrix.value_parts(me);
      unusable_ = !seq || parts.empty() ? "the matrix is not a planned sequential AIJ" : "";
      if (unusable_.empty()) {
        std::vector<std::int64_t> transpose(static_cast<std::size_t>(dimension_));
        for (PetscInt i = 0; i < dimension_; ++i) transpose[i] = space_.adjoint(i);
        PetscInt rows = 0;
        const PetscInt *ia = nullptr, *ja = nullptr;
        PetscBool done = PETSC_FALSE;
        NESSMAP_PETSC(MatGetRowIJ(A, 0, PETSC_FALSE, PETSC_FALSE, &rows, &ia, &ja, &done));
        static_assert(sizeof(PetscInt) == sizeof(std::int32_t), "RealFormLU takes 32-bit CSR indices");
        static_assert(RealFormLU::real_part == LiouvillianMatrix::value_real &&
                      RealFormLU::imaginary_part == LiouvillianMatrix::value_imaginary);
        lu_ = std::make_unique<RealFormLU>(rows, ia, ja, std::move(transpose), parts.data());
        NESSMAP_PETSC(MatRestoreRowIJ(A, 0, PETSC_FALSE, PETSC_FALSE, &rows, &ia, &ja, &done));
        // A property of the family's terms, so one point's values decide it.
        NESSMAP_PETSC(MatSeqAIJGetArrayRead(A, &values));
        if (!lu_->preserves_hermiticity(reinterpret_cast<const Complex *>(values))) {
          unusable_ = "the matrix does not map Hermitian to Hermitian matrices";
          lu_.reset();
        }
        NESSMAP_PETSC(MatSeqAIJRestoreArrayRead(A, &values));
      }
    }
    if (!lu_) {
      why = unusable_;
      return false;
    }
    NESSMAP_PETSC(MatSeqAIJGetArrayRead(A, &values));
    const bool ok = lu_->factor(reinterpret_cast<const Complex *>(values), {zero_pivot});
    NESSMAP_PETSC(MatSeqAIJRestoreArrayRead(A, &values));
    if (!ok) why = lu_->failure();
    return ok;
  }

  static PetscErrorCode apply_real_form(PC pc, Vec b, Vec x) {
    KspBackend *self = nullptr;
    PetscCall(PCShellGetContext(pc, &self));
    return self->apply_real_form_to(b, x);
  }
  PetscErrorCode apply_real_form_to(Vec b, Vec x, bool hermitian_part = false) {
    return petsc_callback("real LU apply", [&] {
      KspBackend *self = this;
      const PetscScalar *ba;
      PetscScalar *xa;
      NESSMAP_PETSC(VecGetArrayRead(b, &ba));
      NESSMAP_PETSC(VecGetArray(x, &xa));
      self->lu_->solve(reinterpret_cast<const Complex *>(ba), reinterpret_cast<Complex *>(xa), hermitian_part);
      NESSMAP_PETSC(VecRestoreArray(x, &xa));
      NESSMAP_PETSC(VecRestoreArrayRead(b, &ba));
    });
  }

  // One solve through `ksp`, with the direct solvers' verdicts on uniqueness.
  bool solve_with(KSP ksp, Mat A, Vec x, SteadyState &out) {
    // Set before the factor is first made (in KSPSolve), not when the KSP is: a solver that never
    // factorises (the Dicke sectors solved the point) leaves no unused option behind.
    if (uses_mumps(ksp)) detect_null_pivots();
    // Same Mat and pattern each time: PETSc redoes only the numeric factorization.
    NESSMAP_PETSC(KSPSetOperators(ksp, A, A));
    progress_.start();
    NESSMAP_PETSC(KSPSolve(ksp, b_, x));
    last_ = ksp;
    KSPConvergedReason reason = outcome(ksp, out);
    PC pc;
    PCFailedReason pcr = PC_NOERROR;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    if (reason < 0) NESSMAP_PETSC(PCGetFailedReason(pc, &pcr));
#if defined(PETSC_HAVE_MUMPS)
    // MUMPS sizes its workspace by the analysis of the family's first point plus ICNTL(14) percent.
    // Other values pivot differently and may need more (measured: N = 3, independent baths, the
    // points after g_scale = 0.01 of a g_scale x Omega_scale grid), and every later point would
    // reuse the short workspace: analyse again with twice the margin (at least 100 percent, up to four
    // times: 1600 percent), and keep that margin.
    for (int attempt = 0; attempt < 4 && pcr == PC_FACTOR_OUTMEMORY && uses_mumps(ksp); ++attempt) {
      PetscInt margin = 20;
      if (Mat F = mumps_factor(ksp)) NESSMAP_PETSC(MatMumpsGetIcntl(F, 14, &margin));
      const std::string wider = std::to_string(std::max<PetscInt>(2 * margin, 100));
      NESSMAP_PETSC(PetscOptionsSetValue(nullptr, "-mat_mumps_icntl_14", wider.c_str()));
      NESSMAP_PETSC(PCReset(pc));
      NESSMAP_PETSC(KSPSetOperators(ksp, A, A));
      NESSMAP_PETSC(KSPSolve(ksp, b_, x));
      reason = outcome(ksp, out);
      pcr = PC_NOERROR;
      if (reason < 0) NESSMAP_PETSC(PCGetFailedReason(pc, &pcr));
    }
#endif
    if (reason < 0) {
      if (pcr != PC_NOERROR) out.reason += std::string(" (") + PCFailedReasons[pcr] + ")";
      MatSolverType st = nullptr;
      if (pcr == PC_FACTOR_NUMERIC_ZEROPIVOT && PCFactorGetMatSolverType(pc, &st) == 0 && st &&
          std::string(st) == MATSOLVERPETSC) {
        out.failure = Failure::not_unique;
        out.reason = "with the trace row, LU meets a pivot below 1e-12 of its row, so the Liouvillian's "
                     "null space has dimension > 1";
      }
      return false;
    }
#if defined(PETSC_HAVE_MUMPS)
    if (Mat F = mumps_factor(ksp)) {
      PetscInt null_pivots = 0;
      NESSMAP_PETSC(MatMumpsGetInfog(F, 28, &null_pivots));
      if (null_pivots > 0) {
        out.null_pivots = static_cast<int>(null_pivots);
        out.failure = Failure::not_unique;
        out.reason = "with the trace row the Liouvillian still has " + std::to_string(null_pivots) +
                     " null pivot(s), so its null space has dimension > 1";
        return false;
      }
    }
#endif
    return true;
  }

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

  static bool uses_mumps(KSP ksp) {
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    PetscBool lu = PETSC_FALSE;
    NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCLU, &lu));
    MatSolverType type = nullptr;
    return lu && PCFactorGetMatSolverType(pc, &type) == 0 && type && std::string(type) == MATSOLVERMUMPS;
  }

  // The factor of the last solve when it is MUMPS's LU, else nullptr.
  static Mat mumps_factor(KSP ksp) {
    if (!uses_mumps(ksp)) return nullptr;
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    Mat F = nullptr;
    NESSMAP_PETSC(PCFactorGetMatrix(pc, &F));
    return F;
  }

  MPI_Comm comm_;
  const StateSpace &space_;
  PetscInt dimension_;
  bool iterative_ = false;  // GMRES with ILU (symmetric_iterative) in place of LU
  IterationProgress progress_;
  bool real_form_ = false;
  PetscKSP ksp_;
  PetscKSP petsc_lu_;  // the fallback of the real LU, made when first needed
  std::unique_ptr<RealFormLU> lu_;
  std::uint64_t lu_generation_ = 0;  // the matrix generation lu_ was set up for (0: none yet)
  std::string unusable_;              // why lu_ is empty for this generation
  PetscVec b_;
  KSP last_ = nullptr;  // the KSP of the last solve
};

// "eps krylovschur, st sinvert, ksp preonly, pc lu (mumps)".
std::string describe(EPS eps) {
  EPSType type;
  ST st;
  KSP ksp;
  NESSMAP_PETSC(EPSGetType(eps, &type));
  NESSMAP_PETSC(EPSGetST(eps, &st));
  NESSMAP_PETSC(STGetKSP(st, &ksp));
  return std::string("eps ") + type + ", st sinvert, " + describe(ksp);
}

// An EPS for the `nev` eigenvalues of L nearest 0, by shift-and-invert at 0; options under
// `prefix` (nullptr: none) win.
PetscEPS eps_near_zero(MPI_Comm comm, int nev, const char *prefix) {
  PetscEPS eps;
  NESSMAP_PETSC(EPSCreate(comm, eps.out()));
  if (prefix) NESSMAP_PETSC(EPSSetOptionsPrefix(eps, prefix));
  NESSMAP_PETSC(EPSSetProblemType(eps, EPS_NHEP));
  NESSMAP_PETSC(EPSSetDimensions(eps, nev, PETSC_DEFAULT, PETSC_DEFAULT));
  NESSMAP_PETSC(EPSSetWhichEigenpairs(eps, EPS_TARGET_MAGNITUDE));
  NESSMAP_PETSC(EPSSetTarget(eps, 0.0));
  NESSMAP_PETSC(EPSSetTolerances(eps, 1e-14, 200));
  ST st;
  KSP ksp;
  PC pc;
  NESSMAP_PETSC(EPSGetST(eps, &st));
  NESSMAP_PETSC(STSetType(st, STSINVERT));
  NESSMAP_PETSC(STGetKSP(st, &ksp));
  NESSMAP_PETSC(KSPSetType(ksp, KSPPREONLY));
  NESSMAP_PETSC(KSPGetPC(ksp, &pc));
  mumps_lu(pc);  // shift 0 factorises the singular L itself, which needs pivoting
  NESSMAP_PETSC(EPSSetFromOptions(eps));
  return eps;
}

class EpsBackend final : public SteadyStateSolver::Backend {
public:
  // Two eigenvalues: the second one measures whether the first is alone at 0.
  explicit EpsBackend(MPI_Comm comm) : eps_(eps_near_zero(comm, 2, nullptr)) {}

  bool solve(const MasterEquation &, const LiouvillianMatrix &matrix, Vec x, bool, SteadyState &out) override {
    Mat A = matrix.mat();
    NESSMAP_PETSC(EPSSetOperators(eps_, A, nullptr));
    NESSMAP_PETSC(EPSSolve(eps_));
    PetscInt nconv, its;
    EPSConvergedReason reason;
    NESSMAP_PETSC(EPSGetConverged(eps_, &nconv));
    NESSMAP_PETSC(EPSGetIterationNumber(eps_, &its));
    NESSMAP_PETSC(EPSGetConvergedReason(eps_, &reason));
    out.iterations = static_cast<int>(its);
    out.solver = describe(eps_);
    out.reason = EPSConvergedReasons[reason];
    if (nconv < 1) return false;
    PetscScalar lambda, lambda_i;
    NESSMAP_PETSC(EPSGetEigenpair(eps_, 0, &lambda, &lambda_i, x, nullptr));
    out.eigenvalue = std::abs(lambda);
    second_ = -1;
    if (nconv >= 2) {
      NESSMAP_PETSC(EPSGetEigenvalue(eps_, 1, &lambda, &lambda_i));
      second_ = std::abs(lambda);
    }
    return true;
  }

  int dimension(const LiouvillianMatrix &matrix, SteadyState &out) override {
    if (second_ < 0) return 1;  // SLEPc converged one eigenvalue only: nothing else near 0
    PetscReal norm;
    NESSMAP_PETSC(MatNorm(matrix.mat(), NORM_1, &norm));
    out.gap = second_;
    return second_ <= null_eigenvalue_tolerance * norm ? 2 : 1;
  }

  // The shift-and-invert LU of L (singular at shift 0) once more: delta = -L^-1 r, whose component
  // along the null vector is arbitrary and removed by the caller (rho stays of unit trace).
  void correct(Vec r, Vec delta) override {
    ST st;
    KSP ksp;
    NESSMAP_PETSC(EPSGetST(eps_, &st));
    NESSMAP_PETSC(STGetKSP(st, &ksp));
    NESSMAP_PETSC(KSPSolve(ksp, r, delta));
    NESSMAP_PETSC(VecScale(delta, -1.0));
  }
  // Repeating it converges to the eigenvector of the rounded L, whose smallest eigenvalue is not
  // exactly 0: no closer to the steady state (b1 at g = 1e-6: J stays 1.4e-6 off while the
  // correction falls to 1e-18). That part of the error is estimated from the eigenvalues instead.
  bool refines() const override { return false; }

private:
  PetscEPS eps_;
  double second_ = -1;  // |lambda_2| of the last solve, -1 when not converged
};

// GMRES on L itself, right-preconditioned by the exact pseudo-inverse of the Omega = 0 Liouvillian
// (kronecker_sum.hpp). With rho_0 = rho_h (x) rho_c (L_0 rho_0 = 0) the steady state is
// rho = rho_0 + delta with L delta = -L rho_0 = -L_I rho_0. The preconditioner's range has zero
// trace, so GMRES stays among traceless corrections, where L is regular when the steady state is
// unique, and Tr rho = 1 holds by construction. GMRES starts from zero (a cold start, so a point's
// value does not depend on which point its rank solved before; -sylvester_warm_start starts from
// the previous point's state instead).
// Every rank of a group applies the preconditioner to its share of the blocks.
class SylvesterBackend final : public SteadyStateSolver::Backend {
public:
  using Pc = SylvesterPc;
  SylvesterBackend(MPI_Comm comm, const StateSpace &space, double progress_seconds)
      : comm_(comm), space_(space), kron_(space), progress_(comm, progress_seconds) {
    MPI_Comm_size(comm, &size_);
    MPI_Comm_rank(comm, &rank_);
    // Every vector GMRES makes is Hermitian (b = -L rho_0 is, L and the preconditioners preserve
    // Hermiticity, and the inner products of Hermitian vectors are real), so in the qubit bases
    // the Omega = 0 inverse solves only the leading blocks and mirrors them
    // (KroneckerSumInverse::apply_hermitian).
    mine_ = kron_.hermitian() ? kron_.blocks_of(rank_, size_, kron_.hermitian_blocks()) : kron_.blocks_of(rank_, size_);
    for (int k : mine_) {
      share_.push_back(&kron_.blocks()[k].index);
      if (kron_.hermitian() && kron_.mirror(k) != k) share_.push_back(&kron_.blocks()[kron_.mirror(k)].index);
    }
    full_rho0_.resize(space.dimension());
    NESSMAP_PETSC(KSPCreate(comm, ksp_.out()));
    NESSMAP_PETSC(KSPSetType(ksp_, KSPGMRES));
    NESSMAP_PETSC(KSPGMRESSetRestart(ksp_, sylvester_restart(space.kind(), static_cast<double>(space.dimension()))));
    NESSMAP_PETSC(KSPSetPCSide(ksp_, PC_RIGHT));  // the residual GMRES minimises is L's own
    NESSMAP_PETSC(KSPSetTolerances(ksp_, 1e-13, 1e-50, PETSC_DEFAULT, 2000));
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
    NESSMAP_PETSC(PCSetType(pc, PCSHELL));
    NESSMAP_PETSC(PCShellSetContext(pc, this));
    NESSMAP_PETSC(PCShellSetApply(pc, &SylvesterBackend::apply));
    NESSMAP_PETSC(PCShellSetName(pc, "Sylvester, Omega = 0"));
    progress_.attach(ksp_);
    // The Hessenberg matrix's smallest singular value scales the error estimate (correct()).
    NESSMAP_PETSC(KSPSetComputeSingularValues(ksp_, PETSC_TRUE));
    NESSMAP_PETSC(KSPSetFromOptions(ksp_));
    // PETSc's own test, and a stop at the rounding floor (converged()).
    NESSMAP_PETSC(KSPConvergedDefaultCreate(&default_test_));
    NESSMAP_PETSC(KSPSetConvergenceTest(ksp_, &SylvesterBackend::converged, this, nullptr));
    PetscBool atol = PETSC_FALSE, warm = PETSC_FALSE;
    NESSMAP_PETSC(PetscOptionsHasName(nullptr, nullptr, "-ksp_atol", &atol));
    user_atol_ = atol;
    NESSMAP_PETSC(PetscOptionsGetBool(nullptr, nullptr, "-sylvester_warm_start", &warm, nullptr));
    warm_start_ = warm;
    requested_ = sylvester_pc_option();
    // The no-jump inverse needs the qubit bases' excitation sectors.
    if (space.kind() == Space::balanced || space.kind() == Space::full) no_jump_ = std::make_unique<NoJumpInverse>(space);
    else if (requested_ == Pc::no_jump || requested_ == Pc::both)
      throw std::invalid_argument("-sylvester_pc no_jump and both work in the balanced and full spaces, not the " +
                                  std::string(to_string(space.kind())) + " space");
  }

  ~SylvesterBackend() override { (void)KSPConvergedDefaultDestroy(default_test_); }
  SylvesterBackend(const SylvesterBackend &) = delete;
  SylvesterBackend &operator=(const SylvesterBackend &) = delete;

  // The preconditioner `auto` picks for this point. Where the interaction is weak against the
  // dissipation, Omega_max <= interaction_dominates * (the largest dissipation rate), the Omega = 0
  // one; else under independent baths the no-jump one, under collective (common, cascaded) ones
  // both, multiplicatively. Measured on the N = 3 grid (type 1, g = s [0.5, 0.55, 0.6], T_h = 2,
  // s = 0.01-10, Omega = 0.01-100, 105 points; the ratio is Omega / (1.9 (0.6 s)^2), about the
  // criterion's), GMRES iterations:
  //   ratio 0.015-0.15  Omega = 0: 3-22, both: 3-18 (at twice the cost of an iteration);
  //   ratio 1.5         Omega = 0: 17-161, no-jump: 15-162, both: 9-39;
  //   ratio 15-150      Omega = 0: 537-1910 or none, no-jump: 40-110 (13-23 independent),
  //                     both: 17-56 (14-22 independent);
  //   ratio >= 1.5e3    most do not converge to a certified accuracy with any (LU takes them).
  static constexpr double interaction_dominates = 0.5;
  Pc choose(const MasterEquation &me) const {
    if (!no_jump_) return Pc::ensembles;
    if (requested_ != Pc::automatic) return requested_;
    const Bits hot = (Bits{1} << space_.N()) - 1;
    double interaction = 0, rate = 0;
    bool collective = false;  // a jump between two different qubits: a common or cascaded bath
    for (const auto &t : me.terms) {
      const Bits care = t.left.care | t.right.care;
      if (t.part == Part::hamiltonian && (care & hot) != 0 && (care & ~hot) != 0)
        interaction = std::max(interaction, std::abs(t.coef));
      else if (t.part != Part::hamiltonian) {
        rate = std::max(rate, std::abs(t.coef));
        collective = collective || (t.left.care != 0 && t.right.care != 0 && t.left.flip != t.right.flip);
      }
    }
    if (interaction <= interaction_dominates * rate) return Pc::ensembles;
    return collective ? Pc::both : Pc::no_jump;
  }
  static const char *pc_name(Pc pc) {
    return pc == Pc::no_jump ? "Sylvester, no-jump" : pc == Pc::both ? "Sylvester, no-jump then Omega = 0"
                                                                     : "Sylvester, Omega = 0";
  }

  // With -sylvester_pc auto, a point the chosen preconditioner does not converge on is solved
  // again with the other one, and `solver` names both.
  bool solve(const MasterEquation &me, const LiouvillianMatrix &matrix, Vec x, bool warm,
             SteadyState &out) override {
    pc_ = choose(me);
    if (solve_with_pc(me, matrix, x, warm, out)) return true;
    if (requested_ != Pc::automatic || !no_jump_ || out.failure != Failure::none) return false;  // not a divergence
    const std::string first = out.solver + ": " + out.reason;
    pc_ = pc_ == Pc::both ? Pc::no_jump : Pc::both;
    const bool ok = solve_with_pc(me, matrix, x, false, out);
    out.solver += " (after " + first + ")";
    return ok;
  }

  bool solve_with_pc(const MasterEquation &me, const LiouvillianMatrix &matrix, Vec x, bool warm,
                     SteadyState &out) {
    Mat A = matrix.mat();
    matrix_ = A;  // before any return: correct() may apply the preconditioner after rho_0's shortcut
    out.solver = std::string("ksp gmres, pc shell (") + pc_name(pc_) + ")";
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp_, &pc));
    PetscBool shell = PETSC_FALSE;
    NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCSHELL, &shell));
    if (shell) NESSMAP_PETSC(PCShellSetName(pc, pc_name(pc_)));
    try {
      kron_.factor(me);
      if (pc_ != Pc::ensembles) no_jump_->factor(me);
    } catch (const std::runtime_error &e) {
      out.failure = Failure::error;
      out.reason = e.what();
      return false;
    }
    // A second zero mode of L_h or L_c is a dark state (identical qubits under a common bath): the
    // preconditioner cannot invert it, and the steady state is then usually not unique either.
    if (kron_.zero_modes() > 1) {
      out.failure = Failure::not_unique;
      out.reason = "at Omega = 0 one ensemble has " + std::to_string(kron_.zero_modes()) +
                   " steady states: the Sylvester method's starting state rho_0 = rho_h (x) rho_c is not unique"
                   " (and the Omega = 0 preconditioner cannot invert them)";
      return false;
    }
    if (!rho0_) {
      NESSMAP_PETSC(MatCreateVecs(A, rho0_.out(), b_.out()));
    }
    // rho_0 and b = -L rho_0.
    kron_.product_state(full_rho0_.data());
    if (pc_ != Pc::ensembles) no_jump_->set_trace_direction(full_rho0_.data());
    {
      PetscScalar *a;
      PetscInt lo, hi;
      NESSMAP_PETSC(VecGetOwnershipRange(rho0_, &lo, &hi));
      NESSMAP_PETSC(VecGetArray(rho0_, &a));
      std::memcpy(a, full_rho0_.data() + lo, sizeof(PetscScalar) * (hi - lo));
      NESSMAP_PETSC(VecRestoreArray(rho0_, &a));
    }
    NESSMAP_PETSC(MatMult(A, rho0_, b_));
    NESSMAP_PETSC(VecScale(b_, -1.0));
    // rho_0 may be steady already: at omega_h / omega_c = T_h / T_c the thermal product state
    // commutes with H_I. Then b is roundoff, and GMRES, asked to reduce it by rtol, would only
    // iterate on noise.
    PetscReal b_norm, A_norm, rho0_norm;
    NESSMAP_PETSC(VecNorm(b_, NORM_2, &b_norm));
    NESSMAP_PETSC(MatNorm(A, NORM_INFINITY, &A_norm));
    NESSMAP_PETSC(VecNorm(rho0_, NORM_2, &rho0_norm));
    if (b_norm <= 100 * PETSC_MACHINE_EPSILON * A_norm * rho0_norm) {
      NESSMAP_PETSC(VecCopy(rho0_, x));
      out.iterations = 0;
      out.solver = "rho_0 (the Omega = 0 state is steady)";
      out.reason = "CONVERGED_ATOL";
      return true;
    }
    // Near that point b is small, and rtol * ||b|| can fall below what roundoff lets any solve
    // reach, about eps ||L|| ||rho||: that is the absolute floor (unless -ksp_atol is given).
    if (!user_atol_) {
      PetscReal rtol, atol, dtol;
      PetscInt maxits;
      NESSMAP_PETSC(KSPGetTolerances(ksp_, &rtol, &atol, &dtol, &maxits));
      NESSMAP_PETSC(KSPSetTolerances(ksp_, rtol, PETSC_MACHINE_EPSILON * A_norm * rho0_norm, dtol, maxits));
    }
    // Start from the previous state's correction, rho_prev - rho_0 (also traceless), unless that
    // is a worse start than zero (another family's state, a jump in the parameters).
    warm = warm && warm_start_;
    if (warm) {
      NESSMAP_PETSC(VecAXPY(x, -1.0, rho0_));
      if (!r0_) NESSMAP_PETSC(VecDuplicate(b_, r0_.out()));
      PetscReal r0_norm;
      NESSMAP_PETSC(MatMult(A, x, r0_));
      NESSMAP_PETSC(VecAYPX(r0_, -1.0, b_));
      NESSMAP_PETSC(VecNorm(r0_, NORM_2, &r0_norm));
      if (!(r0_norm < b_norm)) warm = false;
    }
    if (!warm) NESSMAP_PETSC(VecZeroEntries(x));
    NESSMAP_PETSC(KSPSetInitialGuessNonzero(ksp_, warm ? PETSC_TRUE : PETSC_FALSE));
    NESSMAP_PETSC(KSPSetOperators(ksp_, A, A));
    progress_.start(b_norm);
    b_norm_ = b_norm;
    history_.clear();
    stagnated_ = false;
    NESSMAP_PETSC(KSPSolve(ksp_, b_, x));
    NESSMAP_PETSC(VecAXPY(x, 1.0, rho0_));
    const bool ok = outcome(ksp_, out) > 0;
    if (ok && stagnated_) {
      char text[200];
      std::snprintf(text, sizeof text,
                    "CONVERGED_STAGNATION (residual %.1e of ||b||, less than halved in the last %d iterations)",
                    history_.back() / b_norm, stagnation_window);
      out.reason = text;
    }
    sigma_min_ = 1;
    PetscReal emax = 0, emin = 0;
    if (ok && out.iterations > 0 && KSPComputeExtremeSingularValues(ksp_, &emax, &emin) == 0 && emin > 0)
      sigma_min_ = emin;
    // The Krylov basis is freed before the state's checks and observables allocate theirs (at
    // N = 7 each vector is 642 MB); the next solve makes it again.
    NESSMAP_PETSC(KSPReset(ksp_));
    return ok;
  }

  // delta = -M^-1 (L x) / sigma_min: the error is L^-1 r = M^-1 (L M^-1)^-1 r, and GMRES's
  // Hessenberg matrix estimates the smallest singular value of L M^-1 on its Krylov space.
  // A bound, and a pessimistic one where Omega dominates the rates (N = 3, common bath,
  // g = 0.0316 x [0.5, 0.55, 0.6], Omega = 1: 4.7e-7 against the LU's 1.8e-9). Solving most of
  // the error by GMRES first (to rtol 1e-2) and bounding only the rest was tried: near a
  // degenerate steady state GMRES meets that tolerance without the slow mode, and a point 1e-5 off
  // in J (g = [0.5, 0.500001], test_edges.cpp) passed as accurate. So the bound stays.
  void correct(Vec r, Vec delta) override {
    apply(r, delta);
    NESSMAP_PETSC(VecScale(delta, -1.0 / sigma_min_));
  }
  // The preconditioner alone is no solve: repeating it would be a stationary iteration that need
  // not converge.
  bool refines() const override { return false; }

private:
  // PETSc's default test, and one more stop: once the residual is below stagnation_level ||b|| and
  // has not halved in the last stagnation_window iterations, it is at the rounding floor of L and
  // of the preconditioner's dense products, and more iterations only spend time (N = 6, common
  // bath, the paper's parameters: 4.6e-12 of ||b|| at iteration 29, 2.1e-13 at 57, then the
  // restart's true residual 1.1e-12; rtol 1e-13 was never met). The state's error is then what
  // the error estimate (correct()) measures, as for any other stop.
  static constexpr double stagnation_level = 1e-10;
  static constexpr int stagnation_window = 8;
  static PetscErrorCode converged(KSP ksp, PetscInt it, PetscReal rnorm, KSPConvergedReason *reason, void *ctx) {
    auto *self = static_cast<SylvesterBackend *>(ctx);
    PetscCall(KSPConvergedDefault(ksp, it, rnorm, reason, self->default_test_));
    auto &h = self->history_;
    h.push_back(rnorm);
    const std::size_t n = h.size();
    if (*reason == KSP_CONVERGED_ITERATING && n > stagnation_window && rnorm <= stagnation_level * self->b_norm_ &&
        rnorm > 0.5 * h[n - 1 - stagnation_window]) {
      *reason = KSP_CONVERGED_ATOL;
      self->stagnated_ = true;
    }
    return 0;
  }

  static PetscErrorCode apply(PC pc, Vec r, Vec y) {
    return petsc_callback("Sylvester apply", [&] {
      SylvesterBackend *self = nullptr;
      NESSMAP_PETSC(PCShellGetContext(pc, &self));
      self->apply(r, y);
    });
  }

  // y = M^-1 r. Both: y = N^-1 r + K^-1 (r - L N^-1 r), N the no-jump and K the Omega = 0
  // preconditioner (multiplicative: K corrects what N leaves, the absorption jumps and the
  // rest of the dissipation), two applications and a product with L.
  void apply(Vec r, Vec y) {
    if (pc_ != Pc::both) return apply_one(pc_, r, y);
    if (!first_) {
      NESSMAP_PETSC(VecDuplicate(r, first_.out()));
      NESSMAP_PETSC(VecDuplicate(r, rest_.out()));
    }
    apply_one(Pc::no_jump, r, first_);
    NESSMAP_PETSC(MatMult(matrix_, first_, rest_));
    NESSMAP_PETSC(VecAYPX(rest_, -1.0, r));
    apply_one(Pc::ensembles, rest_, y);
    NESSMAP_PETSC(VecAXPY(y, 1.0, first_));
  }

  // On K ranks the Omega = 0 inverse's blocks are split (each rank's leading blocks and their
  // mirrors, written by apply_hermitian); the no-jump sweep is sequential over its blocks, so
  // every rank makes the whole of it and keeps its rows.
  void apply_one(Pc which, Vec r, Vec y) {
    if (which == Pc::no_jump)
      return split_.apply_whole(r, y, [this](const Complex *ra, Complex *ya) { no_jump_->apply(ra, ya); });
    split_.apply(
        r, y,
        [this](const Complex *ra, Complex *ya) {
          if (kron_.hermitian()) kron_.apply_hermitian(ra, ya, mine_);
          else kron_.apply(ra, ya, mine_);
        },
        share_);
  }

  MPI_Comm comm_;
  int size_ = 1, rank_ = 0;
  const StateSpace &space_;
  KroneckerSumInverse kron_;
  // -sylvester_pc: auto (the default, choose()), ensembles (kron_), no_jump (no_jump_, where the
  // space has it) or both; kron_ gives rho_0 either way.
  Pc requested_ = Pc::automatic, pc_ = Pc::ensembles;
  Mat matrix_ = nullptr;         // L of the solve (both: the product between the two)
  PetscVec first_, rest_;        // both: N^-1 r and r - L N^-1 r
  std::unique_ptr<NoJumpInverse> no_jump_;
  std::vector<int> mine_;                                  // this rank's blocks of kron_
  std::vector<const std::vector<std::int64_t> *> share_;  // their index tables (and their mirrors')
  SplitApply split_;
  std::vector<PetscScalar> full_rho0_;
  PetscKSP ksp_;
  PetscVec rho0_, b_, r0_;
  bool user_atol_ = false;
  IterationProgress progress_;
  // Off by default: it saved nothing measurable (tests/benchmarks/results/2026-11-25-profile.md,
  // "Warm starts") and would make a point's last digits depend on which point its rank solved
  // before.
  bool warm_start_ = false;
  double sigma_min_ = 1;  // of the last solve's preconditioned operator (1 when not measured)
  void *default_test_ = nullptr;  // KSPConvergedDefault's context
  std::vector<PetscReal> history_;  // the residual norms of this solve
  PetscReal b_norm_ = 0;
  bool stagnated_ = false;
};

} // namespace

SylvesterPc sylvester_pc_option() {
  char name[64] = "";
  PetscBool set = PETSC_FALSE;
  NESSMAP_PETSC(PetscOptionsGetString(nullptr, nullptr, "-sylvester_pc", name, sizeof name, &set));
  const std::string value = name;
  if (!set || value == "auto") return SylvesterPc::automatic;
  if (value == "ensembles") return SylvesterPc::ensembles;
  if (value == "no_jump") return SylvesterPc::no_jump;
  if (value == "both") return SylvesterPc::both;
  throw std::invalid_argument("option -sylvester_pc " + value + ": expected auto, ensembles, no_jump or both");
}

SylvesterMatrix sylvester_matrix_option() {
  char name[64] = "";
  PetscBool set = PETSC_FALSE;
  NESSMAP_PETSC(PetscOptionsGetString(nullptr, nullptr, "-sylvester_matrix", name, sizeof name, &set));
  const std::string value = name;
  if (!set || value == "auto") return SylvesterMatrix::automatic;
  if (value == "structured") return SylvesterMatrix::structured;
  if (value == "assembled") return SylvesterMatrix::assembled;
  throw std::invalid_argument("option -sylvester_matrix " + value + ": expected auto, structured or assembled");
}

Storage sylvester_storage(const StateSpace &space) { return sylvester_storage(space.kind(), space.N()); }

Storage sylvester_storage(Space space, int N) {
  if (space == Space::symmetric || space == Space::pairs) return Storage::assembled;
  switch (sylvester_matrix_option()) {
  case SylvesterMatrix::structured: return Storage::structured;
  case SylvesterMatrix::assembled: return Storage::assembled;
  default: break;
  }
  PetscBool mat_type = PETSC_FALSE, pc_type = PETSC_FALSE;
  NESSMAP_PETSC(PetscOptionsHasName(nullptr, nullptr, "-mat_type", &mat_type));
  NESSMAP_PETSC(PetscOptionsHasName(nullptr, nullptr, "-pc_type", &pc_type));
  return N >= 6 && !mat_type && !pc_type ? Storage::structured : Storage::assembled;
}

namespace {
SolverConfig resolved(SolverConfig c, int N) {
  c.method = resolve_method(c, N);
  return c;
}
} // namespace

// L itself (no trace row) and an EPS for its eigenvalues nearest 0, made on the first request.
struct SteadyStateSolver::NullSpaceProbe {
  NullSpaceProbe(MPI_Comm comm, const StateSpace &space, int k)
      : matrix(comm, space, TraceRow::none), eps(eps_near_zero(comm, k, "probe_")), k(k) {}
  LiouvillianMatrix matrix;
  PetscEPS eps;
  int k;
};

// The null-space path works in the balanced block whatever the space solved: L maps each block of
// fixed N(m) - N(n) into itself, so do its spectral projectors, and rho_0 (a product of diagonal
// qubit states) lies in the balanced block; the other blocks' null vectors carry no weight. In
// the full space at N = 4 that is the difference between 12,870 rows and 65,536 (whose LU would
// need about 34 GB).
struct SteadyStateSolver::NullSpace {
  // `space`: the space solved; the block is the balanced one for the full space, else that space.
  NullSpace(MPI_Comm comm, const StateSpace &space)
      : block(space.kind() == Space::full ? StateSpace(Space::balanced, space.N()) : space),
        matrix(comm, block, TraceRow::none) {}
  StateSpace block;
  LiouvillianMatrix matrix;  // L itself, on the balanced block
  PetscMat adjoint;          // L^dagger, made anew for each point
  PetscVec rho0, x;
};

SteadyStateSolver::Stage::Stage(MPI_Comm comm, const StateSpace &space, Method m, double progress_seconds,
                                bool iterative)
    : method(m), matrix(comm, space, m == Method::ksp ? TraceRow::fold : TraceRow::none,
                        LiouvillianMatrix::default_plan_limit,
                        m == Method::sylvester ? sylvester_storage(space) : Storage::assembled) {
  switch (m) {
  case Method::ksp: backend = std::make_unique<KspBackend>(comm, space, iterative, progress_seconds); break;
  case Method::eps: backend = std::make_unique<EpsBackend>(comm); break;
  default: backend = std::make_unique<SylvesterBackend>(comm, space, progress_seconds); break;
  }
}

SteadyStateSolver::Stage::~Stage() = default;

SteadyStateSolver::SteadyStateSolver(MPI_Comm comm, int N, const SolverConfig &config)
    : comm_(comm), config_(resolved(config, N)), space_(config.space, N, config.coupling),
      primary_(std::make_unique<Stage>(comm, space_, config_.method, config_.progress_seconds,
                                       config_.method == Method::ksp && symmetric_iterative(config, N))),
      sectors_(dicke_sector_path(config)) {
  SolverConfig direct = config_;
  direct.method = Method::ksp;
  const MemoryEstimate est = estimate_memory(N, direct);
  direct_fits_ = est.matrix_bytes + est.factor_bytes < fallback_memory_fraction * physical_memory_bytes();
  // The fallback of auto's sylvester: LU, or in the symmetric space GMRES with ILU(2).
  fallback_iterative_ = symmetric_iterative(config, N);
  const MemoryEstimate mine = estimate_memory(N, config);
  const bool fallback_fits =
      mine.matrix_bytes + mine.fallback_bytes < fallback_memory_fraction * physical_memory_bytes();
  fallback_allowed_ = config.method == Method::automatic && config_.method == Method::sylvester && fallback_fits;
}

SteadyStateSolver::~SteadyStateSolver() = default;

std::vector<Complex> SteadyStateSolver::gather(Vec v) {
  if (!to_all_) NESSMAP_PETSC(VecScatterCreateToAll(v, to_all_.out(), gathered_.out()));
  NESSMAP_PETSC(VecScatterBegin(to_all_, v, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  NESSMAP_PETSC(VecScatterEnd(to_all_, v, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar *a;
  NESSMAP_PETSC(VecGetArrayRead(gathered_, &a));
  std::vector<Complex> values(a, a + space_.dimension());
  NESSMAP_PETSC(VecRestoreArrayRead(gathered_, &a));
  return values;
}

void SteadyStateSolver::diagonal() {
  if (!diagonal_.empty()) return;
  diagonal_ = space_.diagonal_indices();
  diagonal_weight_.reserve(diagonal_.size());
  for (auto i : diagonal_) diagonal_weight_.push_back(space_.trace_weight(i));
}

Complex SteadyStateSolver::trace(Vec v) {
  diagonal();
  PetscInt lo, hi;
  const PetscScalar *a;
  NESSMAP_PETSC(VecGetOwnershipRange(v, &lo, &hi));
  NESSMAP_PETSC(VecGetArrayRead(v, &a));
  PetscScalar local = 0, total = 0;
  for (std::size_t k = 0; k < diagonal_.size(); ++k)
    if (diagonal_[k] >= lo && diagonal_[k] < hi) local += diagonal_weight_[k] * a[diagonal_[k] - lo];
  NESSMAP_PETSC(VecRestoreArrayRead(v, &a));
  int size = 1;
  MPI_Comm_size(comm_, &size);
  if (size == 1) return local;
  MPI_Allreduce(&local, &total, 1, MPIU_SCALAR, MPIU_SUM, comm_);
  return total;
}

namespace {
// A double-double accumulator (Ogita, Rump and Oishi's Dot2): each product and sum is kept with its
// rounding error, so a dot product comes out as if computed in twice the working precision.
struct Compensated {
  double sum = 0, error = 0;
  void add(double a) {
    const double s = sum + a, z = s - sum;
    error += (sum - (s - z)) + (a - z);
    sum = s;
  }
  void add_product(double a, double b) {
    const double p = a * b;
    error += std::fma(a, b, -p);
    add(p);
  }
  double value() const { return sum + error; }
};
} // namespace

bool SteadyStateSolver::check_inverse(Mat A, Vec x, bool trace_row, Vec r, Vec delta, SteadyState &out) {
  PetscReal r_norm, x_norm, a_norm;
  NESSMAP_PETSC(VecNorm(r, NORM_2, &r_norm));
  const double b_norm = trace_row ? 1.0 : 0.0;  // e_0 or 0
  // A direct solve's residual is far below this bound on the relative residual (the denominator
  // is at least ||b||), which spares the norms of A and x on every point.
  if (r_norm <= inverse_check_backward_error * b_norm) return true;
  NESSMAP_PETSC(VecNorm(x, NORM_2, &x_norm));
  NESSMAP_PETSC(MatNorm(A, NORM_1, &a_norm));
  const double backward = r_norm / (a_norm * x_norm + b_norm);
  if (!(backward > inverse_check_backward_error)) return true;
  // What one step leaves: A (x + delta) - b = r + A delta.
  PetscVec left;
  NESSMAP_PETSC(VecDuplicate(r, left.out()));
  NESSMAP_PETSC(MatMult(A, delta, left));
  NESSMAP_PETSC(VecAXPY(left, 1.0, r));
  PetscReal left_norm;
  NESSMAP_PETSC(VecNorm(left, NORM_2, &left_norm));
  if (left_norm <= inverse_check_ratio * r_norm) return true;
  char text[400];
  std::snprintf(text, sizeof text,
                "the solver does not invert L: its solution leaves a relative residual of %.2g (above %.0e) and one "
                "more step of it leaves %.2g of that residual, so neither the state nor its error estimate holds (a "
                "preconditioner applied once, or a Krylov method stopped short of convergence, is not a solver)",
                backward, inverse_check_backward_error, left_norm / r_norm);
  out.failure = Failure::inaccurate;
  out.reason = text;
  return false;
}

void SteadyStateSolver::accurate_residual(Mat A, Vec x, bool trace_row, Vec r) {
  const std::vector<Complex> whole = gather(x);
  PetscInt lo, hi;
  NESSMAP_PETSC(MatGetOwnershipRange(A, &lo, &hi));
  PetscScalar *ra;
  NESSMAP_PETSC(VecGetArray(r, &ra));
  for (PetscInt i = lo; i < hi; ++i) {
    PetscInt ncols;
    const PetscInt *cols;
    const PetscScalar *vals;
    NESSMAP_PETSC(MatGetRow(A, i, &ncols, &cols, &vals));
    Compensated re, im;
    for (PetscInt k = 0; k < ncols; ++k) {
      const Complex a = vals[k], b = whole[static_cast<std::size_t>(cols[k])];
      re.add_product(a.real(), b.real());
      re.add_product(-a.imag(), b.imag());
      im.add_product(a.real(), b.imag());
      im.add_product(a.imag(), b.real());
    }
    NESSMAP_PETSC(MatRestoreRow(A, i, &ncols, &cols, &vals));
    if (trace_row && i == 0) re.add(-1.0);  // the trace row's right-hand side: Tr x = 1
    ra[i - lo] = Complex(re.value(), im.value());
  }
  NESSMAP_PETSC(VecRestoreArray(r, &ra));
}

void SteadyStateSolver::rounding_signs(const LiouvillianMatrix &matrix) {
  if (signs_matrix_ == &matrix && signs_generation_ == matrix.generation()) return;
  signs_matrix_ = &matrix;
  signs_generation_ = matrix.generation();
  signs_.clear();
  Mat A = matrix.mat();
  PetscInt lo, hi;
  NESSMAP_PETSC(MatGetOwnershipRange(A, &lo, &hi));
  for (PetscInt i = lo; i < hi; ++i) {
    PetscInt ncols;
    const PetscInt *cols;
    NESSMAP_PETSC(MatGetRow(A, i, &ncols, &cols, nullptr));
    const std::uint64_t pi = static_cast<std::uint64_t>(space_.adjoint(i));
    for (PetscInt k = 0; k < ncols; ++k) {
      const std::uint64_t pj = static_cast<std::uint64_t>(space_.adjoint(cols[k]));
      const std::uint64_t a = (std::uint64_t(i) << 32) | std::uint64_t(cols[k]), b = (pi << 32) | pj;
      const std::uint64_t h = std::min(a, b) * 0x9E3779B97F4A7C15ull;
      signs_.push_back({static_cast<std::int8_t>((h >> 63) ? 1 : -1), static_cast<std::int8_t>(((h >> 62) & 1) ? 1 : -1),
                        static_cast<std::int8_t>(a <= b ? 1 : -1)});
    }
    NESSMAP_PETSC(MatRestoreRow(A, i, &ncols, &cols, nullptr));
  }
}

void SteadyStateSolver::data_residual(Mat A, const std::vector<Complex> &whole, const std::vector<Complex> &rounding,
                                      int pattern, Vec d) {
  PetscInt lo, hi;
  NESSMAP_PETSC(MatGetOwnershipRange(A, &lo, &hi));
  if (rounding.size() != signs_.size()) throw PetscFailure(PETSC_ERR_PLIB, "the matrix and its plan differ in size");
  PetscScalar *da;
  NESSMAP_PETSC(VecGetArray(d, &da));
  std::size_t slot = 0;
  for (PetscInt i = lo; i < hi; ++i) {
    PetscInt ncols;
    const PetscInt *cols;
    NESSMAP_PETSC(MatGetRow(A, i, &ncols, &cols, nullptr));
    Complex sum = 0;
    for (PetscInt k = 0; k < ncols; ++k, ++slot) {
      const Complex e = rounding[slot];
      if (e == Complex{}) continue;
      const auto &sg = signs_[slot];
      // Pattern 0: every entry rounded up (the partner's imaginary part down, its conjugate);
      // pattern 1: the pseudo-random signs.
      const double s1 = pattern == 0 ? 1.0 : sg[0], s2 = (pattern == 0 ? 1.0 : sg[1]) * sg[2];
      sum += Complex(s1 * e.real(), s2 * e.imag()) * whole[static_cast<std::size_t>(cols[k])];
    }
    NESSMAP_PETSC(MatRestoreRow(A, i, &ncols, &cols, nullptr));
    da[i - lo] = sum;
  }
  NESSMAP_PETSC(VecRestoreArray(d, &da));
}

SteadyState SteadyStateSolver::solve(const MasterEquation &me, const InitialState &rho0, bool thorough) {
  const auto start = std::chrono::steady_clock::now();
  SteadyState out;
  warm_ = have_state_;
  have_state_ = false;  // until this point's state is in x
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // A collective family (type 1, common bath, auto) goes sector by sector where it can; the
  // trace-row matrix of the symmetric space is assembled only to check the residual.
  on_sector_path_ = false;
  std::string sector_reason;
  if (sectors_) {
    primary_->matrix.assemble(me);
    if (!x_) NESSMAP_PETSC(MatCreateVecs(primary_->matrix.mat(), x_.out(), Lx_.out()));
    try {
      on_sector_path_ = sector_state(me, rho0(space_), out, sector_reason);
    } catch (const PetscFailure &e) {
      sector_reason = e.what();
    }
  }
  Stage *stage = primary_.get();
  if (on_sector_path_) {
    stage = nullptr;
    last_matrix_ = &primary_->matrix;
  } else {
    solve_by_method(me, rho0, thorough, out, stage);
    if (!sector_reason.empty()) out.solver += " (not by dicke sectors: " + sector_reason + ")";
  }
  const LiouvillianMatrix &matrix = *last_matrix_;
  Vec x = x_;
  if (!out.converged) {
    out.seconds = seconds();
    return out;
  }
  return finish(me, thorough, out, stage, matrix, x, start);
}

void SteadyStateSolver::solve_by_method(const MasterEquation &me, const InitialState &rho0, bool thorough,
                                        SteadyState &out, Stage *&stage) {
  const bool warm = warm_;
  auto run = [&](Stage &stage) {
    stage.matrix.assemble(me);
    if (!x_) NESSMAP_PETSC(MatCreateVecs(stage.matrix.mat(), x_.out(), Lx_.out()));
    out.failure = Failure::none;
    try {
      out.converged = stage.backend->solve(me, stage.matrix, x_, warm, out);
    } catch (const PetscFailure &e) {
      out.converged = false;
      out.failure = Failure::error;
      out.reason = e.what();
    }
    if (!out.converged && out.failure == Failure::none) out.failure = Failure::not_converged;
  };
  if (thorough && stage->method != Method::ksp) {
    if (!fallback_)
      fallback_ = std::make_unique<Stage>(comm_, space_, Method::ksp, fallback_iterative_ ? config_.progress_seconds : 0.0,
                                          fallback_iterative_);
    stage = fallback_.get();
  }
  run(*stage);
  // The null-space path, recording what the method saw first; false when it failed.
  const auto null_space = [&](const std::string &first) {
    out.failure = Failure::none;
    try {
      out.converged = null_space_state(me, rho0(space_), out);
    } catch (const PetscFailure &e) {
      out.converged = false;
      out.failure = Failure::error;
      out.reason = e.what();
    }
    out.solver += " (after " + first + ")";
    return out.converged;
  };
  bool on_null_path = false, unique_after_all = false;
  // A dark state at Omega = 0 stops sylvester: the null space is measured first, and only where it
  // turns out to be one-dimensional (the interaction couples the dark state) does LU take over
  // (at N = 4 each LU is 20-30 s).
  if (!out.converged && out.failure == Failure::not_unique && stage->method == Method::sylvester) {
    const std::string first = out.solver + ": " + out.reason;
    on_null_path = null_space(first);
    if (on_null_path && out.steady_state_dimension == 1 && fallback_allowed_) {
      // Unique after all: the direct solve, with its refinement, gives the state.
      on_null_path = false;
      out.converged = false;
      out.failure = Failure::not_unique;
      out.reason = "unique after all";
      unique_after_all = true;
    }
  }
  if (!on_null_path && !out.converged && fallback_allowed_ && stage == primary_.get()) {
    const std::string first = out.solver + ": " + (unique_after_all ? "" : std::string(headline(out.failure)) + ": ") + out.reason;
    if (!fallback_)
      fallback_ = std::make_unique<Stage>(comm_, space_, Method::ksp, fallback_iterative_ ? config_.progress_seconds : 0.0,
                                          fallback_iterative_);
    stage = fallback_.get();
    run(*stage);
    out.solver += " (after " + first + ")";
  }
  if (on_null_path) {
    stage = nullptr;
  } else {
    if (out.converged) out.steady_state_dimension = stage->backend->dimension(stage->matrix, out);
    // The method found L's null space larger than one, or could not decide: the null-space path.
    const bool degenerate = out.converged ? out.steady_state_dimension > 1 : out.failure == Failure::not_unique;
    if (degenerate) {
      null_space(out.solver + ": " + (out.converged ? "a second eigenvalue at 0" : out.reason));
      stage = nullptr;
    }
  }
  // The null-space path's own matrix is the balanced block's; the residual is checked with the
  // method's matrix of the space solved (assembled for this point by the method's run).
  last_matrix_ = stage ? &stage->matrix
                       : (space_.kind() != Space::full ? &null_space_->matrix : &primary_->matrix);
}

SteadyState SteadyStateSolver::finish(const MasterEquation &me, bool thorough, SteadyState &out, Stage *stage,
                                      const LiouvillianMatrix &matrix, Vec x,
                                      std::chrono::steady_clock::time_point start) {
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // Every rank of the group gets the whole state (observables are serial code).
  DensityMatrix rho(space_, gather(x));
  const Complex tr = rho.trace();
  if (!std::isfinite(tr.real()) || !std::isfinite(tr.imag()) || std::abs(tr) == 0) {
    out.converged = false;
    out.failure = Failure::not_finite;
    out.reason = "its trace is " + std::string(std::abs(tr) == 0 ? "zero" : "not finite");
    out.seconds = seconds();
    return out;
  }
  // ksp: the trace row makes Tr rho = 1 part of the system, so its error measures the solve;
  // sylvester: Tr rho_0 = 1 and the corrections are traceless, likewise; the null-space path keeps
  // Tr rho_0 because the identity is a left null vector.
  // eps: the eigenvector has arbitrary scale and phase; dividing by its trace fixes both.
  const bool eigenvector = stage && stage->method == Method::eps;
  out.trace_error = !eigenvector ? std::abs(tr - 1.0) : 0.0;
  rho.scale(1.0 / tr);
  if (eigenvector) out.trace_error = std::abs(rho.trace() - 1.0);

  NESSMAP_PETSC(VecScale(x, 1.0 / tr));
  NESSMAP_PETSC(MatMult(matrix.mat(), x, Lx_));
  // The first-order correction, traceless like the error of a unit-trace state; where it is above
  // roundoff, iterative refinement with residuals in twice the working precision.
  if (stage) {
    if (!delta_) NESSMAP_PETSC(VecDuplicate(x, delta_.out()));
    if (!r_) NESSMAP_PETSC(VecDuplicate(x, r_.out()));
    const bool trace_row = matrix.mode() == TraceRow::fold;
    bool inverted = true;
    // The first estimate from the plain residual (its rounding is of the size of the solve's own
    // backward error, so the correction has the error's size); refinement needs the accurate one.
    const auto correction = [&](bool accurate) {
      if (accurate) {
        accurate_residual(matrix.mat(), x, trace_row, r_);
      } else {
        NESSMAP_PETSC(VecCopy(Lx_, r_));  // A x, computed above
        if (trace_row && matrix.row_begin() == 0 && matrix.row_end() > 0) {
          PetscScalar *ra;
          NESSMAP_PETSC(VecGetArray(r_, &ra));
          ra[0] -= 1.0;  // the trace row's right-hand side
          NESSMAP_PETSC(VecRestoreArray(r_, &ra));
        }
      }
      stage->backend->correct(r_, delta_);
      if (!accurate && stage->backend->refines()) inverted = check_inverse(matrix.mat(), x, trace_row, r_, delta_, out);
      NESSMAP_PETSC(VecAXPY(delta_, -trace(delta_), x));
      PetscReal norm;
      NESSMAP_PETSC(VecNorm(delta_, NORM_2, &norm));
      return static_cast<double>(norm);
    };
    double error = correction(false);
    if (!inverted) {
      out.converged = false;
      out.seconds = seconds();
      return out;
    }
    PetscReal x_norm;
    NESSMAP_PETSC(VecNorm(x, NORM_2, &x_norm));
    const double floor = refinement_floor * PETSC_MACHINE_EPSILON * x_norm;
    // A correction above this shows an ill-conditioned point (a backward-stable solve's error is
    // the condition number times eps), where refinement and the rounding of L's entries matter; a
    // thorough solve looks at both anyway.
    const bool careful = thorough || error > careful_threshold * x_norm;
    out.refinements = 0;
    if (stage->backend->refines() && careful) {
      if (!previous_) NESSMAP_PETSC(VecDuplicate(x, previous_.out()));
      error = correction(true);
      // Once started, on while a step changes rho and does not increase the correction: the norm
      // reaching roundoff does not mean that small elements have (b1 at g = 1e-6: J rests on a
      // coherence whose imaginary part is 4e-14 next to a real part of 1e-2, and the third step,
      // below the norm's roundoff, takes J from 2e-6 to 4e-11 of the closed form).
      while ((error > floor || out.refinements > 0) && out.refinements < max_refinements) {
        NESSMAP_PETSC(VecCopy(x, previous_));
        NESSMAP_PETSC(VecAXPY(x, 1.0, delta_));
        PetscBool unchanged = PETSC_FALSE;
        NESSMAP_PETSC(VecEqual(x, previous_, &unchanged));
        if (unchanged) break;  // the correction is below every element's last digit
        ++out.refinements;
        const double next = correction(true);
        if (!(next <= error)) {  // worse: keep the better state and its estimate
          NESSMAP_PETSC(VecCopy(previous_, x));
          --out.refinements;
          correction(true);
          break;
        }
        error = next;
      }
    }
    if (out.refinements > 0) out.solver += ", " + std::to_string(out.refinements) + " refinement step(s)";
    // eps: the eigenvector of the rounded L's eigenvalue lambda_1 (not exactly 0) leans towards the
    // next eigenvector by about |lambda_1| / |lambda_2|.
    if (stage->method == Method::eps)
      out.unresolved_error = out.gap > 0 ? x_norm * out.eigenvalue / out.gap : std::numeric_limits<double>::infinity();
    out.state_error = error + out.unresolved_error;
    out.correction.emplace(space_, gather(delta_), false);
    // What the rounding of L's own entries does, which no residual shows (refinement converges to
    // the state of the rounded L): the same solver's response to that rounding
    // (LiouvillianMatrix::value_rounding), for two sign patterns, since one random pattern can
    // cancel (at T_h = 1e7 the two diagonals that matter move J the same way, and opposite signs
    // on them gave 1e-24 for an actual 4.7e-10).
    // (b1 at T_h = 1e7: a diagonal -(gamma_h + gamma_c) of 1.7e6 + 0.15 rounds the cold rate by
    // 2e-9 of itself, and the state of the rounded L, solved exactly, is 4.7e-10 off in J; at
    // g = [0.5, 0.500001] under a common bath the nearly conserved symmetry makes it 2e-7.)
    const auto rounding = careful ? matrix.value_rounding(me) : std::vector<Complex>{};
    if (!rounding.empty()) {
      rounding_signs(matrix);
      const std::vector<Complex> whole = gather(x);
      double largest = 0;
      for (int pattern = 0; pattern < 2; ++pattern) {
        data_residual(matrix.mat(), whole, rounding, pattern, r_);
        stage->backend->correct(r_, delta_);
        NESSMAP_PETSC(VecAXPY(delta_, -trace(delta_), x));
        PetscReal norm;
        NESSMAP_PETSC(VecNorm(delta_, NORM_2, &norm));
        largest = std::max(largest, static_cast<double>(norm));
        out.data_corrections.emplace_back(space_, gather(delta_), false);
      }
      out.state_error += largest;
    }
  }
  Vec y = Lx_;
  if (out.refinements > 0) {
    rho = DensityMatrix(space_, gather(x));
    NESSMAP_PETSC(MatMult(matrix.mat(), x, y));
  }

  // ||L rho||: with the folded matrix every row but 0 is a row of L, and row 0 of L rho follows
  // from trace preservation, (L rho)_00 = -sum_{m != 0} (L rho)_mm.
  {
    PetscScalar *ya;
    NESSMAP_PETSC(VecGetArray(y, &ya));
    const PetscInt b = matrix.row_begin(), e = matrix.row_end();
    if (matrix.mode() == TraceRow::fold) {
      PetscScalar local = 0, total = 0;
      diagonal();  // Tr (L rho) = sum_i w_i (L rho)_i = 0, w_i = trace_weight(i) (w_0 = 1 or sqrt(M))
      for (std::size_t k = 0; k < diagonal_.size(); ++k)
        if (diagonal_[k] != 0 && diagonal_[k] >= b && diagonal_[k] < e) local += diagonal_weight_[k] * ya[diagonal_[k] - b];
      MPI_Allreduce(&local, &total, 1, MPIU_SCALAR, MPIU_SUM, comm_);
      if (b == 0 && e > 0) ya[0] = -total / space_.trace_weight(0);
    }
    NESSMAP_PETSC(VecRestoreArray(y, &ya));
    PetscReal norm;
    NESSMAP_PETSC(VecNorm(y, NORM_2, &norm));
    out.residual_norm = norm;
  }
  // The sectors' state, checked against the symmetric space's own L (assembled from the master
  // equation's terms, not from the collective form): a wrong sector equation or sum into y leaves
  // a residual of the order of ||L|| ||rho||, roundoff about 1e-16 of it.
  if (on_sector_path_) {
    PetscReal l_norm, x_norm;
    NESSMAP_PETSC(MatNorm(matrix.mat(), NORM_1, &l_norm));
    NESSMAP_PETSC(VecNorm(x, NORM_2, &x_norm));
    if (!(out.residual_norm <= sector_residual_tolerance * l_norm * x_norm)) {
      char text[240];
      std::snprintf(text, sizeof text,
                    "the Dicke sectors' state leaves ||L rho||_2 = %.3g in the symmetric space, above %.0e ||L||_1 ||rho||_2 = %.3g",
                    out.residual_norm, sector_residual_tolerance, sector_residual_tolerance * l_norm * x_norm);
      out.converged = false;
      out.failure = Failure::inaccurate;
      out.reason = text;
      out.seconds = seconds();
      return out;
    }
  }
  have_state_ = stage != nullptr;  // x holds this point's normalised state: the next solve may start from it
  out.rho.emplace(std::move(rho));
  out.seconds = seconds();
  return out;
}

namespace {

// An orthonormal basis of the null space of A by SLEPc (Krylov-Schur, shift-and-invert at 0,
// options prefix -null_), asking for more eigenvalues until one beyond the null space converges.
struct NullBasis {
  std::vector<PetscVec> vectors;   // orthonormal (Schur vectors of the eigenvalues at 0)
  std::vector<double> magnitudes;  // |lambda| of the converged eigenvalues, in SLEPc's order
  int dimension = 0;               // how many of them are within null_eigenvalue_tolerance ||A||_1
  double norm = 0;                 // ||A||_1
  double residual = 0;             // max ||A v||_2 over the basis
  std::string solver;
};

NullBasis null_basis(MPI_Comm comm, Mat A, PetscInt first_k) {
  NullBasis out;
  PetscInt n = 0;
  NESSMAP_PETSC(MatGetSize(A, &n, nullptr));
  PetscReal norm;
  NESSMAP_PETSC(MatNorm(A, NORM_1, &norm));
  out.norm = norm;
  const double zero = null_eigenvalue_tolerance * norm;
  // One EPS, asked for more eigenvalues until one beyond the null space converges: its
  // shift-and-invert LU of A is made once (A does not change), which at N = 4 is most of the time.
  PetscEPS eps = eps_near_zero(comm, static_cast<int>(std::min(first_k, n)), "null_");
  NESSMAP_PETSC(EPSSetOperators(eps, A, nullptr));
  for (PetscInt k = std::min(first_k, n);; k = std::min<PetscInt>(4 * k, n)) {
    NESSMAP_PETSC(EPSSetDimensions(eps, k, PETSC_DEFAULT, PETSC_DEFAULT));
    NESSMAP_PETSC(EPSSolve(eps));
    PetscInt nconv = 0;
    NESSMAP_PETSC(EPSGetConverged(eps, &nconv));
    out.magnitudes.clear();
    for (PetscInt i = 0; i < nconv; ++i) {
      PetscScalar lambda, lambda_i;
      NESSMAP_PETSC(EPSGetEigenvalue(eps, i, &lambda, &lambda_i));
      out.magnitudes.push_back(std::abs(lambda));
    }
    // SLEPc orders them by distance to the target 0, so the null ones lead.
    out.dimension = static_cast<int>(std::count_if(out.magnitudes.begin(), out.magnitudes.end(),
                                                   [&](double m) { return m <= zero; }));
    if (out.dimension == nconv && nconv >= k && k < n) continue;  // all null: there may be more
    for (int i = 0; i < out.dimension; ++i)
      if (!(out.magnitudes[i] <= zero)) throw PetscFailure(PETSC_ERR_PLIB, "SLEPc did not order the eigenvalues nearest 0 first");
    std::vector<Vec> V(static_cast<std::size_t>(nconv));
    for (auto &v : V) NESSMAP_PETSC(MatCreateVecs(A, &v, nullptr));
    NESSMAP_PETSC(EPSGetInvariantSubspace(eps, V.data()));
    PetscVec w;
    NESSMAP_PETSC(MatCreateVecs(A, nullptr, w.out()));
    for (PetscInt i = 0; i < nconv; ++i) {
      if (i < out.dimension) {
        PetscReal r;
        NESSMAP_PETSC(MatMult(A, V[i], w));
        NESSMAP_PETSC(VecNorm(w, NORM_2, &r));
        out.residual = std::max(out.residual, static_cast<double>(r));
        out.vectors.emplace_back(V[i]);
      } else {
        NESSMAP_PETSC(VecDestroy(&V[i]));
      }
    }
    out.solver = describe(eps);
    return out;
  }
}

std::string magnitudes_text(const std::vector<double> &m, std::size_t count) {
  std::string text;
  char one[32];
  for (std::size_t i = 0; i < std::min(count, m.size()); ++i) {
    std::snprintf(one, sizeof one, "%s%.2g", i ? ", " : "", m[i]);
    text += one;
  }
  return text;
}

} // namespace

bool SteadyStateSolver::null_space_state(const MasterEquation &me, const DensityMatrix &rho0, SteadyState &out) {
  if (!null_space_) null_space_ = std::make_unique<NullSpace>(comm_, space_);
  NullSpace &ns = *null_space_;
  ns.matrix.assemble(me);
  Mat A = ns.matrix.mat();
  ns.adjoint.reset();
  NESSMAP_PETSC(MatHermitianTranspose(A, MAT_INITIAL_MATRIX, ns.adjoint.out()));
  // Start from the dimension a direct solve saw (MUMPS's null pivots of the trace-row matrix, plus
  // one), else from 8; more are asked for while all that converge are null.
  const PetscInt first_k = std::max<PetscInt>(8, out.null_pivots + 3);
  const NullBasis right = null_basis(comm_, A, first_k);
  const NullBasis left = null_basis(comm_, ns.adjoint, std::max<PetscInt>(first_k, right.dimension + 2));
  out.solver = "null spaces of L and L^dagger by " + right.solver;
  out.iterations = 0;
  char detail[400];
  const auto fail = [&](Failure f) {
    out.failure = f;
    out.reason = detail;
    return false;
  };
  // Eigenvalues between roundoff and a resolvable gap: the state is unique in exact arithmetic
  // or not, and no double-precision solve can tell.
  for (const NullBasis *b : {&right, &left}) {
    const auto &m = b->magnitudes;
    const std::size_t d = static_cast<std::size_t>(b->dimension);
    if (d < m.size() && m[d] <= undecidable_eigenvalue_tolerance * b->norm) {
      std::snprintf(detail, sizeof detail,
                    "nearly degenerate: %s eigenvalues nearest 0 are |lambda| = %s with ||%s||_1 = %.3g; "
                    "|lambda_%zu| / ||%s||_1 = %.2g lies between roundoff (%.0e) and a resolvable gap (%.0e)",
                    b == &right ? "L's" : "L^dagger's", magnitudes_text(m, d + 2).c_str(), b == &right ? "L" : "L^dagger",
                    b->norm, d + 1, b == &right ? "L" : "L^dagger", m[d] / b->norm, null_eigenvalue_tolerance,
                    undecidable_eigenvalue_tolerance);
      return fail(Failure::inaccurate);
    }
  }
  if (right.dimension == 0 || right.dimension != left.dimension) {
    std::snprintf(detail, sizeof detail,
                  "L has %d right and %d left null vectors within %.0e ||L||_1 (eigenvalues nearest 0: %s)",
                  right.dimension, left.dimension, null_eigenvalue_tolerance,
                  magnitudes_text(right.magnitudes, 6).c_str());
    return fail(right.dimension == 0 ? Failure::not_converged : Failure::not_unique);
  }
  const int d = right.dimension;
  out.steady_state_dimension = d;
  out.gap = static_cast<std::size_t>(d) < right.magnitudes.size() ? right.magnitudes[d] : 0.0;

  // rho = R (Y^dagger R)^-1 Y^dagger rho_0: G = Y^dagger R, c = Y^dagger rho_0, G a = c.
  if (!ns.rho0) NESSMAP_PETSC(MatCreateVecs(A, ns.rho0.out(), nullptr));
  {
    PetscInt lo, hi;
    PetscScalar *a;
    NESSMAP_PETSC(VecGetOwnershipRange(ns.rho0, &lo, &hi));
    NESSMAP_PETSC(VecGetArray(ns.rho0, &a));
    for (PetscInt i = lo; i < hi; ++i) {
      if (space_.kind() != Space::full) {  // the block is the space solved
        a[i - lo] = rho0.values()[static_cast<std::size_t>(i)];
        continue;
      }
      Bits m, n;
      ns.block.element(i, m, n);
      a[i - lo] = rho0(m, n);
    }
    NESSMAP_PETSC(VecRestoreArray(ns.rho0, &a));
  }
  std::vector<Vec> R, Y;
  for (const auto &v : right.vectors) R.push_back(v.get());
  for (const auto &v : left.vectors) Y.push_back(v.get());
  const std::size_t dd = static_cast<std::size_t>(d);
  std::vector<PetscScalar> G(dd * dd), c(dd), column(dd);  // column-major
  for (std::size_t j = 0; j < dd; ++j) {
    NESSMAP_PETSC(VecMDot(R[j], d, Y.data(), column.data()));
    for (std::size_t i = 0; i < dd; ++i) G[i + j * dd] = column[i];
  }
  NESSMAP_PETSC(VecMDot(ns.rho0, d, Y.data(), c.data()));
  // Solve for c and the identity at once: a and G^-1 (for cond(G)).
  std::vector<PetscScalar> rhs(dd * (dd + 1), 0.0), lu = G;
  for (std::size_t i = 0; i < dd; ++i) {
    rhs[i] = c[i];
    rhs[i + (i + 1) * dd] = 1.0;
  }
  std::vector<PetscBLASInt> pivots(dd);
  PetscBLASInt nn = static_cast<PetscBLASInt>(d), nrhs = nn + 1, info = 0;
  LAPACKgesv_(&nn, &nrhs, lu.data(), &nn, pivots.data(), rhs.data(), &nn, &info);
  double g_norm = 0, ginv_norm = 0;
  for (std::size_t i = 0; i < dd * dd; ++i) {
    g_norm += std::norm(G[i]);
    ginv_norm += std::norm(rhs[dd + i]);
  }
  const double condition = std::sqrt(g_norm * ginv_norm);
  if (info != 0 || !std::isfinite(condition)) {
    std::snprintf(detail, sizeof detail,
                  "the %d right and left null vectors are not biorthogonalisable (Y^dagger R singular, LAPACK info %d)",
                  d, static_cast<int>(info));
    return fail(Failure::not_unique);
  }
  if (!ns.x) NESSMAP_PETSC(MatCreateVecs(A, ns.x.out(), nullptr));
  NESSMAP_PETSC(VecSet(ns.x, 0.0));
  NESSMAP_PETSC(VecMAXPY(ns.x, d, rhs.data(), R.data()));
  PetscReal x_norm;
  NESSMAP_PETSC(VecNorm(ns.x, NORM_2, &x_norm));
  // Into x_, in the space solved.
  if (space_.kind() != Space::full) {
    NESSMAP_PETSC(VecCopy(ns.x, x_));
  } else {
    PetscScalar *xa;
    PetscInt lo, hi;
    NESSMAP_PETSC(VecGetOwnershipRange(x_, &lo, &hi));
    NESSMAP_PETSC(VecGetArray(x_, &xa));
    std::fill(xa, xa + (hi - lo), PetscScalar{0});
    PetscScatter all;
    PetscVec whole;
    NESSMAP_PETSC(VecScatterCreateToAll(ns.x, all.out(), whole.out()));
    NESSMAP_PETSC(VecScatterBegin(all, ns.x, whole, INSERT_VALUES, SCATTER_FORWARD));
    NESSMAP_PETSC(VecScatterEnd(all, ns.x, whole, INSERT_VALUES, SCATTER_FORWARD));
    const PetscScalar *wa;
    NESSMAP_PETSC(VecGetArrayRead(whole, &wa));
    for (std::int64_t i = 0; i < ns.block.dimension(); ++i) {
      Bits m, n;
      ns.block.element(i, m, n);
      const std::int64_t f = space_.index(m, n);
      if (f >= lo && f < hi) xa[f - lo] = wa[i];
    }
    NESSMAP_PETSC(VecRestoreArrayRead(whole, &wa));
    NESSMAP_PETSC(VecRestoreArray(x_, &xa));
  }
  const double gap = out.gap > 0 ? out.gap : null_eigenvalue_tolerance * right.norm;
  out.unresolved_error = x_norm * condition * (right.residual + left.residual) / gap;
  out.state_error = out.unresolved_error;
  char summary[160];
  std::snprintf(summary, sizeof summary, ", dimension %d, gap |lambda_%d| = %.3g, cond(Y^dagger R) = %.3g", d, d + 1,
                out.gap, condition);
  out.solver += summary;
  out.reason = "CONVERGED";
  return true;
}

std::vector<double> SteadyStateSolver::eigenvalues_nearest_zero(const MasterEquation &me, int k) {
  if (!probe_ || probe_->k != k) probe_ = std::make_unique<NullSpaceProbe>(comm_, space_, k);
  probe_->matrix.assemble(me);
  NESSMAP_PETSC(EPSSetOperators(probe_->eps, probe_->matrix.mat(), nullptr));
  NESSMAP_PETSC(EPSSolve(probe_->eps));
  PetscInt nconv = 0;
  NESSMAP_PETSC(EPSGetConverged(probe_->eps, &nconv));
  std::vector<double> magnitudes;
  for (PetscInt i = 0; i < nconv; ++i) {
    PetscScalar lambda, lambda_i;
    NESSMAP_PETSC(EPSGetEigenvalue(probe_->eps, i, &lambda, &lambda_i));
    magnitudes.push_back(std::abs(lambda));
  }
  std::sort(magnitudes.begin(), magnitudes.end());
  if (magnitudes.size() > static_cast<std::size_t>(k)) magnitudes.resize(k);
  return magnitudes;
}

double SteadyStateSolver::liouvillian_norm() const {
  if (!last_matrix_) return 0;
  PetscReal norm = 0;
  NESSMAP_PETSC(MatNorm(last_matrix_->mat(), NORM_1, &norm));
  return norm;
}

bool dicke_sector_path(const SolverConfig &config) {
  return config.space == Space::symmetric && config.method == Method::automatic && config.bath == Bath::common &&
         config.coupling == Coupling::all_to_all;
}

bool SteadyStateSolver::sector_state(const MasterEquation &me, const DensityMatrix &rho0, SteadyState &out,
                                     std::string &why) {
  const auto solution = sector_steady_state(me, *space_.symmetric(), rho0, &why);
  if (!solution) return false;
  PetscScalar *xa;
  PetscInt lo, hi;
  NESSMAP_PETSC(VecGetOwnershipRange(x_, &lo, &hi));
  NESSMAP_PETSC(VecGetArray(x_, &xa));
  std::copy(solution->y.begin() + lo, solution->y.begin() + hi, xa);
  NESSMAP_PETSC(VecRestoreArray(x_, &xa));
  out.converged = true;
  out.failure = Failure::none;
  out.reason = "CONVERGED";
  out.solver = solution->solver;
  out.iterations = 0;
  out.steady_state_dimension = solution->sectors;
  out.unresolved_error = solution->error;
  out.state_error = solution->error;
  return true;
}

bool symmetric_iterative(const SolverConfig &config, int N) {
  return config.space == Space::symmetric && config.method == Method::automatic && config.bath != Bath::common &&
         space_dimension(config.space, N, config.coupling) > static_cast<std::uint64_t>(symmetric_direct_max_dimension);
}

Method resolve_method(const SolverConfig &config, int N) {
  if (config.space == Space::pairs) {  // each pair an N = 1 point of the balanced block
    SolverConfig pair = config;
    pair.space = Space::balanced;
    return resolve_method(pair, 1);
  }
  if (config.space == Space::symmetric) {
    if (config.method == Method::sylvester && config.coupling == Coupling::pairwise)
      throw std::invalid_argument("method sylvester needs the Kronecker structure of the two ensembles, which the "
                                  "symmetric space of type 2 does not have (its units hold a hot and a cold qubit); "
                                  "it is solved by ksp (the default there) or eps");
    if (config.method != Method::automatic) return config.method;
    return symmetric_iterative(config, N) && config.coupling == Coupling::all_to_all ? Method::sylvester : Method::ksp;
  }
  if (config.method != Method::automatic) return config.method;
  return space_dimension(config.space, N) <= config.auto_direct_max_dimension ? Method::ksp : Method::sylvester;
}

bool uses_factorization(Method method) {
  const char *name = method == Method::eps ? "-st_pc_type" : "-pc_type";
  char type[64] = "";
  PetscBool set = PETSC_FALSE;
  NESSMAP_PETSC(PetscOptionsGetString(nullptr, nullptr, name, type, sizeof type, &set));
  const bool factor = std::strcmp(type, "lu") == 0 || std::strcmp(type, "cholesky") == 0;
  return method == Method::sylvester ? (set && factor) : (!set || factor);
}

MemoryEstimate estimate_memory(int N, const SolverConfig &config, double nonzeros, int ranks) {
  if (config.space == Space::pairs) {
    // One N = 1 point at a time (point.hpp): its balanced block of 6 and the process.
    SolverConfig pair = config;
    pair.space = Space::balanced;
    MemoryEstimate est = estimate_memory(1, pair, nonzeros >= 0 ? nonzeros / N : -1.0, ranks);
    est.dimension = space_dimension(Space::pairs, N);
    return est;
  }
  MemoryEstimate est;
  est.dimension = space_dimension(config.space, N, config.coupling);
  est.method = resolve_method(config, N);
  est.direct = uses_factorization(est.method);
  const double n = static_cast<double>(est.dimension);
  // Without a count, 4N + 2N^2 + 2 nonzeros per row bounds the rows measured up to N = 4.
  const bool counted = nonzeros >= 0;
  if (!counted) nonzeros = n * (4.0 * N + 2.0 * N * N + 2.0);
  // The symmetric space's rows hold at most about 22 (type 1, common bath, N = 10; 13-16 elsewhere).
  if (!counted && config.space == Space::symmetric) nonzeros = n * 32.0;
  // AIJ: a complex value and a 32-bit column per nonzero, row offsets, and the vectors of a solve;
  // up to LiouvillianMatrix's plan limit also the assembly plan, an offset and on average about
  // two term indices per nonzero (measured: N = 5 common, 641 MiB peak against 476 MiB without it).
  est.matrix_bytes = nonzeros * 20.0 + n * 8.0 + 6.0 * n * 16.0;
  if (nonzeros <= static_cast<double>(LiouvillianMatrix::default_plan_limit) && config.space != Space::symmetric)
    est.matrix_bytes += nonzeros * 12.0;  // (the symmetric space has no plan)
  // The structured L (liouvillian/structured.hpp) has no rows: its factors (one ensemble's blocks,
  // about 4^N rows of 4N + 2N^2 + 2 entries each, both ensembles) and the vectors above. Held
  // whole by every rank: x by blocks and transposed, four work blocks of the largest block
  // (C(2N, N)^2), and on K ranks the gathered x and the products.
  double structured_whole = 0, assembled = 0;
  est.structured = est.method == Method::sylvester && sylvester_storage(config.space, N) == Storage::structured;
  if (est.structured) {
    double block = 1;  // C(2N, N)
    for (int k = 1; k <= N; ++k) block = block * (N + k) / k;
    const double factors = 2.0 * std::pow(4.0, N) * (4.0 * N + 2.0 * N * N + 2.0) * 20.0;
    assembled = est.matrix_bytes;
    est.matrix_bytes = factors + 6.0 * n * 16.0;
    structured_whole = 2.0 * n * 16.0 + 4.0 * block * block * 16.0 + (ranks > 1 ? 2.0 * n * 16.0 : 0.0);
  }
  // LU of the hypercube-like Liouvillian graph fills about half of n^2 (physics.md).
  est.factor_bytes = 0.5 * n * n * 16.0;
  // The symmetric space's graph is a lattice of occupation numbers, not a hypercube: MUMPS's fill
  // grows like n^1.65. Fitted to the peak memory of one point measured on this machine (MUMPS,
  // default ordering): pairwise N = 6, 7, 8 (n = 7,848 to 58,870: 90 MB to 1.5 GB), all_to_all
  // N = 10, 12, 14 (n = 6,222 to 26,216: 115 MB to 0.96 GB).
  if (config.space == Space::symmetric)
    est.factor_bytes = (config.coupling == Coupling::all_to_all ? 47.5 : 20.3) * std::pow(n, 1.65);
  // GMRES(restart) keeps restart + 2 vectors. The Sylvester preconditioner keeps the Schur vectors
  // Q and the triangular factor T of every block of L_h and L_c (kronecker_sum.hpp): block d of one
  // ensemble has C(2N, N + d) rows, and
  // sum_d C(2N, N + d)^2 = C(4N, 2N); plus full-length work arrays.
  // In the symmetric space of type 1 the blocks of one ensemble are its occupation numbers with
  // n_10 - n_01 = d: sum_d (their count)^2, 2.3 M at N = 40 (kronecker_sum.hpp).
  double ensemble_blocks = static_cast<double>(space_dimension(Space::balanced, N));
  if (config.space == Space::symmetric) {
    ensemble_blocks = 0;
    for (int d = -N; d <= N; ++d) {
      double count = 0;  // (n_01, n_10 = n_01 + d) with n_01 + n_10 <= N, times the n_00 left free
      for (int n01 = std::max(0, -d); 2 * n01 + d <= N; ++n01) count += N - (2 * n01 + d) + 1;
      ensemble_blocks += count * count;
    }
  }
  // The no-jump preconditioner (qubit bases): Q and T of A_k for every excitation sector k,
  // sum_k C(2N, k)^2 = C(4N, 2N) entries each (one form serves both sides, B = A^H), and the two
  // vectors of `both`.
  const double no_jump_forms = config.space == Space::symmetric ? 0.0 : 2.0 * space_dimension(Space::balanced, N) * 16.0;
  const double both_vectors = config.space == Space::symmetric ? 0.0 : 2.0 * n * 16.0;
  // Held whole by every rank of a group (the preconditioners are serial code).
  const double schur_forms = 2.0 * 2.0 * ensemble_blocks * 16.0 + no_jump_forms;
  // GMRES's restart: -ksp_gmres_restart where given.
  PetscInt restart = sylvester_restart(config.space, n);
  PetscBool restart_set = PETSC_FALSE;
  NESSMAP_PETSC(PetscOptionsGetInt(nullptr, nullptr, "-ksp_gmres_restart", &restart, &restart_set));
  est.restart = static_cast<int>(restart);
  est.krylov_bytes = (restart + 2.0) * n * 16.0 + schur_forms + 3.0 * n * 16.0 + both_vectors;
  // The process itself (PETSc, MPI, the basis): about 33 MB measured at N = 1 (counted in the
  // symmetric space, where it is a visible share), once per rank.
  const double process = config.space == Space::symmetric ? 33.0e6 : 0.0;
  if (config.space == Space::symmetric) {
    est.matrix_bytes += process;
    // Identical qubits under a common bath take the null-space path (LU of L and of L^dagger,
    // SLEPc's bases): fitted to type 1's peaks at N = 10 and 12 (0.36 and 0.77 GB).
    if (config.bath == Bath::common) est.factor_bytes = std::max(est.factor_bytes, 32128.0 * std::pow(n, 1.056));
  }
  if (dicke_sector_path(config)) {
    // Dicke sectors: the matrix above (for the residual check), and what grows like N^4: the
    // currents' plan (a common bath's ~N^2 pair terms times H_I's N^2 terms) next to the sectors'
    // small LUs (the largest 21,856 rows at N = 31). Fitted to the peaks of one point at N = 16, 20,
    // 25, 31 (127, 250, 688, 1,571 MiB): estimate / peak 1.01, 1.11, 0.97, 1.04.
    est.sectors = true;
    est.factor_bytes = 1100.0 * std::pow(static_cast<double>(N), 4);
  }
  // What auto's fallback adds to the matrix when its sylvester does not converge: LU's fill, or
  // in the symmetric space GMRES(30) and ILU(2).
  est.fallback_bytes = est.factor_bytes;
  if (symmetric_iterative(config, N)) {
    // GMRES(30) and ILU(2) on a scaled copy of the matrix: the factor holds about 150 + 3.5 N
    // bytes per nonzero of the matrix for type 1 and 40 N for type 2 (333 at N = 8, 412 at
    // N = 10), fitted to the peaks measured with this model (type 1 N = 20: 0.78 GB, N = 25:
    // 1.95 GB, N = 40: 22.8 GB, i.e. 259, 219 and 292 bytes per nonzero; type 2 N = 8: 0.33 GB,
    // N = 10: 2.32 GB).
    const double ilu = config.coupling == Coupling::all_to_all ? 150.0 + 3.5 * N : 40.0 * N;
    est.fallback_bytes = 32.0 * n * 16.0 + 3.0 * n * 16.0 + nonzeros * 20.0 + ilu * nonzeros;
    if (est.method == Method::ksp) {
      est.direct = false;
      est.krylov_bytes = est.fallback_bytes;
    }
  }
  if (ranks > 1) {
    // Per rank of a point split over `ranks` (--ranks-per-point): the matrix's rows, the Krylov
    // vectors and MUMPS's factors are divided; the Schur forms are not, and every rank gathers the
    // whole state for the observables and, under sylvester, r and y for the preconditioner: three
    // whole vectors.
    const double K = ranks, whole = 3.0 * n * 16.0;
    const bool schur = !symmetric_iterative(config, N) || est.method != Method::ksp;
    est.matrix_bytes = (est.matrix_bytes - process) / K + whole + process;
    est.factor_bytes /= K;
    est.krylov_bytes = schur ? (est.krylov_bytes - schur_forms) / K + schur_forms : est.krylov_bytes / K;
    est.fallback_bytes /= K;
    est.ranks = ranks;
  }
  est.matrix_bytes += structured_whole;
  est.assembled_bytes = !est.structured ? est.matrix_bytes : ranks > 1 ? assembled / ranks + 3.0 * n * 16.0 : assembled;
  return est;
}

double physical_memory_bytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

} // namespace nessmap
