#include "solver/schur_sylvester.hpp"

#include <petscsys.h>
#include <petscblaslapack.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

// LAPACK routines PETSc's header does not name.
extern "C" {
void zgees_(const char *jobvs, const char *sort, void *select, const int *n, std::complex<double> *a,
            const int *lda, int *sdim, std::complex<double> *w, std::complex<double> *vs, const int *ldvs,
            std::complex<double> *work, const int *lwork, double *rwork, int *bwork, int *info);
void ztrexc_(const char *compq, const int *n, std::complex<double> *t, const int *ldt, std::complex<double> *q,
             const int *ldq, const int *ifst, const int *ilst, int *info);
}

namespace nessmap {
namespace {

static_assert(sizeof(PetscScalar) == sizeof(Complex), "PETSc scalars are std::complex<double>");

PetscScalar *lapack(Complex *p) { return reinterpret_cast<PetscScalar *>(p); }
const PetscScalar *lapack(const Complex *p) { return reinterpret_cast<const PetscScalar *>(p); }

// C = alpha op_a(A) op_b(B) + beta C, column-major; A is m x k after op_a, B is k x n after op_b.
void gemm(const char *op_a, const char *op_b, int m, int n, int k, Complex alpha, const Complex *A, int lda,
          const Complex *B, int ldb, Complex beta, Complex *C, int ldc) {
  const PetscBLASInt M = m, Nn = n, K = k, LDA = lda, LDB = ldb, LDC = ldc;
  const PetscScalar a = alpha, b = beta;
  BLASgemm_(op_a, op_b, &M, &Nn, &K, &a, lapack(A), &LDA, lapack(B), &LDB, &b, lapack(C), &LDC);
}
// C = op_a(A) op_b(B) with C of leading dimension m.
void gemm(const char *op_a, const char *op_b, int m, int n, int k, const Complex *A, int lda,
          const Complex *B, int ldb, Complex *C) {
  gemm(op_a, op_b, m, n, k, 1.0, A, lda, B, ldb, 0.0, C, m);
}

// T_a Z + Z T_b^H = C with T_a, T_b upper triangular, in place: row i of Z depends on the rows
// below it, column j on the columns right of it (sum_{l > j} Z[:, l] conj(T_b[j, l])). Recursive
// halving (bottom rows / right columns first, their contribution to the rest as one matrix
// product) leaves small diagonal pieces, solved element by element; most of the work is in gemm.
void triangular_sylvester(const SchurForm &a, const SchurForm &b, Complex *C, double tiny, bool skip_first) {
  const int na = a.n, nb = b.n;
  const Complex *Ta = a.T.data(), *Tb = b.T.data();
  constexpr int leaf = 48;
  auto at = [na](Complex *M, int i, int j) { return M + i + static_cast<std::size_t>(j) * na; };

  auto leaf_solve = [&](int i0, int i1, int j0, int j1) {
    for (int j = j1 - 1; j >= j0; --j) {
      Complex *z = at(C, 0, j);
      for (int l = j + 1; l < j1; ++l) {
        const Complex t = std::conj(Tb[j + static_cast<std::size_t>(l) * nb]);
        const Complex *zl = at(C, 0, l);
        for (int i = i0; i < i1; ++i) z[i] -= zl[i] * t;
      }
      const Complex mu = std::conj(Tb[j * static_cast<std::size_t>(nb + 1)]);
      for (int k = i1 - 1; k >= i0; --k) {
        const Complex *tk = Ta + static_cast<std::size_t>(k) * na;  // column k of T_a
        const Complex rate = tk[k] + mu;
        if ((skip_first && j == 0 && k == 0) || std::norm(rate) <= tiny * tiny) z[k] = 0.0;
        else z[k] /= rate;
        const Complex zk = z[k];
        for (int i = i0; i < k; ++i) z[i] -= tk[i] * zk;
      }
    }
  };
  auto solve = [&](auto &self, int i0, int i1, int j0, int j1) -> void {
    const int rows = i1 - i0, cols = j1 - j0;
    if (rows <= leaf && cols <= leaf) return leaf_solve(i0, i1, j0, j1);
    if (rows >= cols) {
      const int m = i0 + rows / 2;
      self(self, m, i1, j0, j1);
      // C[i0:m, j0:j1] -= T_a[i0:m, m:i1] Z[m:i1, j0:j1]
      gemm("N", "N", m - i0, cols, i1 - m, -1.0, Ta + i0 + static_cast<std::size_t>(m) * na, na, at(C, m, j0), na,
           1.0, at(C, i0, j0), na);
      self(self, i0, m, j0, j1);
    } else {
      const int m = j0 + cols / 2;
      self(self, i0, i1, m, j1);
      // C[i0:i1, j0:m] -= Z[i0:i1, m:j1] T_b[j0:m, m:j1]^H
      gemm("N", "C", rows, m - j0, j1 - m, -1.0, at(C, i0, m), na, Tb + j0 + static_cast<std::size_t>(m) * nb, nb,
           1.0, at(C, i0, j0), na);
      self(self, i0, i1, j0, m);
    }
  };
  solve(solve, 0, na, 0, nb);
}

} // namespace

double SchurForm::largest_eigenvalue() const {
  double r = 0;
  for (int i = 0; i < n; ++i) r = std::max(r, std::abs(T[i * static_cast<std::size_t>(n + 1)]));
  return r;
}

SchurForm schur_form(int n, std::vector<Complex> M, bool smallest_first, const char *what) {
  SchurForm s;
  s.n = n;
  if (n == 0) return s;
  const int lwork = std::max(1, 4 * n);
  int info = 0, sdim = 0;
  s.Q.assign(static_cast<std::size_t>(n) * n, 0.0);
  std::vector<Complex> w(n), work(lwork);
  std::vector<double> rwork(n);
  std::vector<int> bwork(n);
  zgees_("V", "N", nullptr, &n, M.data(), &n, &sdim, w.data(), s.Q.data(), &n, work.data(), &lwork, rwork.data(),
         bwork.data(), &info);
  if (info != 0)
    throw std::runtime_error(std::string("LAPACK zgees failed on a block of ") + what + " (info " +
                             std::to_string(info) + ")");
  if (smallest_first) {
    int smallest = 1;
    for (int i = 1; i <= n; ++i)
      if (std::abs(M[(i - 1) * (n + 1)]) < std::abs(M[(smallest - 1) * (n + 1)])) smallest = i;
    const int first = 1;
    if (smallest != first) {
      ztrexc_("V", &n, M.data(), &n, s.Q.data(), &n, &smallest, &first, &info);
      if (info != 0) throw std::runtime_error(std::string("LAPACK ztrexc failed on a block of ") + what);
    }
  }
  s.T = std::move(M);
  return s;
}

void solve_sylvester(const SchurForm &a, const SchurForm &b, Complex *R, std::vector<Complex> &work, double tiny,
                     bool skip_first) {
  const int na = a.n, nb = b.n;
  if (na == 0 || nb == 0) return;
  work.resize(static_cast<std::size_t>(na) * nb);
  Complex *W = work.data();
  gemm("C", "N", na, nb, na, a.Q.data(), na, R, na, W);  // W = Q_a^H R
  gemm("N", "N", na, nb, nb, W, na, b.Q.data(), nb, R);  // R = W Q_b
  triangular_sylvester(a, b, R, tiny, skip_first);       // R = Z
  gemm("N", "N", na, nb, na, a.Q.data(), na, R, na, W);  // W = Q_a Z
  gemm("N", "C", na, nb, nb, W, na, b.Q.data(), nb, R);  // R = W Q_b^H
}

} // namespace nessmap
