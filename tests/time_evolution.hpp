#pragma once
// Reference for degenerate steady states (physics.md, "Degenerate steady states: the long-time limit
// from an initial state"), for tests only: rho(t) = exp(L t) rho_0 at long t, with L the dense
// Liouvillian of dense_reference.hpp. Nothing here uses library code.
//
//   - long_time_propagator: exp(L t) by scaling and squaring. exp(L dt) with dt = t / 2^s, s the
//     smallest with ||L dt||_1 <= 1/2, by its Taylor series (to degree 30 or until a term is below
//     1e-20 relative), then squared s times, so exp(L t) is reached at t exactly (t / 2^s is exact
//     in binary). The propagator at t/2 is kept: rho(t) - rho(t/2) measures how far from the limit
//     the evolution still is (a slow mode of rate lambda contributes a e^{-lambda t/2} to it and
//     only a e^{-lambda t} to rho(t)).
//   - SparseEvolution: the same limit in a subspace too large for dense products (the balanced block
//     at N = 3, 924 rows), by steps rho -> p(L dt) rho with p the degree-4 Taylor polynomial of exp
//     and ||L dt||_1 <= 2. A polynomial in L has L's eigenvectors, eigenvalue 1 exactly on L's null
//     space and modulus < 1 on L's other eigenvalues (|z| <= 2, Re z < 0 lies in the degree-4
//     region), so its powers converge to the same spectral projector as exp(L t): the limit does
//     not depend on the accuracy of p as an exponential, only the speed of convergence does.
//
// Conventions as in dense_reference.hpp: rho_{mn} at vec index m * D + n (row-major), bit k of a
// basis index is qubit k, hot qubits bits 0..N-1, cold N..2N-1.
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "dense_reference.hpp"

namespace time_evolution {

using dense_ref::cd;
using dense_ref::Matrix;

// C = A B with the complex arithmetic written out (std::complex's operator* checks for NaN, which
// here costs a factor of a few on 256 x 256 products).
inline Matrix multiply(const Matrix &A, const Matrix &B) {
  if (A.cols != B.rows) throw std::invalid_argument("multiply: shape mismatch");
  Matrix C(A.rows, B.cols);
  const std::size_t n = B.cols;
  for (std::size_t i = 0; i < A.rows; ++i) {
    double *c = reinterpret_cast<double *>(&C.a[i * n]);
    for (std::size_t k = 0; k < A.cols; ++k) {
      const double ar = A(i, k).real(), ai = A(i, k).imag();
      if (ar == 0 && ai == 0) continue;
      const double *b = reinterpret_cast<const double *>(&B.a[k * n]);
      for (std::size_t j = 0; j < n; ++j) {
        const double br = b[2 * j], bi = b[2 * j + 1];
        c[2 * j] += ar * br - ai * bi;
        c[2 * j + 1] += ar * bi + ai * br;
      }
    }
  }
  return C;
}

// y = A x
inline std::vector<cd> matvec(const Matrix &A, const std::vector<cd> &x) {
  if (A.cols != x.size()) throw std::invalid_argument("matvec: shape mismatch");
  std::vector<cd> y(A.rows);
  for (std::size_t i = 0; i < A.rows; ++i) {
    double yr = 0, yi = 0;
    const double *a = reinterpret_cast<const double *>(&A.a[i * A.cols]);
    const double *v = reinterpret_cast<const double *>(x.data());
    for (std::size_t j = 0; j < A.cols; ++j) {
      yr += a[2 * j] * v[2 * j] - a[2 * j + 1] * v[2 * j + 1];
      yi += a[2 * j] * v[2 * j + 1] + a[2 * j + 1] * v[2 * j];
    }
    y[i] = {yr, yi};
  }
  return y;
}

// Largest column sum of |A_ij|: a bound on every |eigenvalue|.
inline double norm1(const Matrix &A) {
  std::vector<double> col(A.cols, 0.0);
  for (std::size_t i = 0; i < A.rows; ++i)
    for (std::size_t j = 0; j < A.cols; ++j) col[j] += std::abs(A(i, j));
  double m = 0;
  for (double c : col) m = std::max(m, c);
  return m;
}

// exp(L t) and exp(L t/2).
struct Propagator {
  double t = 0;
  int squarings = 0;  // s: dt = t / 2^s
  int degree = 0;     // of the Taylor polynomial of exp(L dt)
  Matrix at_t, at_half_t;
};

inline Propagator long_time_propagator(const Matrix &L, double t) {
  if (L.rows != L.cols) throw std::invalid_argument("long_time_propagator: L not square");
  if (!(t > 0)) throw std::invalid_argument("long_time_propagator: t must be positive");
  Propagator P;
  P.t = t;
  const double norm = norm1(L);
  while (std::ldexp(t, -P.squarings) * norm > 0.5) ++P.squarings;
  if (P.squarings < 1) P.squarings = 1;  // at least one squaring, so that exp(L t/2) exists
  const double dt = std::ldexp(t, -P.squarings);
  const Matrix B = cd(dt) * L;
  // Taylor series of exp(B), ||B||_1 <= 1/2: the k-th term is below 0.5^k / k!.
  Matrix sum = dense_ref::identity(L.rows), term = dense_ref::identity(L.rows);
  for (int k = 1; k <= 30; ++k) {
    term = cd(1.0 / k) * multiply(term, B);
    sum += term;
    P.degree = k;
    if (dense_ref::max_abs(term) < 1e-20) break;
  }
  for (int s = 0; s < P.squarings; ++s) {
    if (s == P.squarings - 1) P.at_half_t = sum;
    sum = multiply(sum, sum);
  }
  P.at_t = std::move(sum);
  return P;
}

// Row-major vec of a D x D matrix and back.
inline std::vector<cd> vec(const Matrix &rho) { return rho.a; }
inline Matrix unvec(const std::vector<cd> &v, std::size_t D) {
  if (v.size() != D * D) throw std::invalid_argument("unvec: size");
  Matrix rho(D, D);
  rho.a = v;
  return rho;
}

// Product state of the 2N qubits, every hot qubit excited with probability p_h and every cold one
// with p_c: diagonal, rho_xx = prod_k (bit k of x ? p_k : 1 - p_k).
inline Matrix product_state(int N, double p_h, double p_c) {
  const std::size_t D = std::size_t{1} << (2 * N);
  Matrix rho(D, D);
  for (std::size_t x = 0; x < D; ++x) {
    double w = 1;
    for (int k = 0; k < 2 * N; ++k) {
      const double p = k < N ? p_h : p_c;
      w *= (x >> k) & 1 ? p : 1 - p;
    }
    rho(x, x) = w;
  }
  return rho;
}

// rho(t) = exp(L t) rho_0 on the full space, with max |rho(t) - rho(t/2)| as its distance from the
// limit.
struct Evolved {
  Matrix rho;
  double change_since_half_t = 0;
};

inline Evolved evolve(const Propagator &P, const Matrix &rho0) {
  const std::size_t D = rho0.rows;
  Evolved e;
  e.rho = unvec(matvec(P.at_t, vec(rho0)), D);
  e.change_since_half_t = dense_ref::max_abs_diff(e.rho, unvec(matvec(P.at_half_t, vec(rho0)), D));
  return e;
}

// The dimension of L's null space from the propagator: when every other eigenvalue has decayed
// (and none is purely imaginary), exp(L t) is the spectral projector on the null space, whose
// trace is its rank. `indices` restricts the trace to an invariant subspace (the balanced block);
// empty: the whole space.
inline cd propagator_trace(const Matrix &P, const std::vector<std::size_t> &indices = {}) {
  cd tr = 0;
  if (indices.empty())
    for (std::size_t i = 0; i < P.rows; ++i) tr += P(i, i);
  else
    for (std::size_t i : indices) tr += P(i, i);
  return tr;
}

// L(rho) = sum_t coef_t A_t rho B_t over dense_ref's term list, through the nonzeros of A_t and
// B_t: a residual check at N = 4, where dense_ref::apply_L's dense products take seconds.
inline Matrix apply_L_sparse(const dense_ref::Model &M, const Matrix &rho) {
  const std::size_t D = M.D;
  Matrix out(D, D);
  struct Entry {
    std::size_t i, j;
    cd v;
  };
  const auto nonzeros = [D](const Matrix &X) {
    std::vector<Entry> e;
    for (std::size_t i = 0; i < D; ++i)
      for (std::size_t j = 0; j < D; ++j)
        if (X(i, j) != cd{}) e.push_back({i, j, X(i, j)});
    return e;
  };
  for (const auto &t : M.terms) {
    const auto A = nonzeros(t.A), B = nonzeros(t.B);
    for (const Entry &a : A)      // (A rho B)_{mn} += A_{mi} rho_{ij} B_{jn}
      for (const Entry &b : B) out(a.i, b.j) += t.coef * a.v * rho(a.j, b.i) * b.v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sparse stepping in a subspace (rows and columns listed by `pairs`, which must be invariant
// under L: the balanced block is).
// ---------------------------------------------------------------------------------------------
struct SparseMatrix {
  std::size_t n = 0;
  std::vector<std::size_t> row_start, col;
  std::vector<cd> val;

  static SparseMatrix from_dense(const Matrix &A) {
    SparseMatrix S;
    S.n = A.rows;
    S.row_start.push_back(0);
    for (std::size_t i = 0; i < A.rows; ++i) {
      for (std::size_t j = 0; j < A.cols; ++j)
        if (A(i, j) != cd{}) {
          S.col.push_back(j);
          S.val.push_back(A(i, j));
        }
      S.row_start.push_back(S.col.size());
    }
    return S;
  }
  void apply(const std::vector<cd> &x, std::vector<cd> &y) const {
    for (std::size_t i = 0; i < n; ++i) {
      double yr = 0, yi = 0;
      for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) {
        const double ar = val[k].real(), ai = val[k].imag();
        const double xr = x[col[k]].real(), xi = x[col[k]].imag();
        yr += ar * xr - ai * xi;
        yi += ar * xi + ai * xr;
      }
      y[i] = {yr, yi};
    }
  }
};

struct SparseEvolution {
  SparseMatrix L;
  double dt = 0;

  explicit SparseEvolution(const Matrix &dense_L) : L(SparseMatrix::from_dense(dense_L)) {
    dt = 2.0 / norm1(dense_L);
  }

  // v -> p(L dt)^steps v, p(z) = 1 + z + z^2/2 + z^3/6 + z^4/24.
  void step(std::vector<cd> &v, std::size_t steps) const {
    std::vector<cd> term(v.size()), next(v.size());
    for (std::size_t s = 0; s < steps; ++s) {
      term = v;
      for (int k = 1; k <= 4; ++k) {
        L.apply(term, next);
        const double f = dt / k;
        for (std::size_t i = 0; i < v.size(); ++i) {
          term[i] = f * next[i];
          v[i] += term[i];
        }
      }
    }
  }

  // v evolved to t (rounded up to whole steps), with max |v(t) - v(t/2)|.
  std::pair<std::vector<cd>, double> evolve(std::vector<cd> v, double t) const {
    const auto half = static_cast<std::size_t>(std::ceil(t / (2 * dt)));
    step(v, half);
    const std::vector<cd> at_half = v;
    step(v, half);
    double change = 0;
    for (std::size_t i = 0; i < v.size(); ++i) change = std::max(change, std::abs(v[i] - at_half[i]));
    return {std::move(v), change};
  }
};

} // namespace time_evolution
