#include "point/point.hpp"

#include "model/symmetric_terms.hpp"
#include "observables/pairs.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
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
    r.space = for_point(config_, p).space;  // the space it was meant for (space symmetric when refused)
    return r;
  }
}

PointResult PointEvaluator::evaluate_unguarded(const SystemParameters &p) {
  // bath and coupling change the term list, which the matrix notices; N, the space and (in the
  // symmetric space, whose units it decides) the coupling change the space; in the symmetric space
  // the bath also decides the solver (GMRES/ILU for independent baths, Dicke sectors for type 1
  // under a common bath: steady_state.hpp).
  if (config_.space == Space::symmetric)
    if (const std::string why = symmetric_ineligibility(p); !why.empty())
      throw std::invalid_argument("space symmetric does not apply: " + why + " (space: auto solves it in the balanced block)");
  if (config_.space == Space::pairs)
    if (const std::string why = pairs_ineligibility(p); !why.empty())
      throw std::invalid_argument("space pairs does not apply: " + why + " (space: auto solves it in another space)");
  const SolverConfig family = for_point(config_, p);
  if (family.space == Space::pairs) return evaluate_pairs(p);
  if (!solver_ || family_N_ != p.N || family_space_ != family.space ||
      (family.space == Space::symmetric && (family_coupling_ != p.coupling || family_bath_ != p.bath))) {
    solver_.reset();
    solver_ = std::make_unique<SteadyStateSolver>(comm_, p.N, family);
    family_N_ = p.N;
    family_space_ = family.space;
    family_coupling_ = p.coupling;
    family_bath_ = p.bath;
  }
  const MasterEquation me = build_master_equation(p);
  const auto rho0 = [&p](const StateSpace &space) { return initial_density_matrix(p, space); };
  // The quick solve may leave the currents inaccurate, or not converge, where a thorough one (the
  // trace-row LU with iterative refinement, and the rounding of L's entries sampled) would not
  // (b1 at g = 1e-6: eps 1e-6 off, sylvester 2e-3; nearly identical couplings: sylvester breaks
  // down): such a point is solved again that way where the LU fits, and its solver field names both.
  const bool direct_next = solver_->method() == Method::ksp || solver_->direct_fits();
  PointResult r = judge(p, me, solver_->solve(me, rho0), !direct_next);
  // An ok point whose currents miss the relative tolerance (ok by the absolute one) deserves the
  // second solve too, unless its error is already at J's zero level (the reversibility line, where
  // J is 0 and no solve does better).
  bool relative = false;
  if (r.ok()) {
    const double J = std::abs(r.observables->currents.excitation_current);
    const double dJ = r.observables->excitation_current_error;
    relative = dJ > current_tolerance * J && dJ > excitation_current_zero_level(p);
  }
  const bool again = r.failure == Failure::not_converged ||
                     ((r.failure == Failure::inaccurate || relative) && r.steady_state.steady_state_dimension == 1);
  if (direct_next && again) {
    char estimate[96];
    std::snprintf(estimate, sizeof estimate, "the currents' estimated error is %.2g of |J|", r.current_error);
    const std::string first = r.steady_state.solver + ": " + (r.ok() ? std::string(estimate) : r.reason);
    r = judge(p, me, solver_->solve(me, rho0, true), true);
    r.steady_state.solver += " (after " + first + ")";
  }
  return r;
}

PointResult PointEvaluator::evaluate_pairs(const SystemParameters &p) {
  if (!pair_evaluator_) {
    SolverConfig pair = config_;
    pair.space = Space::balanced;
    pair_evaluator_ = std::make_unique<PointEvaluator>(comm_, pair);
  }
  // One solve per distinct pair: identical qubits solve one.
  std::vector<PointResult> solved;
  std::vector<std::array<double, 3>> keys;
  std::vector<const Observables *> observables(static_cast<std::size_t>(p.N));
  std::vector<std::size_t> which(static_cast<std::size_t>(p.N));
  for (int n = 0; n < p.N; ++n) {
    const std::array<double, 3> key{p.g_h[n], p.g_c[n], p.Omega[n][n]};
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      PointResult q = pair_evaluator_->evaluate(pair_parameters(p, n));
      if (!q.ok()) {
        char head[160];
        std::snprintf(head, sizeof head, "pair %d (g_h = %g, g_c = %g, Omega = %g), solved as N = 1: ", n + 1,
                      key[0], key[1], key[2]);
        q.reason = head + q.reason;
        q.space = Space::pairs;
        return q;
      }
      keys.push_back(key);
      solved.push_back(std::move(q));
      it = keys.end() - 1;
    }
    which[n] = static_cast<std::size_t>(it - keys.begin());
  }
  for (int n = 0; n < p.N; ++n) observables[n] = &*solved[which[n]].observables;

  PointResult r;
  r.space = Space::pairs;
  r.dimension = static_cast<std::int64_t>(space_dimension(Space::pairs, p.N));
  r.observables = compose_pairs(p, observables);
  auto &ss = r.steady_state;
  ss.converged = true;
  ss.failure = Failure::none;
  ss.reason = "CONVERGED";
  ss.steady_state_dimension = 1;
  for (int n = 0; n < p.N; ++n) {
    const PointResult &q = solved[which[n]];
    const SteadyState &s = q.steady_state;
    r.nnz += q.nnz;
    ss.trace_error += s.trace_error;
    ss.residual_norm += s.residual_norm;
    ss.state_error += s.state_error;
    ss.unresolved_error += s.unresolved_error;
    ss.iterations = std::max(ss.iterations, s.iterations);
    ss.refinements = std::max(ss.refinements, s.refinements);
    ss.steady_state_dimension *= s.steady_state_dimension;
    if (s.gap > 0) ss.gap = ss.gap > 0 ? std::min(ss.gap, s.gap) : s.gap;
  }
  for (const auto &q : solved) ss.seconds += q.steady_state.seconds;
  ss.solver = "independent pairs: " + std::to_string(solved.size()) + " distinct of " + std::to_string(p.N) +
              " solved as N = 1, " + solved.front().steady_state.solver;
  const auto &o = *r.observables;
  const double J = o.currents.excitation_current;
  r.current_error = o.excitation_current_error / std::abs(J);
  // Each pair met the tolerance on its own J; pairs of different couplings may carry currents of
  // both signs, so the sum is judged again.
  double J_max = 0;
  for (const auto &[a, b] : p.coupled_pairs()) J_max += std::abs(p.Omega[a][b]);
  if (o.excitation_current_error > current_tolerance * std::abs(J) + zero_current_tolerance * J_max) {
    char detail[240];
    std::snprintf(detail, sizeof detail,
                  "the excitation current J = %.6g, a sum over the pairs, has an estimated error of %.2g (%.2g of "
                  "|J|, tolerance %.0e)",
                  J, o.excitation_current_error, r.current_error, current_tolerance);
    r.failure = Failure::inaccurate;
    r.reason = failure_text(Failure::inaccurate, detail);
    return r;
  }
  r.failure = Failure::none;
  return r;
}

PointResult PointEvaluator::judge(const SystemParameters &p, const MasterEquation &me, SteadyState solved,
                                  bool probe) {
  PointResult r;
  r.steady_state = std::move(solved);
  r.dimension = solver_->space().dimension();
  r.space = solver_->space().kind();
  r.nnz = solver_->nnz();
  auto &ss = r.steady_state;
  const auto fail = [&](Failure f, const std::string &detail) {
    r.failure = f;
    r.reason = failure_text(f, detail);
    return r;
  };
  if (!ss.converged || !ss.rho) return fail(ss.failure, ss.reason);
  if (!currents_plan_ || !currents_plan_->fits(p, me)) currents_plan_.emplace(p, me);
  std::vector<const DensityMatrix *> data;
  for (const auto &d : ss.data_corrections) data.push_back(&d);
  const double dJ = excitation_current_error(p, *ss.rho, ss.correction ? &*ss.correction : nullptr, data, ss.unresolved_error,
                                             excitation_current_through_interaction(p, *ss.rho));
  r.observables = compute_observables(p, me, *ss.rho, *currents_plan_, dJ);
  ss.rho.reset();
  ss.correction.reset();
  ss.data_corrections.clear();
  const auto &o = *r.observables;
  const auto &c = o.currents;
  const double J = c.excitation_current;
  r.current_error = o.excitation_current_error / std::abs(J);
  char detail[400];
  if (!std::isfinite(ss.residual_norm)) {
    // Against an ||L||_1 of 1e299 every other rate is "zero": the dimension measured there says
    // nothing, and is not reported.
    ss.steady_state_dimension = 0;
    std::snprintf(detail, sizeof detail,
                  "||L rho|| = %g: the solution cannot be checked (the largest emission rate is %.3g)",
                  ss.residual_norm, std::max(p.gamma_minus(Ensemble::hot, 0, 0), p.gamma_minus(Ensemble::cold, 0, 0)));
    return fail(Failure::not_finite, detail);
  }
  if (!std::isfinite(c.W) || !std::isfinite(c.Q_h) || !std::isfinite(c.Q_c) || !std::isfinite(ss.state_error)) {
    std::snprintf(detail, sizeof detail, "the currents W = %g, Q_h = %g, Q_c = %g, the error estimate %g", c.W,
                  c.Q_h, c.Q_c, ss.state_error);
    return fail(Failure::not_finite, detail);
  }
  // rho's errors as estimated; the elements of a density matrix are at most 1.
  const double eps = std::numeric_limits<double>::epsilon();
  const double allowed = state_error_allowance * ss.state_error + state_rounding_allowance * eps;
  // L's eigenvalues nearest 0 name what was measured where a check fails (one more LU of L: only
  // for the final verdict).
  const auto spectrum = [&] {
    if (!probe) return std::string();
    const double scale = solver_->liouvillian_norm();
    const auto lambda = solver_->eigenvalues_nearest_zero(me, 2);
    char text[200];
    if (lambda.size() < 2) return std::string("; SLEPc found fewer than two eigenvalues of L near 0");
    std::snprintf(text, sizeof text, "; L's eigenvalues nearest 0 have |lambda_1| = %.2g, |lambda_2| = %.2g (%.2g ||L||_1)%s",
                  lambda[0], lambda[1], lambda[1] / scale,
                  lambda[1] <= nearly_degenerate_gap * scale ? ": nearly degenerate" : "");
    return std::string(text);
  };
  if (o.hermiticity_error > allowed) {
    // A state of a unique L is Hermitian to its own error (L maps Hermitian matrices to Hermitian ones).
    std::snprintf(detail, sizeof detail,
                  "max |rho_mn - conj(rho_nm)| = %.3g exceeds %g times the estimated error of rho (%.2g) plus "
                  "roundoff",
                  o.hermiticity_error, state_error_allowance, ss.state_error);
    return fail(Failure::not_hermitian, detail + spectrum());
  }
  if (o.min_eigenvalue < -allowed) {
    std::snprintf(detail, sizeof detail,
                  "the smallest is %.3g, below -%g times the estimated error of rho (%.2g) minus roundoff",
                  o.min_eigenvalue, state_error_allowance, ss.state_error);
    return fail(Failure::not_positive, detail);
  }
  // Accurate to current_tolerance of |J|, or to zero_current_tolerance of the largest current
  // sum |Omega_ab| (allclose's rule: where J is 0, as on the reversibility line, no relative
  // accuracy exists).
  const double dJ_total = o.excitation_current_error;
  double J_max = 0;
  for (const auto &[a, b] : p.coupled_pairs()) J_max += std::abs(p.Omega[a][b]);
  if (dJ_total > current_tolerance * std::abs(J) + zero_current_tolerance * J_max) {
    std::snprintf(detail, sizeof detail,
                  "the excitation current J = %.6g has an estimated error of %.2g (%.2g of |J|, tolerance %.0e; "
                  "||L rho|| = %.2g, estimated ||rho - rho_exact|| = %.2g)",
                  J, dJ_total, r.current_error, current_tolerance, ss.residual_norm, ss.state_error);
    return fail(Failure::inaccurate, detail + spectrum());
  }
  r.failure = Failure::none;
  return r;
}

} // namespace nessmap
