#include "model/symmetric_terms.hpp"

#include <algorithm>
#include <stdexcept>

namespace nessmap {
namespace {

bool uniform(const std::vector<double> &v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

// The one-unit superoperator of (A, B) on unit `unit` of species `s`: |a><b| -> A|a><b|B, with the
// monomials restricted to the unit's qubits (their bits renumbered to the unit's level bits).
UnitMap unit_map(const SymmetricBasis &basis, const Monomial &A, const Monomial &B, int s, int unit) {
  Monomial a{}, b{};
  for (int q = 0; q < 2 * basis.N(); ++q) {
    const auto st = basis.site(q);
    if (st.species != s || st.unit != unit) continue;
    const auto take = [&](const Monomial &from, Monomial &to) {
      const Bits bit = Bits{1} << q, local = Bits{1} << st.bit;
      if (from.care & bit) to.care |= local;
      if (from.value & bit) to.value |= local;
      if (from.flip & bit) to.flip |= local;
    };
    take(A, a);
    take(B, b);
  }
  UnitMap map;
  const int L = basis.levels();
  map.to.fill(-1);
  for (int ket = 0; ket < L; ++ket)
    for (int bra = 0; bra < L; ++bra) {
      // A|ket> = |ket ^ flip> where A acts; <bra|B = <bra ^ flip| where B produces bra.
      if (!a.acts_on(static_cast<Bits>(ket)) || !b.produces(static_cast<Bits>(bra))) continue;
      const int from = ket * L + bra;
      const int to = static_cast<int>(a.apply(static_cast<Bits>(ket))) * L + static_cast<int>(bra ^ b.flip);
      map.to[static_cast<std::size_t>(from)] = static_cast<std::int8_t>(to);
      map.moves.push_back({static_cast<std::int8_t>(from), static_cast<std::int8_t>(to)});
    }
  return map;
}

} // namespace

std::string symmetric_ineligibility(const SystemParameters &p) {
  if (p.bath == Bath::cascaded)
    return "a cascaded bath orders its qubits (qubit 1 acts on 2, not 2 on 1), so no permutation leaves it unchanged";
  if (!uniform(p.g_h) || !uniform(p.g_c))
    return "the couplings g_h or g_c differ within an ensemble, so permuting its qubits changes the equation";
  std::vector<double> omega;
  for (const auto &[a, b] : p.coupled_pairs()) omega.push_back(p.Omega[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]);
  if (!uniform(omega))
    return std::string("Omega differs between the ") + (p.coupling == Coupling::pairwise ? "pairs" : "qubit pairs (a, b)") +
           ", so permuting the qubits changes the equation";
  return {};
}

std::vector<SymmetricTerm> symmetric_terms(const MasterEquation &me, const SymmetricBasis &basis) {
  std::vector<SymmetricTerm> out;
  for (std::size_t i = 0; i < me.terms.size(); ++i) {
    const auto &t = me.terms[i];
    // The units the term touches, as (species, unit).
    std::vector<std::pair<int, int>> units;
    const Bits touched = t.left.care | t.right.care;
    for (int q = 0; q < 2 * basis.N(); ++q) {
      if (!((touched >> q) & 1)) continue;
      const auto st = basis.site(q);
      const std::pair<int, int> u{st.species, st.unit};
      if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
    }
    std::sort(units.begin(), units.end());
    SymmetricTerm s{};
    s.term = i;
    s.coef = t.coef;
    if (units.size() == 1) {
      if (units[0].second != 0) continue;  // a copy of unit 0's term
      s.shape = SymmetricTerm::one_body;
      s.species_a = units[0].first;
      s.a = unit_map(basis, t.left, t.right, s.species_a, 0);
    } else if (units.size() == 2) {
      const auto [s0, u0] = units[0];
      const auto [s1, u1] = units[1];
      if (s0 == s1) {
        if (u0 != 0 || u1 != 1) continue;
        s.shape = SymmetricTerm::pair;
        s.coef *= 0.5;  // the pair's terms come in both orders: sum_{u != v} counts each twice
        s.species_a = s.species_b = s0;
        s.a = unit_map(basis, t.left, t.right, s0, 0);
        s.b = unit_map(basis, t.left, t.right, s0, 1);
      } else {
        if (u0 != 0 || u1 != 0) continue;
        s.shape = SymmetricTerm::cross;
        s.species_a = s0;
        s.species_b = s1;
        s.a = unit_map(basis, t.left, t.right, s0, 0);
        s.b = unit_map(basis, t.left, t.right, s1, 0);
      }
    } else {
      throw std::logic_error("a master-equation term touches " + std::to_string(units.size()) +
                             " units; the symmetric space handles one or two");
    }
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace nessmap
