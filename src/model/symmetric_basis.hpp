#pragma once
// The permutation-symmetric operator space (physics.md, "Structure worth exploiting"), in the
// occupation numbers of single-unit operators (the representation PsiQuaSP uses).
//
// A "unit" is what a permutation moves: for type 1 (all_to_all) one qubit, with the hot qubits
// and the cold qubits two species of N units each (symmetry S_N x S_N); for type 2 (pairwise) one
// pair (h_n, c_n), a 4-level unit (level = e_h + 2 e_c) of the only species (symmetry S_N). A
// unit's operator |a><b| is its "kind" k = a * levels + b (levels^2 kinds per species). An
// assignment sigma of a kind to every unit is one matrix element |m><n| of the 2N qubits; its
// occupation numbers n_k (per species, summing to N) name its class. Basis element n is its
// class's sum, normalised in the Hilbert-Schmidt product,
//
//     E(n) = M(n)^(-1/2) sum_{sigma in class n} sigma,   M(n) = prod_species N! / prod_k n_k!,
//
// so the E(n) are orthonormal, rho = sum_n y_n E(n) has rho_mn = y_class(m,n) / sqrt(M(class)),
// ||rho||_F = ||y||_2, Tr E(n) = sqrt(M(n)) for a class of diagonal kinds only (0 otherwise), and
// a one-unit superoperator summed over the units, sum_u S_u, maps E(n) to
// sum S_{k'k} sqrt(n_k n'_k') E(n') with n' = n - e_k + e_k' (the bosonic square roots of the
// counts of the source and target kinds; symmetric_terms.hpp). Only the excitation-balanced
// classes are kept (the weak U(1)
// symmetry, as in the balanced block): C(N+3,3)^2 operators of type 1 keep 6,222 at N = 10; the
// C(N+15,15) of type 2 keep 7,848 at N = 6 and 337,642 at N = 10.
//
// Ordering: index 0 is every unit in its ground kind |0><0| (rho_00's class, as in the other
// spaces); the rest follow in decreasing packed key. Serial; the constructor throws
// std::invalid_argument for an N the key cannot hold (type 1: N <= max_N so that monomials of the
// 2N qubits fit 128 bits; type 2: N <= 15, 4 bits per kind).
#include <cmath>
#include <cstdint>
#include <vector>

#include "model/monomial.hpp"
#include "model/parameters.hpp"

namespace nessmap {

class SymmetricBasis {
public:
  using Key = std::uint64_t;

  SymmetricBasis(Coupling coupling, int N);

  Coupling coupling() const { return coupling_; }
  int N() const { return N_; }
  int species() const { return species_; }   // 2 (type 1: hot, cold) or 1 (type 2: pairs)
  int levels() const { return levels_; }     // levels of a unit: 2 or 4
  int kinds() const { return levels_ * levels_; }  // kinds per species
  std::int64_t dimension() const { return static_cast<std::int64_t>(keys_.size()); }

  // Where qubit q of the 2N lives (hot qubits 0..N-1, cold N..2N-1, as in monomial.hpp).
  struct Site {
    int species, unit, bit;  // bit: the qubit's bit within the unit's level
  };
  Site site(int qubit) const;

  Key key(std::int64_t index) const { return keys_[static_cast<std::size_t>(index)]; }
  // The index of a key, -1 when it is not in the space (unbalanced or not a class).
  std::int64_t index(Key key) const;
  // Occupation of kind k of species s in a key.
  int occupation(Key key, int s, int k) const {
    return static_cast<int>((key >> shift(s, k)) & mask_);
  }
  // The key with n_{s,k} changed by delta (no check: the caller keeps it in 0..N).
  Key shifted(Key key, int s, int k, int delta) const {
    const Key one = Key{1} << shift(s, k);
    return delta >= 0 ? key + one * static_cast<Key>(delta) : key - one * static_cast<Key>(-delta);
  }

  // The class of the adjoints (every kind (a, b) turned into (b, a)): rho's Hermitian partner.
  std::int64_t adjoint(std::int64_t index) const { return adjoint_[static_cast<std::size_t>(index)]; }
  // Whether every unit of the class is in a diagonal kind |a><a| (the class is on rho's diagonal).
  bool diagonal(std::int64_t index) const;
  // M(n), the number of matrix elements in the class (exact below 2^53).
  double multiplicity(std::int64_t index) const { return multiplicity_[static_cast<std::size_t>(index)]; }
  // Tr E(n): sqrt(M(n)) for a diagonal class, else 0.
  double trace_weight(std::int64_t index) const { return diagonal(index) ? std::sqrt(multiplicity(index)) : 0.0; }
  // Indices of the diagonal classes in increasing index.
  std::vector<std::int64_t> diagonal_indices() const;
  // The class of the matrix element |m><n| of the 2N qubits.
  Key key_of(Bits m, Bits n) const;

  // Excitations of a unit level (type 1: the level, type 2: e_h + e_c).
  int excitations(int level) const { return level == 3 ? 2 : (level == 0 ? 0 : 1); }

private:
  int shift(int s, int k) const { return (total_kinds_ - 1 - (s * kinds() + k)) * bits_; }

  Coupling coupling_;
  int N_, species_, levels_, total_kinds_, bits_;
  Key mask_;
  std::vector<Key> keys_;  // keys_[0] all ground, then decreasing
  std::vector<std::int64_t> adjoint_;
  std::vector<double> multiplicity_;
};

// Dimension of the symmetric space without building it (C(N+3,3)^2 or C(N+15,15) restricted to
// balanced classes), in 64 bits.
std::uint64_t symmetric_dimension(Coupling coupling, int N);

} // namespace nessmap
