// The Sylvester preconditioner (solver/kronecker_sum.hpp) against the Liouvillian's own rows: at
// Omega = 0 the Liouvillian is L_0, so the product state must be its steady state and the
// generalised inverse must solve L_0 y = r for every traceless r.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "fixtures.hpp"
#include "liouvillian_rows.hpp"
#include "liouvillian/liouvillian.hpp"
#include "solver/kronecker_sum.hpp"

using namespace nessmap;
using namespace nessmap::testing;

namespace {



// Tr rho: 1 on each |m><m|, sqrt(M) on a diagonal class of the symmetric space.
Complex trace(const StateSpace &space, const std::vector<Complex> &x) {
  Complex t = 0;
  for (auto i : space.diagonal_indices()) t += space.trace_weight(i) * x[i];
  return t;
}

void check_inverse(const SystemParameters &p, const StateSpace &space, std::mt19937 &rng) {
  const MasterEquation me = build_master_equation(p);
  KroneckerSumInverse inverse(space);
  inverse.factor(me);

  // rho_h (x) rho_c: unit trace and L_0 rho_0 = 0.
  std::vector<Complex> rho0(space.dimension());
  inverse.product_state(rho0.data());
  CHECK(std::abs(trace(space, rho0) - 1.0) < 1e-12);
  CHECK(norm(multiply(space, me, rho0)) < 1e-12 * norm(rho0));

  // A random traceless r: L_0 (L_0^g r) = r.
  std::normal_distribution<double> gauss;
  std::vector<Complex> r(space.dimension());
  for (auto &c : r) c = Complex(gauss(rng), gauss(rng));
  const Complex t = trace(space, r);
  double weights = 0;
  for (auto i : space.diagonal_indices()) weights += space.trace_weight(i) * space.trace_weight(i);
  for (auto i : space.diagonal_indices()) r[i] -= t * space.trace_weight(i) / weights;
  REQUIRE(std::abs(trace(space, r)) < 1e-12 * norm(r));
  std::vector<Complex> y(space.dimension(), Complex(7.0));  // every entry must be overwritten
  inverse.apply(r.data(), y.data());
  CHECK(std::abs(trace(space, y)) < 1e-12 * norm(y));
  auto Ly = multiply(space, me, y);
  for (std::size_t i = 0; i < Ly.size(); ++i) Ly[i] -= r[i];
  CHECK(norm(Ly) < 1e-10 * norm(r));

  // A Hermitian r: half the blocks solved and mirrored give the same y (and every entry of it).
  if (!inverse.hermitian()) return;
  std::vector<Complex> h(space.dimension());
  for (std::int64_t i = 0; i < space.dimension(); ++i) h[i] = 0.5 * (r[i] + std::conj(r[space.adjoint(i)]));
  std::vector<Complex> full(space.dimension(), Complex(7.0)), half(space.dimension(), Complex(7.0));
  inverse.apply(h.data(), full.data());
  inverse.apply_hermitian(h.data(), half.data());
  double difference = 0;
  for (std::size_t i = 0; i < full.size(); ++i) difference = std::max(difference, std::abs(full[i] - half[i]));
  CHECK(difference < 1e-12 * norm(full));
  // and that y is Hermitian
  double asymmetry = 0;
  for (std::int64_t i = 0; i < space.dimension(); ++i)
    asymmetry = std::max(asymmetry, std::abs(full[i] - std::conj(full[space.adjoint(i)])));
  CHECK(asymmetry < 1e-12 * norm(full));
  // Each leading block once, with its mirror, covers the space.
  std::vector<int> seen(inverse.blocks().size(), 0);
  for (int k : inverse.hermitian_blocks()) {
    ++seen[k];
    if (inverse.mirror(k) != k) ++seen[inverse.mirror(k)];
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
}

// The blocks hold every index of the space exactly once.
void check_blocks_cover(const KroneckerSumInverse &inverse, const StateSpace &space) {
  std::int64_t covered = 0;
  std::set<std::int64_t> indices;
  for (const auto &b : inverse.blocks()) {
    covered += static_cast<std::int64_t>(b.index.size());
    indices.insert(b.index.begin(), b.index.end());
  }
  CHECK(covered == space.dimension());
  CHECK(static_cast<std::int64_t>(indices.size()) == space.dimension());
}

} // namespace

TEST_CASE("Omega = 0: the product state is L's steady state and the preconditioner inverts L",
          "[sylvester]") {
  std::mt19937 rng(21);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        SystemParameters p = random_point(rng, N, bath, coupling);
        for (auto &row : p.Omega) std::fill(row.begin(), row.end(), 0.0);
        INFO(describe(p));
        check_inverse(p, StateSpace(Space::balanced, N), rng);
        if (N <= 2) check_inverse(p, StateSpace(Space::full, N), rng);
        // Identical qubits: the cascaded L_e is defective (one-way coupling of equal eigenvalues).
        if (bath == Bath::cascaded) {
          p.g_h.assign(N, 0.5);
          p.g_c.assign(N, 0.6);
          INFO("uniform g");
          check_inverse(p, StateSpace(Space::balanced, N), rng);
        }
      }
}

TEST_CASE("A sweep over omega_h reuses the cold ensemble's decomposition and stays exact", "[sylvester]") {
  std::mt19937 rng(22);
  SystemParameters p = random_point(rng, 2, Bath::common, Coupling::all_to_all);
  for (auto &row : p.Omega) std::fill(row.begin(), row.end(), 0.0);
  const StateSpace space(Space::balanced, 2);
  KroneckerSumInverse inverse(space);
  for (double omega_h : {0.7, 1.3, 2.2}) {
    p.omega_h = omega_h;
    const MasterEquation me = build_master_equation(p);
    inverse.factor(me);
    std::vector<Complex> rho0(space.dimension());
    inverse.product_state(rho0.data());
    CHECK(norm(multiply(space, me, rho0)) < 1e-12);
  }
}

TEST_CASE("The blocks split over ranks cover the space once", "[sylvester]") {
  for (int N : {1, 2, 3})
    for (Space kind : {Space::balanced, Space::full}) {
      if (kind == Space::full && N > 2) continue;
      const StateSpace space(kind, N);
      KroneckerSumInverse inverse(space);
      check_blocks_cover(inverse, space);
      for (int size : {1, 2, 3}) {
        std::vector<int> owner(inverse.blocks().size(), 0);
        for (int rank = 0; rank < size; ++rank)
          for (int k : inverse.blocks_of(rank, size)) ++owner[k];
        CHECK(std::all_of(owner.begin(), owner.end(), [](int c) { return c == 1; }));
      }
    }
}

TEST_CASE("The symmetric space of type 1: the preconditioner inverts L at Omega = 0, and a common bath leaves "
          "floor(N/2) + 1 zero modes per ensemble",
          "[sylvester][symmetric]") {
  // Identical qubits (g_h != g_c), independent baths: one steady state per ensemble, so L_0 is
  // inverted exactly on traceless operators, in the symmetric space's own rows (liouvillian_row).
  // Under a common bath each ensemble keeps one steady state per total spin j = N/2, N/2 - 1, ...
  // (physics.md, "Degenerate steady states"; the symmetric space holds one per sector).
  std::mt19937 rng(23);
  for (int N : {1, 2, 3, 4, 5}) {
    INFO("N = " << N);
    SystemParameters p = uniform_point(N, Bath::independent, Coupling::all_to_all);
    for (auto &row : p.Omega) std::fill(row.begin(), row.end(), 0.0);
    const StateSpace space(Space::symmetric, N, Coupling::all_to_all);
    REQUIRE(symmetric_ineligibility(p).empty());
    check_inverse(p, space, rng);
    KroneckerSumInverse inverse(space);
    inverse.factor(build_master_equation(p));
    CHECK(inverse.zero_modes() == 1);
    p.bath = Bath::common;
    inverse.factor(build_master_equation(p));
    CHECK(inverse.zero_modes() == N / 2 + 1);
    check_blocks_cover(inverse, space);
  }
  // Type 2's units hold a hot and a cold qubit: no Kronecker structure.
  CHECK_THROWS_AS(KroneckerSumInverse(StateSpace(Space::symmetric, 2, Coupling::pairwise)), std::invalid_argument);
}
