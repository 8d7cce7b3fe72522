#include "model/dicke_sectors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace nessmap {
namespace {

// Kinds of a qubit (symmetric_basis.hpp): k = a * 2 + b for |a><b|.
using Super4 = std::array<std::array<Complex, 4>, 4>;  // [target kind][source kind]

Qubit2 unit(int a, int b) {
  Qubit2 x{};
  x[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = 1.0;
  return x;
}
Qubit2 identity2() {
  Qubit2 x{};
  x[0][0] = x[1][1] = 1.0;
  return x;
}
Qubit2 multiply(const Qubit2 &a, const Qubit2 &b) {
  Qubit2 c{};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

// |a><b| -> A |a><b| B.
Super4 superoperator(const Qubit2 &A, const Qubit2 &B) {
  Super4 s{};
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int a_ = 0; a_ < 2; ++a_)
        for (int b_ = 0; b_ < 2; ++b_) s[a_ * 2 + b_][a * 2 + b] += A[a_][a] * B[b][b_];
  return s;
}

// The single-qubit monomials (A, B) of a one-unit map (symmetric_terms.hpp: A|a><b|B with
// weight 1): found among 1, sigma+, sigma-, and the two projectors.
std::pair<Qubit2, Qubit2> factors(const UnitMap &map) {
  const std::array<Qubit2, 5> candidates{identity2(), unit(1, 0), unit(0, 1), unit(0, 0), unit(1, 1)};
  Super4 target{};
  for (const auto &[from, to] : map.moves) target[static_cast<std::size_t>(to)][static_cast<std::size_t>(from)] = 1.0;
  for (const auto &A : candidates)
    for (const auto &B : candidates)
      if (superoperator(A, B) == target) return {A, B};
  throw std::logic_error("collective_form: a one-qubit map is no product A . B of single-qubit monomials");
}

double binomial(int n, int k) {
  if (k < 0 || k > n) return 0;
  // Exact in double for n <= 56 (every value below 2^53).
  static const auto table = [] {
    std::vector<std::vector<double>> t(64);
    for (int i = 0; i < 64; ++i) {
      t[static_cast<std::size_t>(i)].assign(static_cast<std::size_t>(i) + 1, 1.0);
      for (int j = 1; j < i; ++j)
        t[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
            t[static_cast<std::size_t>(i) - 1][static_cast<std::size_t>(j) - 1] + t[static_cast<std::size_t>(i) - 1][static_cast<std::size_t>(j)];
    }
    return t;
  }();
  if (n >= 64) throw std::invalid_argument("binomial: n >= 64");
  return table[static_cast<std::size_t>(n)][static_cast<std::size_t>(k)];
}

// (a0 + a1 + a2 + a3)! / (a0! a1! a2! a3!)
double multinomial(const std::array<int, 4> &a) {
  const int n = a[0] + a[1] + a[2] + a[3];
  return binomial(n, a[0]) * binomial(n - a[0], a[1]) * binomial(n - a[0] - a[1], a[2]);
}

// J_X = sum_n X_n on the sector's copy of V_j (2j + 1 Dicke states of 2j qubits, s singlets),
// dense, [k'][k].
using Dense = std::vector<std::vector<Complex>>;
Dense collective(const Qubit2 &X, int two_j, int s) {
  const int d = two_j + 1;
  Dense m(static_cast<std::size_t>(d), std::vector<Complex>(static_cast<std::size_t>(d)));
  for (int k = 0; k < d; ++k) {
    m[k][k] += X[0][0] * static_cast<double>(two_j - k + s) + X[1][1] * static_cast<double>(k + s);
    if (k + 1 < d) m[k + 1][k] += X[1][0] * std::sqrt(static_cast<double>((k + 1) * (two_j - k)));
    if (k > 0) m[k - 1][k] += X[0][1] * std::sqrt(static_cast<double>(k * (two_j - k + 1)));
  }
  return m;
}
Dense product(const std::vector<Qubit2> &factors, int two_j, int s) {
  const std::size_t d = static_cast<std::size_t>(two_j) + 1;
  Dense p(d, std::vector<Complex>(d));
  for (std::size_t k = 0; k < d; ++k) p[k][k] = 1.0;
  for (const auto &X : factors) {
    const Dense J = collective(X, two_j, s);
    Dense q(d, std::vector<Complex>(d));
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t k = 0; k < d; ++k)
        if (p[i][k] != 0.0)
          for (std::size_t j = 0; j < d; ++j) q[i][j] += p[i][k] * J[k][j];
    p = std::move(q);
  }
  return p;
}

} // namespace

std::optional<std::vector<CollectiveTerm>> collective_form(const std::vector<SymmetricTerm> &terms,
                                                           const SymmetricBasis &basis, std::string *why) {
  const auto fail = [&](std::string reason) -> std::optional<std::vector<CollectiveTerm>> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (basis.coupling() != Coupling::all_to_all) return fail("Dicke sectors are per ensemble: type 1 (all_to_all) only");
  std::vector<CollectiveTerm> out;
  std::array<Super4, 2> remainder{};  // the single-qubit parts, per species
  double scale = 0;
  for (const auto &t : terms) {
    const auto [A, B] = factors(t.a);
    scale = std::max(scale, std::abs(t.coef));
    CollectiveTerm c{t.coef, {}, {}};
    const auto sa = static_cast<std::size_t>(t.species_a), sb = static_cast<std::size_t>(t.species_b);
    if (t.shape == SymmetricTerm::one_body && basis.N() == 1) {
      // One qubit: J_X = X, so A . B is the collective product itself.
      if (A != identity2()) c.left[sa] = {A};
      if (B != identity2()) c.right[sa] = {B};
      out.push_back(std::move(c));
      continue;
    }
    if (t.shape == SymmetricTerm::one_body) {
      const Super4 s = superoperator(A, B);
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) remainder[sa][i][j] += t.coef * s[i][j];
      continue;
    }
    const auto [C, D] = factors(t.b);
    // sum_u (A . B)_u is a collective product only when one side is the identity: L_{J_A} or R_{J_B}.
    const Qubit2 one = identity2();
    if ((A != one && B != one) || (C != one && D != one))
      return fail("a two-qubit term acts on both sides of rho on one qubit, which no collective operator does");
    const auto append = [&](std::vector<Qubit2> &side, const Qubit2 &X) {
      if (X != one) side.push_back(X);
    };
    if (t.shape == SymmetricTerm::pair) {
      // sum_{u != v} S_u T_v = (sum_u S_u)(sum_v T_v) - sum_u (S T)_u, S T = (AC . DB) on one qubit
      append(c.left[sa], A);
      append(c.left[sa], C);
      append(c.right[sa], D);
      append(c.right[sa], B);
      const Super4 s = superoperator(multiply(A, C), multiply(D, B));
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) remainder[sa][i][j] -= t.coef * s[i][j];
    } else {
      append(c.left[sa], A);
      append(c.right[sa], B);
      append(c.left[sb], C);
      append(c.right[sb], D);
    }
    out.push_back(std::move(c));
  }
  // remainder = X . 1 + 1 . Y: X_a'a = R[(a',b)][(a,b)] off the diagonal, Y_bb' = R[(a,b')][(a,b)],
  // and the diagonal X_aa + Y_bb (Y_00 = 0 fixes the split).
  for (std::size_t s = 0; s < 2; ++s) {
    const Super4 &R = remainder[s];
    Qubit2 X{}, Y{};
    X[1][0] = R[2][0];
    X[0][1] = R[0][2];
    Y[0][1] = R[1][0];
    Y[1][0] = R[0][1];
    X[0][0] = R[0][0];
    X[1][1] = R[2][2];
    Y[1][1] = R[1][1] - R[0][0];
    const Super4 back = [&] {
      Super4 l = superoperator(X, identity2()), r = superoperator(identity2(), Y);
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) l[i][j] += r[i][j];
      return l;
    }();
    double off = 0;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) off = std::max(off, std::abs(back[i][j] - R[i][j]));
    if (off > 1e-13 * std::max(scale, 1e-300))
      return fail(std::string("the ") + (s == 0 ? "hot" : "cold") +
                  " ensemble's single-qubit terms are not X rho + rho Y (a local jump such as sigma-_n rho sigma+_n "
                  "is left over: the bath is not collective)");
    CollectiveTerm cx{1.0, {}, {}}, cy{1.0, {}, {}};
    cx.left[s] = {X};
    cy.right[s] = {Y};
    out.push_back(std::move(cx));
    out.push_back(std::move(cy));
  }
  return out;
}

DickeSector::DickeSector(int N, int two_j_h, int two_j_c) : N_(N), two_j_{two_j_h, two_j_c} {
  for (int s = 0; s < 2; ++s)
    if (two_j_[s] < 0 || two_j_[s] > N || (N - two_j_[s]) % 2 != 0)
      throw std::invalid_argument("DickeSector: 2j = " + std::to_string(two_j_[s]) + " is no spin of N = " + std::to_string(N));
  offset_.assign(static_cast<std::size_t>(two_j_h + two_j_c) + 2, 0);
  for (int K = 0; K <= two_j_h + two_j_c; ++K)
    offset_[static_cast<std::size_t>(K) + 1] = offset_[static_cast<std::size_t>(K)] + static_cast<std::int64_t>(count(K)) * count(K);
}

int DickeSector::count(int K) const { return std::min(two_j_[0], K) - lo(K) + 1; }

std::int64_t DickeSector::index(int kh, int kc, int kh_, int kc_) const {
  const int K = kh + kc;
  if (kh_ + kc_ != K || kh < 0 || kc < 0 || kh_ < 0 || kc_ < 0 || kh > two_j_[0] || kh_ > two_j_[0] || kc > two_j_[1] ||
      kc_ > two_j_[1])
    return -1;
  const int l = lo(K);
  return offset_[static_cast<std::size_t>(K)] + static_cast<std::int64_t>(kh - l) * count(K) + (kh_ - l);
}

DickeSector::Element DickeSector::element(std::int64_t i) const {
  const auto K = static_cast<int>(std::upper_bound(offset_.begin(), offset_.end(), i) - offset_.begin()) - 1;
  const int c = count(K), l = lo(K);
  const auto r = i - offset_[static_cast<std::size_t>(K)];
  const int kh = l + static_cast<int>(r / c), kh_ = l + static_cast<int>(r % c);
  return {kh, K - kh, kh_, K - kh_};
}

DickeSector::Csr DickeSector::liouvillian(const std::vector<CollectiveTerm> &terms) const {
  struct Entry {
    std::int64_t row, column;
    Complex value;
  };
  std::vector<Entry> entries;
  const std::int64_t n = dimension();
  for (const auto &t : terms) {
    std::array<Dense, 2> P, Q;
    for (int s = 0; s < 2; ++s) {
      P[s] = product(t.left[s], two_j_[s], singlets(s));
      Q[s] = product(t.right[s], two_j_[s], singlets(s));
    }
    // Nonzeros of P's columns and Q's rows: (index, value).
    using Sparse = std::vector<std::vector<std::pair<int, Complex>>>;
    std::array<Sparse, 2> Pc, Qr;
    for (std::size_t s = 0; s < 2; ++s) {
      const std::size_t d = static_cast<std::size_t>(two_j_[s]) + 1;
      Pc[s].resize(d);
      Qr[s].resize(d);
      for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
          if (P[s][i][j] != 0.0) Pc[s][j].push_back({static_cast<int>(i), P[s][i][j]});
          if (Q[s][i][j] != 0.0) Qr[s][i].push_back({static_cast<int>(j), Q[s][i][j]});
        }
    }
    for (std::int64_t col = 0; col < n; ++col) {
      const Element e = element(col);
      for (const auto &[ah, ph] : Pc[0][static_cast<std::size_t>(e.kh)])
        for (const auto &[ac, pc] : Pc[1][static_cast<std::size_t>(e.kc)])
          for (const auto &[bh, qh] : Qr[0][static_cast<std::size_t>(e.kh_)])
            for (const auto &[bc, qc] : Qr[1][static_cast<std::size_t>(e.kc_)]) {
              const Complex v = t.coef * ph * pc * qh * qc;
              const std::int64_t row = index(ah, ac, bh, bc);
              if (row < 0) {
                if (v != 0.0) throw std::logic_error("DickeSector: a term leaves the balanced block");
                continue;
              }
              entries.push_back({row, col, v});
            }
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.row != b.row ? a.row < b.row : a.column < b.column; });
  // Sorted by (row, column): duplicates are neighbours.
  Csr csr;
  csr.row_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const Entry &e = entries[k];
    if (k > 0 && entries[k - 1].row == e.row && entries[k - 1].column == e.column) {
      csr.values.back() += e.value;
      continue;
    }
    csr.columns.push_back(e.column);
    csr.values.push_back(e.value);
    ++csr.row_offsets[static_cast<std::size_t>(e.row) + 1];
  }
  std::partial_sum(csr.row_offsets.begin(), csr.row_offsets.end(), csr.row_offsets.begin());
  return csr;
}

std::vector<int> spins(int N) {
  std::vector<int> out;
  for (int t = N; t >= 0; t -= 2) out.push_back(t);
  return out;
}

double spin_multiplicity(int N, int two_j) {
  const int m = (N - two_j) / 2;
  return binomial(N, m) - binomial(N, m - 1);
}

double sector_weight(int N, int two_j, double p) {
  const int s = (N - two_j) / 2;
  double sum = 0;
  for (int k = 0; k <= two_j; ++k) sum += std::pow(p, k + s) * std::pow(1.0 - p, two_j - k + s);
  return spin_multiplicity(N, two_j) * sum;
}

void to_symmetric(const SymmetricBasis &basis, const std::vector<DickeSector> &sectors,
                  const std::vector<std::vector<Complex>> &states, std::vector<Complex> &y, std::vector<double> &y_bound) {
  const int N = basis.N(), P = N / 2 + 1;  // singlet counts 0..N/2
  if (sectors.size() != static_cast<std::size_t>(P * P) || states.size() != sectors.size())
    throw std::invalid_argument("to_symmetric: one sector and one state per (j_h, j_c) expected");
  y.assign(static_cast<std::size_t>(basis.dimension()), Complex{});
  y_bound.assign(y.size(), 0.0);
  struct Part {
    int p, k_, k;  // singlets; ket and bra excitations on the copy
    double value;
  };
  // sqrt(C(2j, k)) for every 2j <= N.
  std::vector<std::vector<double>> root(static_cast<std::size_t>(N) + 1);
  for (int t = 0; t <= N; ++t)
    for (int k = 0; k <= t; ++k) root[static_cast<std::size_t>(t)].push_back(std::sqrt(binomial(t, k)));
  // <c_k'| S(n) |c_k> of one ensemble for every sector and alpha (see the header).
  const auto parts = [&](const SymmetricBasis::Key key, int s, std::vector<Part> &out) {
    out.clear();
    std::array<int, 4> n{};
    for (int k = 0; k < 4; ++k) n[static_cast<std::size_t>(k)] = basis.occupation(key, s, k);
    const int reach = std::min(n[1], n[2]) + std::min(n[0], n[3]);
    for (int p = 0; p <= std::min(N / 2, reach); ++p) {
      const int two_j = N - 2 * p;
      const int hi = std::min({p, n[0], n[3]});
      for (int alpha = std::max(0, p - std::min(n[1], n[2])); alpha <= hi; ++alpha) {
        const std::array<int, 4> a{n[0] - alpha, n[1] - (p - alpha), n[2] - (p - alpha), n[3] - alpha};
        const int k_ = a[2] + a[3], k = a[1] + a[3];
        const double sign = (p - alpha) % 2 == 0 ? 1.0 : -1.0;
        out.push_back({p, k_, k,
                       sign * binomial(p, alpha) * multinomial(a) /
                           (root[static_cast<std::size_t>(two_j)][static_cast<std::size_t>(k)] *
                            root[static_cast<std::size_t>(two_j)][static_cast<std::size_t>(k_)])});
      }
    }
  };
  std::vector<Part> hot, cold;
  for (std::int64_t i = 0; i < basis.dimension(); ++i) {
    const auto key = basis.key(i);
    parts(key, 0, hot);
    parts(key, 1, cold);
    const double scale = 1.0 / std::sqrt(basis.multiplicity(i));
    Complex sum = 0;
    double magnitude = 0;
    int count = 0;
    for (const auto &h : hot)
      for (const auto &c : cold) {
        const std::size_t s = static_cast<std::size_t>(h.p * P + c.p);
        if (states[s].empty()) continue;
        const auto at = sectors[s].index(h.k_, c.k_, h.k, c.k);
        if (at < 0) continue;
        const Complex term = (scale * h.value * c.value) * states[s][static_cast<std::size_t>(at)];
        sum += term;
        magnitude += std::abs(term.real()) + std::abs(term.imag());
        ++count;
      }
    y[static_cast<std::size_t>(i)] = sum;
    // Summation: (count - 1) eps of the magnitudes; each term: about 8 roundings of its factors.
    y_bound[static_cast<std::size_t>(i)] = (count + 8) * std::numeric_limits<double>::epsilon() * magnitude;
  }
}

} // namespace nessmap
