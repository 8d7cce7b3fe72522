#pragma once
// Steady state of one family (N, bath, coupling, space, method), reusing PETSc objects, the
// sparsity pattern and the symbolic factorization from point to point: only values change.
//
//   ksp: L' rho = e_0, L' = L with row 0 replaced by the trace functional. Default: direct LU
//        (MUMPS where PETSc has it); any -ksp_type / -pc_type / -pc_factor_mat_solver_type wins.
//   eps: SLEPc, the eigenvector of the eigenvalue of L nearest 0 by shift-and-invert; the -eps_*
//        and -st_* options win.
// Either way the state is normalised to unit trace.
#include <memory>
#include <optional>
#include <string>

#include "io/config.hpp"
#include "liouvillian/liouvillian.hpp"
#include "observables/density_matrix.hpp"

namespace nessmap {

struct SteadyState {
  std::optional<DensityMatrix> rho;  // empty when the solve failed outright
  bool converged = false;
  std::string reason;            // why it failed, or the solver's convergence reason
  std::string solver;            // e.g. "ksp preonly, pc lu (mumps)"
  double trace_error = 0;        // |Tr rho - 1| of the solution before the final normalisation
  double residual_norm = 0;      // ||L rho||_2 of the normalised state
  double eigenvalue = 0;         // eps: |lambda| of the eigenvalue found (0 for ksp)
  int iterations = 0;
  double seconds = 0;            // assembly + solve
};

class SteadyStateSolver {
public:
  SteadyStateSolver(MPI_Comm comm, int N, const SolverConfig &config);
  ~SteadyStateSolver();
  SteadyStateSolver(const SteadyStateSolver &) = delete;
  SteadyStateSolver &operator=(const SteadyStateSolver &) = delete;

  SteadyState solve(const MasterEquation &me);

  const StateSpace &space() const { return space_; }
  std::int64_t nnz() const { return matrix_.nnz(); }

  class Backend;  // KSP or EPS, defined in the implementation

private:
  MPI_Comm comm_;
  SolverConfig config_;
  StateSpace space_;
  LiouvillianMatrix matrix_;
  std::unique_ptr<Backend> backend_;
  PetscVec x_, Lx_;  // solution and L x, created with the matrix and reused
  PetscScatter to_all_;
  PetscVec gathered_;
};

// Rough memory (bytes) one point needs with the given settings, to refuse early what cannot fit.
struct MemoryEstimate {
  std::uint64_t dimension = 0;
  double matrix_bytes = 0;
  double factor_bytes = 0;  // LU fill; 0 when the options select no factorization
  double total() const { return matrix_bytes + factor_bytes; }
};
MemoryEstimate estimate_memory(int N, const SolverConfig &config, bool direct_factorization);
// Physical memory of this machine in bytes.
double physical_memory_bytes();

} // namespace nessmap
