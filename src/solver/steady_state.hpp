#pragma once
// Steady state of one family (N, bath, coupling, space, method), reusing PETSc objects, the
// sparsity pattern and the symbolic factorization from point to point: only values change.
//
//   ksp: L' rho = e_0, L' = L with row 0 replaced by the trace functional. Default: direct LU,
//        on one rank up to 300 rows the LU in real coordinates (real_form_lu.hpp, with PETSc's LU
//        for the points it refuses), else MUMPS where PETSc has it; any -ksp_type / -pc_type /
//        -pc_factor_mat_solver_type wins.
//   eps: SLEPc, the eigenvector of the eigenvalue of L nearest 0 by shift-and-invert; the -eps_*
//        and -st_* options win.
//   sylvester: GMRES on L x = -L rho_0, right-preconditioned by the exact inverse of the Omega = 0
//        Liouvillian (kronecker_sum.hpp) or, where the interaction dominates, by the no-jump
//        inverse (no_jump.hpp; -sylvester_pc, sylvester_pc_option), started from rho_0
//        (-sylvester_warm_start: from the previous point's state); the -ksp_* options win, and
//        -pc_type replaces the preconditioner.
//   auto: one of these by size (resolve_method).
// Either way the state is normalised to unit trace.
//
// Every solve measures the dimension of L's null space (physics.md, "Degenerate steady states").
// Each method certifies dimension 1 on its own way (below); where it cannot (identical qubits
// under a common bath: LU meets a null pivot, eps finds two zero eigenvalues, the Sylvester
// preconditioner has a second zero mode), the null-space path takes over for every method: SLEPc
// Krylov-Schur with shift-and-invert at 0 (MUMPS LU of L, options prefix -null_) gives orthonormal
// bases R of L's and Y of L^dagger's null spaces, and the state is the long-time limit from rho_0,
// rho = R (Y^dagger R)^-1 Y^dagger rho_0. It works in the balanced block, which holds the limit
// in either space (rho_0 is diagonal), and factorises L there, so it reaches as far as that LU
// does (N <= 4); steady_state_dimension then counts the balanced block's null space.
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "liouvillian/liouvillian.hpp"
#include "model/density_matrix.hpp"
#include "solver/failure.hpp"
#include "solver/solver_config.hpp"

namespace nessmap {

struct SteadyState {
  std::optional<DensityMatrix> rho;  // empty when the solve failed outright
  bool converged = false;
  Failure failure = Failure::none;  // when not converged: not_converged, not_unique, not_finite, inaccurate or error
  std::string reason;            // what was measured when it failed, or the solver's convergence reason
  std::string solver;            // e.g. "ksp preonly, pc lu (mumps)"
  double trace_error = 0;        // |Tr rho - 1| of the solution before the final normalisation
  double residual_norm = 0;      // ||L rho||_2 of the normalised state
  double eigenvalue = 0;         // eps: |lambda| of the eigenvalue found (0 for ksp)
  int iterations = 0;
  int refinements = 0;           // steps of iterative refinement taken (ksp)
  int null_pivots = 0;           // MUMPS's null pivots of the trace-row matrix, where it found some
  double seconds = 0;            // assembly + solve
  // Dimension of L's numerical null space in the space solved; 0 when the solve failed before it
  // was measured. 1 is certified by the method: ksp by a regular trace-row matrix (its LU found no
  // null pivot), eps by its second eigenvalue nearest 0 lying beyond null_eigenvalue_tolerance
  // ||L||_1, sylvester by GMRES converging with a preconditioner of a single zero mode; ksp with
  // GMRES and ILU (symmetric_iterative) does not measure it: it runs only where the bath makes the
  // state unique (independent baths, physics.md), and reports 1 for that reason. Larger: the
  // number of eigenvalues of L within null_eigenvalue_tolerance ||L||_1 of 0 in the null-space
  // path's block (the balanced block for the balanced and full spaces, the symmetric space
  // itself), rho then being the long-time limit from rho_0.
  int steady_state_dimension = 0;
  // |lambda| of L's first eigenvalue beyond the null space, where it was measured (eps, the
  // null-space path); 0 elsewhere.
  double gap = 0;
  // A first-order estimate of rho's error, rho_exact ~ rho + correction (whole on every rank,
  // traceless): the method's own solver applied to the residual (ksp: the trace-row LU once more;
  // eps: the shift-and-invert LU of L; sylvester: the Omega = 0 preconditioner divided by GMRES's
  // smallest singular value estimate of the preconditioned L). Empty on the null-space path.
  std::optional<DensityMatrix> correction;
  // The same solver's response to the rounding of L's own entries (LiouvillianMatrix::value_rounding)
  // for two sign patterns: the error no residual shows, since refinement converges to the state of
  // the rounded L. Empty without an assembly plan (beyond its size limit) and on the null-space path.
  std::vector<DensityMatrix> data_corrections;
  // The part of rho's error known only in size (Frobenius): on the null-space path
  // ||rho||_2 cond(Y^dagger R) (||L R|| + ||L^dagger Y||) / gap; for eps ||rho||_2 |lambda_1| / |lambda_2|
  // (its eigenvector belongs to the rounded L's eigenvalue lambda_1, not exactly 0); else 0.
  double unresolved_error = 0;
  // ||rho - rho_exact||_2 (Frobenius) as estimated: ||correction||_2 + max ||data_corrections||_2 +
  // unresolved_error.
  double state_error = 0;
};

// Iterative refinement (ksp) runs where a solve is careful (below), and goes on for at most
// max_refinements steps while a step changes rho and does not increase the estimate.
inline constexpr double refinement_floor = 16;
inline constexpr double careful_threshold = 1e-12;
inline constexpr int max_refinements = 6;
// The error estimate is one step of the method's own solver on the residual, valid only where that
// solver inverts A. Where the relative residual ||A x - b|| / (||A||_1 ||x|| + ||b||) is above
// inverse_check_backward_error (a direct or converged Krylov solve stays near 1e-16), the step must
// leave at most inverse_check_ratio of the residual; else the point fails as inaccurate (a
// preconditioner applied once, -ksp_type preonly -pc_type jacobi: J = 0 had been marked ok).
inline constexpr double inverse_check_backward_error = 1e-10;
inline constexpr double inverse_check_ratio = 0.5;

// An eigenvalue of L with |lambda| at most this times ||L||_1 is zero to roundoff: the numerical
// null space's dimension is the number of such eigenvalues.
inline constexpr double null_eigenvalue_tolerance = 1e-14;
// Up to this times ||L||_1 an eigenvalue is too close to roundoff to tell a unique state with a
// tiny gap (nearly identical couplings) from a degenerate one; the point then fails (inaccurate)
// with the measured eigenvalues rather than pick either.
inline constexpr double undecidable_eigenvalue_tolerance = 1e-9;

// Contract: the constructor and solve() are collective over `comm` (the ranks of one point); every
// rank returns the same SteadyState, with rho whole on each. A solve that fails (not converged, not
// unique, a PETSc error inside the solve) is returned with converged = false and its Failure, not
// thrown; PETSc errors outside the solve (creating objects) throw PetscFailure. The comm is kept (not
// duplicated) and must outlive the solver; `config` is copied.
class SteadyStateSolver {
public:
  SteadyStateSolver(MPI_Comm comm, int N, const SolverConfig &config);
  ~SteadyStateSolver();
  SteadyStateSolver(const SteadyStateSolver &) = delete;
  SteadyStateSolver &operator=(const SteadyStateSolver &) = delete;

  // `rho0` (in space()) is the initial state: it decides the result only when L's null space has
  // dimension > 1. `thorough`: solve with the trace-row LU (method ksp) whatever the method (where
  // direct_fits()), refine, and sample the rounding of L's entries, for a point whose currents the
  // quick solve could not make accurate; a quick solve does the last two only where its first
  // correction exceeds careful_threshold ||rho||_2.
  // rho0 is asked for only then (the null-space path).
  using InitialState = std::function<DensityMatrix(const StateSpace &)>;
  SteadyState solve(const MasterEquation &me, const InitialState &rho0, bool thorough = false);
  SteadyState solve(const MasterEquation &me, const DensityMatrix &rho0, bool thorough = false) {
    return solve(me, [&](const StateSpace &) { return rho0; }, thorough);
  }
  // Whether the trace-row LU takes at most fallback_memory_fraction of this machine's memory.
  bool direct_fits() const { return direct_fits_; }
  Method method() const { return config_.method; }  // resolved

  const StateSpace &space() const { return space_; }
  std::int64_t nnz() const { return primary_->matrix.nnz(); }
  // ||L||_1 (largest column sum) of the matrix that solved the last point, with the values of that
  // point; the trace row of method ksp adds at most 1 to a column. A scale for residuals, computed
  // on request only. Collective over the solver's communicator; throws PetscFailure.
  double liouvillian_norm() const;
  // |lambda| of the k eigenvalues of L (no trace row) nearest 0, ascending (fewer when SLEPc
  // converged fewer), by shift-and-invert at 0 (options prefix -probe_). The numerical null space's
  // dimension is the number of them at roundoff level. One extra LU of L: meant for examining a
  // point whose solution looks wrong, not for every point. Collective; throws PetscFailure.
  std::vector<double> eigenvalues_nearest_zero(const MasterEquation &me, int k);

  class Backend;  // KSP, EPS or Sylvester, defined in the implementation
  struct NullSpace;  // the null-space path
  // A method with its matrix (with or without the trace row) and solver objects.
  struct Stage {
    // `iterative`: ksp with GMRES and ILU (symmetric_iterative) rather than LU.
    Stage(MPI_Comm comm, const StateSpace &space, Method method, double progress_seconds, bool iterative = false);
    ~Stage();
    Method method;
    LiouvillianMatrix matrix;
    std::unique_ptr<Backend> backend;
  };

private:
  MPI_Comm comm_;
  SolverConfig config_;  // method resolved
  StateSpace space_;
  std::unique_ptr<Stage> primary_;
  // `auto` falls back to the direct solver when GMRES does not converge and LU fits in memory
  // (N <= 4): strong interaction (Omega large against the dissipation) weakens the Omega = 0
  // preconditioner. In the symmetric space the fallback is GMRES with ILU(2), where it fits.
  bool fallback_allowed_ = false;
  bool fallback_iterative_ = false;  // the fallback is GMRES with ILU (symmetric_iterative), not LU
  bool direct_fits_ = false;
  std::unique_ptr<Stage> fallback_;
  struct NullSpaceProbe;
  std::unique_ptr<NullSpaceProbe> probe_;
  // The long-time limit from rho0 by L's right and left null spaces, into x_; false (with the
  // failure in `out`) when they cannot be resolved.
  bool null_space_state(const MasterEquation &me, const DensityMatrix &rho0, SteadyState &out);
  // A collective family (dicke_sector_path): the state sector by sector (solver/dicke_solver.hpp)
  // into x_; false with the reason in `why` when that path does not apply to this point.
  bool sectors_ = false;
  bool on_sector_path_ = false;  // the last solve went by the sectors
  bool sector_state(const MasterEquation &me, const DensityMatrix &rho0, SteadyState &out, std::string &why);
  // The configured method with its fallbacks and the null-space path; leaves in `stage` the stage
  // whose state x_ holds (nullptr: the null-space path) and sets last_matrix_.
  void solve_by_method(const MasterEquation &me, const InitialState &rho0, bool thorough, SteadyState &out,
                       Stage *&stage);
  // Normalisation, corrections and refinement (where `stage` solved), and the residual.
  SteadyState finish(const MasterEquation &me, bool thorough, SteadyState &out, Stage *stage,
                     const LiouvillianMatrix &matrix, Vec x, std::chrono::steady_clock::time_point start);
  bool warm_ = false;  // x_ held the previous point's state when this solve began
  std::unique_ptr<NullSpace> null_space_;
  const LiouvillianMatrix *last_matrix_ = nullptr;  // the matrix that solved the last point
  PetscVec x_, Lx_, delta_, r_, previous_;  // solution, L x, correction, residual, last iterate
  std::vector<std::int64_t> diagonal_;  // indices of the diagonal elements, made when first needed
  std::vector<double> diagonal_weight_;  // their trace weights (StateSpace::trace_weight)
  void diagonal();                       // makes the two
  Complex trace(Vec v);
  // r = A x - b in twice the working precision (b = e_0 with the trace row, else 0). Collective.
  void accurate_residual(Mat A, Vec x, bool trace_row, Vec r);
  // False, with out.failure = inaccurate and the measured figures, when the residual r = A x - b is
  // above rounding and the step delta of the method's own solver does not remove most of it
  // (inverse_check_backward_error, inverse_check_ratio). Collective on A's communicator.
  bool check_inverse(Mat A, Vec x, bool trace_row, Vec r, Vec delta, SteadyState &out);
  // d = Delta A x for the rounding of A's entries (LiouvillianMatrix::value_rounding, owned rows in
  // CSR order), with the signs of `pattern` (0: all up, 1: pseudo-random), the same for an entry
  // and its Hermitian partner. `whole`: x on every rank. Collective.
  void data_residual(Mat A, const std::vector<Complex> &whole, const std::vector<Complex> &rounding, int pattern,
                     Vec d);
  // The random signs and partner orientation of every owned entry, made once per pattern.
  void rounding_signs(const LiouvillianMatrix &matrix);
  std::vector<std::array<std::int8_t, 3>> signs_;
  const LiouvillianMatrix *signs_matrix_ = nullptr;
  std::uint64_t signs_generation_ = 0;
  bool have_state_ = false;  // x_ holds the last point's normalised state (a warm start)
  PetscScatter to_all_;
  PetscVec gathered_;
  // The whole vector v on every rank of the group.
  std::vector<Complex> gather(Vec v);
};

// `auto` in the symmetric space above this dimension, where the state is unique (independent
// baths; a common bath of identical qubits has dark states, which the null-space path needs LU
// for): an iterative solve. Type 1 (all_to_all): method sylvester, whose Omega = 0 inverse the
// symmetric space keeps as two small ensembles (kronecker_sum.hpp), with GMRES and ILU(2) as its
// fallback. Against GMRES/ILU(2), independent baths at omega_h/omega_c = 0.5 and 2.5: N = 20 6.4 s
// and 263 MB against 13.4 s and 762 MB, N = 31 (2.5) 81 s and 1.7 GB against about 110 s and
// 5.8 GB, and at N = 40 (2.5), where ILU(2) stagnated at 3.9e-3 after 13 min and 21 GiB, it
// converges (README, "Large ensembles"). Type 2 (pairwise, no Kronecker structure): ksp with
// GMRES and ILU(2), set before the options database so that -ksp_type / -pc_type still win; it took
// 11-20 iterations from N = 7 to 14 and beat MUMPS's LU from about 6,000 rows (type 2 N = 8: 3.4 s
// and 0.3 GB against 17 s and 1.5 GB; type 1 N = 10: 0.70 s against 0.79 s).
inline constexpr std::int64_t symmetric_direct_max_dimension = 5000;
// Whether auto solves this symmetric point iteratively (above): with GMRES/ILU(2) as its method
// (type 2) or as sylvester's fallback (type 1). `config` unresolved (method auto).
bool symmetric_iterative(const SolverConfig &config, int N);
// `auto` in the symmetric space of type 1 under a common bath: Dicke sectors (solver/dicke_solver.hpp)
// first; where they do not apply (a point whose equation is not collective, a sector with two
// steady states) the trace-row LU and the null-space path as before.
bool dicke_sector_path(const SolverConfig &config);
// The sectors' state must solve the symmetric space's L to this times ||L||_1 ||rho||_2 (measured:
// 6e-18 to 1.4e-16 of it at N = 2-31), else the point fails as inaccurate.
inline constexpr double sector_residual_tolerance = 1e-10;
inline constexpr int symmetric_ilu_levels = 2;

// What `auto` means at this size: a direct solve (ksp) while LU's nearly dense fill is cheap, the
// Krylov solve with the Sylvester preconditioner above (physics.md: LU stops fitting at N = 5, and
// GMRES + Sylvester is faster already at N = 4); in the symmetric space see
// symmetric_direct_max_dimension. Other methods are returned as they are. Throws
// std::invalid_argument for sylvester in the symmetric space of type 2.
Method resolve_method(const SolverConfig &config, int N);

// The Sylvester method's preconditioner, as -sylvester_pc names it in the options database:
//   auto       (the default) per point: the Omega = 0 one where the interaction is weak against
//              the dissipation rates, else no_jump under independent baths and both under
//              collective ones; a point that does not converge is solved again with both (or,
//              after both, with no_jump);
//   ensembles  the Omega = 0 Liouvillian as a Kronecker sum, inverted exactly (kronecker_sum.hpp);
//   no_jump    the coherent part exactly, the jumps by one block Gauss-Seidel sweep (no_jump.hpp;
//              balanced and full spaces only);
//   both       no_jump, then ensembles on what it leaves (multiplicative, with one product by L).
// Throws std::invalid_argument naming the option for any other value.
enum class SylvesterPc { automatic, ensembles, no_jump, both };
SylvesterPc sylvester_pc_option();

// -sylvester_matrix: how the Sylvester method holds L.
//   auto        (the default) structured in the qubit bases from N = 6 on, unless -mat_type or
//               -pc_type is given (they need rows); assembled elsewhere. From N = 6 the assembled
//               matrix has no plan (its rows are recomputed per point, and the error estimate has
//               no term for the rounding of its entries either way) and is most of a point's memory;
//   structured  L applied through its Kronecker structure, never assembled
//               (liouvillian/structured.hpp), where the space has it (not the symmetric space);
//   assembled   the sparse matrix (liouvillian.hpp).
// Throws std::invalid_argument naming the option for any other value.
enum class SylvesterMatrix { automatic, structured, assembled };
SylvesterMatrix sylvester_matrix_option();
// How the sylvester method holds L in `space` under the options in force.
Storage sylvester_storage(const StateSpace &space);
Storage sylvester_storage(Space space, int N);

// Whether a (resolved) method factorises a matrix with the PETSc options in force: ksp unless
// -pc_type names something else than lu/cholesky, eps through -st_pc_type likewise, sylvester
// only when -pc_type replaces its preconditioner by lu/cholesky.
bool uses_factorization(Method method);

// Memory (bytes) of one point, to refuse early what cannot fit.
struct MemoryEstimate {
  std::uint64_t dimension = 0;
  Method method = Method::ksp;  // resolved
  bool direct = true;           // uses_factorization(method)
  bool sectors = false;         // Dicke sectors (dicke_sector_path): factor_bytes is their work
  bool structured = false;      // sylvester with the structured L (sylvester_storage): no rows
  int restart = 0;              // GMRES's restart the Krylov bytes are for
  double matrix_bytes = 0;      // the sparse Liouvillian and a few vectors
  double assembled_bytes = 0;   // the same assembled (what LU would factor), per rank
  double factor_bytes = 0;      // LU fill (about half of n^2, physics.md)
  double krylov_bytes = 0;      // GMRES basis and the Sylvester blocks
  // auto's fallback where its sylvester does not converge, besides the matrix: LU's fill, or GMRES
  // with ILU(2) in the symmetric space (symmetric_iterative); it runs only where this fits.
  double fallback_bytes = 0;
  // The bytes above are per rank of a point split over this many ranks (each holds its share of
  // the rows and the whole of what the preconditioners keep).
  int ranks = 1;
  double total() const { return matrix_bytes + (direct ? factor_bytes : krylov_bytes); }
  // The same held `count` times over (several ranks or points on one machine).
  MemoryEstimate times(int count) const {
    MemoryEstimate m = *this;
    m.matrix_bytes *= count;
    m.factor_bytes *= count;
    m.krylov_bytes *= count;
    return m;
  }
};
// A point is refused before anything runs when its estimate exceeds this share of the machine's
// memory (the rest is for the OS, MPI buffers and the estimate's error).
inline constexpr double usable_memory_fraction = 0.9;
// `auto` keeps LU as the fallback of a GMRES solve that does not converge only while LU takes at
// most this share of the memory.
inline constexpr double fallback_memory_fraction = 0.5;
inline bool fits_in_memory(const MemoryEstimate &est, double available_bytes) {
  return est.total() <= usable_memory_fraction * available_bytes;
}
// `nonzeros` of the Liouvillian when counted; negative: a bound from the number of terms.
// `ranks`: the ranks one point is split over (--ranks-per-point); the estimate is then per rank.
MemoryEstimate estimate_memory(int N, const SolverConfig &config, double nonzeros = -1, int ranks = 1);
// Physical memory of this machine in bytes.
double physical_memory_bytes();

} // namespace nessmap
