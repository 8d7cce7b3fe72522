#include "observables/pairs.hpp"

#include <algorithm>
#include <stdexcept>

namespace nessmap {

SystemParameters pair_parameters(const SystemParameters &p, int n) {
  SystemParameters q = p;
  q.N = 1;
  q.g_h = {p.g_h[n]};
  q.g_c = {p.g_c[n]};
  q.Omega = {{p.Omega[n][n]}};
  return q;
}

Observables compose_pairs(const SystemParameters &p, const std::vector<const Observables *> &pair) {
  if (static_cast<int>(pair.size()) != p.N)
    throw std::invalid_argument("compose_pairs: " + std::to_string(pair.size()) + " pairs for N = " + std::to_string(p.N));
  Observables o;
  auto &c = o.currents;
  double purity = 1, l1 = 1, product_min = 1, most_negative = 0;
  for (const Observables *q : pair) {
    const auto &qc = q->currents;
    c.Q_h += qc.Q_h, c.Q_h_loc += qc.Q_h_loc, c.Q_h_nonloc += qc.Q_h_nonloc;
    c.Q_c += qc.Q_c, c.Q_c_loc += qc.Q_c_loc, c.Q_c_nonloc += qc.Q_c_nonloc;
    c.W += qc.W, c.W_loc += qc.W_loc, c.W_nonloc += qc.W_nonloc;
    c.excitation_current += qc.excitation_current;
    o.coherences.C_loc += q->coherences.C_loc;
    o.coherences.C_nonloc += q->coherences.C_nonloc;
    o.coherences.C_nonloc_factorized += q->coherences.C_nonloc_factorized;
    o.excitation_current_error += q->excitation_current_error;
    if (q->populations_h.size() != 1 || q->populations_c.size() != 1)
      throw std::invalid_argument("compose_pairs: a pair's populations are not one qubit's per ensemble");
    o.populations_h.push_back(q->populations_h[0]);
    o.populations_c.push_back(q->populations_c[0]);
    purity *= q->purity;
    l1 *= 1 + q->l1_coherence;
    product_min *= q->min_eigenvalue;
    most_negative = std::min(most_negative, q->min_eigenvalue);
    o.hermiticity_error += q->hermiticity_error;
    o.first_law_residual = std::max(o.first_law_residual, q->first_law_residual);
  }
  o.entropy_production = -c.Q_h / p.T_h - c.Q_c / p.T_c;
  o.purity = purity;
  o.l1_coherence = l1 - 1;
  o.min_eigenvalue = most_negative < 0 ? most_negative : product_min;
  classify_regime(p, o);
  return o;
}

} // namespace nessmap
