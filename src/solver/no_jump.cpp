#include "solver/no_jump.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace nessmap {

NoJumpInverse::NoJumpInverse(const StateSpace &space) : space_(space), N_(space.N()) {
  if (space.kind() != Space::balanced && space.kind() != Space::full)
    throw std::invalid_argument("the no-jump preconditioner works in the balanced or the full space");
  if (N_ > 10) throw std::invalid_argument("the no-jump preconditioner stops at N = 10");
  const int K = 2 * N_;
  items_.assign(K + 1, {});
  position_.assign(std::size_t{1} << K, -1);
  for (std::uint64_t x = 0; x < (std::uint64_t{1} << K); ++x) {
    auto &list = items_[popcount(Bits(x))];
    position_[x] = static_cast<int>(list.size());
    list.push_back(Bits(x));
  }
  for (int km = 0; km <= K; ++km)
    for (int kn = 0; kn <= K; ++kn) {
      if (space.index(items_[km].front(), items_[kn].front()) < 0) continue;  // outside the space
      Block b{km, kn, {}};
      const auto &ms = items_[km], &ns = items_[kn];
      b.index.resize(ms.size() * ns.size());
      for (std::size_t j = 0; j < ns.size(); ++j)
        for (std::size_t i = 0; i < ms.size(); ++i) b.index[i + j * ms.size()] = space.index(ms[i], ns[j]);
      blocks_.push_back(std::move(b));
    }
  std::stable_sort(blocks_.begin(), blocks_.end(),
                   [](const Block &a, const Block &b) { return a.km + a.kn > b.km + b.kn; });
  for (const auto &b : blocks_)
    if (b.km == b.kn)
      for (std::size_t i = 0; i < items_[b.km].size(); ++i) diagonal_.push_back(b.index[i * (items_[b.km].size() + 1)]);
}

int NoJumpInverse::block_of(int km, int kn) const {
  for (std::size_t b = 0; b < blocks_.size(); ++b)
    if (blocks_[b].km == km && blocks_[b].kn == kn) return static_cast<int>(b);
  return -1;
}

void NoJumpInverse::factor(const MasterEquation &me) {
  const int K = 2 * N_;
  std::vector<std::vector<Complex>> A(K + 1), Bh(K + 1);
  for (int k = 0; k <= K; ++k) {
    const auto n = items_[k].size();
    A[k].assign(n * n, 0.0);
    Bh[k].assign(n * n, 0.0);
  }
  jumps_kept_ = 0;
  jumps_in_.assign(blocks_.size(), {});
  jumps_left_ = 0;
  for (const auto &t : me.terms) {
    const bool left_identity = t.left.care == 0, right_identity = t.right.care == 0;
    if (right_identity || left_identity) {
      const Monomial &op = right_identity ? t.left : t.right;
      if (op.excitation_change() != 0)
        throw std::invalid_argument("a term of the master equation without a jump changes the excitation number");
      for (int k = 0; k <= K; ++k) {
        const auto &list = items_[k];
        const std::size_t n = list.size();
        for (std::size_t i = 0; i < n; ++i) {
          if (right_identity) {
            // (left rho)_{mn} = left_{m m'} rho_{m' n}: A[m, m'].
            if (!op.produces(list[i])) continue;
            A[k][i + n * position_[static_cast<std::size_t>(list[i] ^ op.flip)]] += t.coef;
          } else {
            // (rho right)_{mn} = rho_{m n'} right_{n' n}: B[n', n], B^H[n, n'].
            if (!op.acts_on(list[i])) continue;
            Bh[k][i + n * position_[static_cast<std::size_t>(op.apply(list[i]))]] += std::conj(t.coef);
          }
        }
      }
      continue;
    }
    // A jump: rho_{m' n'} feeds rho_{mn} with k_m' = k_m - (left's change), k_n' = k_n + (right's).
    const int dm = -t.left.excitation_change(), dn = t.right.excitation_change();
    if (dm <= 0 || dn <= 0) {
      ++jumps_left_;
      continue;
    }
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
      const int source = block_of(blocks_[b].km + dm, blocks_[b].kn + dn);
      if (source >= 0) jumps_in_[b].push_back({t.coef, t.left, t.right, source});
    }
    ++jumps_kept_;
  }
  // B = A^H for a master equation of Lindblad form: then one Schur form serves both sides.
  A_.assign(K + 1, {});
  Bh_.assign(K + 1, {});
  same_.assign(K + 1, false);
  double largest = 0;
  for (int k = 0; k <= K; ++k) {
    const int n = static_cast<int>(items_[k].size());
    double scale = 0, difference = 0;
    for (std::size_t p = 0; p < A[k].size(); ++p) {
      scale = std::max(scale, std::abs(A[k][p]));
      difference = std::max(difference, std::abs(A[k][p] - Bh[k][p]));
    }
    const bool same = difference <= 1e-14 * scale;
    A_[k] = schur_form(n, std::move(A[k]), false, "H_eff");
    same_[k] = same;
    if (!same) Bh_[k] = schur_form(n, std::move(Bh[k]), false, "H_eff");
    largest = std::max({largest, A_[k].largest_eigenvalue(), Bh_[k].largest_eigenvalue()});
  }
  tiny_ = dropped_rate * 2 * largest;
}

void NoJumpInverse::set_trace_direction(const Complex *rho0) {
  rho0_.assign(rho0, rho0 + space_.dimension());
}

void NoJumpInverse::apply(const Complex *r, Complex *y) const {
  for (std::size_t bi = 0; bi < blocks_.size(); ++bi) {
    const Block &b = blocks_[bi];
    const auto &ms = items_[b.km], &ns = items_[b.kn];
    const std::size_t nm = ms.size(), nn = ns.size();
    R_.resize(nm * nn);
    for (std::size_t p = 0; p < R_.size(); ++p) R_[p] = r[b.index[p]];
    // R -= J_down X_above: the emission jumps from the blocks solved before this one.
    for (const Jump &t : jumps_in_[bi]) {
      const Block &s = blocks_[t.source];
      const std::size_t sm = items_[s.km].size();
      for (std::size_t j = 0; j < nn; ++j) {
        if (!t.right.acts_on(ns[j])) continue;
        const std::size_t jj = position_[static_cast<std::size_t>(t.right.apply(ns[j]))];
        Complex *column = R_.data() + j * nm;
        const std::int64_t *source = s.index.data() + jj * sm;
        for (std::size_t i = 0; i < nm; ++i) {
          if (!t.left.produces(ms[i])) continue;
          column[i] -= t.coef * y[source[position_[static_cast<std::size_t>(ms[i] ^ t.left.flip)]]];
        }
      }
    }
    solve_sylvester(A_[b.km], same_[b.kn] ? A_[b.kn] : Bh_[b.kn], R_.data(), W_, tiny_, false);
    for (std::size_t p = 0; p < R_.size(); ++p) y[b.index[p]] = R_[p];
  }
  if (rho0_.empty()) return;
  Complex trace = 0;
  for (auto i : diagonal_) trace += y[i];
  const auto n = static_cast<std::size_t>(space_.dimension());
  for (std::size_t i = 0; i < n; ++i) y[i] -= trace * rho0_[i];
}

} // namespace nessmap
