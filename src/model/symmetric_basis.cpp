#include "model/symmetric_basis.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

namespace nessmap {
namespace {

int levels_of(Coupling c) { return c == Coupling::all_to_all ? 2 : 4; }
int species_of(Coupling c) { return c == Coupling::all_to_all ? 2 : 1; }

// Excitation imbalance of kind k = a * levels + b: exc(a) - exc(b).
int imbalance(int levels, int k) {
  const auto exc = [](int level) { return level == 3 ? 2 : (level == 0 ? 0 : 1); };
  return exc(k / levels) - exc(k % levels);
}

// Number of compositions of `units` units into the kinds of one species with each imbalance d
// (index d + offset), by dynamic programming over the kinds.
std::vector<std::uint64_t> compositions_by_imbalance(int levels, int units, int &offset) {
  const int reach = 2 * units;  // |imbalance| of a unit is at most 2
  offset = reach;
  const int K = levels * levels, width = 2 * reach + 1;
  // ways[c][d]: c units placed so far over the kinds seen
  std::vector<std::vector<std::uint64_t>> ways(units + 1, std::vector<std::uint64_t>(width, 0));
  ways[0][offset] = 1;
  for (int k = 0; k < K; ++k) {
    const int dk = imbalance(levels, k);
    // unbounded copies of kind k: ways'[c][d] = sum_j ways[c - j][d - j dk]
    for (int c = 1; c <= units; ++c)
      for (int d = 0; d < width; ++d) {
        const int from = d - dk;
        if (from >= 0 && from < width) ways[c][d] += ways[c - 1][from];
      }
  }
  return ways[units];
}

} // namespace

std::uint64_t symmetric_dimension(Coupling coupling, int N) {
  int offset = 0;
  const auto ways = compositions_by_imbalance(levels_of(coupling), N, offset);
  if (species_of(coupling) == 1) return ways[offset];
  std::uint64_t total = 0;
  for (int d = -offset; d <= offset; ++d) total += ways[d + offset] * ways[-d + offset];
  return total;
}

SymmetricBasis::SymmetricBasis(Coupling coupling, int N)
    : coupling_(coupling), N_(N), species_(species_of(coupling)), levels_(levels_of(coupling)) {
  total_kinds_ = species_ * kinds();
  bits_ = 64 / total_kinds_;
  mask_ = (Key{1} << bits_) - 1;
  const int max_units = coupling == Coupling::all_to_all ? max_N : static_cast<int>(mask_);
  if (N < 1 || N > max_units)
    throw std::invalid_argument("the symmetric space holds N = 1.." + std::to_string(max_units) + " for " +
                                to_string(coupling) + " coupling; got N = " + std::to_string(N));

  // Every composition of N units over one species' kinds, as that species' part of the key, by
  // imbalance.
  const int K = kinds();
  std::map<int, std::vector<Key>> by_imbalance;
  std::vector<int> n(K, 0);
  std::function<void(int, int, int)> place = [&](int k, int left, int d) {
    if (k == K - 1) {
      n[k] = left;
      Key local = 0;
      for (int j = 0; j < K; ++j) local |= static_cast<Key>(n[j]) << ((K - 1 - j) * bits_);
      by_imbalance[d + left * imbalance(levels_, k)].push_back(local);
      return;
    }
    for (int c = left; c >= 0; --c) {
      n[k] = c;
      // What the remaining units can still change the imbalance by: at most 2 each.
      const int dd = d + c * imbalance(levels_, k);
      if (species_ == 1 && std::abs(dd) > 2 * (left - c)) continue;
      place(k + 1, left - c, dd);
    }
  };
  place(0, N, 0);

  if (species_ == 1) {
    keys_ = std::move(by_imbalance[0]);
  } else {
    const int species_bits = K * bits_;
    for (const auto &[d, hot] : by_imbalance) {
      const auto it = by_imbalance.find(-d);
      if (it == by_imbalance.end()) continue;
      for (Key h : hot)
        for (Key c : it->second) keys_.push_back((h << species_bits) | c);
    }
  }
  std::sort(keys_.begin(), keys_.end(), std::greater<>());  // all ground (the largest key) first

  const auto size = keys_.size();
  adjoint_.resize(size);
  multiplicity_.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    Key adj = 0;
    double log_m = 0;
    for (int s = 0; s < species_; ++s) {
      log_m += std::lgamma(N_ + 1.0);
      for (int k = 0; k < K; ++k) {
        const int c = occupation(keys_[i], s, k);
        log_m -= std::lgamma(c + 1.0);
        const int swapped = (k % levels_) * levels_ + k / levels_;
        adj |= static_cast<Key>(c) << shift(s, swapped);
      }
    }
    const double m = std::exp(log_m);
    multiplicity_[i] = m < 9.0e15 ? std::round(m) : m;
    adjoint_[i] = index(adj);
  }
}

SymmetricBasis::Site SymmetricBasis::site(int qubit) const {
  const bool hot = qubit < N_;
  const int unit = hot ? qubit : qubit - N_;
  if (species_ == 2) return {hot ? 0 : 1, unit, 0};
  return {0, unit, hot ? 0 : 1};
}

std::int64_t SymmetricBasis::index(Key key) const {
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key, std::greater<>());
  if (it == keys_.end() || *it != key) return -1;
  return it - keys_.begin();
}

bool SymmetricBasis::diagonal(std::int64_t index) const {
  const Key key = keys_[static_cast<std::size_t>(index)];
  for (int s = 0; s < species_; ++s)
    for (int k = 0; k < kinds(); ++k)
      if (k / levels_ != k % levels_ && occupation(key, s, k) != 0) return false;
  return true;
}

std::vector<std::int64_t> SymmetricBasis::diagonal_indices() const {
  std::vector<std::int64_t> d;
  for (std::int64_t i = 0; i < dimension(); ++i)
    if (diagonal(i)) d.push_back(i);
  return d;
}

SymmetricBasis::Key SymmetricBasis::key_of(Bits m, Bits n) const {
  std::vector<int> ket(static_cast<std::size_t>(species_ * N_), 0), bra(ket.size(), 0);
  for (int q = 0; q < 2 * N_; ++q) {
    const Site st = site(q);
    const auto u = static_cast<std::size_t>(st.species * N_ + st.unit);
    ket[u] |= static_cast<int>((m >> q) & 1) << st.bit;
    bra[u] |= static_cast<int>((n >> q) & 1) << st.bit;
  }
  Key key = 0;
  for (int s = 0; s < species_; ++s)
    for (int u = 0; u < N_; ++u) {
      const auto i = static_cast<std::size_t>(s * N_ + u);
      key += Key{1} << shift(s, ket[i] * levels_ + bra[i]);
    }
  return key;
}

} // namespace nessmap
