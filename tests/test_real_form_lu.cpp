// The LU of the trace-row Liouvillian in real coordinates (solver/real_form_lu.hpp) against a dense
// complex solve with partial pivoting, its refusals (a dark state makes L' singular, a value the
// pattern left out, a matrix that breaks Hermiticity) and its condition estimate against the
// exact condition number of the real form, built here independently by applying L' to a basis
// of Hermitian matrices.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "dense_reference.hpp"
#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "solver/real_form_lu.hpp"

using namespace nessmap;
using namespace nessmap::testing;

namespace {

// L' of one point as CSR arrays, with the transpose map and the parts of its values.
struct TraceRowMatrix {
  TraceRowMatrix(const SystemParameters &p, Space kind) : space(kind, p.N), me(build_master_equation(p)) {
    LiouvillianMatrix matrix(PETSC_COMM_SELF, space, TraceRow::fold);
    matrix.assemble(me);
    PetscInt n = 0;
    const PetscInt *ia = nullptr, *ja = nullptr;
    PetscBool done = PETSC_FALSE;
    NESSMAP_PETSC(MatGetRowIJ(matrix.mat(), 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
    REQUIRE(done);
    rows.assign(ia, ia + n + 1);
    cols.assign(ja, ja + ia[n]);
    NESSMAP_PETSC(MatRestoreRowIJ(matrix.mat(), 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
    const PetscScalar *a = nullptr;
    NESSMAP_PETSC(MatSeqAIJGetArrayRead(matrix.mat(), &a));
    values.assign(a, a + cols.size());
    NESSMAP_PETSC(MatSeqAIJRestoreArrayRead(matrix.mat(), &a));
    parts = matrix.value_parts(me);
    REQUIRE(parts.size() == values.size());
    for (std::int64_t i = 0; i < space.dimension(); ++i) {
      Bits m, k;
      space.element(i, m, k);
      transpose.push_back(space.index(k, m));
    }
  }
  RealFormLU lu() const {
    return RealFormLU(space.dimension(), rows.data(), cols.data(), transpose, parts.data());
  }
  std::int64_t n() const { return space.dimension(); }
  dense_ref::Matrix dense() const {
    dense_ref::Matrix A(n(), n());
    for (std::int64_t i = 0; i < n(); ++i)
      for (std::int32_t e = rows[i]; e < rows[i + 1]; ++e) A(i, cols[e]) = values[e];
    return A;
  }
  std::vector<Complex> multiply(const std::vector<Complex> &x) const {
    std::vector<Complex> y(n());
    for (std::int64_t i = 0; i < n(); ++i)
      for (std::int32_t e = rows[i]; e < rows[i + 1]; ++e) y[i] += values[e] * x[cols[e]];
    return y;
  }

  StateSpace space;
  MasterEquation me;
  std::vector<std::int32_t> rows, cols;
  std::vector<Complex> values;
  std::vector<std::uint8_t> parts;
  std::vector<std::int64_t> transpose;
};

double max_abs(const std::vector<Complex> &x) {
  double m = 0;
  for (Complex c : x) m = std::max(m, std::abs(c));
  return m;
}

// The real form R of L' column by column: the Hermitian matrix of real coordinate k (1 at a
// population; 1 or i at a coherence and its conjugate at the transpose), mapped by L', read back
// in real coordinates. ||R||_1 ||R^-1||_1 from the dense inverse.
double real_form_condition(const TraceRowMatrix &M) {
  const std::int64_t n = M.n();
  auto real_coordinates = [&](const std::vector<Complex> &x) {
    std::vector<double> y(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t q = M.transpose[i];
      if (i == q) y[i] = x[i].real();
      else if (i < q) { y[i] = x[i].real(); y[q] = x[i].imag(); }
    }
    return y;
  };
  dense_ref::Matrix R(n, n);
  for (std::int64_t k = 0; k < n; ++k) {
    std::vector<Complex> x(n);
    const std::int64_t q = M.transpose[k];
    if (k == q) x[k] = 1.0;
    else if (k < q) { x[k] = 1.0; x[q] = 1.0; }
    else { x[q] = Complex(0, 1); x[k] = Complex(0, -1); }
    const std::vector<double> col = real_coordinates(M.multiply(x));
    for (std::int64_t i = 0; i < n; ++i) R(i, k) = col[i];
  }
  auto norm1 = [n](const dense_ref::Matrix &A) {
    double best = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t i = 0; i < n; ++i) s += std::abs(A(i, j));
      best = std::max(best, s);
    }
    return best;
  };
  dense_ref::Matrix inverse(n, n);
  for (std::int64_t j = 0; j < n; ++j) {
    std::vector<Complex> e(n);
    e[j] = 1.0;
    const auto col = dense_ref::gaussian_solve(R, e);
    for (std::int64_t i = 0; i < n; ++i) inverse(i, j) = col[i];
  }
  return norm1(R) * norm1(inverse);
}

} // namespace

TEST_CASE("Real LU of the trace-row Liouvillian solves what a dense complex LU solves", "[real_lu]") {
  std::mt19937 rng(31);
  std::normal_distribution<double> gauss;
  for (int N : {1, 2})
    for (Space kind : {Space::balanced, Space::full})
      for (Bath bath : all_baths)
        for (Coupling coupling : all_couplings) {
          const SystemParameters p = random_point(rng, N, bath, coupling);
          INFO(describe(p) << ", " << to_string(kind));
          const TraceRowMatrix M(p, kind);
          RealFormLU lu = M.lu();
          REQUIRE(lu.preserves_hermiticity(M.values.data()));
          REQUIRE(lu.factor(M.values.data()));

          // The steady-state system, b = e_0: the dense solve's state, to 1e-12 of its size.
          std::vector<Complex> b(M.n()), x(M.n());
          b[0] = 1.0;
          lu.solve(b.data(), x.data());
          const auto reference = dense_ref::gaussian_solve(M.dense(), b);
          double diff = 0;
          for (std::int64_t i = 0; i < M.n(); ++i) diff = std::max(diff, std::abs(x[i] - reference[i]));
          CHECK(diff <= 1e-12 * max_abs(reference));
          CHECK(lu.backward_error() < 1e-14);

          // Any b, Hermitian or not (two real solves): L' x = b to roundoff.
          for (auto &c : b) c = Complex(gauss(rng), gauss(rng));
          lu.solve(b.data(), x.data());
          auto r = M.multiply(x);
          for (std::int64_t i = 0; i < M.n(); ++i) r[i] -= b[i];
          CHECK(max_abs(r) <= 1e-12 * max_abs(b));
        }
}

TEST_CASE("Real LU: its condition estimate is a close lower bound of the condition number", "[real_lu]") {
  std::mt19937 rng(32);
  for (Bath bath : all_baths)
    for (Coupling coupling : all_couplings) {
      const SystemParameters p = random_point(rng, 2, bath, coupling);
      INFO(describe(p));
      const TraceRowMatrix M(p, Space::balanced);
      RealFormLU lu = M.lu();
      REQUIRE(lu.factor(M.values.data()));
      const double exact = real_form_condition(M);
      INFO("estimate " << lu.condition_estimate() << ", exact " << exact);
      CHECK(lu.condition_estimate() <= exact * (1 + 1e-8));
      CHECK(lu.condition_estimate() >= exact / 10);
    }
}

TEST_CASE("Real LU refuses a singular Liouvillian: a dark state leaves the steady state not unique",
          "[real_lu]") {
  // Identical qubits under a common bath: at omega_h = 1.5 one multiplier grows to ~1e13; at
  // omega_h = T_h / T_c every multiplier stays small and only the condition number (~1e16) shows
  // the singularity.
  for (double omega_h : {1.5, 2.0}) {
    SystemParameters p = paper_point(Bath::common, Coupling::pairwise, omega_h);
    p.g_h = {0.5, 0.5};
    p.g_c = {0.5, 0.5};
    const TraceRowMatrix M(p, Space::balanced);
    RealFormLU lu = M.lu();
    INFO("omega_h = " << omega_h);
    CHECK(real_form_condition(M) > 1e14);
    CHECK_FALSE(lu.factor(M.values.data()));
    CHECK_THAT(lu.failure(), Catch::Contains("singular"));
    // The same with distinct g is regular and accepted.
    p.g_h = {0.5, 0.55};
    const TraceRowMatrix regular(p, Space::balanced);
    RealFormLU fine = regular.lu();
    CHECK(fine.factor(regular.values.data()));
    CHECK(fine.condition_estimate() < 1e6);
  }
}

TEST_CASE("Real LU refuses values its pattern or Hermiticity cannot represent", "[real_lu]") {
  const TraceRowMatrix M(paper_point(Bath::cascaded, Coupling::all_to_all, 1.5), Space::balanced);
  // A dissipator entry (real) given an imaginary part: outside the real pattern.
  std::size_t e = 0;
  while (M.parts[e] != LiouvillianMatrix::value_real) ++e;
  std::vector<Complex> values = M.values;
  values[e] += Complex(0, 1e-3);
  RealFormLU lu = M.lu();
  CHECK_FALSE(lu.factor(values.data()));
  CHECK_THAT(lu.failure(), Catch::Contains("part"));
  // Its transposed partner left as it was: L' no longer maps Hermitian to Hermitian.
  CHECK(lu.preserves_hermiticity(M.values.data()));
  CHECK_FALSE(lu.preserves_hermiticity(values.data()));
}
