#pragma once
// One parameter point: steady state, observables and a status. A solver is kept per family
// (N, bath, coupling, space, method) so that consecutive points reuse its PETSc objects.
#include <memory>
#include <optional>
#include <string>

#include "observables/thermodynamics.hpp"
#include "solver/steady_state.hpp"

namespace nessmap {

struct PointResult {
  // none when the point is ok. A default-constructed result has nothing solved: error.
  Failure failure = Failure::error;
  std::string reason;               // failure_text(failure, what was measured); empty when ok
  SteadyState steady_state;         // diagnostics (rho dropped once observables are computed)
  std::optional<Observables> observables;
  std::int64_t dimension = 0, nnz = 0;

  bool ok() const { return failure == Failure::none; }
};

// A state whose smallest eigenvalue is below -tolerance is not a density matrix.
inline constexpr double negative_eigenvalue_tolerance = 1e-8;
// L preserves Hermiticity, so a steady state reached by a converged solve is Hermitian up to this.
inline constexpr double hermiticity_tolerance = 1e-8;
// An eigenvalue of L with |lambda| below this times ||L||_1 is zero to roundoff: the numerical null
// space's dimension is the number of such eigenvalues.
inline constexpr double null_eigenvalue_tolerance = 1e-12;

// Contract: evaluate() is collective over `comm` (the ranks that solve one point together) and
// never throws: an exception becomes a failed result with Failure::error, and the next point starts
// from a fresh solver. The comm is kept and must outlive the evaluator. Currents are in omega_c^2
// (hbar = 1, energies and rates in units of omega_c), as physics.md defines them.
class PointEvaluator {
public:
  PointEvaluator(MPI_Comm comm, SolverConfig config);
  PointResult evaluate(const SystemParameters &p);

private:
  PointResult evaluate_unguarded(const SystemParameters &p);

  MPI_Comm comm_;
  SolverConfig config_;
  int family_N_ = -1;
  std::unique_ptr<SteadyStateSolver> solver_;
  std::optional<CurrentsPlan> currents_plan_;  // of the last family
};

} // namespace nessmap
