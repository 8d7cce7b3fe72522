#pragma once
// Independent dense reference implementation of the model of physics.md, for tests only.
//
// Nothing here uses the library's Monomial / MasterEquation / Liouvillian code: operators are dense
// complex matrices on the 2N-qubit Hilbert space built from Kronecker products, the master
// equation is written term by term from physics.md, and the rates are recomputed from g, omega, T.
// The only library type used is nessmap::SystemParameters (plain data).
//
// Conventions (the project's): a basis state is an integer x whose bit k is qubit k (1 = excited);
// hot qubit n (0-based) is bit n, cold qubit n is bit N + n. rho_{mn} = <m|rho|n>; the full-space
// vector index is m * 2^(2N) + n (row-major vec), so vec(A rho B) = (A kron B^T) vec(rho).
#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "model/parameters.hpp"

namespace dense_ref {

using cd = std::complex<double>;

// ---------------------------------------------------------------------------------------------
// Dense complex matrix, row-major.
// ---------------------------------------------------------------------------------------------
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<cd> a;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), a(r * c) {}

  cd &operator()(std::size_t i, std::size_t j) { return a[i * cols + j]; }
  const cd &operator()(std::size_t i, std::size_t j) const { return a[i * cols + j]; }
};

inline Matrix identity(std::size_t n) {
  Matrix I(n, n);
  for (std::size_t i = 0; i < n; ++i) I(i, i) = 1.0;
  return I;
}

inline Matrix matmul(const Matrix &A, const Matrix &B) {
  if (A.cols != B.rows) throw std::invalid_argument("matmul: shape mismatch");
  Matrix C(A.rows, B.cols);
  for (std::size_t i = 0; i < A.rows; ++i) {
    cd *c = &C.a[i * C.cols];
    for (std::size_t k = 0; k < A.cols; ++k) {
      const cd aik = A(i, k);
      if (aik == cd{}) continue;  // the operators here are very sparse
      const cd *b = &B.a[k * B.cols];
      for (std::size_t j = 0; j < B.cols; ++j) c[j] += aik * b[j];
    }
  }
  return C;
}

inline Matrix adjoint(const Matrix &A) {
  Matrix B(A.cols, A.rows);
  for (std::size_t i = 0; i < A.rows; ++i)
    for (std::size_t j = 0; j < A.cols; ++j) B(j, i) = std::conj(A(i, j));
  return B;
}

inline Matrix transpose(const Matrix &A) {
  Matrix B(A.cols, A.rows);
  for (std::size_t i = 0; i < A.rows; ++i)
    for (std::size_t j = 0; j < A.cols; ++j) B(j, i) = A(i, j);
  return B;
}

// kron(A, B)[(i * B.rows + k), (j * B.cols + l)] = A(i, j) B(k, l): A on the more significant index.
inline Matrix kron(const Matrix &A, const Matrix &B) {
  Matrix C(A.rows * B.rows, A.cols * B.cols);
  for (std::size_t i = 0; i < A.rows; ++i)
    for (std::size_t j = 0; j < A.cols; ++j) {
      const cd aij = A(i, j);
      if (aij == cd{}) continue;
      for (std::size_t k = 0; k < B.rows; ++k)
        for (std::size_t l = 0; l < B.cols; ++l) C(i * B.rows + k, j * B.cols + l) = aij * B(k, l);
    }
  return C;
}

inline Matrix operator+(const Matrix &A, const Matrix &B) {
  if (A.rows != B.rows || A.cols != B.cols) throw std::invalid_argument("add: shape mismatch");
  Matrix C = A;
  for (std::size_t i = 0; i < C.a.size(); ++i) C.a[i] += B.a[i];
  return C;
}

inline Matrix operator-(const Matrix &A, const Matrix &B) {
  if (A.rows != B.rows || A.cols != B.cols) throw std::invalid_argument("sub: shape mismatch");
  Matrix C = A;
  for (std::size_t i = 0; i < C.a.size(); ++i) C.a[i] -= B.a[i];
  return C;
}

inline Matrix operator*(cd s, const Matrix &A) {
  Matrix C = A;
  for (auto &v : C.a) v *= s;
  return C;
}

inline Matrix &operator+=(Matrix &A, const Matrix &B) {
  if (A.rows != B.rows || A.cols != B.cols) throw std::invalid_argument("+=: shape mismatch");
  for (std::size_t i = 0; i < A.a.size(); ++i) A.a[i] += B.a[i];
  return A;
}

inline cd trace(const Matrix &A) {
  cd t = 0;
  for (std::size_t i = 0; i < std::min(A.rows, A.cols); ++i) t += A(i, i);
  return t;
}

// Tr[X Y] without forming the product.
inline cd trace_product(const Matrix &X, const Matrix &Y) {
  cd t = 0;
  for (std::size_t i = 0; i < X.rows; ++i)
    for (std::size_t j = 0; j < X.cols; ++j) t += X(i, j) * Y(j, i);
  return t;
}

inline double max_abs_diff(const Matrix &A, const Matrix &B) {
  double d = 0;
  for (std::size_t i = 0; i < A.a.size(); ++i) d = std::max(d, std::abs(A.a[i] - B.a[i]));
  return d;
}

inline double max_abs(const Matrix &A) {
  double d = 0;
  for (const auto &v : A.a) d = std::max(d, std::abs(v));
  return d;
}

// ---------------------------------------------------------------------------------------------
// Single-qubit operators on the 2N-qubit space.
// ---------------------------------------------------------------------------------------------
inline Matrix sigma_plus_1() {  // |1><0|
  Matrix s(2, 2);
  s(1, 0) = 1.0;
  return s;
}
inline Matrix sigma_minus_1() {  // |0><1|
  Matrix s(2, 2);
  s(0, 1) = 1.0;
  return s;
}

// Operator s on qubit k of nq qubits: kron(I_{2^(nq-1-k)}, s, I_{2^k}), so bit k of the index is
// qubit k.
inline Matrix on_qubit(int nq, int k, const Matrix &s) {
  return kron(kron(identity(std::size_t{1} << (nq - 1 - k)), s), identity(std::size_t{1} << k));
}

enum class Part { hamiltonian, loc, nonloc };
constexpr int HOT = 0, COLD = 1;

inline double nbar(double omega, double T) { return 1.0 / (std::exp(omega / T) - 1.0); }

// ---------------------------------------------------------------------------------------------
// The model: operators, rates and the master equation as a list of (coef, A, B) terms,
// L(rho) = sum_t coef_t A_t rho B_t.
// ---------------------------------------------------------------------------------------------
struct Term {
  cd coef;
  Matrix A, B;
  Part part;
  int ens;  // bath (HOT/COLD) for dissipator terms, -1 for the Hamiltonian
};

struct Model {
  nessmap::SystemParameters p;
  int N = 0, nq = 0;
  std::size_t D = 0;
  std::vector<Matrix> sp, sm;      // sigma+ / sigma- by bit
  Matrix I, H0[2], Nex[2], HI, H;  // H0[e] = H_0^(e), Nex[e] = excitation number of ensemble e
  double gm[2][16][16] = {}, gp[2][16][16] = {};  // gamma-_{e,kl}, gamma+_{e,kl}
  std::vector<Term> terms;

  int bit(int e, int n) const { return e == HOT ? n : N + n; }
  const Matrix &splus(int e, int n) const { return sp[bit(e, n)]; }
  const Matrix &sminus(int e, int n) const { return sm[bit(e, n)]; }
  Matrix sz(int b) const { return 2.0 * matmul(sp[b], sm[b]) - I; }
  // The set P: pairs (a, b) with Omega_ab != 0 (the diagonal only for pairwise coupling).
  std::vector<std::pair<int, int>> pairs() const {
    std::vector<std::pair<int, int>> P;
    for (int a = 0; a < N; ++a)
      for (int b = 0; b < N; ++b) {
        if (p.coupling == nessmap::Coupling::pairwise && a != b) continue;
        if (p.Omega[a][b] != 0) P.emplace_back(a, b);
      }
    return P;
  }
};

namespace detail {
// rate * ( X rho Y^dag - 1/2 {Y^dag X, rho} )
inline void add_pair_dissipator(std::vector<Term> &t, const Model &M, double rate, const Matrix &X,
                                const Matrix &Y, Part part, int e) {
  const Matrix Yd = adjoint(Y);
  const Matrix YdX = matmul(Yd, X);
  t.push_back({rate, X, Yd, part, e});
  t.push_back({-0.5 * rate, YdX, M.I, part, e});
  t.push_back({-0.5 * rate, M.I, YdX, part, e});
}
} // namespace detail

inline Model make_model(const nessmap::SystemParameters &p) {
  Model M;
  M.p = p;
  M.N = p.N;
  M.nq = 2 * p.N;
  M.D = std::size_t{1} << M.nq;
  if (p.N > 8) throw std::invalid_argument("dense reference: N too large");
  M.I = identity(M.D);
  for (int k = 0; k < M.nq; ++k) {
    M.sp.push_back(on_qubit(M.nq, k, sigma_plus_1()));
    M.sm.push_back(on_qubit(M.nq, k, sigma_minus_1()));
  }
  const double omega[2] = {p.omega_h, p.omega_c};
  const double T[2] = {p.T_h, p.T_c};
  const std::vector<double> *g[2] = {&p.g_h, &p.g_c};
  for (int e : {HOT, COLD}) {
    const double nb = nbar(omega[e], T[e]);
    for (int k = 0; k < M.N; ++k)
      for (int l = 0; l < M.N; ++l) {
        M.gm[e][k][l] = (*g[e])[k] * (*g[e])[l] * (nb + 1.0);
        M.gp[e][k][l] = (*g[e])[k] * (*g[e])[l] * nb;
      }
    M.Nex[e] = Matrix(M.D, M.D);
    for (int n = 0; n < M.N; ++n) M.Nex[e] += matmul(M.splus(e, n), M.sminus(e, n));
    M.H0[e] = omega[e] * M.Nex[e];
  }
  // H_I = sum_{a,b} Omega_ab (s+_{h,a} s-_{c,b} + h.c.); pairwise uses the diagonal only.
  M.HI = Matrix(M.D, M.D);
  for (int a = 0; a < M.N; ++a)
    for (int b = 0; b < M.N; ++b) {
      if (p.coupling == nessmap::Coupling::pairwise && a != b) continue;
      const Matrix hop = matmul(M.splus(HOT, a), M.sminus(COLD, b));
      M.HI += p.Omega[a][b] * (hop + adjoint(hop));
    }
  M.H = M.H0[HOT] + M.H0[COLD] + M.HI;

  // Master equation terms.
  auto &t = M.terms;
  const cd i{0.0, 1.0};
  t.push_back({-i, M.H, M.I, Part::hamiltonian, -1});  // -i H rho
  t.push_back({i, M.I, M.H, Part::hamiltonian, -1});   // +i rho H
  for (int e : {HOT, COLD}) {
    // D_loc = sum_n gamma-_nn D[s-_n] + gamma+_nn D[s+_n]
    for (int n = 0; n < M.N; ++n) {
      detail::add_pair_dissipator(t, M, M.gm[e][n][n], M.sminus(e, n), M.sminus(e, n), Part::loc, e);
      detail::add_pair_dissipator(t, M, M.gp[e][n][n], M.splus(e, n), M.splus(e, n), Part::loc, e);
    }
    if (p.bath == nessmap::Bath::common) {
      // sum_{n != n'} gamma-_{nn'} ( s-_n rho s+_n' - 1/2 {s+_n' s-_n, rho} )
      //             + gamma+_{nn'} ( s+_n rho s-_n' - 1/2 {s-_n' s+_n, rho} )
      for (int n = 0; n < M.N; ++n)
        for (int np = 0; np < M.N; ++np) {
          if (n == np) continue;
          detail::add_pair_dissipator(t, M, M.gm[e][n][np], M.sminus(e, n), M.sminus(e, np),
                                      Part::nonloc, e);
          detail::add_pair_dissipator(t, M, M.gp[e][n][np], M.splus(e, n), M.splus(e, np),
                                      Part::nonloc, e);
        }
    } else if (p.bath == nessmap::Bath::cascaded) {
      // sum_{n < n'} gamma-_{nn'} ( s-_n [rho, s+_n'] + [s-_n', rho] s+_n )
      //            + gamma+_{nn'} ( s+_n [rho, s-_n'] + [s+_n', rho] s-_n )
      for (int n = 0; n < M.N; ++n)
        for (int np = n + 1; np < M.N; ++np) {
          for (int sign = 0; sign < 2; ++sign) {
            const double r = sign == 0 ? M.gm[e][n][np] : M.gp[e][n][np];
            const Matrix &An = sign == 0 ? M.sminus(e, n) : M.splus(e, n);
            const Matrix &Anp = sign == 0 ? M.sminus(e, np) : M.splus(e, np);
            const Matrix Bn = adjoint(An), Bnp = adjoint(Anp);
            // An rho Bnp - An Bnp rho
            t.push_back({r, An, Bnp, Part::nonloc, e});
            t.push_back({-r, matmul(An, Bnp), M.I, Part::nonloc, e});
            // Anp rho Bn - rho Anp Bn
            t.push_back({r, Anp, Bn, Part::nonloc, e});
            t.push_back({-r, M.I, matmul(Anp, Bn), Part::nonloc, e});
          }
        }
    }
    // independent: D_nonloc = 0
  }
  return M;
}

// ---------------------------------------------------------------------------------------------
// Direct application of each part of L to a dense rho (matrix products, not the term list).
// ---------------------------------------------------------------------------------------------
inline Matrix anticommutator(const Matrix &X, const Matrix &rho) { return matmul(X, rho) + matmul(rho, X); }

// D[A](rho) = A rho A^dag - 1/2 {A^dag A, rho}
inline Matrix lindblad(const Matrix &A, const Matrix &rho) {
  const Matrix Ad = adjoint(A);
  return matmul(matmul(A, rho), Ad) - 0.5 * anticommutator(matmul(Ad, A), rho);
}

inline Matrix apply_hamiltonian(const Model &M, const Matrix &rho) {
  return cd{0.0, -1.0} * (matmul(M.H, rho) - matmul(rho, M.H));
}

inline Matrix apply_D_loc(const Model &M, int e, const Matrix &rho) {
  Matrix out(M.D, M.D);
  for (int n = 0; n < M.N; ++n) {
    out += M.gm[e][n][n] * lindblad(M.sminus(e, n), rho);
    out += M.gp[e][n][n] * lindblad(M.splus(e, n), rho);
  }
  return out;
}

inline Matrix apply_D_nonloc(const Model &M, int e, const Matrix &rho) {
  Matrix out(M.D, M.D);
  if (M.p.bath == nessmap::Bath::common) {
    for (int n = 0; n < M.N; ++n)
      for (int np = 0; np < M.N; ++np) {
        if (n == np) continue;
        const Matrix &smn = M.sminus(e, n), &spnp = M.splus(e, np);
        const Matrix &spn = M.splus(e, n), &smnp = M.sminus(e, np);
        out += M.gm[e][n][np] *
               (matmul(matmul(smn, rho), spnp) - 0.5 * anticommutator(matmul(spnp, smn), rho));
        out += M.gp[e][n][np] *
               (matmul(matmul(spn, rho), smnp) - 0.5 * anticommutator(matmul(smnp, spn), rho));
      }
  } else if (M.p.bath == nessmap::Bath::cascaded) {
    auto comm = [](const Matrix &X, const Matrix &Y) { return matmul(X, Y) - matmul(Y, X); };
    for (int n = 0; n < M.N; ++n)
      for (int np = n + 1; np < M.N; ++np) {
        const Matrix &smn = M.sminus(e, n), &spnp = M.splus(e, np);
        const Matrix &spn = M.splus(e, n), &smnp = M.sminus(e, np);
        out += M.gm[e][n][np] * (matmul(smn, comm(rho, spnp)) + matmul(comm(smnp, rho), spn));
        out += M.gp[e][n][np] * (matmul(spn, comm(rho, smnp)) + matmul(comm(spnp, rho), smn));
      }
  }
  return out;
}

inline Matrix apply_D(const Model &M, int e, const Matrix &rho) {
  return apply_D_loc(M, e, rho) + apply_D_nonloc(M, e, rho);
}

inline Matrix apply_L(const Model &M, const Matrix &rho) {
  return apply_hamiltonian(M, rho) + apply_D(M, HOT, rho) + apply_D(M, COLD, rho);
}

// Application through the term list (for checking the two against each other).
inline Matrix apply_terms(const Model &M, const Matrix &rho) {
  Matrix out(M.D, M.D);
  for (const auto &t : M.terms) out += t.coef * matmul(matmul(t.A, rho), t.B);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Superoperators.
// ---------------------------------------------------------------------------------------------
// rho -> A rho B as a matrix on row-major vec(rho): A kron B^T.
inline Matrix superoperator(const Matrix &A, const Matrix &B) { return kron(A, transpose(B)); }

// Full dense Liouvillian, 4^(2N) x 4^(2N) (only for small N).
inline Matrix full_liouvillian(const Model &M) {
  if (M.N > 2) throw std::invalid_argument("full_liouvillian: use restricted_liouvillian for N > 2");
  Matrix L(M.D * M.D, M.D * M.D);
  for (const auto &t : M.terms) L += t.coef * superoperator(t.A, t.B);
  return L;
}

// L restricted to the rows and columns of `pairs` (list of (m, n)):
//   L[(m,n),(m',n')] = sum_t coef_t A_t[m][m'] B_t[n'][n],
// computed from the operators' nonzeros without forming any Kronecker product. Entries of rows in
// `pairs` that fall on columns outside `pairs` are dropped; `leak` (if given) receives the largest
// of them in absolute value.
inline Matrix restricted_liouvillian(const Model &M,
                                     const std::vector<std::pair<std::uint64_t, std::uint64_t>> &pairs,
                                     double *leak = nullptr) {
  const std::size_t D = M.D, n = pairs.size();
  std::vector<std::int64_t> where(D * D, -1);
  for (std::size_t r = 0; r < n; ++r) where[pairs[r].first * D + pairs[r].second] = static_cast<std::int64_t>(r);
  Matrix L(n, n);
  std::vector<std::vector<std::pair<std::size_t, cd>>> leaked(leak ? n : 0);
  for (const auto &t : M.terms) {
    // nonzeros of A by row, of B by column
    std::vector<std::vector<std::pair<std::size_t, cd>>> arow(D), bcol(D);
    for (std::size_t i = 0; i < D; ++i)
      for (std::size_t j = 0; j < D; ++j) {
        if (t.A(i, j) != cd{}) arow[i].emplace_back(j, t.A(i, j));
        if (t.B(i, j) != cd{}) bcol[j].emplace_back(i, t.B(i, j));
      }
    for (std::size_t r = 0; r < n; ++r) {
      const auto [m, nn] = pairs[r];
      for (const auto &[mp, a] : arow[m])
        for (const auto &[np, b] : bcol[nn]) {
          const cd v = t.coef * a * b;
          const auto c = where[mp * D + np];
          if (c >= 0) L(r, static_cast<std::size_t>(c)) += v;
          else if (leak) leaked[r].emplace_back(mp * D + np, v);
        }
    }
  }
  if (leak) {
    *leak = 0;
    for (auto &row : leaked) {
      std::sort(row.begin(), row.end(), [](auto &x, auto &y) { return x.first < y.first; });
      for (std::size_t i = 0; i < row.size();) {
        cd s = 0;
        std::size_t j = i;
        for (; j < row.size() && row[j].first == row[i].first; ++j) s += row[j].second;
        *leak = std::max(*leak, std::abs(s));
        i = j;
      }
    }
  }
  return L;
}

// The balanced pairs (m, n), popcount(m) == popcount(n), in plain row-major order (independent of
// the library's StateSpace ordering).
inline std::vector<std::pair<std::uint64_t, std::uint64_t>> balanced_pairs(int N) {
  const std::uint64_t D = std::uint64_t{1} << (2 * N);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> v;
  for (std::uint64_t m = 0; m < D; ++m)
    for (std::uint64_t n = 0; n < D; ++n)
      if (std::popcount(m) == std::popcount(n)) v.emplace_back(m, n);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Linear algebra: Gaussian elimination with partial pivoting (A is overwritten).
// ---------------------------------------------------------------------------------------------
inline std::vector<cd> gaussian_solve(Matrix A, std::vector<cd> b) {
  const std::size_t n = A.rows;
  if (A.cols != n || b.size() != n) throw std::invalid_argument("gaussian_solve: shape mismatch");
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t piv = k;
    double best = std::abs(A(k, k));
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(A(i, k)) > best) best = std::abs(A(i, k)), piv = i;
    if (best == 0) throw std::runtime_error("gaussian_solve: singular matrix");
    if (piv != k) {
      for (std::size_t j = 0; j < n; ++j) std::swap(A(k, j), A(piv, j));
      std::swap(b[k], b[piv]);
    }
    const cd inv = 1.0 / A(k, k);
    const cd *rk = &A.a[k * n];
    for (std::size_t i = k + 1; i < n; ++i) {
      cd *ri = &A.a[i * n];
      if (ri[k] == cd{}) continue;
      const cd f = ri[k] * inv;
      ri[k] = 0;
      // manual complex arithmetic: keeps the inner loop free of the NaN-recovery path
      const double fr = f.real(), fi = f.imag();
      double *x = reinterpret_cast<double *>(ri);
      const double *y = reinterpret_cast<const double *>(rk);
      for (std::size_t j = k + 1; j < n; ++j) {
        const double yr = y[2 * j], yi = y[2 * j + 1];
        x[2 * j] -= fr * yr - fi * yi;
        x[2 * j + 1] -= fr * yi + fi * yr;
      }
      b[i] -= f * b[k];
    }
  }
  std::vector<cd> x(n);
  for (std::size_t k = n; k-- > 0;) {
    cd s = b[k];
    for (std::size_t j = k + 1; j < n; ++j) s -= A(k, j) * x[j];
    x[k] = s / A(k, k);
  }
  return x;
}

// Steady state: L restricted to `pairs` (must contain (0,0)), the (0,0) row replaced by the trace
// row, solved for e_(0,0); the result expanded to a dense D x D rho (zero outside `pairs`).
inline Matrix steady_state(const Model &M,
                           const std::vector<std::pair<std::uint64_t, std::uint64_t>> &pairs) {
  Matrix L = restricted_liouvillian(M, pairs);
  const std::size_t n = pairs.size();
  std::size_t r0 = n;
  for (std::size_t r = 0; r < n; ++r)
    if (pairs[r].first == 0 && pairs[r].second == 0) r0 = r;
  if (r0 == n) throw std::invalid_argument("steady_state: (0,0) not among the pairs");
  for (std::size_t c = 0; c < n; ++c) L(r0, c) = pairs[c].first == pairs[c].second ? 1.0 : 0.0;
  std::vector<cd> rhs(n, 0.0);
  rhs[r0] = 1.0;
  const auto x = gaussian_solve(std::move(L), std::move(rhs));
  Matrix rho(M.D, M.D);
  for (std::size_t r = 0; r < n; ++r) rho(pairs[r].first, pairs[r].second) = x[r];
  return rho;
}

// ---------------------------------------------------------------------------------------------
// Currents from their definitions (physics.md), as traces against dissipators on a dense rho.
// ---------------------------------------------------------------------------------------------
struct Currents {
  double Q_h = 0, Q_h_loc = 0, Q_h_nonloc = 0;
  double Q_c = 0, Q_c_loc = 0, Q_c_nonloc = 0;
  double W = 0, W_loc = 0, W_nonloc = 0;
  double excitation_current = 0;  // Tr[N_h D^(h)(rho)]
};

inline Currents currents(const Model &M, const Matrix &rho) {
  const Matrix Dl[2] = {apply_D_loc(M, HOT, rho), apply_D_loc(M, COLD, rho)};
  const Matrix Dn[2] = {apply_D_nonloc(M, HOT, rho), apply_D_nonloc(M, COLD, rho)};
  Currents c;
  c.Q_h_loc = trace_product(M.H0[HOT], Dl[HOT]).real();
  c.Q_h_nonloc = trace_product(M.H0[HOT], Dn[HOT]).real();
  c.Q_h = trace_product(M.H0[HOT], Dl[HOT] + Dn[HOT]).real();
  c.Q_c_loc = trace_product(M.H0[COLD], Dl[COLD]).real();
  c.Q_c_nonloc = trace_product(M.H0[COLD], Dn[COLD]).real();
  c.Q_c = trace_product(M.H0[COLD], Dl[COLD] + Dn[COLD]).real();
  c.W_loc = trace_product(M.HI, Dl[HOT] + Dl[COLD]).real();
  c.W_nonloc = trace_product(M.HI, Dn[HOT] + Dn[COLD]).real();
  c.W = trace_product(M.HI, Dl[HOT] + Dl[COLD] + Dn[HOT] + Dn[COLD]).real();
  c.excitation_current = trace_product(M.Nex[HOT], Dl[HOT] + Dn[HOT]).real();
  return c;
}

// ---------------------------------------------------------------------------------------------
// Coherence quantities of physics.md.
// ---------------------------------------------------------------------------------------------
inline cd expect(const Matrix &rho, const Matrix &X) { return trace_product(X, rho); }

struct Coherences {
  double C_loc = 0, C_nonloc = 0, C_nonloc_factorized = 0;
};

// M(k): common and independent { m != k }, cascaded { m < k }.
inline std::vector<int> partner_set(const Model &M, int k) {
  std::vector<int> s;
  for (int m = 0; m < M.N; ++m) {
    if (m == k) continue;
    if (M.p.bath == nessmap::Bath::cascaded && m > k) continue;
    s.push_back(m);
  }
  return s;
}

inline Coherences coherences(const Model &M, const Matrix &rho) {
  Coherences c;
  auto sym = [&](const Matrix &sp, const Matrix &sm) {  // (s+_A s-_B)_+ = s+_A s-_B + h.c.
    const Matrix x = matmul(sp, sm);
    return x + adjoint(x);
  };
  for (const auto &[a, b] : M.pairs()) {
    c.C_loc += -2.0 * expect(rho, matmul(M.splus(HOT, a), M.sminus(COLD, b))).real();
    const Matrix sz_ha = M.sz(M.bit(HOT, a)), sz_cb = M.sz(M.bit(COLD, b));
    for (int m : partner_set(M, a)) {
      const Matrix X = sym(M.splus(HOT, m), M.sminus(COLD, b));
      c.C_nonloc += expect(rho, matmul(sz_ha, X)).real();
      c.C_nonloc_factorized += expect(rho, sz_ha).real() * expect(rho, X).real();
    }
    for (int m : partner_set(M, b)) {
      const Matrix X = sym(M.splus(COLD, m), M.sminus(HOT, a));
      c.C_nonloc += expect(rho, matmul(sz_cb, X)).real();
      c.C_nonloc_factorized += expect(rho, sz_cb).real() * expect(rho, X).real();
    }
  }
  return c;
}

} // namespace dense_ref
