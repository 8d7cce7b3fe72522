#pragma once
// Sparse LU of a Liouvillian in real coordinates, for the small direct solves (N <= 2).
//
// The Liouvillian maps Hermitian matrices to Hermitian matrices, and so does the trace-row matrix
// L' (row 0, rho_00, becomes the real trace functional). With p(i) the index of the transposed
// element (rho_nm for i = rho_mn), the unknowns of a Hermitian rho are n real numbers
//
//     y_i = rho_i                       (i = p(i), a population)
//     y_i = Re rho_i, y_p(i) = Im rho_i  (i < p(i), a coherence and its transpose)
//
// and the complex rows i <= p(i) of L' rho = b, split into real and imaginary parts, are n real
// equations R y = c. A Hamiltonian entry is imaginary and a dissipator entry real, so R has about
// as many nonzeros as L' and fills about as much (N = 2, common bath: 2,135 in L+U against 2,389
// for PETSc's complex LU of L'), but each elimination step is a real multiply-add instead of a
// complex one (19,076 of them at that size; the timings are in
// tests/benchmarks/results/2026-11-25-profile.md).
//
// The ordering is symmetric, minimum degree or minimum fill on the pattern of R + R^T, whichever
// needs fewer multiply-adds; there is no numerical pivoting (as in PETSc's own LU of L'). A
// factorisation is refused (`Limits`) when a pivot is small, a multiplier large, or the estimated
// condition number large: the caller then decides, by a pivoting LU, whether L' is singular (a
// non-unique steady state). A right-hand side that is not Hermitian is split as b = h1 + i h2
// into two Hermitian parts, so `solve` is L'^-1 for any b. No PETSc, no MPI: one rank's arrays.
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

namespace nessmap {

class RealFormLU {
public:
  using Complex = std::complex<double>;

  // Which parts of a stored complex entry may be nonzero in a family (the Hamiltonian's terms are
  // imaginary, the dissipators' real): the real pattern leaves the others out.
  static constexpr std::uint8_t real_part = 1, imaginary_part = 2;

  // The complex matrix's CSR pattern (n rows, sorted columns), p(i) for every index, and per stored
  // entry the parts it may have (nullptr: both).
  RealFormLU(std::int64_t n, const std::int32_t *row_offsets, const std::int32_t *columns,
             std::vector<std::int64_t> transpose, const std::uint8_t *parts = nullptr);

  // Whether `values` (CSR order of the pattern) map Hermitian matrices to Hermitian matrices:
  // entry (p(r), p(j)) is the conjugate of entry (r, j), to `tolerance` of the largest entry.
  bool preserves_hermiticity(const Complex *values, double tolerance = 1e-13) const;

  // What factor() accepts. Without pivoting, a matrix that is singular to roundoff need not show a
  // small pivot: the smallness can spread over many pivots, while a multiplier grows to ~1/eps or
  // U becomes ill-conditioned with modest entries (both seen with a dark state). So the
  // condition number is estimated as well (four triangular solves). Over the 9,282 points of
  // input/sweep.yaml the multipliers stay <= 109 and the estimates <= 1.3e5; with a dark state one
  // sees multipliers of 1e13-1e15, or an estimate of 5e16.
  struct Limits {
    double zero_pivot = 1e-12;    // of the sum of |entries| of the pivot's reduced row
    double max_multiplier = 1e8;  // |l_ij|
    double max_condition = 1e12;  // estimated ||R||_1 ||R^-1||_1
  };
  // Numeric factorisation for `values`. False, with failure() saying why, when a value has a part
  // the pattern left out, or a limit is exceeded (or something is not finite).
  bool factor(const Complex *values, const Limits &limits);
  bool factor(const Complex *values) { return factor(values, Limits{}); }
  double largest_multiplier() const { return largest_multiplier_; }
  double condition_estimate() const { return condition_; }
  const std::string &failure() const { return failure_; }

  // x = L'^-1 b for the last successful factor(); with `hermitian_part`, L'^-1 of b's Hermitian
  // part only, (b + b^dagger)/2: one real solve instead of two, for a right-hand side that is
  // Hermitian up to rounding (the residual of a Hermitian state).
  void solve(const Complex *b, Complex *x, bool hermitian_part = false);

  // Backward error of the last solve's real systems, max_i |R y - c|_i / (||R||_inf ||y||_inf + ||c||_inf).
  double backward_error() const { return backward_error_; }

  std::int64_t dimension() const { return n_; }
  std::int64_t matrix_nonzeros() const { return static_cast<std::int64_t>(r_cols_.size()); }
  std::int64_t factor_nonzeros() const { return static_cast<std::int64_t>(f_cols_.size()); }
  // Multiply-adds of one numeric factorisation (its elimination updates).
  std::int64_t multiply_adds() const { return multiply_adds_; }

private:
  // One complex entry's share of one real entry: R[slot] += sign * (Re or Im of values[entry]).
  struct Share {
    std::int32_t slot;
    std::int32_t entry;
    std::int8_t part;  // 0: real part, 1: imaginary part
    std::int8_t sign;  // +1 or -1
  };
  void build_real_pattern();
  enum class Ordering { minimum_degree, minimum_fill };
  void order(Ordering rule);
  void build_factor_pattern();
  // y = R^-1 c (c, y in real coordinates), and its backward error.
  double solve_real(const double *c, double *y);
  double inverse_norm_estimate();

  std::int64_t n_;
  std::vector<std::int64_t> transpose_;
  std::vector<std::int32_t> cplx_rows_, cplx_cols_;  // the complex pattern
  std::vector<std::int32_t> transposed_entry_;      // entry (p(r), p(j)) of entry (r, j), or -1
  std::vector<std::uint8_t> parts_;                 // per entry, as given (both when none given)

  // R in CSR (original real ordering), and how its values come from the complex ones.
  std::vector<std::int32_t> r_rows_, r_cols_;
  std::vector<double> r_vals_;
  std::vector<Share> shares_;
  double r_norm_ = 0;  // ||R||_inf of the last factor()

  // Symmetric permutation: position k of the factor holds real index perm_[k].
  std::vector<std::int32_t> perm_, inverse_perm_;

  // L (unit, strictly lower) and U of the permuted R, row by row in one CSR; diag_[k] is the
  // position of (k, k). r_to_f_[s]: where R's slot s lands in the factor.
  std::vector<std::int32_t> f_rows_, f_cols_, diag_, r_to_f_;
  std::vector<double> f_vals_, inv_pivot_;
  std::int64_t multiply_adds_ = 0;

  std::vector<double> work_, c_, y_, z_;  // scratch, n each (c_, y_ twice for a non-Hermitian b)
  std::string failure_;
  double backward_error_ = 0;
  double largest_multiplier_ = 0;
  double condition_ = 0;
  bool factored_ = false;
};

} // namespace nessmap
