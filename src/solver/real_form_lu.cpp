#include "solver/real_form_lu.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <limits>
#include <tuple>

namespace nessmap {

RealFormLU::RealFormLU(std::int64_t n, const std::int32_t *row_offsets, const std::int32_t *columns,
                       std::vector<std::int64_t> transpose, const std::uint8_t *parts)
    : n_(n), transpose_(std::move(transpose)) {
  if (n_ <= 0 || n_ > (std::int64_t{1} << 30) || static_cast<std::int64_t>(transpose_.size()) != n_)
    throw std::invalid_argument("RealFormLU: the transpose map must have one entry per row");
  cplx_rows_.assign(row_offsets, row_offsets + n_ + 1);
  cplx_cols_.assign(columns, columns + cplx_rows_.back());
  const std::size_t entries = cplx_cols_.size();
  parts_.assign(entries, real_part | imaginary_part);
  if (parts) parts_.assign(parts, parts + entries);
  transposed_entry_.assign(entries, -1);
  for (std::int64_t r = 0; r < n_; ++r) {
    const std::int64_t pr = transpose_[r];
    if (pr < 0 || pr >= n_ || transpose_[pr] != r)
      throw std::invalid_argument("RealFormLU: the transpose map is not an involution");
    const auto first = cplx_cols_.begin() + cplx_rows_[pr], last = cplx_cols_.begin() + cplx_rows_[pr + 1];
    for (std::int32_t e = cplx_rows_[r]; e < cplx_rows_[r + 1]; ++e) {
      const auto pj = static_cast<std::int32_t>(transpose_[cplx_cols_[e]]);
      const auto it = std::lower_bound(first, last, pj);
      if (it != last && *it == pj) transposed_entry_[e] = static_cast<std::int32_t>(it - cplx_cols_.begin());
    }
  }
  build_real_pattern();
  // Whichever of the two orderings needs fewer multiply-adds: minimum fill takes 19,076 against
  // minimum degree's 23,853 at N = 2 (common or cascaded bath, all_to_all), and 3-20% fewer in the
  // other families.
  order(Ordering::minimum_degree);
  build_factor_pattern();
  const std::vector<std::int32_t> degree_perm = perm_;
  const std::int64_t degree_work = multiply_adds_;
  order(Ordering::minimum_fill);
  build_factor_pattern();
  if (multiply_adds_ > degree_work) {
    perm_ = degree_perm;
    for (std::size_t k = 0; k < perm_.size(); ++k) inverse_perm_[perm_[k]] = static_cast<std::int32_t>(k);
    build_factor_pattern();
  }
  work_.assign(n_, 0.0);
  c_.assign(2 * n_, 0.0);
  y_.assign(2 * n_, 0.0);
  z_.assign(n_, 0.0);
}

bool RealFormLU::preserves_hermiticity(const Complex *values, double tolerance) const {
  double largest = 0;
  for (std::size_t e = 0; e < cplx_cols_.size(); ++e) largest = std::max(largest, std::abs(values[e]));
  const double bound = tolerance * largest;
  for (std::size_t e = 0; e < cplx_cols_.size(); ++e) {
    const Complex partner = transposed_entry_[e] < 0 ? Complex{} : values[transposed_entry_[e]];
    if (std::abs(partner - std::conj(values[e])) > bound) return false;
  }
  return true;
}

// Rows r <= p(r) of the complex matrix give the real rows: Re of row r is real row r, Im of row r
// (r < p(r)) is real row p(r). In a column j the complex entry v = a + ib multiplies
//   rho_j = y_j                  (j = p(j)):  Re: a y_j,             Im: b y_j
//   rho_j = y_j + i y_q          (j < q = p(j)): Re: a y_j - b y_q,  Im: b y_j + a y_q
//   rho_j = y_q - i y_j          (j > q = p(j)): Re: a y_q + b y_j,  Im: b y_q - a y_j
// and a part the family never has (parts_) contributes nothing.
void RealFormLU::build_real_pattern() {
  struct Item {
    std::int32_t row, col, entry;
    std::int8_t part, sign;
  };
  std::vector<Item> items;
  for (std::int64_t r = 0; r < n_; ++r) {
    const std::int64_t pr = transpose_[r];
    if (r > pr) continue;
    const auto re_row = static_cast<std::int32_t>(r), im_row = static_cast<std::int32_t>(pr);
    for (std::int32_t e = cplx_rows_[r]; e < cplx_rows_[r + 1]; ++e) {
      const std::int32_t j = cplx_cols_[e], q = static_cast<std::int32_t>(transpose_[j]);
      const bool a = parts_[e] & real_part, b = parts_[e] & imaginary_part;
      auto add = [&](std::int32_t row, std::int32_t col, std::int8_t part, std::int8_t sign) {
        items.push_back({row, col, e, part, sign});
      };
      const bool im = r < pr;  // a population's row has no imaginary equation
      if (j == q) {
        if (a) add(re_row, j, 0, 1);
        if (im && b) add(im_row, j, 1, 1);
      } else if (j < q) {
        if (a) add(re_row, j, 0, 1);
        if (b) add(re_row, q, 1, -1);
        if (im && b) add(im_row, j, 1, 1);
        if (im && a) add(im_row, q, 0, 1);
      } else {
        if (a) add(re_row, q, 0, 1);
        if (b) add(re_row, j, 1, 1);
        if (im && b) add(im_row, q, 1, 1);
        if (im && a) add(im_row, j, 0, -1);
      }
    }
  }
  std::sort(items.begin(), items.end(), [](const Item &x, const Item &y) {
    return std::tie(x.row, x.col, x.entry, x.part) < std::tie(y.row, y.col, y.entry, y.part);
  });
  r_rows_.assign(n_ + 1, 0);
  r_cols_.clear();
  shares_.clear();
  for (std::size_t k = 0; k < items.size(); ++k) {
    const Item &it = items[k];
    if (k == 0 || it.row != items[k - 1].row || it.col != items[k - 1].col) {
      r_cols_.push_back(it.col);
      ++r_rows_[it.row + 1];
    }
    shares_.push_back({static_cast<std::int32_t>(r_cols_.size() - 1), it.entry, it.part, it.sign});
  }
  for (std::int64_t i = 0; i < n_; ++i) r_rows_[i + 1] += r_rows_[i];
  r_vals_.assign(r_cols_.size(), 0.0);
}

// Greedy orderings on the pattern of R + R^T, with the elimination graph as bit sets (n is a few
// hundred at most here, so the quadratic bookkeeping costs nothing next to one factorisation):
// each step eliminates the vertex of least degree, or the one whose elimination adds the fewest
// edges (minimum fill, ties by degree). Remaining ties go to the lowest index, so the ordering
// depends only on the pattern.
void RealFormLU::order(Ordering rule) {
  const std::size_t n = static_cast<std::size_t>(n_), words = (n + 63) / 64;
  std::vector<std::uint64_t> adj(n * words, 0), gone(words, 0), nb(words);
  auto set = [&](std::size_t i, std::size_t j) { adj[i * words + j / 64] |= std::uint64_t{1} << (j % 64); };
  for (std::size_t i = 0; i < n; ++i)
    for (std::int32_t s = r_rows_[i]; s < r_rows_[i + 1]; ++s) {
      const auto j = static_cast<std::size_t>(r_cols_[s]);
      if (j != i) { set(i, j); set(j, i); }
    }
  perm_.assign(n, 0);
  inverse_perm_.assign(n, 0);
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t best = n;
    std::int64_t best_score = 0, best_degree = 0;
    for (std::size_t v = 0; v < n; ++v) {
      if (gone[v / 64] >> (v % 64) & 1) continue;
      std::int64_t d = 0;
      for (std::size_t w = 0; w < words; ++w) {
        nb[w] = adj[v * words + w] & ~gone[w];
        d += std::popcount(nb[w]);
      }
      std::int64_t score = d;
      if (rule == Ordering::minimum_fill) {
        std::int64_t edges = 0;  // twice the edges among v's neighbours
        for (std::size_t w = 0; w < words; ++w)
          for (std::uint64_t bits = nb[w]; bits; bits &= bits - 1) {
            const std::size_t u = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
            for (std::size_t x = 0; x < words; ++x) edges += std::popcount(adj[u * words + x] & nb[x]);
          }
        score = d * (d - 1) / 2 - edges / 2;
      }
      if (best == n || score < best_score || (score == best_score && d < best_degree)) {
        best = v;
        best_score = score;
        best_degree = d;
      }
    }
    perm_[step] = static_cast<std::int32_t>(best);
    inverse_perm_[best] = static_cast<std::int32_t>(step);
    gone[best / 64] |= std::uint64_t{1} << (best % 64);
    for (std::size_t w = 0; w < words; ++w) nb[w] = adj[best * words + w] & ~gone[w];
    for (std::size_t w = 0; w < words; ++w)
      for (std::uint64_t bits = nb[w]; bits; bits &= bits - 1) {
        const std::size_t u = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        for (std::size_t x = 0; x < words; ++x) adj[u * words + x] |= nb[x];
        adj[u * words + u / 64] &= ~(std::uint64_t{1} << (u % 64));
      }
  }
}

// Row k of the permuted matrix collects its own columns and, for every earlier row l it reaches
// (in increasing l, so fill found on the way is followed too), the columns of U's row l.
void RealFormLU::build_factor_pattern() {
  const std::size_t n = static_cast<std::size_t>(n_);
  std::vector<char> mark(n, 0);
  f_rows_.assign(n + 1, 0);
  f_cols_.clear();
  diag_.assign(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = static_cast<std::size_t>(perm_[k]);
    mark[k] = 1;
    for (std::int32_t s = r_rows_[i]; s < r_rows_[i + 1]; ++s) mark[inverse_perm_[r_cols_[s]]] = 1;
    for (std::size_t l = 0; l < k; ++l) {
      if (!mark[l]) continue;
      for (std::int32_t p = diag_[l] + 1; p < f_rows_[l + 1]; ++p) mark[f_cols_[p]] = 1;
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (!mark[c]) continue;
      if (c == k) diag_[k] = static_cast<std::int32_t>(f_cols_.size());
      f_cols_.push_back(static_cast<std::int32_t>(c));
      mark[c] = 0;
    }
    f_rows_[k + 1] = static_cast<std::int32_t>(f_cols_.size());
  }
  r_to_f_.assign(r_cols_.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t k = inverse_perm_[i];
    const auto first = f_cols_.begin() + f_rows_[k], last = f_cols_.begin() + f_rows_[k + 1];
    for (std::int32_t s = r_rows_[i]; s < r_rows_[i + 1]; ++s)
      r_to_f_[s] = static_cast<std::int32_t>(std::lower_bound(first, last, inverse_perm_[r_cols_[s]]) - f_cols_.begin());
  }
  f_vals_.assign(f_cols_.size(), 0.0);
  inv_pivot_.assign(n, 0.0);
  multiply_adds_ = 0;
  for (std::size_t k = 0; k < n; ++k)
    for (std::int32_t p = f_rows_[k]; p < diag_[k]; ++p) multiply_adds_ += f_rows_[f_cols_[p] + 1] - diag_[f_cols_[p]] - 1;
}

bool RealFormLU::factor(const Complex *values, const Limits &limits) {
  factored_ = false;
  failure_.clear();
  // A part the pattern left out must be zero (the family's terms say which parts exist).
  for (std::int64_t r = 0; r < n_; ++r) {
    if (r > transpose_[r]) continue;
    for (std::int32_t e = cplx_rows_[r]; e < cplx_rows_[r + 1]; ++e)
      if ((!(parts_[e] & real_part) && values[e].real() != 0) ||
          (!(parts_[e] & imaginary_part) && values[e].imag() != 0)) {
        failure_ = "an entry has a real or imaginary part its terms cannot give";
        return false;
      }
  }
  std::fill(r_vals_.begin(), r_vals_.end(), 0.0);
  for (const Share &s : shares_) {
    const Complex v = values[s.entry];
    r_vals_[s.slot] += s.sign * (s.part == 0 ? v.real() : v.imag());
  }
  r_norm_ = 0;
  std::fill(work_.begin(), work_.end(), 0.0);  // column sums, for ||R||_1
  for (std::int64_t i = 0; i < n_; ++i) {
    double row = 0;
    for (std::int32_t s = r_rows_[i]; s < r_rows_[i + 1]; ++s) {
      row += std::abs(r_vals_[s]);
      work_[r_cols_[s]] += std::abs(r_vals_[s]);
    }
    r_norm_ = std::max(r_norm_, row);
  }
  const double r_norm_1 = *std::max_element(work_.begin(), work_.end());
  std::fill(work_.begin(), work_.end(), 0.0);
  std::fill(f_vals_.begin(), f_vals_.end(), 0.0);
  for (std::size_t s = 0; s < r_vals_.size(); ++s) f_vals_[r_to_f_[s]] = r_vals_[s];

  double *w = work_.data();
  const std::int32_t *cols = f_cols_.data();
  double *vals = f_vals_.data();
  largest_multiplier_ = 0;
  for (std::int64_t k = 0; k < n_; ++k) {
    const std::int32_t begin = f_rows_[k], d = diag_[k], end = f_rows_[k + 1];
    for (std::int32_t p = begin; p < end; ++p) w[cols[p]] = vals[p];
    for (std::int32_t p = begin; p < d; ++p) {
      const std::int32_t l = cols[p];
      const double m = w[l] * inv_pivot_[l];
      w[l] = m;
      if (m == 0) continue;
      largest_multiplier_ = std::max(largest_multiplier_, std::abs(m));
      const std::int32_t q0 = diag_[l] + 1, qe = f_rows_[l + 1];
      if (qe - q0 == n_ - 1 - l) {
        // U's row l is full to the right (the dense tail minimum degree leaves): a contiguous
        // update, which the compiler vectorises; half the work at N = 2.
        double *target = w + l + 1;
        const double *source = vals + q0;
        for (std::int32_t i = 0; i < qe - q0; ++i) target[i] -= m * source[i];
      } else {
        for (std::int32_t q = q0; q < qe; ++q) w[cols[q]] -= m * vals[q];
      }
    }
    double row = 0;
    for (std::int32_t p = begin; p < end; ++p) {
      vals[p] = w[cols[p]];
      w[cols[p]] = 0;
      if (p >= d) row += std::abs(vals[p]);
    }
    const double pivot = vals[d];
    if (!std::isfinite(row) || !(std::abs(pivot) > limits.zero_pivot * row)) {
      failure_ = "pivot " + std::to_string(k) + " of " + std::to_string(n_) + " is below " +
                 std::to_string(limits.zero_pivot) + " of its row (the matrix is singular or needs pivoting)";
      return false;
    }
    inv_pivot_[k] = 1.0 / pivot;
  }
  if (!(largest_multiplier_ <= limits.max_multiplier)) {
    failure_ = "a multiplier of " + std::to_string(largest_multiplier_) + " (the matrix is singular or needs pivoting)";
    return false;
  }
  condition_ = r_norm_1 * inverse_norm_estimate();
  if (!(condition_ <= limits.max_condition)) {
    failure_ = "its condition number is about " + std::to_string(condition_) + " (singular to roundoff)";
    return false;
  }
  factored_ = true;
  return true;
}

// ||B^-1||_1 as LINPACK estimates it (Cline, Moler, Stewart and Wilkinson, 1979): solve
// U^T L^T w = e with the signs of e chosen on the way to make w grow, then B v = w; ||v|| / ||w||
// is close to ||B^-1|| because w is rich in the singular vectors of the small singular values.
// Four triangular solves, in the factor's own (permuted) ordering: permuting does not change norms.
double RealFormLU::inverse_norm_estimate() {
  const std::int32_t *cols = f_cols_.data();
  const double *vals = f_vals_.data();
  double *w = work_.data(), *s = z_.data();
  std::fill(s, s + n_, 0.0);
  // U^T w = e: column-oriented over U's rows; s[k] collects sum_{j<k} u_jk w_j.
  for (std::int64_t k = 0; k < n_; ++k) {
    const double e = s[k] > 0 ? -1.0 : 1.0;
    w[k] = (e - s[k]) * inv_pivot_[k];
    for (std::int32_t p = diag_[k] + 1; p < f_rows_[k + 1]; ++p) s[cols[p]] += vals[p] * w[k];
  }
  // L^T w' = w (unit diagonal), from the last row up.
  for (std::int64_t k = n_ - 1; k >= 0; --k)
    for (std::int32_t p = f_rows_[k]; p < diag_[k]; ++p) w[cols[p]] -= vals[p] * w[k];
  double w_norm = 0;
  for (std::int64_t k = 0; k < n_; ++k) w_norm += std::abs(w[k]);
  if (!std::isfinite(w_norm) || w_norm == 0) return std::numeric_limits<double>::infinity();
  for (std::int64_t k = 0; k < n_; ++k) w[k] /= w_norm;
  // B v = w: L then U, in place.
  for (std::int64_t k = 0; k < n_; ++k)
    for (std::int32_t p = f_rows_[k]; p < diag_[k]; ++p) w[k] -= vals[p] * w[cols[p]];
  double v_norm = 0;
  for (std::int64_t k = n_ - 1; k >= 0; --k) {
    for (std::int32_t p = diag_[k] + 1; p < f_rows_[k + 1]; ++p) w[k] -= vals[p] * w[cols[p]];
    w[k] *= inv_pivot_[k];
    v_norm += std::abs(w[k]);
  }
  std::fill(work_.begin(), work_.end(), 0.0);  // the factorisation's scatter space must stay zero
  return std::isfinite(v_norm) ? v_norm : std::numeric_limits<double>::infinity();
}

double RealFormLU::solve_real(const double *c, double *y) {
  const std::int32_t *cols = f_cols_.data();
  const double *vals = f_vals_.data();
  double *z = z_.data();
  for (std::int64_t k = 0; k < n_; ++k) {
    double s = c[perm_[k]];
    for (std::int32_t p = f_rows_[k]; p < diag_[k]; ++p) s -= vals[p] * z[cols[p]];
    z[k] = s;
  }
  for (std::int64_t k = n_ - 1; k >= 0; --k) {
    double s = z[k];
    for (std::int32_t p = diag_[k] + 1; p < f_rows_[k + 1]; ++p) s -= vals[p] * z[cols[p]];
    z[k] = s * inv_pivot_[k];
    y[perm_[k]] = z[k];
  }
  double r_max = 0, y_max = 0, c_max = 0;
  for (std::int64_t i = 0; i < n_; ++i) {
    double r = -c[i];
    for (std::int32_t s = r_rows_[i]; s < r_rows_[i + 1]; ++s) r += r_vals_[s] * y[r_cols_[s]];
    r_max = std::max(r_max, std::abs(r));
    y_max = std::max(y_max, std::abs(y[i]));
    c_max = std::max(c_max, std::abs(c[i]));
  }
  const double scale = r_norm_ * y_max + c_max;
  return scale > 0 ? r_max / scale : 0.0;
}

void RealFormLU::solve(const Complex *b, Complex *x, bool hermitian_part) {
  if (!factored_) throw std::logic_error("RealFormLU::solve without a successful factor()");
  // b = h1 + i h2 with h1 = (b + P conj b) / 2 and h2 = (b - P conj b) / 2i, both Hermitian; their
  // real coordinates go to c1 = c_[0, n) and c2 = c_[n, 2n).
  double *c1 = c_.data(), *c2 = c_.data() + n_;
  bool second = false;
  for (std::int64_t i = 0; i < n_; ++i) {
    const std::int64_t q = transpose_[i];
    if (i > q) continue;
    const Complex bt = std::conj(b[q]);
    const Complex h1 = 0.5 * (b[i] + bt), h2 = Complex{0, -0.5} * (b[i] - bt);
    c1[i] = h1.real();
    c2[i] = h2.real();
    if (i < q) {
      c1[q] = h1.imag();
      c2[q] = h2.imag();
    }
    second = second || (!hermitian_part && h2 != Complex{});
  }
  double *y1 = y_.data(), *y2 = y_.data() + n_;
  backward_error_ = solve_real(c1, y1);
  if (second) backward_error_ = std::max(backward_error_, solve_real(c2, y2));
  for (std::int64_t i = 0; i < n_; ++i) {
    const std::int64_t q = transpose_[i];
    auto element = [&](const double *y) {
      if (i == q) return Complex{y[i], 0.0};
      return i < q ? Complex{y[i], y[q]} : Complex{y[q], -y[i]};
    };
    x[i] = second ? element(y1) + Complex{0, 1} * element(y2) : element(y1);
  }
}

} // namespace nessmap
