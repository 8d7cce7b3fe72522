#include "point/point.hpp"

#include <cmath>

namespace nessmap {

const char *to_string(PointStatus s) { return s == PointStatus::ok ? "ok" : "failed"; }

PointEvaluator::PointEvaluator(MPI_Comm comm, SolverConfig config) : comm_(comm), config_(config) {}

PointResult PointEvaluator::evaluate(const SystemParameters &p) {
  // bath and coupling change the term list, which the matrix notices; N changes the space.
  if (!solver_ || family_N_ != p.N) {
    solver_ = std::make_unique<SteadyStateSolver>(comm_, p.N, config_);
    family_N_ = p.N;
  }
  const MasterEquation me = build_master_equation(p);
  PointResult r;
  r.steady_state = solver_->solve(me);
  r.dimension = solver_->space().dimension();
  r.nnz = solver_->nnz();
  auto &ss = r.steady_state;
  if (!ss.converged || !ss.rho) {
    // A solver that found the steady state not unique says so itself.
    r.reason = ss.reason.starts_with("the steady state") ? ss.reason : "solver did not converge: " + ss.reason;
    return r;
  }
  if (!currents_plan_ || !currents_plan_->fits(p, me)) currents_plan_.emplace(p, me);
  r.observables = compute_observables(p, me, *ss.rho, *currents_plan_);
  ss.rho.reset();
  const auto &o = *r.observables;
  const auto &c = o.currents;
  if (!std::isfinite(c.W) || !std::isfinite(c.Q_h) || !std::isfinite(c.Q_c)) {
    r.reason = "currents are not finite";
  } else if (o.hermiticity_error > hermiticity_tolerance) {
    r.reason = "rho is not Hermitian (error " + std::to_string(o.hermiticity_error) +
               "): the steady state is not unique (identical qubits under a common bath have dark "
               "states; make the couplings g non-uniform)";
  } else if (o.min_eigenvalue < -negative_eigenvalue_tolerance) {
    r.reason = "rho has a negative eigenvalue beyond tolerance (" + std::to_string(o.min_eigenvalue) + ")";
  } else {
    r.status = PointStatus::ok;
  }
  return r;
}

} // namespace nessmap
