#include "model/state_space.hpp"

#include "model/parameters.hpp"
#include "model/symmetric_terms.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace nessmap {

// The 2N qubits of a basis state fill one Bits (parameters.hpp's max_N).
static_assert(2 * max_N <= static_cast<int>(8 * sizeof(Bits)));

const char *to_string(Space s) {
  switch (s) {
  case Space::balanced: return "balanced";
  case Space::full: return "full";
  case Space::symmetric: return "symmetric";
  case Space::pairs: return "pairs";
  case Space::automatic: return "auto";
  }
  return "?";
}

Space parse_space(const std::string &s) {
  for (Space k : {Space::automatic, Space::symmetric, Space::pairs, Space::balanced, Space::full})
    if (s == to_string(k)) return k;
  throw std::invalid_argument("space must be one of auto, symmetric, pairs, balanced, full; got '" + s + "'");
}

std::string pairs_ineligibility(const SystemParameters &p) {
  if (p.coupling != Coupling::pairwise) return "the coupling is all_to_all: every hot qubit meets every cold one";
  if (p.bath != Bath::independent) return std::string("the bath is ") + to_string(p.bath) + ": it couples the pairs";
  return "";
}

Space resolve_space(Space requested, const SystemParameters &p) {
  if (requested != Space::automatic) return requested;
  if (pairs_ineligibility(p).empty()) return Space::pairs;
  return symmetric_ineligibility(p).empty() ? Space::symmetric : Space::balanced;
}

std::uint64_t space_dimension(Space s, int N, Coupling coupling) {
  if (s == Space::symmetric) return symmetric_dimension(coupling, N);
  if (s == Space::pairs) return 6 * static_cast<std::uint64_t>(N);  // N balanced blocks of one pair
  if (N > qubit_basis_max_N) return UINT64_MAX;  // beyond 64 bits: no index could hold it
  const int q = 2 * N;
  if (s == Space::full) return std::uint64_t{1} << (2 * q);
  // C(4N, 2N), exact in 64 bits for 4N <= 64 via the multiplicative formula.
  std::uint64_t c = 1;
  for (int i = 1; i <= q; ++i) c = c * static_cast<std::uint64_t>(q + i) / static_cast<std::uint64_t>(i);
  return c;
}

StateSpace::StateSpace(Space kind, int N, Coupling coupling) : kind_(kind), N_(N) {
  if (kind == Space::automatic) throw std::invalid_argument("StateSpace: resolve the space first (resolve_space)");
  if (kind == Space::pairs)
    throw std::invalid_argument("StateSpace: the pairs space is N separate two-qubit blocks, with no vector of its own");
  if (kind == Space::symmetric) {
    basis_ = std::make_shared<const SymmetricBasis>(coupling, N);
    dimension_ = basis_->dimension();
    return;
  }
  if (N < 1 || N > qubit_basis_max_N)
    throw std::invalid_argument("the " + std::string(to_string(kind)) + " space holds N = 1.." +
                                std::to_string(qubit_basis_max_N) + " (its index of rho_mn has 4N bits); got N = " +
                                std::to_string(N));
  const int q = 2 * N;
  const Bits D = Bits{1} << q;
  by_k_.assign(q + 1, {});
  rank_.assign(D, 0);
  for (Bits x = 0; x < D; ++x) {
    auto &group = by_k_[popcount(x)];
    rank_[x] = static_cast<std::uint32_t>(group.size());
    group.push_back(x);
  }
  offset_.assign(q + 2, 0);
  for (int k = 0; k <= q; ++k) {
    const auto s = static_cast<std::int64_t>(by_k_[k].size());
    offset_[k + 1] = offset_[k] + s * s;
  }
  dimension_ = kind == Space::full ? static_cast<std::int64_t>(D * D) : offset_[q + 1];
}

std::int64_t StateSpace::index(Bits m, Bits n) const {
  if (basis_) return basis_->index(basis_->key_of(m, n));
  if (kind_ == Space::full) return static_cast<std::int64_t>((static_cast<std::uint64_t>(m) << qubits()) | static_cast<std::uint64_t>(n));
  // The qubit bases hold at most 30 qubits: 64-bit arithmetic suffices.
  const auto m64 = static_cast<std::uint64_t>(m), n64 = static_cast<std::uint64_t>(n);
  const int k = std::popcount(m64);
  if (k != std::popcount(n64)) return -1;
  const auto size = static_cast<std::int64_t>(by_k_[k].size());
  return offset_[k] + rank_[m64] * size + rank_[n64];
}

void StateSpace::element(std::int64_t index, Bits &m, Bits &n) const {
  if (basis_) throw std::logic_error("StateSpace::element: an index of the symmetric space is a class of elements");
  if (kind_ == Space::full) {
    m = static_cast<Bits>(index) >> qubits();
    n = static_cast<Bits>(index) & ((Bits{1} << qubits()) - 1);
    return;
  }
  const auto it = std::upper_bound(offset_.begin(), offset_.end(), index);
  const int k = static_cast<int>(it - offset_.begin()) - 1;
  const auto size = static_cast<std::int64_t>(by_k_[k].size());
  const std::int64_t local = index - offset_[k];
  m = by_k_[k][local / size];
  n = by_k_[k][local % size];
}

double StateSpace::trace_weight(std::int64_t index) const {
  if (basis_) return basis_->trace_weight(index);
  Bits m, n;
  element(index, m, n);
  return m == n ? 1.0 : 0.0;
}

std::int64_t StateSpace::adjoint(std::int64_t index) const {
  if (basis_) return basis_->adjoint(index);
  Bits m, n;
  element(index, m, n);
  return this->index(n, m);
}

std::vector<std::int64_t> StateSpace::diagonal_indices() const {
  if (basis_) return basis_->diagonal_indices();
  std::vector<std::int64_t> d;
  d.reserve(static_cast<std::size_t>(hilbert_dimension()));
  for (Bits m = 0; m < hilbert_dimension(); ++m) d.push_back(index(m, m));
  return d;
}

} // namespace nessmap
