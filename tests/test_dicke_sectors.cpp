// Type 1 under a common bath in Dicke sectors (model/dicke_sectors.hpp, solver/dicke_solver.hpp):
// the sector weights against the spin multiplicities, the sector Liouvillian against the
// symmetric space's L (built from the master equation's terms), the map into the symmetric
// coordinates against the Hilbert-Schmidt geometry, and the state `auto` finds against the
// balanced block (N = 1-3) and the symmetric null-space path (N = 4-6), every observable.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "compare_points.hpp"
#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "model/dicke_sectors.hpp"
#include "model/symmetric_basis.hpp"
#include "model/symmetric_terms.hpp"
#include "point/point.hpp"
#include "point/record.hpp"

using namespace nessmap;

namespace {

SystemParameters collective_point(int N, Bath bath = Bath::common, double g_h = 0.5, double g_c = 0.6,
                                  double Omega = 0.1) {
  return testing::uniform_point(N, bath, Coupling::all_to_all, g_h, g_c, Omega);
}

// The sectors of N, in to_symmetric's order.
std::vector<DickeSector> all_sectors(int N) {
  std::vector<DickeSector> s;
  for (int h : spins(N))
    for (int c : spins(N)) s.emplace_back(N, h, c);
  return s;
}

double norm2(const std::vector<Complex> &v) {
  double s = 0;
  for (const auto &x : v) s += std::norm(x);
  return std::sqrt(s);
}

} // namespace

TEST_CASE("Dicke sectors: the spins' multiplicities and rho_0's weights add up", "[dicke]") {
  for (int N = 1; N <= 30; ++N) {
    INFO("N = " << N);
    // sum_j d_N(j) (2j + 1) = 2^N: the sectors tile the Hilbert space.
    double states = 0;
    for (int t : spins(N)) states += spin_multiplicity(N, t) * (t + 1);
    CHECK(states == std::ldexp(1.0, N));
    // Tr rho_0 = 1 split over the sectors, for any product state; the ground state is all in 2j = N.
    for (double p : {0.0, 0.27, 0.5, 1.0}) {
      double sum = 0;
      for (int t : spins(N)) sum += sector_weight(N, t, p);
      CHECK(sum == Approx(1.0).epsilon(1e-13));
    }
    CHECK(sector_weight(N, N, 0.0) == 1.0);
  }
}

TEST_CASE("collective_form: a common bath is collective, independent baths are not", "[dicke]") {
  const SymmetricBasis basis(Coupling::all_to_all, 3);
  std::string why;
  CHECK(collective_form(symmetric_terms(build_master_equation(collective_point(3)), basis), basis, &why));
  const auto independent =
      collective_form(symmetric_terms(build_master_equation(collective_point(3, Bath::independent)), basis), basis, &why);
  CHECK_FALSE(independent);
  CHECK(why.find("not collective") != std::string::npos);
}

TEST_CASE("The Dicke sectors' Liouvillian is the symmetric space's L, and the map into it an isometry up to sqrt(d)",
          "[dicke]") {
  // Phi_s(sigma) = sigma (x) 1_d / d in the symmetric coordinates (to_symmetric). For a random
  // sigma in every sector: L_sym Phi_s(sigma) = Phi_s(L_s sigma), with L_sym assembled row by row from
  // the master equation's terms; ||Phi_s(sigma)||_2 = ||sigma||_F / sqrt(d_s); Tr Phi_s(sigma) =
  // Tr sigma; and the images of different sectors are orthogonal.
  for (int N : {2, 3, 4, 5}) {
    const SystemParameters p = collective_point(N, Bath::common, 0.45, 0.7, 0.2);
    const MasterEquation me = build_master_equation(p);
    const StateSpace space(Space::symmetric, N, Coupling::all_to_all);
    const SymmetricBasis &basis = *space.symmetric();
    const auto form = collective_form(symmetric_terms(me, basis), basis, nullptr);
    REQUIRE(form);
    const auto sectors = all_sectors(N);
    const auto n = basis.dimension();
    std::vector<std::vector<Complex>> images;
    std::mt19937_64 rng(1234 + static_cast<unsigned>(N));
    std::uniform_real_distribution<double> uniform(-0.5, 0.5);
    for (std::size_t s = 0; s < sectors.size(); ++s) {
      const DickeSector &sector = sectors[s];
      INFO("N = " << N << ", 2j_h = " << sector.two_j(0) << ", 2j_c = " << sector.two_j(1));
      std::vector<Complex> sigma(static_cast<std::size_t>(sector.dimension()));
      for (auto &v : sigma) v = Complex(uniform(rng), uniform(rng));
      // L_s sigma from the sector's CSR.
      const auto L = sector.liouvillian(*form);
      std::vector<Complex> Ls_sigma(sigma.size());
      for (std::size_t r = 0; r < sigma.size(); ++r)
        for (auto k = L.row_offsets[r]; k < L.row_offsets[r + 1]; ++k)
          Ls_sigma[r] += L.values[static_cast<std::size_t>(k)] * sigma[static_cast<std::size_t>(L.columns[static_cast<std::size_t>(k)])];
      std::vector<std::vector<Complex>> states(sectors.size()), moved(sectors.size());
      states[s] = sigma;
      moved[s] = Ls_sigma;
      std::vector<Complex> y, Ly_expected;
      std::vector<double> bound;
      to_symmetric(basis, sectors, states, y, bound);
      to_symmetric(basis, sectors, moved, Ly_expected, bound);
      // L_sym y, row by row.
      RowEntries row;
      double worst = 0, scale = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        liouvillian_row(space, me, i, row);
        Complex v = 0;
        for (std::size_t k = 0; k < row.cols.size(); ++k) v += row.values[k] * y[static_cast<std::size_t>(row.cols[k])];
        worst = std::max(worst, std::abs(v - Ly_expected[static_cast<std::size_t>(i)]));
        scale = std::max(scale, std::abs(v));
      }
      if (sector.dimension() > 1) CHECK(scale > 1e-3 * norm2(y));  // (j_h, j_c) = (0, 0): one stationary state
      CHECK(worst <= 1e-13 * std::max(scale, norm2(y)));
      // Geometry.
      const double d = spin_multiplicity(N, sector.two_j(0)) * spin_multiplicity(N, sector.two_j(1));
      CHECK(norm2(y) == Approx(norm2(sigma) / std::sqrt(d)).epsilon(1e-13));
      Complex tr_sigma = 0, tr_y = 0;
      for (std::int64_t i = 0; i < sector.dimension(); ++i)
        if (sector.diagonal(i)) tr_sigma += sigma[static_cast<std::size_t>(i)];
      for (std::int64_t i = 0; i < n; ++i) tr_y += basis.trace_weight(i) * y[static_cast<std::size_t>(i)];
      CHECK(std::abs(tr_y - tr_sigma) <= 1e-13 * std::abs(tr_sigma) + 1e-14);
      images.push_back(std::move(y));
    }
    double overlap = 0;
    for (std::size_t a = 0; a < images.size(); ++a)
      for (std::size_t b = 0; b < a; ++b) {
        Complex dot = 0;
        for (std::size_t i = 0; i < images[a].size(); ++i) dot += std::conj(images[a][i]) * images[b][i];
        overlap = std::max(overlap, std::abs(dot) / (norm2(images[a]) * norm2(images[b])));
      }
    CHECK(overlap <= 1e-13);
  }
}

TEST_CASE("auto solves type 1 under a common bath by Dicke sectors: every observable as the balanced block and the "
          "null-space path",
          "[dicke]") {
  for (int N : {1, 2, 3, 4, 5, 6}) {
    for (InitialKind initial : {InitialKind::thermal, InitialKind::ground}) {
      SystemParameters p = collective_point(N);
      p.initial_state.kind = initial;
      INFO("N = " << N << (initial == InitialKind::ground ? ", ground" : ", thermal"));
      // The reference: the balanced block (N <= 3, the null-space path there is seconds), else the
      // symmetric space's null-space path (equal to the balanced block at N = 4: [N4] in
      // test_symmetric.cpp).
      PointEvaluator reference(PETSC_COMM_SELF,
                               N <= 3 ? SolverConfig{Method::ksp, Space::balanced} : SolverConfig{Method::ksp, Space::symmetric});
      PointEvaluator sectors(PETSC_COMM_SELF, SolverConfig{});
      const PointResult a = reference.evaluate(p), s = sectors.evaluate(p);
      INFO(a.reason << " | " << s.reason << " | " << s.steady_state.solver);
      REQUIRE(a.ok());
      REQUIRE(s.ok());
      CHECK(s.space == Space::symmetric);
      CHECK(s.steady_state.solver.rfind("dicke sectors", 0) == 0);
      // The null space of the symmetric space: one steady state per sector, (floor(N/2) + 1)^2.
      CHECK(s.steady_state.steady_state_dimension == (N / 2 + 1) * (N / 2 + 1));
      testing::check_same_observables(a, s);
    }
  }
}

TEST_CASE("Dicke sectors hand a point with dark states inside a sector back to the null-space path", "[dicke]") {
  // g_h = 0: where the cold ensemble is a singlet (j_c = 0) every hot population is stationary,
  // more steady states than sectors (15 against 9 at N = 4).
  PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{});
  const PointResult r = ev.evaluate(collective_point(4, Bath::common, 0.0, 0.5));
  INFO(r.steady_state.solver);
  CHECK(r.steady_state.solver.find("not by dicke sectors") != std::string::npos);
  CHECK(r.steady_state.solver.find("more than one steady state") != std::string::npos);
  CHECK(r.steady_state.steady_state_dimension == 15);
}

TEST_CASE("One evaluator sweeping the bath at fixed N solves each bath with its own solver", "[dicke]") {
  // A sweep keeps one evaluator per rank: at N = 10 independent baths take sylvester (6,222
  // operators), a common bath the Dicke sectors; a solver kept from the first must not serve the
  // second (it did once: DIVERGED_ITS at N = 20 in input/scaling.yaml).
  PointEvaluator kept(PETSC_COMM_SELF, SolverConfig{});
  const PointResult independent = kept.evaluate(collective_point(10, Bath::independent));
  REQUIRE(independent.ok());
  CHECK(independent.steady_state.solver.rfind("ksp gmres", 0) == 0);
  const PointResult common = kept.evaluate(collective_point(10, Bath::common));
  INFO(common.reason << " | " << common.steady_state.solver);
  REQUIRE(common.ok());
  CHECK(common.steady_state.solver.rfind("dicke sectors", 0) == 0);
  PointEvaluator fresh(PETSC_COMM_SELF, SolverConfig{});
  const PointResult alone = fresh.evaluate(collective_point(10, Bath::common));
  REQUIRE(alone.ok());
  CHECK(common.observables->currents.Q_h == alone.observables->currents.Q_h);
  const PointResult back = kept.evaluate(collective_point(10, Bath::independent));
  REQUIRE(back.ok());
  CHECK(std::abs(back.observables->currents.Q_h - independent.observables->currents.Q_h) <=
        1e-10 * std::abs(independent.observables->currents.Q_h));
}
