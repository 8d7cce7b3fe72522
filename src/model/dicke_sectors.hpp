#pragma once
// Type 1 under a common bath of identical qubits, in Dicke sectors (physics.md, "Degenerate steady
// states" and "Structure worth exploiting": the representation QuTiP's PIQS uses for one ensemble).
//
// The permutation-symmetric operators of one ensemble of N qubits are, by Schur-Weyl duality,
// the direct sum over total spins j (2j = N, N-2, ...) of End(V_j) (x) 1 on d_N(j) copies of the
// spin-j irrep V_j. When every term of the master equation is a product of collective operators
// J_X = sum_n X_n (a common bath with uniform g, type 1 with uniform Omega: collective_form()),
// L keeps each sector (j_h, j_c) and acts there on End(V_j_h (x) V_j_c), of dimension
// (2j_h+1)^2 (2j_c+1)^2, only its excitation-balanced part being needed (at N = 20 the largest
// sector keeps 6,181 of 194,481). Each sector has one steady state sigma_s (unit trace); the state
// reached from a permutation-symmetric product rho_0 is
//
//     rho = sum_s W_s sigma_s (x) 1_{d_s} / d_s,   W_s = Tr(P_s rho_0)   (sector_weight),
//
// so the common bath's null space of dimension (number of sectors) never needs an LU of the whole
// symmetric space.
//
// A copy of V_j inside the N qubits: the Dicke states |D_k> (k = 0..2j excitations) of the first
// 2j qubits times (N - 2j)/2 singlets (|01> - |10>)/sqrt(2) on the rest. A collective operator
// acts on it as the same operator on the 2j qubits plus (N-2j)/2 Tr X (the singlet is invariant),
// and a class sum S(n) of symmetric_basis.hpp (the sum of the matrix elements with occupation n)
// has the matrix elements
//
//     <c_k'| S(n) |c_k> = sum_alpha (-1)^(p - alpha) C(p, alpha) (2j)! / prod a! / sqrt(C(2j,k) C(2j,k'))
//
// with p = (N-2j)/2, a = n - (alpha, p - alpha, p - alpha, alpha) the occupation left on the 2j
// qubits (kinds 00, 01, 10, 11), k' = a_10 + a_11 and k = a_01 + a_11: the singlets take
// x00 x11 - x01 x10 per pair. That gives the coordinates y of symmetric_basis.hpp
// (to_symmetric).
//
// Serial, no MPI, no PETSc; nothing thrown but std::bad_alloc and std::invalid_argument for
// arguments outside the stated ranges.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/symmetric_basis.hpp"
#include "model/symmetric_terms.hpp"

namespace nessmap {

// A single-qubit operator, X[a][b] = <a|X|b>.
using Qubit2 = std::array<std::array<Complex, 2>, 2>;

// coef * (P_h P_c) rho (Q_h Q_c), each P_s and Q_s a product of collective operators J_X of
// ensemble s (species 0 hot, 1 cold), leftmost first; an empty product is the identity.
struct CollectiveTerm {
  Complex coef;
  std::array<std::vector<Qubit2>, 2> left, right;
};

// The symmetric terms of a type 1 equation as collective products: a cross term is already one; a
// pair term sum_{u != v} S_u T_v is the product over all (u, v) less its u = v part; what is
// left acting on single qubits, summed over the terms, must be X rho + rho Y for some X and Y (a
// common bath's local jumps cancel against the pair terms' diagonal). Empty, with the reason in
// `why`, when that fails (independent baths: sum_n s-_n rho s+_n is no collective product).
std::optional<std::vector<CollectiveTerm>> collective_form(const std::vector<SymmetricTerm> &terms,
                                                           const SymmetricBasis &basis, std::string *why);

// One sector: twice the spins, and its balanced basis |k_h, k_c><k_h', k_c'| with
// k_h + k_c = k_h' + k_c' = K, ordered by K, then k_h, then k_h'.
class DickeSector {
public:
  DickeSector(int N, int two_j_h, int two_j_c);
  int two_j(int species) const { return two_j_[static_cast<std::size_t>(species)]; }
  // Singlet pairs beside the copy of V_j: (N - 2j)/2.
  int singlets(int species) const { return (N_ - two_j(species)) / 2; }
  std::int64_t dimension() const { return offset_.back(); }
  // Index of |k_h, k_c><k_h', k_c'|, -1 when not balanced or out of range.
  std::int64_t index(int kh, int kc, int kh_, int kc_) const;
  struct Element {
    int kh, kc, kh_, kc_;
  };
  Element element(std::int64_t i) const;
  bool diagonal(std::int64_t i) const {
    const auto e = element(i);
    return e.kh == e.kh_;  // then k_c = k_c' too
  }

  // L restricted to the sector, in CSR (rows: target elements), duplicates summed.
  struct Csr {
    std::vector<std::int64_t> row_offsets;
    std::vector<std::int64_t> columns;
    std::vector<Complex> values;
  };
  Csr liouvillian(const std::vector<CollectiveTerm> &terms) const;

private:
  int lo(int K) const { return K > two_j_[1] ? K - two_j_[1] : 0; }
  int count(int K) const;
  int N_;
  std::array<int, 2> two_j_;
  std::vector<std::int64_t> offset_;  // offset_[K], and the dimension last
};

// 2j of every sector of one ensemble, largest first (N, N-2, ..., N mod 2): index p = (N - 2j)/2.
std::vector<int> spins(int N);
// d_N(j): copies of spin j among N spin-1/2 (C(N, N/2 - j) - C(N, N/2 - j - 1)).
double spin_multiplicity(int N, int two_j);
// Tr(P_j rho_0) for N qubits each in diag(1 - p, p): d_N(j) sum_k p^(k + s) (1 - p)^(2j - k + s),
// s = (N - 2j)/2 (physics.md, "Degenerate steady states").
double sector_weight(int N, int two_j, double p);

// rho = sum_s W_s sigma_s (x) 1_d / d in the symmetric coordinates y (basis.coupling()
// all_to_all), from states[s] = W_s sigma_s in sector s's basis (empty: W_s = 0). Sectors are
// indexed p_h (N/2 + 1) + p_c by their singlet counts p = (N - 2j)/2. y_bound[i] bounds y[i]'s
// rounding: eps (terms + 8) times the sum of the terms' magnitudes (|Re| + |Im|), since the
// alternating sums over alpha cancel.
void to_symmetric(const SymmetricBasis &basis, const std::vector<DickeSector> &sectors,
                  const std::vector<std::vector<Complex>> &states, std::vector<Complex> &y, std::vector<double> &y_bound);

} // namespace nessmap
