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
//        Liouvillian (kronecker_sum.hpp), started from rho_0 (-sylvester_warm_start: from the
//        previous point's state); the -ksp_* options win, and -pc_type replaces the preconditioner.
//   auto: one of these by size (resolve_method).
// Either way the state is normalised to unit trace.
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
  Failure failure = Failure::none;  // when not converged: not_converged, not_unique, not_finite or error
  std::string reason;            // what was measured when it failed, or the solver's convergence reason
  std::string solver;            // e.g. "ksp preonly, pc lu (mumps)"
  double trace_error = 0;        // |Tr rho - 1| of the solution before the final normalisation
  double residual_norm = 0;      // ||L rho||_2 of the normalised state
  double eigenvalue = 0;         // eps: |lambda| of the eigenvalue found (0 for ksp)
  int iterations = 0;
  double seconds = 0;            // assembly + solve
};

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

  SteadyState solve(const MasterEquation &me);

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
  // A method with its matrix (with or without the trace row) and solver objects.
  struct Stage {
    Stage(MPI_Comm comm, const StateSpace &space, Method method, double progress_seconds);
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
  // preconditioner.
  bool fallback_allowed_ = false;
  std::unique_ptr<Stage> fallback_;
  struct NullSpaceProbe;
  std::unique_ptr<NullSpaceProbe> probe_;
  const Stage *last_ = nullptr;  // the stage that solved the last point
  PetscVec x_, Lx_;  // solution and L x, created with the matrix and reused
  bool have_state_ = false;  // x_ holds the last point's normalised state (a warm start)
  PetscScatter to_all_;
  PetscVec gathered_;
};

// What `auto` means at this size: a direct solve (ksp) while LU's nearly dense fill is cheap, the
// Krylov solve with the Sylvester preconditioner above (physics.md: LU stops fitting at N = 5, and
// GMRES + Sylvester is faster already at N = 4). Other methods are returned as they are.
Method resolve_method(const SolverConfig &config, int N);

// Whether a (resolved) method factorises a matrix with the PETSc options in force: ksp unless
// -pc_type names something else than lu/cholesky, eps through -st_pc_type likewise, sylvester
// only when -pc_type replaces its preconditioner by lu/cholesky.
bool uses_factorization(Method method);

// Memory (bytes) of one point, to refuse early what cannot fit.
struct MemoryEstimate {
  std::uint64_t dimension = 0;
  Method method = Method::ksp;  // resolved
  bool direct = true;           // uses_factorization(method)
  double matrix_bytes = 0;      // the sparse Liouvillian and a few vectors
  double factor_bytes = 0;      // LU fill (about half of n^2, physics.md)
  double krylov_bytes = 0;      // GMRES basis and the Sylvester blocks
  double total() const { return matrix_bytes + (direct ? factor_bytes : krylov_bytes); }
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
MemoryEstimate estimate_memory(int N, const SolverConfig &config, double nonzeros = -1);
// Physical memory of this machine in bytes.
double physical_memory_bytes();

} // namespace nessmap
