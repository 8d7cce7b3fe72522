#include "point/point.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

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
  char detail[320];
  if (!std::isfinite(ss.residual_norm)) {
    std::snprintf(detail, sizeof detail,
                  "||L rho|| = %g: the solution cannot be checked (the largest emission rate is %.3g)",
                  ss.residual_norm, std::max(p.gamma_minus(Ensemble::hot, 0, 0), p.gamma_minus(Ensemble::cold, 0, 0)));
    return fail(Failure::not_finite, detail);
  }
  if (!std::isfinite(c.W) || !std::isfinite(c.Q_h) || !std::isfinite(c.Q_c)) {
    std::snprintf(detail, sizeof detail, "the currents W = %g, Q_h = %g, Q_c = %g", c.W, c.Q_h, c.Q_c);
    return fail(Failure::not_finite, detail);
  }
  if (o.hermiticity_error > hermiticity_tolerance) {
    // A unique steady state is Hermitian (L maps Hermitian matrices to Hermitian ones). Whether
    // this one is not unique is measured: L's two eigenvalues nearest 0.
    const double scale = solver_->liouvillian_norm();
    const auto lambda = solver_->eigenvalues_nearest_zero(me, 2);
    const double zero = null_eigenvalue_tolerance * scale;
    if (lambda.size() == 2 && lambda[1] <= zero) {
      std::snprintf(detail, sizeof detail,
                    "L has two eigenvalues within %.0e ||L||_1 = %.2g of 0 (|lambda_1| = %.2g, "
                    "|lambda_2| = %.2g), so its null space has dimension >= 2",
                    null_eigenvalue_tolerance, zero, lambda[0], lambda[1]);
      return fail(Failure::not_unique, detail);
    }
    const double gap = lambda.size() == 2 ? lambda[1] : 0.0;
    std::snprintf(detail, sizeof detail,
                  "max |rho_mn - conj(rho_nm)| = %.3g, above the tolerance %.0e; L's second "
                  "eigenvalue nearest 0 has |lambda_2| = %.2g, so ||L rho|| = %.2g bounds the error "
                  "of rho by about %.2g",
                  o.hermiticity_error, hermiticity_tolerance, gap, ss.residual_norm,
                  gap > 0 ? ss.residual_norm / gap : std::numeric_limits<double>::infinity());
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
