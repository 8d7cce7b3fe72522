#include "observables/thermodynamics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace nessmap {
namespace {

// sigma+_A sigma-_B for two different qubits.
Monomial hop(int to, int from) { return product_nonzero(Monomial::raise(to), Monomial::lower(from)); }

// <(s+_A s-_B)_+> = 2 Re <s+_A s-_B>
double sym(const DensityMatrix &rho, int A, int B) { return 2.0 * rho.expectation(hop(A, B)).real(); }

// <sz_K (s+_A s-_B)_+> = 2 Re <sz_K s+_A s-_B>, K distinct from A and B.
double sz_sym(const DensityMatrix &rho, int K, int A, int B) {
  const Monomial h = hop(A, B);
  const Complex v = rho.expectation(product_nonzero(Monomial::excited(K), h)) -
                    rho.expectation(product_nonzero(Monomial::ground(K), h));
  return 2.0 * v.real();
}

double sz(const DensityMatrix &rho, int K) {
  return (rho.expectation(Monomial::excited(K)) - rho.expectation(Monomial::ground(K))).real();
}

// M(k): the qubits of the same ensemble whose collisions act on qubit k in the work formulas.
std::vector<int> partners(Bath bath, int N, int k) {
  std::vector<int> m;
  for (int j = 0; j < N; ++j) {
    if (j == k) continue;
    if (bath == Bath::cascaded && j > k) continue;
    m.push_back(j);
  }
  return m;
}

// The correlator sums shared by W_nonloc and C_nonloc, with per-term weights.
template <class Weight, class Corr>
double nonlocal_sum(const SystemParameters &p, Weight weight, Corr corr) {
  const int N = p.N;
  double s = 0;
  for (const auto &[a, b] : p.coupled_pairs()) {
    const int ha = qubit_bit(N, Ensemble::hot, a), cb = qubit_bit(N, Ensemble::cold, b);
    double inner = 0;
    for (int m : partners(p.bath, N, a))
      inner += weight(Ensemble::hot, a, m) * corr(ha, qubit_bit(N, Ensemble::hot, m), cb);
    for (int m : partners(p.bath, N, b))
      inner += weight(Ensemble::cold, b, m) * corr(cb, qubit_bit(N, Ensemble::cold, m), ha);
    s += p.Omega[a][b] * inner;
  }
  return s;
}

} // namespace

std::array<Operator, CurrentsPlan::sources> CurrentsPlan::operators_x(const SystemParameters &p) {
  return {free_hamiltonian(p, Ensemble::hot), free_hamiltonian(p, Ensemble::cold),
          interaction_hamiltonian(p), excitation_number(p, Ensemble::hot)};
}

CurrentsPlan::CurrentsPlan(const SystemParameters &p, const MasterEquation &me) {
  const auto X = operators_x(p);
  std::map<std::tuple<Bits, Bits, Bits>, std::uint32_t> index;
  auto add = [&](std::size_t t, Source source, Target target) {
    const SuperTerm &term = me.terms[t];
    for (std::size_t x = 0; x < X[source].size(); ++x) {
      const auto XA = product(X[source][x].op, term.left);
      if (!XA) continue;
      const auto BXA = product(term.right, *XA);
      if (!BXA) continue;
      const auto key = std::make_tuple(BXA->care, BXA->value, BXA->flip);
      auto [it, fresh] = index.try_emplace(key, static_cast<std::uint32_t>(monomials_.size()));
      if (fresh) monomials_.push_back(*BXA);
      entries_.push_back({static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(x), it->second, source, target});
    }
  };
  for (std::size_t t = 0; t < me.terms.size(); ++t) {
    const SuperTerm &term = me.terms[t];
    if (term.part == Part::hamiltonian) continue;
    const bool loc = term.part == Part::dissipator_loc, hot = term.ensemble == Ensemble::hot;
    if (hot) add(t, H0_h, loc ? Q_h_loc : Q_h_nonloc);
    else add(t, H0_c, loc ? Q_c_loc : Q_c_nonloc);
    add(t, H_I, loc ? W_loc : W_nonloc);
    if (hot) add(t, N_h, excitation);
  }
  for (const auto &t : me.terms) {
    built_for_.push_back(t.left);
    built_for_.push_back(t.right);
  }
  for (const auto &op : X)
    for (const auto &x : op) built_for_.push_back(x.op);
}

bool CurrentsPlan::fits(const SystemParameters &p, const MasterEquation &me) const {
  std::size_t k = 0;
  auto same = [&](const Monomial &m) { return k < built_for_.size() && built_for_[k++] == m; };
  for (const auto &t : me.terms)
    if (!same(t.left) || !same(t.right)) return false;
  for (const auto &op : operators_x(p))
    for (const auto &x : op)
      if (!same(x.op)) return false;
  return k == built_for_.size();
}

Currents CurrentsPlan::evaluate(const SystemParameters &p, const MasterEquation &me,
                                const DensityMatrix &rho) const {
  const auto X = operators_x(p);
  std::vector<Complex> expectation(monomials_.size());
  for (std::size_t k = 0; k < monomials_.size(); ++k) expectation[k] = rho.expectation(monomials_[k]);
  std::array<Complex, targets> sum{};
  for (const Entry &e : entries_)
    sum[e.target] += me.terms[e.term].coef * X[e.source][e.x].coef * expectation[e.monomial];
  Currents c;
  c.Q_h_loc = sum[Q_h_loc].real();
  c.Q_h_nonloc = sum[Q_h_nonloc].real();
  c.Q_c_loc = sum[Q_c_loc].real();
  c.Q_c_nonloc = sum[Q_c_nonloc].real();
  c.W_loc = sum[W_loc].real();
  c.W_nonloc = sum[W_nonloc].real();
  c.Q_h = c.Q_h_loc + c.Q_h_nonloc;
  c.Q_c = c.Q_c_loc + c.Q_c_nonloc;
  c.W = c.W_loc + c.W_nonloc;
  c.excitation_current = sum[excitation].real();
  return c;
}

Currents definition_currents(const SystemParameters &p, const MasterEquation &me, const DensityMatrix &rho) {
  return CurrentsPlan(p, me).evaluate(p, me, rho);
}

double excitation_current_through_interaction(const SystemParameters &p, const DensityMatrix &rho) {
  // In the steady state d<N_h>/dt = 0 = Tr[N_h D^(h)(rho)] + i <[H_I, N_h]>, and
  // [sigma+_{h,a} sigma-_{c,b}, N_h] = -sigma+_{h,a} sigma-_{c,b}, so with real Omega_ab
  // J = -i <[H_I, N_h]> = -2 sum_{(a,b)} Omega_ab Im <sigma+_{h,a} sigma-_{c,b}>.
  double J = 0;
  for (const auto &[a, b] : p.coupled_pairs()) {
    if (p.Omega[a][b] == 0) continue;
    J -= 2.0 * p.Omega[a][b] *
         rho.expectation(hop(qubit_bit(p.N, Ensemble::hot, a), qubit_bit(p.N, Ensemble::cold, b))).imag();
  }
  return J;
}

Currents currents(const SystemParameters &p, const DensityMatrix &rho) {
  Currents c;
  // The totals through the excitation current: one sum of small coherences, where the trace
  // definitions add rates of order g^2 nbar that cancel (physics.md: Q_h = omega_h J,
  // Q_c = -omega_c J).
  const double J = excitation_current_through_interaction(p, rho);
  c.excitation_current = J;
  c.Q_h = p.omega_h * J;
  c.Q_c = -p.omega_c * J;
  c.W = -(p.omega_h - p.omega_c) * J;
  // The non-local parts by their explicit forms, whose rates enter as g_k g_l exactly; the local
  // parts are what is left.
  c.Q_h_nonloc = explicit_form::Q_nonloc(p, rho, Ensemble::hot);
  c.Q_c_nonloc = explicit_form::Q_nonloc(p, rho, Ensemble::cold);
  c.W_nonloc = explicit_form::W_nonloc(p, rho);
  c.Q_h_loc = c.Q_h - c.Q_h_nonloc;
  c.Q_c_loc = c.Q_c - c.Q_c_nonloc;
  c.W_loc = c.W - c.W_nonloc;
  return c;
}

namespace explicit_form {

double Q_loc(const SystemParameters &p, const DensityMatrix &rho, Ensemble e) {
  double s = 0;
  for (int n = 0; n < p.N; ++n) {
    const int q = qubit_bit(p.N, e, n);
    s += p.gamma_plus(e, n, n) * rho.expectation(Monomial::ground(q)).real() -
         p.gamma_minus(e, n, n) * rho.expectation(Monomial::excited(q)).real();
  }
  return p.omega(e) * s;
}

double Q_nonloc(const SystemParameters &p, const DensityMatrix &rho, Ensemble e) {
  if (p.bath == Bath::independent) return 0.0;
  double s = 0;
  for (int n = 0; n < p.N; ++n)
    for (int m = n + 1; m < p.N; ++m)
      s -= p.gamma_difference(e, n, m) *
           sym(rho, qubit_bit(p.N, e, n), qubit_bit(p.N, e, m));
  return p.omega(e) * s;
}

double W_loc(const SystemParameters &p, const DensityMatrix &rho) {
  double s = 0;
  for (const auto &[a, b] : p.coupled_pairs()) {
    const double Gamma = p.gamma_minus(Ensemble::hot, a, a) + p.gamma_plus(Ensemble::hot, a, a) +
                         p.gamma_minus(Ensemble::cold, b, b) + p.gamma_plus(Ensemble::cold, b, b);
    s += p.Omega[a][b] * Gamma *
         sym(rho, qubit_bit(p.N, Ensemble::hot, a), qubit_bit(p.N, Ensemble::cold, b));
  }
  return -0.5 * s;
}

double W_nonloc(const SystemParameters &p, const DensityMatrix &rho) {
  if (p.bath == Bath::independent) return 0.0;
  const double f = p.bath == Bath::common ? 0.5 : 1.0;
  auto d = [&](Ensemble e, int k, int l) { return p.gamma_difference(e, k, l); };
  return f * nonlocal_sum(p, d, [&](int K, int A, int B) { return sz_sym(rho, K, A, B); });
}

} // namespace explicit_form

Coherences coherences(const SystemParameters &p, const DensityMatrix &rho) {
  Coherences c;
  for (const auto &[a, b] : p.coupled_pairs()) {
    if (p.Omega[a][b] == 0) continue;  // P: the pairs actually coupled
    c.C_loc -= 2.0 * rho.expectation(hop(qubit_bit(p.N, Ensemble::hot, a),
                                         qubit_bit(p.N, Ensemble::cold, b))).real();
  }
  // Unit weights on the pairs of P (Omega_ab != 0), as in physics.md.
  SystemParameters unit = p;
  for (auto &row : unit.Omega)
    for (auto &w : row) w = (w != 0) ? 1.0 : 0.0;
  auto one = [](Ensemble, int, int) { return 1.0; };
  c.C_nonloc = nonlocal_sum(unit, one, [&](int K, int A, int B) { return sz_sym(rho, K, A, B); });
  c.C_nonloc_factorized = nonlocal_sum(unit, one, [&](int K, int A, int B) {
    return sz(rho, K) * sym(rho, A, B);
  });
  return c;
}

const char *to_string(Regime r) {
  switch (r) {
  case Regime::engine: return "engine";
  case Regime::refrigerator: return "refrigerator";
  case Regime::accelerator: return "accelerator";
  case Regime::heater: return "heater";
  case Regime::none: return "none";
  }
  return "none";
}

Regime classify(SignedCurrent W, SignedCurrent Q_hot, SignedCurrent Q_cold) {
  const int w = W.sign(), h = Q_hot.sign(), c = Q_cold.sign();
  if (w < 0 && h > 0 && c < 0) return Regime::engine;
  if (w > 0 && h < 0 && c > 0) return Regime::refrigerator;
  if (w > 0 && h > 0 && c < 0) return Regime::accelerator;
  if (w > 0 && h < 0 && c < 0) return Regime::heater;
  return Regime::none;
}

double current_scale(const SystemParameters &p) {
  double rate = 0;
  for (Ensemble e : {Ensemble::hot, Ensemble::cold})
    for (int n = 0; n < p.N; ++n) rate = std::max(rate, p.gamma_minus(e, n, n));
  return std::max(p.omega_h, p.omega_c) * rate;
}

double excitation_current_rounding(const SystemParameters &p, const DensityMatrix &rho) {
  // <sigma+_{h,a} sigma-_{c,b}> adds up rho_{m, k} over the states m with cold bit b set and hot
  // bit a clear, k = m with the two bits swapped.
  double sum = 0;
  for (const auto &[a, b] : p.coupled_pairs()) {
    if (p.Omega[a][b] == 0) continue;
    const Bits h = Bits{1} << qubit_bit(p.N, Ensemble::hot, a), c = Bits{1} << qubit_bit(p.N, Ensemble::cold, b);
    const double part = rho.imaginary_magnitude(Monomial{h | c, c, h | c});
    sum += 2.0 * std::abs(p.Omega[a][b]) * part;
  }
  return 4 * std::numeric_limits<double>::epsilon() * sum;
}

double excitation_current_zero_level(const SystemParameters &p) {
  double sum = 0;
  for (const auto &[a, b] : p.coupled_pairs()) sum += 2.0 * std::abs(p.Omega[a][b]);
  return 4 * std::numeric_limits<double>::epsilon() * sum;
}

double rate_rounding_error(const SystemParameters &p) {
  double largest = 0, smallest = std::numeric_limits<double>::infinity();
  for (Ensemble e : {Ensemble::hot, Ensemble::cold})
    for (int n = 0; n < p.N; ++n) {
      if (p.g(e)[n] == 0) continue;
      const double total = p.gamma_minus(e, n, n) + p.gamma_plus(e, n, n);
      largest = std::max(largest, total);
      smallest = std::min(smallest, total);
    }
  return largest > 0 ? 4 * std::numeric_limits<double>::epsilon() * largest / smallest : 0.0;
}

double excitation_current_error(const SystemParameters &p, const DensityMatrix &rho, const DensityMatrix *correction,
                                const std::vector<const DensityMatrix *> &data_samples, double unresolved_error,
                                double J) {
  double error = correction ? std::abs(excitation_current_through_interaction(p, *correction)) : 0.0;
  double data = 0;
  for (const DensityMatrix *c : data_samples) data = std::max(data, std::abs(excitation_current_through_interaction(p, *c)));
  error += std::max(data, rate_rounding_error(p) * std::abs(J));
  if (unresolved_error > 0) {
    // Cauchy-Schwarz on each coherence <sigma+_{h,a} sigma-_{c,b}>, linear in the coordinates.
    double sum = 0;
    for (const auto &[a, b] : p.coupled_pairs()) {
      const Bits h = Bits{1} << qubit_bit(p.N, Ensemble::hot, a), c = Bits{1} << qubit_bit(p.N, Ensemble::cold, b);
      sum += 2.0 * std::abs(p.Omega[a][b]) * rho.functional_norm(Monomial{h | c, c, h | c});
    }
    error += sum * unresolved_error;
  }
  return error;
}

Observables compute_observables(const SystemParameters &p, const MasterEquation &me,
                                const DensityMatrix &rho, const CurrentsPlan &plan, double current_error) {
  Observables o;
  o.currents = currents(p, rho);
  // The trace definitions, evaluated at the same rho: equal to the forms above at an exact steady
  // state, so their first-law residual measures the solve (and their own cancellation).
  const Currents defined = plan.evaluate(p, me, rho);
  o.coherences = coherences(p, rho);
  const auto &c = o.currents;
  o.entropy_production = -c.Q_h / p.T_h - c.Q_c / p.T_c;

  const double scale = current_scale(p);
  o.excitation_current_error = std::max(current_error, excitation_current_rounding(p, rho));
  classify_regime(p, o);

  for (int n = 0; n < p.N; ++n) {
    o.populations_h.push_back(rho.excited_population(qubit_bit(p.N, Ensemble::hot, n)));
    o.populations_c.push_back(rho.excited_population(qubit_bit(p.N, Ensemble::cold, n)));
  }
  o.purity = rho.purity();
  o.l1_coherence = rho.l1_coherence();
  o.hermiticity_error = rho.hermiticity_error();
  o.min_eigenvalue = rho.min_eigenvalue();
  const double largest = std::max({std::abs(defined.W), std::abs(defined.Q_h), std::abs(defined.Q_c), scale * 1e-12});
  o.first_law_residual = std::abs(defined.W + defined.Q_h + defined.Q_c) / largest;
  return o;
}

void classify_regime(const SystemParameters &p, Observables &o) {
  const auto &c = o.currents;
  // Every current is a multiple of J (Q_h = omega_h J, Q_c = -omega_c J, W = -(omega_h - omega_c) J),
  // so each sign is J's, known when |J| exceeds J's error.
  const double dJ = o.excitation_current_error;
  const bool h_hotter = p.T_h >= p.T_c;
  const double omega_hot = h_hotter ? p.omega_h : p.omega_c, omega_cold = h_hotter ? p.omega_c : p.omega_h;
  const double Q_hot = h_hotter ? c.Q_h : c.Q_c, Q_cold = h_hotter ? c.Q_c : c.Q_h;
  const double sign_error = sign_error_factor * std::max(dJ, excitation_current_zero_level(p));
  o.regime = classify({c.W, std::abs(p.omega_h - p.omega_c) * sign_error}, {Q_hot, omega_hot * sign_error},
                      {Q_cold, omega_cold * sign_error});
  o.eta_carnot = 1.0 - std::min(p.T_h, p.T_c) / std::max(p.T_h, p.T_c);
  switch (o.regime) {
  case Regime::engine: o.efficiency = -c.W / Q_hot; break;
  case Regime::refrigerator: o.cop_refrigerator = Q_cold / c.W; break;
  case Regime::accelerator: o.cop_accelerator = Q_hot / c.W; break;
  default: break;
  }
}

} // namespace nessmap
