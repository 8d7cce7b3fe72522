// The permutation-symmetric space (issue 14; physics.md, "Structure worth exploiting"): its
// dimensions against physics.md's counts, its Liouvillian against the balanced block's acting on
// symmetric operators, every observable against the balanced solve, type 2 with independent baths
// against N times the N = 1 closed form, the first and second laws at N = 10 and 20, and qubits
// beyond bit 63 (N = 33).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "compare_points.hpp"
#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "model/density_matrix.hpp"
#include "model/symmetric_basis.hpp"
#include "model/symmetric_terms.hpp"
#include "point/point.hpp"
#include "point/record.hpp"

using namespace nessmap;
using testing::uniform_point;

namespace {

// The point solved by ksp in the balanced block and in the symmetric space.
std::pair<PointResult, PointResult> balanced_and_symmetric(const SystemParameters &p) {
  PointEvaluator bal(PETSC_COMM_SELF, SolverConfig{Method::ksp, Space::balanced});
  PointEvaluator sym(PETSC_COMM_SELF, SolverConfig{Method::ksp, Space::symmetric});
  return {bal.evaluate(p), sym.evaluate(p)};
}

} // namespace

TEST_CASE("The symmetric space has physics.md's dimensions", "[symmetric]") {
  // physics.md and the issue: type 1 balanced part 6,222 (N = 10), 128,843 (N = 20), 3,267,285
  // (N = 40); type 2 7,848 (N = 6), 337,642 (N = 10).
  CHECK(symmetric_dimension(Coupling::all_to_all, 10) == 6222);
  CHECK(symmetric_dimension(Coupling::all_to_all, 20) == 128843);
  CHECK(symmetric_dimension(Coupling::all_to_all, 40) == 3267285);
  CHECK(symmetric_dimension(Coupling::pairwise, 6) == 7848);
  CHECK(symmetric_dimension(Coupling::pairwise, 10) == 337642);
  // The enumeration agrees with the count, and at N = 1 both equal the balanced block (6).
  for (int N : {1, 2, 3, 6}) {
    CHECK(SymmetricBasis(Coupling::all_to_all, N).dimension() ==
          static_cast<std::int64_t>(symmetric_dimension(Coupling::all_to_all, N)));
    CHECK(SymmetricBasis(Coupling::pairwise, N).dimension() ==
          static_cast<std::int64_t>(symmetric_dimension(Coupling::pairwise, N)));
  }
  CHECK(SymmetricBasis(Coupling::pairwise, 1).dimension() == 6);
  // Multiplicities count every element once: sum over classes of M(n) = the balanced block's
  // C(4N, 2N) elements.
  for (Coupling c : {Coupling::all_to_all, Coupling::pairwise})
    for (int N : {2, 3, 4}) {
      const SymmetricBasis b(c, N);
      double elements = 0;
      for (std::int64_t i = 0; i < b.dimension(); ++i) elements += b.multiplicity(i);
      CHECK(elements == static_cast<double>(space_dimension(Space::balanced, N)));
      CHECK(b.index(b.key_of(0, 0)) == 0);  // index 0 is rho_00's class
    }
}

TEST_CASE("The symmetric Liouvillian is the balanced block's acting on symmetric operators", "[symmetric]") {
  // For every class j, L applied in the balanced block to E(j) (1/sqrt(M_j) on each element of
  // class j) must equal sum_i L_sym[i, j] E(i): at element r of class i, L_sym[i, j] / sqrt(M_i).
  for (Coupling coupling : {Coupling::all_to_all, Coupling::pairwise})
    for (Bath bath : {Bath::common, Bath::independent})
      for (int N : {2, 3}) {
        INFO(to_string(coupling) << ", " << to_string(bath) << ", N = " << N);
        const SystemParameters p = uniform_point(N, bath, coupling, 0.45, 0.7, 0.2);
        const MasterEquation me = build_master_equation(p);
        const StateSpace balanced(Space::balanced, N), symmetric(Space::symmetric, N, coupling);
        const SymmetricBasis &b = *symmetric.symmetric();
        const auto n = symmetric.dimension();
        // The symmetric matrix, dense.
        std::vector<Complex> Ls(static_cast<std::size_t>(n * n));
        RowEntries row;
        for (std::int64_t i = 0; i < n; ++i) {
          liouvillian_row(symmetric, me, i, row);
          for (std::size_t k = 0; k < row.cols.size(); ++k) Ls[static_cast<std::size_t>(i * n + row.cols[k])] = row.values[k];
        }
        std::vector<std::int64_t> cls(static_cast<std::size_t>(balanced.dimension()));
        for (std::int64_t r = 0; r < balanced.dimension(); ++r) {
          Bits m, nn;
          balanced.element(r, m, nn);
          cls[static_cast<std::size_t>(r)] = symmetric.index(m, nn);
          REQUIRE(cls[static_cast<std::size_t>(r)] >= 0);
        }
        double worst = 0, scale = 0;
        for (std::int64_t r = 0; r < balanced.dimension(); ++r) {
          liouvillian_row(balanced, me, r, row);
          std::vector<Complex> by_class(static_cast<std::size_t>(n));
          for (std::size_t k = 0; k < row.cols.size(); ++k) {
            const auto j = cls[static_cast<std::size_t>(row.cols[k])];
            by_class[static_cast<std::size_t>(j)] += row.values[k] / std::sqrt(b.multiplicity(j));
          }
          const auto i = cls[static_cast<std::size_t>(r)];
          for (std::int64_t j = 0; j < n; ++j) {
            const Complex expected = Ls[static_cast<std::size_t>(i * n + j)] / std::sqrt(b.multiplicity(i));
            worst = std::max(worst, std::abs(by_class[static_cast<std::size_t>(j)] - expected));
            scale = std::max(scale, std::abs(expected));
          }
        }
        CHECK(scale > 0.1);
        CHECK(worst <= 1e-14 * scale);
      }
}

TEST_CASE("Every observable in the symmetric space equals the balanced block's, N = 1 to 4", "[symmetric]") {
  // (The null space's dimension is counted in the space solved: the symmetric space keeps only the
  // symmetric stationary states, 3 of 6 at N = 3, type 2.)
  for (Coupling coupling : {Coupling::all_to_all, Coupling::pairwise})
    for (Bath bath : {Bath::common, Bath::independent})
      for (int N : {1, 2, 3, 4}) {
        if (N == 4 && bath == Bath::common) continue;  // minutes in the balanced block: [N4] below
        for (const char *initial : {"thermal", "ground"}) {
          if (bath == Bath::independent && std::string(initial) == "ground") continue;  // unique
          SystemParameters p = uniform_point(N, bath, coupling);
          p.initial_state.kind = std::string(initial) == "ground" ? InitialKind::ground : InitialKind::thermal;
          INFO(to_string(coupling) << ", " << to_string(bath) << ", N = " << N << ", " << initial);
          const auto [a, s] = balanced_and_symmetric(p);
          INFO(a.reason << " | " << s.reason);
          REQUIRE(a.ok());
          REQUIRE(s.ok());
          CHECK(s.space == Space::symmetric);
          CHECK(s.dimension < a.dimension + (N == 1 ? 1 : 0));
          testing::check_same_observables(a, s);
        }
      }
}

TEST_CASE("Method sylvester in the symmetric space of type 1: every observable as LU in the balanced block, N = 1 "
          "to 4, in the three regimes",
          "[symmetric][sylvester]") {
  // The Omega = 0 inverse from the two ensembles' symmetric blocks (kronecker_sum.hpp); GMRES must
  // reach the same state as the balanced block's LU. Type 2 has no such structure and is refused.
  for (int N : {1, 2, 3, 4})
    for (double omega_h : {0.5, 1.5, 2.5}) {
      SystemParameters p = uniform_point(N, Bath::independent, Coupling::all_to_all, 0.45, 0.7, 0.15);
      p.omega_h = omega_h;
      INFO("N = " << N << ", omega_h = " << omega_h);
      PointEvaluator bal(PETSC_COMM_SELF, SolverConfig{Method::ksp, Space::balanced});
      PointEvaluator syl(PETSC_COMM_SELF, SolverConfig{Method::sylvester, Space::symmetric});
      const PointResult a = bal.evaluate(p), s = syl.evaluate(p);
      INFO(a.reason << " | " << s.reason);
      REQUIRE(a.ok());
      REQUIRE(s.ok());
      CHECK(s.space == Space::symmetric);
      CHECK_THAT(s.steady_state.solver, Catch::Contains("Sylvester"));
      CHECK(s.steady_state.steady_state_dimension == 1);
      testing::check_same_observables(a, s);
    }
  PointEvaluator pairwise(PETSC_COMM_SELF, SolverConfig{Method::sylvester, Space::symmetric});
  const PointResult r = pairwise.evaluate(uniform_point(2, Bath::independent, Coupling::pairwise));
  CHECK(r.failure == Failure::error);
  CHECK_THAT(r.reason, Catch::Contains("Kronecker structure"));
}

TEST_CASE("N = 4 with a common bath: the symmetric space equals the balanced block", "[symmetric][N4][.]") {
  // Minutes per point in the balanced block (the null-space path's LU of 12,870 rows). Its own
  // error estimate can exceed the tolerance there (a Cauchy-Schwarz bound of 2^(N-1) per
  // coherence), so the two agree to within it.
  for (Coupling coupling : {Coupling::all_to_all, Coupling::pairwise})
    for (InitialKind initial : {InitialKind::thermal, InitialKind::ground}) {
      SystemParameters p = uniform_point(4, Bath::common, coupling);
      p.initial_state.kind = initial;
      const auto [a, s] = balanced_and_symmetric(p);
      INFO(to_string(coupling) << (initial == InitialKind::ground ? ", ground" : ", thermal") << ": " << a.reason
                               << " | " << s.reason);
      REQUIRE(a.observables);
      REQUIRE(s.ok());
      const double J = a.observables->currents.excitation_current;
      const double allowed = 1e-10 * std::abs(J) + a.observables->excitation_current_error + s.observables->excitation_current_error;
      CHECK(std::abs(s.observables->currents.excitation_current - J) <= allowed);
      CHECK(std::abs(s.observables->currents.Q_h - a.observables->currents.Q_h) <= p.omega_h * allowed);
      CHECK(std::abs(s.observables->purity - a.observables->purity) <= 1e-8);
    }
}

TEST_CASE("Type 2 with independent baths: N times the N = 1 closed form, in the symmetric space and as pairs",
          "[symmetric]") {
  // physics.md, "Exact results": independent pairs. The symmetric space at N = 6 (7,848 operators,
  // LU) and N = 10 (337,642: GMRES with ILU), where the balanced block has 2.7 M and 40 G; auto's
  // pairs space at N = 10 and 20, each pair an N = 1 point.
  for (auto [N, space] : {std::pair{6, Space::symmetric}, std::pair{10, Space::symmetric}, std::pair{10, Space::automatic},
                          std::pair{20, Space::automatic}}) {
    INFO("N = " << N << ", space " << to_string(space));
    const SystemParameters p = uniform_point(N, Bath::independent, Coupling::pairwise, 0.45, 0.7, 0.15);
    PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{Method::automatic, space});
    const PointResult r = ev.evaluate(p);
    INFO(r.reason);
    REQUIRE(r.ok());
    CHECK(r.space == (space == Space::automatic ? Space::pairs : Space::symmetric));
    const double J = N * testing::closed_form_J(p);
    const auto &c = r.observables->currents;
    CHECK(c.excitation_current == Approx(J).epsilon(1e-10));
    CHECK(c.Q_h == Approx(p.omega_h * J).epsilon(1e-10));
    CHECK(c.Q_c == Approx(-p.omega_c * J).epsilon(1e-10));
    CHECK(c.W == Approx(-(p.omega_h - p.omega_c) * J).epsilon(1e-10));
    // Every qubit's population is the N = 1 machine's (physics.md: p_h - J/Gamma_h per hot qubit).
    const auto nbar = [](double x) { return std::exp(-x) / -std::expm1(-x); };
    const double n_h = nbar(p.omega_h / p.T_h), G_h = p.g_h[0] * p.g_h[0] * (2 * n_h + 1);
    for (double ph : r.observables->populations_h)
      CHECK(ph == Approx(n_h / (2 * n_h + 1) - J / N / G_h).epsilon(1e-10));
  }
}

TEST_CASE("N = 10 and 20, type 1, both baths: first law, Q_h/omega_h + Q_c/omega_c = 0, entropy production >= 0",
          "[symmetric]") {
  // The common bath by Dicke sectors (121 of them at N = 20, the largest 6,181 rows).
  for (auto [N, bath] : {std::pair{10, Bath::independent}, std::pair{10, Bath::common}, std::pair{20, Bath::independent},
                         std::pair{20, Bath::common}}) {
    INFO(to_string(bath) << ", N = " << N);
    const SystemParameters p = uniform_point(N, bath, Coupling::all_to_all);
    PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{});
    const PointResult r = ev.evaluate(p);
    INFO(r.reason);
    REQUIRE(r.ok());
    CHECK(r.space == Space::symmetric);
    CHECK(r.dimension == (N == 10 ? 6222 : 128843));
    // auto: above 5,000 operators independent baths go by sylvester (symmetric_direct_max_dimension).
    if (bath == Bath::independent) CHECK_THAT(r.steady_state.solver, Catch::Contains("Sylvester"));
    const auto &o = *r.observables;
    const auto &c = o.currents;
    const double scale = std::abs(c.Q_h);
    CHECK(scale > 1e-3);
    CHECK(std::abs(c.W + c.Q_h + c.Q_c) <= 1e-12 * scale);
    CHECK(std::abs(c.Q_h / p.omega_h + c.Q_c / p.omega_c) <= 1e-12 * scale);
    // The trace definitions, from the master equation's terms, hold the same balance.
    CHECK(o.first_law_residual <= 1e-8 * scale);
    CHECK(o.entropy_production >= 0);
    CHECK(o.regime == Regime::engine);  // 1 < omega_h/omega_c < 2
    REQUIRE(o.efficiency);
    CHECK(*o.efficiency == Approx(1 - p.omega_c / p.omega_h).epsilon(1e-9));
    CHECK(o.min_eigenvalue >= -1e-10);
    CHECK(o.purity > 0);
    CHECK(o.purity <= 1 + 1e-12);
  }
}

TEST_CASE("space auto picks the symmetric space where the symmetry holds, and symmetric refuses it elsewhere",
          "[symmetric]") {
  SystemParameters p = uniform_point(2, Bath::common, Coupling::all_to_all);
  CHECK(resolve_space(Space::automatic, p) == Space::symmetric);
  CHECK(resolve_space(Space::balanced, p) == Space::balanced);
  p.bath = Bath::cascaded;
  CHECK(resolve_space(Space::automatic, p) == Space::balanced);
  CHECK_THAT(symmetric_ineligibility(p), Catch::Contains("cascaded"));
  PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{Method::automatic, Space::symmetric});
  PointResult r = ev.evaluate(p);
  CHECK(r.failure == Failure::error);
  CHECK_THAT(r.reason, Catch::Contains("cascaded"));
  p.bath = Bath::common;
  p.g_h[1] = 0.55;
  CHECK(resolve_space(Space::automatic, p) == Space::balanced);
  r = ev.evaluate(p);
  CHECK_THAT(r.reason, Catch::Contains("g_h or g_c differ"));
  p.g_h[1] = 0.5;
  p.Omega[0][1] = 0.2;
  CHECK_THAT(symmetric_ineligibility(p), Catch::Contains("Omega differs"));
  // method sylvester keeps auto in the balanced block, whose structure it needs.
  p.Omega[0][1] = 0.1;
  CHECK(for_point(SolverConfig{Method::sylvester, Space::automatic}, p).space == Space::balanced);
}

namespace {

// The monomial with qubits i and j exchanged.
Monomial swapped(Monomial M, int i, int j) {
  const auto swap_bits = [&](Bits &x) {
    const Bits bi = (x >> i) & 1, bj = (x >> j) & 1;
    x &= ~((Bits{1} << i) | (Bits{1} << j));
    x |= (bi << j) | (bj << i);
  };
  swap_bits(M.care);
  swap_bits(M.value);
  swap_bits(M.flip);
  return M;
}

using TermKey = std::tuple<double, double, Bits, Bits, Bits, Bits, Bits, Bits, int, int>;
std::vector<TermKey> sorted_terms(const MasterEquation &me, int i, int j) {
  std::vector<TermKey> keys;
  for (const auto &t : me.terms) {
    const Monomial l = swapped(t.left, i, j), r = swapped(t.right, i, j);
    keys.emplace_back(t.coef.real(), t.coef.imag(), l.care, l.value, l.flip, r.care, r.value, r.flip,
                      static_cast<int>(t.part), static_cast<int>(t.ensemble));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

} // namespace

TEST_CASE("Beyond 64 bits (N = 33, qubits up to bit 65): the master equation and expectation values keep the "
          "permutation symmetry",
          "[symmetric]") {
  constexpr int N = 33;
  const int c0 = qubit_bit(N, Ensemble::cold, 0), c31 = qubit_bit(N, Ensemble::cold, 31),
            c32 = qubit_bit(N, Ensemble::cold, 32), h0 = qubit_bit(N, Ensemble::hot, 0);
  REQUIRE(c31 == 64);
  REQUIRE(c32 == 65);
  for (Bath bath : {Bath::common, Bath::independent}) {
    INFO(to_string(bath));
    const SystemParameters p = uniform_point(N, bath, Coupling::all_to_all);
    const MasterEquation me = build_master_equation(p);
    // Exchanging two cold qubits (one of them above bit 63) maps the equation onto itself.
    const auto same = sorted_terms(me, 0, 0);  // (qubit 0 with itself: the terms as they are)
    CHECK(sorted_terms(me, c0, c32) == same);
    CHECK(sorted_terms(me, c31, h0 + 1) != same);  // a cold qubit with a hot one: not a symmetry
    std::size_t high = 0;
    for (const auto &t : me.terms) high += ((t.left.care | t.right.care) >> 64) != 0;
    CHECK(high > 0);
  }
  // A state of the symmetric space: its values on monomials beyond bit 63.
  SystemParameters p = uniform_point(N, Bath::common, Coupling::all_to_all);
  const StateSpace space(Space::symmetric, N, Coupling::all_to_all);
  const DensityMatrix rho0 = initial_density_matrix(p, space);
  const double p_h = p.initial_population(Ensemble::hot), p_c = p.initial_population(Ensemble::cold);
  CHECK(std::abs(rho0.trace() - 1.0) <= 1e-12);
  CHECK(rho0.expectation(Monomial::excited(c32)).real() == Approx(p_c).epsilon(1e-12));
  CHECK(rho0.expectation(product_nonzero(Monomial::excited(c31), Monomial::excited(h0))).real() ==
        Approx(p_c * p_h).epsilon(1e-12));
  CHECK(rho0.expectation(product_nonzero(Monomial::excited(c31), Monomial::ground(c32))).real() ==
        Approx(p_c * (1 - p_c)).epsilon(1e-12));
  CHECK(std::abs(rho0.expectation(product_nonzero(Monomial::raise(c31), Monomial::lower(c32)))) <= 1e-15);
  CHECK(rho0.excited_population(c32) == Approx(p_c).epsilon(1e-12));
  // A state with coherences (random coordinates): a monomial's value depends on its pattern only,
  // wherever its qubits sit.
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal;
  std::vector<Complex> values(static_cast<std::size_t>(space.dimension()));
  for (auto &v : values) v = {normal(gen), normal(gen)};
  const DensityMatrix rho(space, std::move(values), false);
  const auto flip_flop = [](int a, int b) { return product_nonzero(Monomial::raise(a), Monomial::lower(b)); };
  const Complex low = rho.expectation(flip_flop(c0, c0 + 1));
  CHECK(std::abs(low) > 1e-3);
  CHECK(std::abs(rho.expectation(flip_flop(c31, c32)) - low) <= 1e-12 * std::abs(low));
  const Complex cross = rho.expectation(product_nonzero(flip_flop(h0, c0), Monomial::excited(c0 + 1)));
  CHECK(std::abs(cross) > 1e-3);
  CHECK(std::abs(rho.expectation(product_nonzero(flip_flop(h0 + 7, c32), Monomial::excited(c31))) - cross) <=
        1e-12 * std::abs(cross));
}

TEST_CASE("Type 2 under independent baths as independent pairs: every observable as the balanced block and the "
          "symmetric space",
          "[symmetric][pairs]") {
  // Non-uniform g and Omega (each pair its own machine), N = 2 and 3, against the balanced block.
  for (int N : {2, 3}) {
    {
      SystemParameters p = uniform_point(N, Bath::independent, Coupling::pairwise);
      for (int n = 0; n < N; ++n) {
        p.g_h[n] = 0.3 + 0.15 * n;
        p.g_c[n] = 0.7 - 0.2 * n;
        p.Omega[n][n] = 0.05 + 0.1 * n;
      }
      for (double omega_h : {0.5, 1.5, 2.5}) {  // accelerator, engine, refrigerator
        INFO("N = " << N << ", omega_h = " << omega_h);
        p.omega_h = omega_h;
        PointEvaluator pairs(PETSC_COMM_SELF, SolverConfig{});
        PointEvaluator balanced(PETSC_COMM_SELF, SolverConfig{Method::ksp, Space::balanced});
        const PointResult a = balanced.evaluate(p), b = pairs.evaluate(p);
        INFO(a.reason << " / " << b.reason);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(b.space == Space::pairs);
        testing::check_same_observables(a, b);
        CHECK(b.observables->regime == a.observables->regime);
        CHECK(b.observables->min_eigenvalue == Approx(a.observables->min_eigenvalue).margin(1e-12));
        CHECK(b.observables->hermiticity_error <= 1e-14);
        CHECK(b.steady_state.steady_state_dimension == 1);
      }
    }
  }
  // Identical pairs against the symmetric space at N = 4 (720 operators): one pair solved.
  const SystemParameters p = uniform_point(4, Bath::independent, Coupling::pairwise, 0.45, 0.7, 0.15);
  PointEvaluator pairs(PETSC_COMM_SELF, SolverConfig{Method::automatic, Space::pairs});
  PointEvaluator symmetric(PETSC_COMM_SELF, SolverConfig{Method::ksp, Space::symmetric});
  const PointResult s = symmetric.evaluate(p), b = pairs.evaluate(p);
  REQUIRE(s.ok());
  REQUIRE(b.ok());
  testing::check_same_observables(s, b);
  CHECK_THAT(b.steady_state.solver, Catch::Contains("1 distinct of 4"));
  // Elsewhere the space is refused, with the reason.
  for (auto [bath, coupling] : {std::pair{Bath::common, Coupling::pairwise}, std::pair{Bath::independent, Coupling::all_to_all}}) {
    const PointResult r = pairs.evaluate(uniform_point(2, bath, coupling));
    CHECK(r.failure == Failure::error);
    CHECK_THAT(r.reason, Catch::Contains("space pairs does not apply") &&
                             Catch::Contains(bath == Bath::common ? "the bath is common" : "all_to_all"));
  }
}
