#pragma once
// Dense Sylvester equations A X + X B = R by complex Schur forms (Bartels-Stewart), the kernel of
// the two Sylvester preconditioners: the Omega = 0 Kronecker sum (kronecker_sum.hpp, A = L_h,
// B = L_c^T) and the no-jump Liouvillian (no_jump.hpp, A = -i H_eff, B = A^H).
//
// With A = Q_a T_a Q_a^H and B^H = Q_b T_b Q_b^H (so B = Q_b T_b^H Q_b^H),
//
//     X = Q_a Z Q_b^H,   T_a Z + Z T_b^H = Q_a^H R Q_b,
//
// four dense products and a triangular solve. Schur forms, unlike eigenvectors, stay well
// conditioned when A or B is defective (the cascaded Liouvillian of identical qubits is).
// Serial dense linear algebra (LAPACK/BLAS through PETSc's headers); no MPI.
#include <complex>
#include <vector>

namespace nessmap {

using Complex = std::complex<double>;

// M = Q T Q^H, n x n, column-major.
struct SchurForm {
  int n = 0;
  std::vector<Complex> Q, T;
  // T's diagonal (M's eigenvalues) of largest modulus; 0 for n = 0.
  double largest_eigenvalue() const;
};

// The complex Schur form of the n x n column-major M (consumed), with the eigenvalue of smallest
// modulus moved to the first position when `smallest_first`. Throws std::runtime_error when LAPACK
// fails (`what` names the matrix in the message).
SchurForm schur_form(int n, std::vector<Complex> M, bool smallest_first, const char *what);

// Solves A X + X B = R in place for the n_a x n_b column-major R (R becomes X), A and B given by
// `a` (of A) and `b` (of B^H). An element of Z whose rate |T_a,ii + conj(T_b,jj)| is at most
// `tiny` is set to zero, and so is Z_00 when `skip_first` (the pair of zero modes moved first):
// the result is then a generalised inverse. `work` is resized to n_a n_b.
void solve_sylvester(const SchurForm &a, const SchurForm &b, Complex *R, std::vector<Complex> &work, double tiny,
                     bool skip_first);

} // namespace nessmap
