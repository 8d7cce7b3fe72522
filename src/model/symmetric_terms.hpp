#pragma once
// The master equation of a permutation-symmetric configuration as sums over units
// (symmetric_basis.hpp). Every term coef * A rho B of master_equation.hpp is a product of
// one-unit superoperators |a><b| -> A_u |a><b| B_u, one per unit it touches (at most two). With
// uniform couplings the equation is a sum of
//
//   one-body terms    coef sum_u S_u                       (H_0, H_I of type 2, D_loc)
//   pair terms        coef sum_{u != v} S_u T_v, one species (D_nonloc of a common bath)
//   cross terms       coef sum_{u in h, v in c} S_u T_v      (H_I of type 1)
//
// and each is read off the terms that touch the representative units: unit 0 (one-body), units 0
// and 1 of a species (pair, with 1/2: the pair's terms come in both orders) and the hot and cold
// unit 0 (cross). The other terms are their copies under the permutations, which is what
// symmetric_ineligibility() checks the parameters for. On E(n) a term gives, per choice of
// source kinds, the coefficient times sqrt(c c') at the class n' with those units moved to their
// target kinds, c the count of the source kinds in n (n_k, n_k1 (n_k2 - [k1 = k2]), n_k1 n_k2)
// and c' that of the target kinds in n' (c M(n) = c' M(n'): both count the same pairs of elements).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/master_equation.hpp"
#include "model/symmetric_basis.hpp"

namespace nessmap {

// A one-unit superoperator of a monomial product: kind k -> to[k] (weight 1), or -1 where it
// gives 0. Kinds as in symmetric_basis.hpp.
struct UnitMap {
  std::array<std::int8_t, 16> to{};
  // The (source, target) kinds with a target.
  std::vector<std::array<std::int8_t, 2>> moves;
};

struct SymmetricTerm {
  enum Shape : std::uint8_t { one_body, pair, cross };
  Shape shape;
  Complex coef;       // with the 1/2 of a pair term
  int species_a = 0;  // the species of a (and of b for a pair)
  int species_b = 0;  // cross: the species of b
  UnitMap a, b;       // b unused for one_body
  std::size_t term;   // the master-equation term it was read from
};

// Why the configuration has no permutation symmetry (cascaded bath: its order breaks it;
// couplings g or Omega not uniform within an ensemble), or empty when it has.
std::string symmetric_ineligibility(const SystemParameters &p);

// The terms of `me` (built for p.N = basis.N()) as sums over units. Throws std::logic_error when
// a term touches more than two units (no such term exists in physics.md's equation).
std::vector<SymmetricTerm> symmetric_terms(const MasterEquation &me, const SymmetricBasis &basis);

} // namespace nessmap
