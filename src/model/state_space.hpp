#pragma once
// Vectorisation of rho, stated once for the whole code.
//
// A basis state of the 2N qubits is a bit string (see monomial.hpp; hot qubits are bits 0..N-1,
// cold qubits bits N..2N-1). The density matrix element rho_{mn} = <m|rho|n> (m = ket, n = bra)
// is stored at one index of a vector:
//
//   full space      index = m * 2^(2N) + n                      (row-major vec(rho)), 4^(2N) entries
//   balanced block  pairs with popcount(m) == popcount(n), grouped by excitation number k = 0..2N;
//                   within group k, row-major over the C(2N,k) states of popcount k in increasing
//                   order: index = offset[k] + rank(m) * C(2N,k) + rank(n), C(4N,2N) entries.
//
//   pairs           type 2 under independent baths: L is a sum of N commuting two-qubit
//                   Liouvillians, one per pair (h_n, c_n), and the unique steady state is the product
//                   of theirs. Each pair is solved in its own balanced block (6 entries); no vector
//                   of the whole space exists, so there is no StateSpace of this kind (point.hpp
//                   composes the observables, observables/pairs.hpp).
//   symmetric       the permutation-symmetric operators of symmetric_basis.hpp (classes of
//                   elements, each its average), excitation-balanced; only for configurations
//                   with the symmetry (symmetric_terms.hpp), N <= 63 (type 1) or 15 (type 2).
//
// Index 0 is (m, n) = (0, 0) (its class, all ground) in every space. Every term of the master
// equation maps the balanced block into itself (weak U(1) symmetry), and the steady state lives
// there.
#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include "model/monomial.hpp"
#include "model/symmetric_basis.hpp"

namespace nessmap {

// `automatic` is a choice, not a space: pairs for type 2 under independent baths, symmetric where
// the configuration has the symmetry, balanced elsewhere (resolve_space).
enum class Space { balanced, full, symmetric, pairs, automatic };
const char *to_string(Space s);  // "balanced", "full", "symmetric", "pairs", "auto"
Space parse_space(const std::string &s);  // throws std::invalid_argument

// Dimension of the space for N qubits per ensemble, in 64 bits (it may not fit an index type);
// `coupling` matters for the symmetric space only.
std::uint64_t space_dimension(Space s, int N, Coupling coupling = Coupling::pairwise);

// The space a point is solved in: `requested` unless it is automatic, then pairs where
// pairs_ineligibility(p) is empty, symmetric where symmetric_ineligibility(p) is, balanced elsewhere.
Space resolve_space(Space requested, const SystemParameters &p);

// Why the point is not N independent pairs (the coupling is not pairwise, or the bath is not
// independent), or empty when it is.
std::string pairs_ineligibility(const SystemParameters &p);

class StateSpace {
public:
  // `coupling`: the symmetric space's units (qubits for all_to_all, pairs for pairwise). Throws
  // std::invalid_argument for an N out of range, and for Space::pairs (no vector of its own).
  StateSpace(Space kind, int N, Coupling coupling = Coupling::pairwise);

  Space kind() const { return kind_; }
  int N() const { return N_; }
  int qubits() const { return 2 * N_; }
  // 2^(2N), as Bits (it exceeds 64 bits beyond N = 31; only the qubit bases, N <= 15, loop over it).
  Bits hilbert_dimension() const { return Bits{1} << (2 * N_); }
  std::int64_t dimension() const { return dimension_; }

  // Index of rho_{mn}, or -1 when the pair is outside the space (symmetric: of its class).
  std::int64_t index(Bits m, Bits n) const;
  // (m, n) of an index; the symmetric space has no single element per index (std::logic_error).
  void element(std::int64_t index, Bits &m, Bits &n) const;
  // Index of the Hermitian partner: rho_{nm} for rho_{mn}, the adjoint class in the symmetric space.
  std::int64_t adjoint(std::int64_t index) const;
  // Tr of basis element `index`: 1 on the diagonal of the qubit bases, sqrt(M(n)) for a diagonal
  // class of the symmetric space (symmetric_basis.hpp), 0 elsewhere.
  double trace_weight(std::int64_t index) const;
  // The symmetric space's basis; null in the others.
  const SymmetricBasis *symmetric() const { return basis_.get(); }

  // Indices of the diagonal elements rho_{mm}, m = 0 .. 2^(2N) - 1, in increasing m; in the
  // symmetric space the diagonal classes, in increasing index (Tr rho is the sum of those values
  // times their trace_weight).
  std::vector<std::int64_t> diagonal_indices() const;

  // Basis states of excitation number k in increasing order (used by block-wise linear algebra).
  const std::vector<Bits> &states_with_excitations(int k) const { return by_k_[k]; }

private:
  Space kind_;
  int N_;
  std::int64_t dimension_ = 0;
  std::vector<std::vector<Bits>> by_k_;   // states of each popcount
  std::vector<std::uint32_t> rank_;       // rank of a state within its popcount group
  std::vector<std::int64_t> offset_;      // first balanced index of group k (size 2N + 2)
  std::shared_ptr<const SymmetricBasis> basis_;
};

} // namespace nessmap
