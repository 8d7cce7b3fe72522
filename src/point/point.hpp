#pragma once
// One parameter point: steady state, observables and a status. A solver is kept per family
// (N, bath, coupling, space, method) so that consecutive points reuse its PETSc objects.
#include <memory>
#include <optional>
#include <string>

#include "observables/thermodynamics.hpp"
#include "solver/steady_state.hpp"

namespace nessmap {

enum class PointStatus { ok, failed };
const char *to_string(PointStatus s);

struct PointResult {
  PointStatus status = PointStatus::failed;
  std::string reason;               // why a point failed; empty when ok
  SteadyState steady_state;         // diagnostics (rho dropped once observables are computed)
  std::optional<Observables> observables;
  std::int64_t dimension = 0, nnz = 0;
};

// A state whose smallest eigenvalue is below -tolerance is not a density matrix.
inline constexpr double negative_eigenvalue_tolerance = 1e-8;
// L preserves Hermiticity, so a unique steady state is Hermitian; a solution that is not has
// picked a combination from a null space of dimension > 1 (a dark state, e.g. identical qubits
// under a common bath), and no single steady state exists.
inline constexpr double hermiticity_tolerance = 1e-8;

class PointEvaluator {
public:
  PointEvaluator(MPI_Comm comm, SolverConfig config);
  PointResult evaluate(const SystemParameters &p);

private:
  MPI_Comm comm_;
  SolverConfig config_;
  int family_N_ = -1;
  std::unique_ptr<SteadyStateSolver> solver_;
  std::optional<CurrentsPlan> currents_plan_;  // of the last family
};

} // namespace nessmap
