// The edges of parameter space (issue 12): the N = 1 machine's closed form (physics.md, "Exact
// results") at extreme temperatures, couplings and interaction strengths, for every method and
// bath model (at N = 1 they coincide); independent pairs against the sum of N = 1 machines; the
// reversibility line; regimes named by the hotter bath.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"
#include "point/point.hpp"

using namespace nessmap;

namespace {

// physics.md, "Exact results": the N = 1 excitation current, nbar written so that it neither
// overflows at T -> 0 nor loses digits at T -> infinity.
double exact_J(double omega_h, double omega_c, double T_h, double T_c, double g_h, double g_c, double Omega) {
  const auto nbar = [](double x) { return std::exp(-x) / -std::expm1(-x); };
  const double n_h = nbar(omega_h / T_h), n_c = nbar(omega_c / T_c);
  const double G_h = g_h * g_h * (2 * n_h + 1), G_c = g_c * g_c * (2 * n_c + 1);
  const double p_h = n_h / (2 * n_h + 1), p_c = n_c / (2 * n_c + 1);
  const double G = G_h + G_c, D = omega_h - omega_c;
  const double kappa = 4 * Omega * Omega * G / (G * G + 4 * D * D);
  return kappa * (p_h - p_c) / (1 + kappa * (1 / G_h + 1 / G_c));
}

struct Machine {
  double omega_h = 1.5, omega_c = 1.0, T_h = 2.0, T_c = 1.0, g_h = 0.5, g_c = 0.5, Omega = 0.1;
};

SystemParameters one_pair(const Machine &m, Bath bath) {
  SystemParameters p;
  p.N = 1;
  p.bath = bath;
  p.coupling = Coupling::pairwise;
  p.omega_h = m.omega_h;
  p.omega_c = m.omega_c;
  p.T_h = m.T_h;
  p.T_c = m.T_c;
  p.g_h = {m.g_h};
  p.g_c = {m.g_c};
  p.Omega = {{m.Omega}};
  return p;
}

} // namespace

TEST_CASE("The N = 1 closed form holds to 1e-8 at the edges, for every method and bath", "[edges]") {
  struct Edge {
    const char *name;
    Machine m;
  };
  Machine hot6, hot7, cold3, weak7, weak6, g6;
  g6.g_h = g6.g_c = 1e-6;  // a gap of 2.2e-12 against ||L||_1 ~ 1: refinement with accurate residuals
  hot6.T_h = 1e6;
  hot7.T_h = 1e7;
  cold3.T_c = 1e-3;
  weak7.Omega = 1e-7;
  weak6.Omega = 1e-6;
  const Edge edges[] = {{"b1", Machine{}}, {"T_h = 1e6", hot6}, {"T_h = 1e7", hot7},
                        {"T_c = 1e-3", cold3}, {"Omega = 1e-7", weak7}, {"Omega = 1e-6", weak6},
                        {"g = 1e-6", g6}};
  for (Method method : {Method::automatic, Method::ksp, Method::eps, Method::sylvester})
    for (Bath bath : testing::all_baths)
      for (const Edge &e : edges) {
        INFO(e.name << ", " << to_string(method) << ", " << to_string(bath));
        PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{method, Space::balanced});
        const PointResult r = ev.evaluate(one_pair(e.m, bath));
        INFO(r.reason);
        REQUIRE(r.ok());
        const auto &c = r.observables->currents;
        const double J = exact_J(e.m.omega_h, e.m.omega_c, e.m.T_h, e.m.T_c, e.m.g_h, e.m.g_c, e.m.Omega);
        CHECK(c.Q_h == Approx(e.m.omega_h * J).epsilon(1e-8));
        CHECK(c.Q_c == Approx(-e.m.omega_c * J).epsilon(1e-8));
        CHECK(c.W == Approx(-(e.m.omega_h - e.m.omega_c) * J).epsilon(1e-8));
        // The reported error estimate is honest: the actual error is at most twice it (it is an
        // estimate, not a bound), and within the tolerance that made the point ok.
        const double actual = std::abs(c.excitation_current - J) / std::abs(J);
        CHECK(actual <= 2 * r.current_error);
        CHECK(r.current_error <= current_tolerance);
        // Excited populations p_h - J/Gamma_h and p_c + J/Gamma_c.
        CHECK(c.Q_h_nonloc == 0);
        CHECK(c.W_nonloc == 0);
      }
}

TEST_CASE("Independent baths with pairwise coupling are the sum of their pairs' N = 1 machines", "[edges]") {
  // physics.md: every current is the sum of the pairs' N = 1 currents, for any N and per-pair g
  // and Omega. An exact answer for every method, sylvester included.
  for (int N : {2, 3}) {
    SystemParameters p;
    p.N = N;
    p.bath = Bath::independent;
    p.coupling = Coupling::pairwise;
    p.omega_h = 1.7;
    p.omega_c = 1.0;
    p.T_h = 3.0;
    p.T_c = 0.8;
    p.Omega.assign(N, std::vector<double>(N, 0.0));
    double J = 0;
    for (int a = 0; a < N; ++a) {
      p.g_h.push_back(0.3 + 0.1 * a);
      p.g_c.push_back(0.6 - 0.05 * a);
      p.Omega[a][a] = 0.05 + 0.07 * a;
      J += exact_J(p.omega_h, p.omega_c, p.T_h, p.T_c, p.g_h[a], p.g_c[a], p.Omega[a][a]);
    }
    for (Method method : {Method::ksp, Method::eps, Method::sylvester}) {
      INFO("N = " << N << ", " << to_string(method));
      PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{method, Space::balanced});
      const PointResult r = ev.evaluate(p);
      INFO(r.reason);
      REQUIRE(r.ok());
      const auto &c = r.observables->currents;
      CHECK(c.Q_h == Approx(p.omega_h * J).epsilon(1e-10));
      CHECK(c.Q_c == Approx(-p.omega_c * J).epsilon(1e-10));
      CHECK(c.W == Approx(-(p.omega_h - p.omega_c) * J).epsilon(1e-10));
      CHECK(c.excitation_current == Approx(J).epsilon(1e-10));
    }
  }
}

TEST_CASE("Regimes: signs far below any fixed floor, named by the hotter bath", "[edges][regime]") {
  const auto observe = [](const Machine &m) {
    PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{});
    const PointResult r = ev.evaluate(one_pair(m, Bath::independent));
    INFO(r.reason);
    REQUIRE(r.ok());
    return *r.observables;
  };
  // physics.md: Omega = 1e-6 gives W = -5e-14, an engine with efficiency 1 - omega_c/omega_h; so do
  // very hot baths.
  Machine weak, hot6, hot7;
  weak.Omega = 1e-6;
  hot6.T_h = 1e6;
  hot7.T_h = 1e7;
  for (const Machine &m : {weak, hot6, hot7}) {
    INFO("Omega = " << m.Omega << ", T_h = " << m.T_h);
    const Observables o = observe(m);
    CHECK(o.currents.W < 0);
    CHECK(o.regime == Regime::engine);
    REQUIRE(o.efficiency);
    CHECK(*o.efficiency == Approx(1.0 / 3.0).epsilon(1e-8));
    CHECK(*o.eta_carnot == Approx(1 - m.T_c / m.T_h));
  }
  // T_h = 0.5 < T_c = 1: the bath called c is the hotter one. Heat flows from it (Q_c > 0) into the
  // colder bath h (Q_h < 0) while work is consumed: an accelerator, COP_A = Q_c/W =
  // omega_c/(omega_h - omega_c) = 2, and eta_C = 1 - 0.5/1.
  Machine reversed;
  reversed.T_h = 0.5;
  const Observables o = observe(reversed);
  CHECK(o.currents.Q_h < 0);
  CHECK(o.currents.Q_c > 0);
  CHECK(o.currents.W > 0);
  CHECK(o.regime == Regime::accelerator);
  REQUIRE(o.cop_accelerator);
  CHECK(*o.cop_accelerator == Approx(2.0).epsilon(1e-10));
  CHECK_FALSE(o.cop_refrigerator);
  CHECK(*o.eta_carnot == Approx(0.5));
  // T_h = T_c: the bath called h takes the hot role and no engine can run (eta_C = 0). With
  // omega_h > omega_c, excitations flow from c to h while work is consumed: the refrigerator of
  // that naming, COP_R = Q_c/W = omega_c/(omega_h - omega_c) = 2.
  Machine equal;
  equal.T_h = 1.0;
  const Observables e = observe(equal);
  CHECK(e.regime == Regime::refrigerator);
  REQUIRE(e.cop_refrigerator);
  CHECK(*e.cop_refrigerator == Approx(2.0).epsilon(1e-10));
  CHECK(*e.eta_carnot == 0);
}

TEST_CASE("On the reversibility line the currents vanish and the regime is none, in every model", "[edges][regime]") {
  // physics.md: at omega_h/omega_c = T_h/T_c the product of the qubits' Gibbs states is the steady
  // state of every model; with omega_h != omega_c the currents vanish exactly.
  for (int N : {1, 2, 3})
    for (Bath bath : testing::all_baths)
      for (Coupling coupling : testing::all_couplings) {
        if (N == 1 && coupling == Coupling::all_to_all) continue;
        SystemParameters p = testing::paper_point(bath, coupling, 2.0);  // T_h/T_c = 2
        p.N = N;
        p.g_h.resize(N);
        p.g_c.resize(N);
        for (int k = 0; k < N; ++k) p.g_h[k] = p.g_c[k] = 0.5 + 0.05 * k;
        p.Omega.assign(N, std::vector<double>(N, coupling == Coupling::pairwise ? 0.0 : 0.1));
        for (int k = 0; k < N; ++k) p.Omega[k][k] = 0.1;
        INFO(testing::describe(p));
        PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{});
        const PointResult r = ev.evaluate(p);
        INFO(r.reason);
        REQUIRE(r.ok());
        const auto &o = *r.observables;
        CHECK(std::abs(o.currents.excitation_current) <= sign_error_factor * std::max(o.excitation_current_error, excitation_current_zero_level(p)));
        CHECK(std::abs(o.currents.Q_h) < 1e-14);
        CHECK(o.regime == Regime::none);
        CHECK_FALSE(o.efficiency);
        CHECK_FALSE(o.cop_refrigerator);
        CHECK_FALSE(o.cop_accelerator);
      }
}

TEST_CASE("Rates beyond double precision's reach are a failure that says so, not a value", "[edges]") {
  // T_h = 1e300: nbar_h ~ 7e299, so L's entries reach 1e299 and ||L rho|| overflows. Whatever a
  // method returns, the point must not be ok (eps used to report Q_h = 1.8e-10, 1e292 times the
  // closed form's 4e-302).
  Machine m;
  m.T_h = 1e300;
  for (Method method : {Method::eps}) {
    PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{method, Space::balanced});
    const PointResult r = ev.evaluate(one_pair(m, Bath::independent));
    INFO(r.reason);
    CHECK_FALSE(r.ok());
    CHECK(r.failure == Failure::not_finite);
    CHECK_THAT(r.reason, Catch::Contains("||L rho||"));
  }
}

TEST_CASE("Nearly identical couplings under a common bath: the point says nearly degenerate, with the gap",
          "[edges][null_space]") {
  // g = [0.5, 0.500001]: unique in exact arithmetic, but L's second eigenvalue is ~3e-13 ||L||_1
  // (the nearly dark antisymmetric state), so the rounding of L's own entries moves the state by
  // ~1e-5 of J. No method may return a value; each names the measured gap.
  for (Coupling coupling : {Coupling::pairwise, Coupling::all_to_all}) {
    SystemParameters p = testing::paper_point(Bath::common, coupling, 1.5);
    p.g_h = p.g_c = {0.5, 0.500001};
    for (Method method : {Method::automatic, Method::ksp, Method::eps, Method::sylvester}) {
      INFO(to_string(coupling) << ", " << to_string(method));
      PointEvaluator ev(PETSC_COMM_SELF, SolverConfig{method, Space::balanced});
      const PointResult r = ev.evaluate(p);
      INFO(r.reason << " (" << r.steady_state.solver << ")");
      CHECK(r.failure == Failure::inaccurate);
      CHECK_THAT(r.reason, Catch::Contains("nearly degenerate") && Catch::Contains("|lambda_2| = "));
      CHECK(r.current_error > current_tolerance);
    }
  }
}
