// The structured Liouvillian (liouvillian/structured.hpp), L applied as sums of sparse Kronecker
// products on rho's blocks, against the independent dense reference (tests/dense_reference.hpp:
// L rho written from physics.md with dense matrices), and its nonzero count and norms
// against the assembled matrix.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "dense_reference.hpp"
#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "liouvillian/structured.hpp"

using namespace nessmap;
using namespace nessmap::testing;

namespace {

// y = L x by the dense reference: x's elements placed in rho (zero outside the space), L rho, read
// back in the space's ordering.
std::vector<Complex> reference(const SystemParameters &p, const StateSpace &space, const std::vector<Complex> &x) {
  const auto model = dense_ref::make_model(p);
  dense_ref::Matrix rho(model.D, model.D);
  for (std::int64_t i = 0; i < space.dimension(); ++i) {
    Bits m, n;
    space.element(i, m, n);
    rho(static_cast<std::size_t>(m), static_cast<std::size_t>(n)) = x[i];
  }
  const dense_ref::Matrix Lrho = dense_ref::apply_L(model, rho);
  std::vector<Complex> y(x.size());
  for (std::int64_t i = 0; i < space.dimension(); ++i) {
    Bits m, n;
    space.element(i, m, n);
    y[i] = Lrho(static_cast<std::size_t>(m), static_cast<std::size_t>(n));
  }
  return y;
}

double max_difference(const std::vector<Complex> &a, const std::vector<Complex> &b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

void check(const SystemParameters &p, const StateSpace &space, std::mt19937 &rng) {
  const MasterEquation me = build_master_equation(p);
  StructuredLiouvillian L(space);
  L.set(me);
  std::normal_distribution<double> gauss;
  std::vector<Complex> x(space.dimension());
  for (auto &c : x) c = Complex(gauss(rng), gauss(rng));
  const auto expected = reference(p, space, x);

  // Every element of y written, and equal to the dense reference's L rho.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Complex> y(space.dimension(), Complex(nan, nan));
  L.multiply(x.data(), y.data());
  double scale = 0;
  for (Complex c : expected) scale = std::max(scale, std::abs(c));
  CHECK(max_difference(y, expected) < 1e-13 * scale);

  // Split by target block over 3 ranks: the same y, each element written once.
  for (int size : {2, 3}) {
    std::vector<Complex> split(space.dimension(), Complex(nan, nan));
    for (int rank = 0; rank < size; ++rank) {
      std::vector<Complex> mine(space.dimension(), Complex(nan, nan));
      const auto targets = L.layout().split(rank, size, [&] {
        std::vector<int> all(L.layout().blocks().size());
        for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int>(k);
        return all;
      }(), [&](const EnsembleBlocks::Block &b) { return L.cost(b); });
      L.multiply(x.data(), mine.data(), targets);
      for (std::size_t i = 0; i < mine.size(); ++i)
        if (!std::isnan(mine[i].real())) {
          CHECK(std::isnan(split[i].real()));
          split[i] = mine[i];
        }
    }
    CHECK(max_difference(split, y) == 0.0);
  }

  // The assembled matrix's structural nonzeros, and norms within the bounds.
  LiouvillianMatrix A(PETSC_COMM_SELF, space, TraceRow::none);
  A.assemble(me);
  CHECK(L.nonzeros() == A.nnz());
  PetscReal n1, ninf;
  REQUIRE(MatNorm(A.mat(), NORM_1, &n1) == 0);
  REQUIRE(MatNorm(A.mat(), NORM_INFINITY, &ninf) == 0);
  CHECK(std::abs(L.norm_1() - n1) < 1e-14 * n1);
  CHECK(std::abs(L.norm_inf() - ninf) < 1e-14 * ninf);
}

} // namespace

TEST_CASE("The structured Liouvillian equals the dense reference's L in every family", "[structured]") {
  std::mt19937 rng(31);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        const SystemParameters p = random_point(rng, N, bath, coupling);
        INFO(describe(p));
        check(p, StateSpace(Space::balanced, N), rng);
        if (N <= 2) check(p, StateSpace(Space::full, N), rng);
        // Uniform couplings merge type 1's interaction into four Kronecker products.
        SystemParameters u = uniform_point(N, bath, coupling);
        INFO("uniform g and Omega");
        check(u, StateSpace(Space::balanced, N), rng);
      }
}

TEST_CASE("The structured Liouvillian keeps interaction terms of coefficient 0", "[structured]") {
  // An Omega_ab of 0 keeps its terms at coefficient 0; grouped by their cold factor, such a term
  // may come first in its hot sum (found by a new-user check: Omega_1b = 0 made L x NaN).
  std::mt19937 rng(37);
  for (int N : {2, 3})
    for (Bath bath : all_baths) {
      SystemParameters p = random_point(rng, N, bath, Coupling::all_to_all);
      p.Omega[0][N - 1] = 0.0;
      p.Omega[N - 1][0] = 0.0;
      INFO(describe(p));
      check(p, StateSpace(Space::balanced, N), rng);
      for (auto &row : p.Omega) row[0] = 0.0;  // a whole column
      check(p, StateSpace(Space::balanced, N), rng);
    }
}

TEST_CASE("The structured Liouvillian refuses the symmetric space", "[structured]") {
  const StateSpace space(Space::symmetric, 3, Coupling::all_to_all);
  CHECK(*StructuredLiouvillian::unavailable(space) != '\0');
  CHECK_THROWS_AS(StructuredLiouvillian(space), std::invalid_argument);
}
