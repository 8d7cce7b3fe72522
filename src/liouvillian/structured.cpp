#include "liouvillian/structured.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>

namespace nessmap {

double SparseMatrix::norm_1() const {
  std::vector<double> sum(cols, 0.0);
  for (std::size_t e = 0; e < col.size(); ++e) sum[col[e]] += std::abs(value[e]);
  return sum.empty() ? 0.0 : *std::max_element(sum.begin(), sum.end());
}

double SparseMatrix::norm_inf() const {
  double best = 0;
  for (int i = 0; i < rows; ++i) {
    double s = 0;
    for (int e = start[i]; e < start[i + 1]; ++e) s += std::abs(value[e]);
    best = std::max(best, s);
  }
  return best;
}

namespace {

// One ensemble's part of a term: its left and right monomials on the ensemble's own N bits,
// (care, value, flip) of each.
using Superop = std::array<std::uint64_t, 6>;
Superop restrict_to(const Monomial &a, const Monomial &b, Bits mask, int shift) {
  auto part = [&](Bits x) { return static_cast<std::uint64_t>((x & mask) >> shift); };
  return {part(a.care), part(a.value), part(a.flip), part(b.care), part(b.value), part(b.flip)};
}
Monomial left_of(const Superop &s) { return {s[0], s[1], s[2]}; }
Monomial right_of(const Superop &s) { return {s[3], s[4], s[5]}; }
bool is_identity(const Superop &s) { return s == Superop{}; }
// What the superoperator adds to the excitation difference: from column (m', n') to row
// (A m', n) with B n = n', d = d' + change(A) + change(B) (change on the ket side).
int change(const Superop &s) { return left_of(s).excitation_change() + right_of(s).excitation_change(); }

struct Entry {
  Complex coef;
  Superop op;
};
// Sorted by operator, duplicates summed (in the order they came).
void combine(std::vector<Entry> &list) {
  std::stable_sort(list.begin(), list.end(), [](const Entry &a, const Entry &b) { return a.op < b.op; });
  std::vector<Entry> out;
  for (const auto &e : list) {
    if (!out.empty() && out.back().op == e.op) out.back().coef += e.coef;
    else out.push_back(e);
  }
  list = std::move(out);
}
// A list as a map key: operators and the bits of the coefficients.
std::vector<std::uint64_t> key_of(const std::vector<Entry> &list) {
  std::vector<std::uint64_t> key;
  for (const auto &e : list) {
    key.insert(key.end(), e.op.begin(), e.op.end());
    key.push_back(std::bit_cast<std::uint64_t>(e.coef.real()));
    key.push_back(std::bit_cast<std::uint64_t>(e.coef.imag()));
  }
  return key;
}

// The factor sum_t coef_t S_t of one ensemble from its block `from` to block from + delta:
// row (m, n) of the target gets coef_t at the source (m ^ A.flip, B n) where A produces m and B
// acts on n (as liouvillian_row). `position`: an item's place in its block.
SparseMatrix factor(const EnsembleBlocks &layout, int e, const std::vector<Entry> &terms, int from, int delta,
                    const std::vector<int> &position) {
  const int N = layout.N();
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  const auto &target = layout.items(e, from + delta);
  SparseMatrix a;
  a.rows = static_cast<int>(target.size());
  a.cols = static_cast<int>(layout.items(e, from).size());
  a.start.reserve(a.rows + 1);
  std::vector<std::pair<Monomial, Monomial>> ops;
  for (const auto &t : terms) ops.emplace_back(left_of(t.op), right_of(t.op));
  for (int i = 0; i < a.rows; ++i) {
    const std::uint64_t m = target[i] >> N, n = target[i] & low;
    const int first = static_cast<int>(a.col.size());
    for (std::size_t t = 0; t < terms.size(); ++t) {
      const auto &[A, B] = ops[t];
      if (!A.produces(m) || !B.acts_on(n)) continue;
      const std::uint64_t source = (static_cast<std::uint64_t>(m ^ A.flip) << N) | static_cast<std::uint64_t>(B.apply(n));
      const int j = position[source];
      if (std::popcount(source >> N) - std::popcount(source & low) != from)
        throw std::logic_error("structured Liouvillian: a term's factor leaves its block");
      int p = first;
      while (p < static_cast<int>(a.col.size()) && a.col[p] != j) ++p;
      if (p == static_cast<int>(a.col.size())) {
        a.col.push_back(j);
        a.value.push_back(terms[t].coef);
      } else {
        a.value[p] += terms[t].coef;
      }
    }
    a.start.push_back(static_cast<int>(a.col.size()));
  }
  return a;
}

// B (m x n) = A^T for A (n x m), column-major, in tiles that stay in cache.
void transpose(const Complex *A, int n, int m, Complex *B) {
  constexpr int tile = 32;
  for (int j0 = 0; j0 < m; j0 += tile)
    for (int i0 = 0; i0 < n; i0 += tile)
      for (int j = j0; j < std::min(m, j0 + tile); ++j)
        for (int i = i0; i < std::min(n, i0 + tile); ++i)
          B[j + static_cast<std::size_t>(i) * m] = A[i + static_cast<std::size_t>(j) * n];
}

// Y (n x C.rows) += T C^T, T (n x C.cols), column-major: column r of Y gathers columns of T.
// Products written out: std::complex's operator* checks for infinities (a library call per
// product without -ffast-math).
void right_add(const Complex *T, int n, const SparseMatrix &C, Complex *Y) {
  for (int r = 0; r < C.rows; ++r) {
    auto *y = reinterpret_cast<double *>(Y + static_cast<std::size_t>(r) * n);
    for (int e = C.start[r]; e < C.start[r + 1]; ++e) {
      const double cr = C.value[e].real(), ci = C.value[e].imag();
      const auto *t = reinterpret_cast<const double *>(T + static_cast<std::size_t>(C.col[e]) * n);
      for (int p = 0; p < n; ++p) {
        const double tr = t[2 * p], ti = t[2 * p + 1];
        y[2 * p] += cr * tr - ci * ti;
        y[2 * p + 1] += cr * ti + ci * tr;
      }
    }
  }
}

} // namespace

const char *StructuredLiouvillian::unavailable(const StateSpace &space) {
  if (space.kind() == Space::symmetric) return "the symmetric space (its L is assembled)";
  return "";
}

StructuredLiouvillian::StructuredLiouvillian(const StateSpace &space) : space_(space) {
  if (*unavailable(space)) throw std::invalid_argument(std::string("no structured Liouvillian in ") + unavailable(space));
  layout_ = ensemble_blocks(space);
  const auto &blocks = layout_->blocks();
  all_.resize(blocks.size());
  offset_.resize(blocks.size() + 1, 0);
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    all_[k] = static_cast<int>(k);
    offset_[k + 1] = offset_[k] + static_cast<std::int64_t>(blocks[k].nh) * blocks[k].nc;
  }
}

void StructuredLiouvillian::set(const MasterEquation &me) {
  const int N = space_.N();
  const Bits hot = (Bits{1} << N) - 1, cold = hot << N;
  // Collected by cold factor (and the hot factors' change), then merged where the hot sums agree
  // up to a factor (the first coefficient, moved to the cold side; the hot-only sum keeps its
  // coefficients as they are).
  std::map<std::pair<Superop, int>, std::vector<Entry>> by_cold;
  for (const auto &t : me.terms) {
    const Superop h = restrict_to(t.left, t.right, hot, 0), c = restrict_to(t.left, t.right, cold, N);
    by_cold[{c, change(h)}].push_back({t.coef, h});
  }
  struct Merged {
    std::vector<Entry> hot, cold;
    int dh, dc;
  };
  std::map<std::tuple<std::vector<std::uint64_t>, int, int>, Merged> merged;
  for (auto &[key, hot_list] : by_cold) {
    combine(hot_list);
    // By the first nonzero coefficient: a term can be 0 (an Omega_ab of 0 keeps its terms), and
    // dividing by it made the whole group NaN.
    Complex scale = 1.0;
    if (!is_identity(key.first))
      for (const auto &e : hot_list)
        if (e.coef != Complex(0.0)) {
          scale = e.coef;
          break;
        }
    // (c / c in complex arithmetic need not be 1 exactly: equal coefficients become 1 as such)
    for (auto &e : hot_list) e.coef = e.coef == scale ? Complex(1.0) : e.coef / scale;
    auto &m = merged[{key_of(hot_list), key.second, change(key.first)}];
    if (m.hot.empty()) m = {hot_list, {}, key.second, change(key.first)};
    m.cold.push_back({scale, key.first});
  }
  // Factors per source block.
  std::vector<int> position(std::size_t{1} << (2 * N), -1);
  for (int d = -N; d <= N; ++d) {
    const auto &items = layout_->items(0, d);
    for (std::size_t i = 0; i < items.size(); ++i) position[items[i]] = static_cast<int>(i);
  }
  groups_.clear();
  norms_known_ = false;
  for (auto &[key, m] : merged) {
    combine(m.cold);
    Group g;
    g.dh = m.dh;
    g.dc = m.dc;
    g.hot_identity = m.hot.size() == 1 && is_identity(m.hot[0].op) && m.hot[0].coef == Complex(1.0);
    g.cold_identity = !g.hot_identity && m.cold.size() == 1 && is_identity(m.cold[0].op);
    if (g.cold_identity && m.cold[0].coef != Complex(1.0))
      for (auto &e : m.hot) e.coef *= m.cold[0].coef;
    const auto build = [&](int e, const std::vector<Entry> &list, int delta, std::vector<SparseMatrix> &out) {
      out.assign(2 * N + 1, {});
      for (int d = -N; d <= N; ++d)
        if (d + delta >= -N && d + delta <= N) out[d + N] = factor(*layout_, e, list, d, delta, position);
    };
    if (!g.hot_identity) build(0, m.hot, g.dh, g.hot);
    if (!g.cold_identity) build(1, m.cold, g.dc, g.cold);
    groups_.push_back(std::move(g));
  }
  // Structural nonzeros: each group's Kronecker product, but the diagonals of L_h (x) 1 and
  // 1 (x) L_c share their entries.
  nonzeros_ = 0;
  const auto &blocks = layout_->blocks();
  const auto diagonal_count = [](const SparseMatrix &a) {
    std::int64_t count = 0;
    for (int i = 0; i < a.rows; ++i)
      for (int e = a.start[i]; e < a.start[i + 1]; ++e) count += a.col[e] == i;
    return count;
  };
  const Group *hot_only = nullptr, *cold_only = nullptr;
  for (const auto &g : groups_) {
    if (g.cold_identity && g.dh == 0) hot_only = &g;
    if (g.hot_identity && g.dc == 0) cold_only = &g;
  }
  hot_only_ = hot_only;
  cold_only_ = cold_only;
  for (const auto &b : blocks) {
    for (const auto &g : groups_) {
      const int sh = b.dh - g.dh, sc = b.dc - g.dc;
      if (layout_->block_of(sh, sc) < 0) continue;
      const std::int64_t nh = g.hot_identity ? b.nh : g.hot[sh + N].nonzeros();
      const std::int64_t nc = g.cold_identity ? b.nc : g.cold[sc + N].nonzeros();
      nonzeros_ += nh * nc;
    }
    if (hot_only && cold_only)
      nonzeros_ -= diagonal_count(hot_only->hot[b.dh + N]) * diagonal_count(cold_only->cold[b.dc + N]);
  }
}

void StructuredLiouvillian::multiply(const Complex *x, Complex *y, const std::vector<int> &targets) const {
  const int N = space_.N();
  const auto &blocks = layout_->blocks();
  // x by blocks, once (every target reads its sources' blocks). Both sides are
  // then column operations, Y[:, r] += c X[:, l] on contiguous columns of one ensemble's length:
  // Y += X C^T on the blocks, Y^T += X^T H^T on their transposes (a row-wise sparse product
  // reread the sparse factor for every column, 2.0 s per product at N = 6 against 1.44 s for
  // the assembled matrix's).
  x_.resize(static_cast<std::size_t>(offset_.back()));
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    Complex *X = x_.data() + offset_[k];
    const auto &index = blocks[k].index;
    for (std::size_t p = 0; p < index.size(); ++p) X[p] = x[index[p]];
  }
  // A source block transposed, where a hot factor needs it (made per use: a copy of every block
  // would be another vector of the whole space, 642 MB at N = 7).
  const auto transposed = [&](int s) {
    const auto &src = blocks[s];
    xt_.resize(static_cast<std::size_t>(src.nh) * src.nc);
    transpose(x_.data() + offset_[s], src.nh, src.nc, xt_.data());
    return xt_.data();
  };
  for (int k : targets) {
    const auto &b = blocks[k];
    const std::size_t size = static_cast<std::size_t>(b.nh) * b.nc;
    block_.assign(size, Complex(0.0));
    block_t_.assign(size, Complex(0.0));
    for (const auto &g : groups_) {
      const int sh = b.dh - g.dh, sc = b.dc - g.dc;
      const int s = layout_->block_of(sh, sc);
      if (s < 0) continue;
      const auto &src = blocks[s];
      if (g.hot_identity) {
        right_add(x_.data() + offset_[s], src.nh, g.cold[sc + N], block_.data());
      } else if (g.cold_identity) {
        right_add(transposed(s), src.nc, g.hot[sh + N], block_t_.data());
      } else {
        // (H X)^T = X^T H^T, transposed back, then times C^T.
        const SparseMatrix &H = g.hot[sh + N];
        temp_t_.assign(static_cast<std::size_t>(H.rows) * src.nc, Complex(0.0));
        right_add(transposed(s), src.nc, H, temp_t_.data());
        temp_.resize(temp_t_.size());
        transpose(temp_t_.data(), src.nc, H.rows, temp_.data());
        right_add(temp_.data(), H.rows, g.cold[sc + N], block_.data());
      }
    }
    // Y += (Y^T)^T, written out in the space's ordering.
    for (int j = 0; j < b.nc; ++j)
      for (int i = 0; i < b.nh; ++i) {
        const std::size_t p = i + static_cast<std::size_t>(j) * b.nh;
        y[b.index[p]] = block_[p] + block_t_[j + static_cast<std::size_t>(i) * b.nc];
      }
  }
}

void StructuredLiouvillian::norms() const {
  if (norms_known_) return;
  const int N = space_.N();
  const auto &blocks = layout_->blocks();
  // |L|'s column (row) sums: a Kronecker product's are the products of its factors' (1 for an
  // identity), the parts' entries lie apart except on the diagonal, where L_h (x) 1 and 1 (x) L_c
  // add up before the modulus.
  const auto sums = [](const SparseMatrix &a, bool columns) {
    std::vector<double> s(columns ? a.cols : a.rows, 0.0);
    for (int i = 0; i < a.rows; ++i)
      for (int e = a.start[i]; e < a.start[i + 1]; ++e) s[columns ? a.col[e] : i] += std::abs(a.value[e]);
    return s;
  };
  const auto diagonal = [](const SparseMatrix *a, int n) {
    std::vector<Complex> d(n, 0.0);
    if (a)
      for (int i = 0; i < a->rows; ++i)
        for (int e = a->start[i]; e < a->start[i + 1]; ++e)
          if (a->col[e] == i) d[i] += a->value[e];
    return d;
  };
  double best[2] = {0, 0};
  std::vector<double> total;
  for (int columns = 0; columns < 2; ++columns)
    for (const auto &b : blocks) {
      // Columns: b as the source of each group; rows: b as the target.
      total.assign(static_cast<std::size_t>(b.nh) * b.nc, 0.0);
      for (const auto &g : groups_) {
        const int sign = columns ? 1 : -1;
        const int oh = b.dh + sign * g.dh, oc = b.dc + sign * g.dc;  // the other end
        if (layout_->block_of(oh, oc) < 0) continue;
        const int fh = columns ? b.dh : oh, fc = columns ? b.dc : oc;  // the factors' source blocks
        const std::vector<double> h = g.hot_identity ? std::vector<double>(b.nh, 1.0) : sums(g.hot[fh + N], columns);
        const std::vector<double> c = g.cold_identity ? std::vector<double>(b.nc, 1.0) : sums(g.cold[fc + N], columns);
        for (int j = 0; j < b.nc; ++j)
          for (int i = 0; i < b.nh; ++i) total[i + static_cast<std::size_t>(j) * b.nh] += h[i] * c[j];
      }
      if (hot_only_ && cold_only_) {
        const auto dh = diagonal(&hot_only_->hot[b.dh + N], b.nh), dc = diagonal(&cold_only_->cold[b.dc + N], b.nc);
        for (int j = 0; j < b.nc; ++j)
          for (int i = 0; i < b.nh; ++i)
            total[i + static_cast<std::size_t>(j) * b.nh] += std::abs(dh[i] + dc[j]) - std::abs(dh[i]) - std::abs(dc[j]);
      }
      for (double t : total) best[columns] = std::max(best[columns], t);
    }
  norm_1_ = best[1];
  norm_inf_ = best[0];
  norms_known_ = true;
}

double StructuredLiouvillian::bytes() const {
  double total = 0;
  for (const auto &g : groups_)
    for (const auto *side : {&g.hot, &g.cold})
      for (const auto &a : *side) total += a.nonzeros() * 20.0 + (a.rows + 1) * 4.0;
  return total;
}

} // namespace nessmap
