#include "observables/thermodynamics.hpp"

#include <algorithm>
#include <cmath>

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

Complex trace_against(const DensityMatrix &rho, const Operator &X, const MasterEquation &me,
                      const std::function<bool(const SuperTerm &)> &select) {
  Complex sum = 0;
  for (const auto &t : me.terms) {
    if (!select(t)) continue;
    for (const auto &x : X) {
      const auto XA = product(x.op, t.left);
      if (!XA) continue;
      const auto BXA = product(t.right, *XA);
      if (!BXA) continue;
      sum += t.coef * x.coef * rho.expectation(*BXA);
    }
  }
  return sum;
}

Currents currents(const SystemParameters &p, const MasterEquation &me, const DensityMatrix &rho) {
  auto in = [](Part part, Ensemble e) {
    return [part, e](const SuperTerm &t) { return t.part == part && t.ensemble == e; };
  };
  auto heat = [&](Ensemble e, Part part) {
    return trace_against(rho, free_hamiltonian(p, e), me, in(part, e)).real();
  };
  const Operator HI = interaction_hamiltonian(p);
  auto work = [&](Part part) {
    return trace_against(rho, HI, me, [part](const SuperTerm &t) { return t.part == part; }).real();
  };
  Currents c;
  c.Q_h_loc = heat(Ensemble::hot, Part::dissipator_loc);
  c.Q_h_nonloc = heat(Ensemble::hot, Part::dissipator_nonloc);
  c.Q_c_loc = heat(Ensemble::cold, Part::dissipator_loc);
  c.Q_c_nonloc = heat(Ensemble::cold, Part::dissipator_nonloc);
  c.W_loc = work(Part::dissipator_loc);
  c.W_nonloc = work(Part::dissipator_nonloc);
  c.Q_h = c.Q_h_loc + c.Q_h_nonloc;
  c.Q_c = c.Q_c_loc + c.Q_c_nonloc;
  c.W = c.W_loc + c.W_nonloc;
  c.excitation_current =
      trace_against(rho, excitation_number(p, Ensemble::hot), me, [](const SuperTerm &t) {
        return t.part != Part::hamiltonian && t.ensemble == Ensemble::hot;
      }).real();
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
      s += (p.gamma_plus(e, n, m) - p.gamma_minus(e, n, m)) *
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
  auto d = [&](Ensemble e, int k, int l) { return p.gamma_minus(e, k, l) - p.gamma_plus(e, k, l); };
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

Regime classify(double W, double Q_h, double Q_c, double relative, double absolute) {
  const double tol = std::max(relative * std::max({std::abs(W), std::abs(Q_h), std::abs(Q_c)}), absolute);
  auto sign = [tol](double v) { return v > tol ? 1 : (v < -tol ? -1 : 0); };
  const int w = sign(W), h = sign(Q_h), c = sign(Q_c);
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

Observables compute_observables(const SystemParameters &p, const MasterEquation &me,
                                const DensityMatrix &rho) {
  Observables o;
  o.currents = currents(p, me, rho);
  o.coherences = coherences(p, rho);
  const auto &c = o.currents;
  o.entropy_production = -c.Q_h / p.T_h - c.Q_c / p.T_c;

  const double scale = current_scale(p);
  // Relative 1e-9: a current a billionth of the others is rounding, not a sign; absolute 1e-12 of
  // the natural scale for points where all currents vanish (Omega = 0, equal baths).
  o.regime = classify(c.W, c.Q_h, c.Q_c, 1e-9, 1e-12 * scale);
  // The Carnot bound of an engine run from the h bath; with T_h < T_c no such engine exists.
  if (p.T_h >= p.T_c) o.eta_carnot = 1.0 - p.T_c / p.T_h;
  switch (o.regime) {
  case Regime::engine: o.efficiency = -c.W / c.Q_h; break;
  case Regime::refrigerator: o.cop_refrigerator = c.Q_c / c.W; break;
  case Regime::accelerator: o.cop_accelerator = c.Q_h / c.W; break;
  default: break;
  }

  for (int n = 0; n < p.N; ++n) {
    o.populations_h.push_back(rho.excited_population(qubit_bit(p.N, Ensemble::hot, n)));
    o.populations_c.push_back(rho.excited_population(qubit_bit(p.N, Ensemble::cold, n)));
  }
  o.purity = rho.purity();
  o.l1_coherence = rho.l1_coherence();
  o.hermiticity_error = rho.hermiticity_error();
  o.min_eigenvalue = rho.min_eigenvalue();
  const double largest = std::max({std::abs(c.W), std::abs(c.Q_h), std::abs(c.Q_c), scale * 1e-12});
  o.first_law_residual = std::abs(c.W + c.Q_h + c.Q_c) / largest;
  return o;
}

} // namespace nessmap
