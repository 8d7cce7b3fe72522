#include "point/point.hpp"

#include <cmath>
#include <cstdio>

namespace nessmap {

PointEvaluator::PointEvaluator(MPI_Comm comm, SolverConfig config) : comm_(comm), config_(config) {}

PointResult PointEvaluator::evaluate(const SystemParameters &p) {
  try {
    return evaluate_unguarded(p);
  } catch (const std::exception &e) {
    // A solver that threw may be in any state: the next point starts from a fresh one.
    solver_.reset();
    currents_plan_.reset();
    PointResult r;
    r.failure = Failure::error;
    r.reason = failure_text(Failure::error, e.what());
    return r;
  }
}

PointResult PointEvaluator::evaluate_unguarded(const SystemParameters &p) {
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
  const auto fail = [&](Failure f, const std::string &detail) {
    r.failure = f;
    r.reason = failure_text(f, detail);
    return r;
  };
  if (!ss.converged || !ss.rho) return fail(ss.failure, ss.reason);
  if (!currents_plan_ || !currents_plan_->fits(p, me)) currents_plan_.emplace(p, me);
  r.observables = compute_observables(p, me, *ss.rho, *currents_plan_);
  ss.rho.reset();
  const auto &o = *r.observables;
  const auto &c = o.currents;
  char detail[160];
  if (!std::isfinite(c.W) || !std::isfinite(c.Q_h) || !std::isfinite(c.Q_c)) {
    std::snprintf(detail, sizeof detail, "the currents W = %g, Q_h = %g, Q_c = %g", c.W, c.Q_h, c.Q_c);
    return fail(Failure::not_finite, detail);
  }
  if (o.hermiticity_error > hermiticity_tolerance) {
    // L maps Hermitian matrices to Hermitian ones, so rho^dagger is steady whenever rho is: a
    // steady rho that differs from rho^dagger proves a second steady state (both have unit trace).
    const double scale = solver_->liouvillian_norm();
    if (ss.residual_norm <= steady_residual_tolerance * scale) {
      std::snprintf(detail, sizeof detail,
                    "rho and rho^dagger are both steady (||L rho|| = %.2g, ||L||_1 = %.3g) and differ "
                    "by up to %.3g, so L's null space has dimension >= 2",
                    ss.residual_norm, scale, o.hermiticity_error);
      return fail(Failure::not_unique, detail);
    }
    std::snprintf(detail, sizeof detail, "max |rho_mn - conj(rho_nm)| = %.3g, above the tolerance %.0e",
                  o.hermiticity_error, hermiticity_tolerance);
    return fail(Failure::not_hermitian, detail);
  }
  if (o.min_eigenvalue < -negative_eigenvalue_tolerance) {
    std::snprintf(detail, sizeof detail, "the smallest is %.3g, below -%.0e", o.min_eigenvalue,
                  negative_eigenvalue_tolerance);
    return fail(Failure::not_positive, detail);
  }
  r.failure = Failure::none;
  return r;
}

} // namespace nessmap
