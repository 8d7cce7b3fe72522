#include "model/state_space.hpp"

#include "model/parameters.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace nessmap {

const char *to_string(Space s) { return s == Space::balanced ? "balanced" : "full"; }

Space parse_space(const std::string &s) {
  if (s == "balanced") return Space::balanced;
  if (s == "full") return Space::full;
  throw std::invalid_argument("space must be one of balanced, full; got '" + s + "'");
}

std::uint64_t space_dimension(Space s, int N) {
  const int q = 2 * N;
  if (s == Space::full) return std::uint64_t{1} << (2 * q);
  // C(4N, 2N), exact in 64 bits for 4N <= 64 via the multiplicative formula.
  std::uint64_t c = 1;
  for (int i = 1; i <= q; ++i) c = c * static_cast<std::uint64_t>(q + i) / static_cast<std::uint64_t>(i);
  return c;
}

StateSpace::StateSpace(Space kind, int N) : kind_(kind), N_(N) {
  if (N < 1 || N > max_N) throw std::invalid_argument("StateSpace: N out of range");
  const int q = 2 * N;
  const Bits D = Bits{1} << q;
  by_k_.assign(q + 1, {});
  rank_.assign(D, 0);
  for (Bits x = 0; x < D; ++x) {
    auto &group = by_k_[std::popcount(x)];
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
  if (kind_ == Space::full) return static_cast<std::int64_t>((m << qubits()) | n);
  const int k = std::popcount(m);
  if (k != std::popcount(n)) return -1;
  const auto size = static_cast<std::int64_t>(by_k_[k].size());
  return offset_[k] + rank_[m] * size + rank_[n];
}

void StateSpace::element(std::int64_t index, Bits &m, Bits &n) const {
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

std::vector<std::int64_t> StateSpace::diagonal_indices() const {
  std::vector<std::int64_t> d;
  d.reserve(hilbert_dimension());
  for (Bits m = 0; m < hilbert_dimension(); ++m) d.push_back(index(m, m));
  return d;
}

} // namespace nessmap
