// The steady state through the real PETSc/SLEPc path: limits with known answers, thermodynamic
// invariants over random points, and agreement of the two spaces and the two solvers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "fixtures.hpp"
#include "point/point.hpp"

using namespace nessmap;
using namespace nessmap::testing;

namespace {

Observables solve_ok(PointEvaluator &ev, const SystemParameters &p) {
  const PointResult r = ev.evaluate(p);
  INFO("reason: " << r.reason);
  REQUIRE(r.ok());
  CHECK(r.steady_state.residual_norm < 1e-12);
  CHECK(r.steady_state.trace_error < 1e-12);
  return *r.observables;
}

PointEvaluator evaluator(Method m, Space s) { return PointEvaluator(PETSC_COMM_SELF, SolverConfig{m, s}); }

// The totals (Q_h, Q_c, W) to `rel` of the largest total; the local and non-local parts of the
// split to 10 `rel` of the largest part or total. The parts can be several times the totals
// (N = 2, common bath: Q_c_nonloc 0.0314 with |Q_c| 0.0107) and are first order in the coherences
// where the totals are second order in Omega, so GMRES's stop (relative residual 1e-13) leaves
// them further off: measured there, Sylvester GMRES (residual 1.6e-13) against LU 3.3e-12, 1.05e-10
// of Q_c_nonloc with OpenBLAS's SkylakeX kernels, 1.1e-12 with Prescott's, while the full space's
// LU and SLEPc's eigenvector agree with LU to 4e-15.
void check_currents_equal(const Currents &a, const Currents &b, double rel) {
  const double tol = rel * std::max(current_magnitude(a), current_magnitude(b));
  CHECK(std::abs(a.Q_h - b.Q_h) <= tol);
  CHECK(std::abs(a.Q_c - b.Q_c) <= tol);
  CHECK(std::abs(a.W - b.W) <= tol);
  double parts = std::max(current_magnitude(a), current_magnitude(b));
  for (const Currents *c : {&a, &b})
    parts = std::max({parts, std::abs(c->W_loc), std::abs(c->W_nonloc), std::abs(c->Q_h_nonloc), std::abs(c->Q_c_nonloc)});
  const double tol_parts = 10 * rel * parts;
  CHECK(std::abs(a.W_loc - b.W_loc) <= tol_parts);
  CHECK(std::abs(a.W_nonloc - b.W_nonloc) <= tol_parts);
  CHECK(std::abs(a.Q_h_nonloc - b.Q_h_nonloc) <= tol_parts);
  CHECK(std::abs(a.Q_c_nonloc - b.Q_c_nonloc) <= tol_parts);
}

// Two solvers on one point: the currents to 1e-10 of their scale (the split's parts to 1e-9 of
// theirs), coherences and purity likewise.
void check_same_state(const Observables &a, const Observables &b) {
  check_currents_equal(a.currents, b.currents, 1e-10);
  CHECK(a.coherences.C_loc == Approx(b.coherences.C_loc).epsilon(1e-9).margin(1e-14));
  CHECK(a.coherences.C_nonloc == Approx(b.coherences.C_nonloc).epsilon(1e-9).margin(1e-14));
  CHECK(a.purity == Approx(b.purity).epsilon(1e-10));
}

} // namespace

TEST_CASE("Omega = 0: every qubit is thermal at its own bath and no current flows", "[steady]") {
  std::mt19937 rng(11);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths) {
      SystemParameters p = random_point(rng, N, bath, Coupling::all_to_all);
      for (auto &row : p.Omega) std::fill(row.begin(), row.end(), 0.0);
      INFO("N = " << N << ", bath " << to_string(bath));
      auto ev = evaluator(Method::ksp, Space::balanced);
      const Observables o = solve_ok(ev, p);
      for (int n = 0; n < N; ++n) {
        const double nh = p.nbar(Ensemble::hot), nc = p.nbar(Ensemble::cold);
        CHECK(o.populations_h[n] == Approx(nh / (2 * nh + 1)).epsilon(1e-10));
        CHECK(o.populations_c[n] == Approx(nc / (2 * nc + 1)).epsilon(1e-10));
      }
      const double zero = 1e-13 * current_scale(p);
      CHECK(std::abs(o.currents.Q_h) < zero);
      CHECK(std::abs(o.currents.Q_c) < zero);
      CHECK(std::abs(o.currents.W) < zero);
      CHECK(o.regime == Regime::none);
    }
}

TEST_CASE("Equal temperatures and frequencies: all currents vanish", "[steady]") {
  std::mt19937 rng(12);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        SystemParameters p = random_point(rng, N, bath, coupling);
        p.omega_h = p.omega_c;
        p.T_h = p.T_c;
        INFO("N = " << N << ", " << to_string(bath) << ", " << to_string(coupling));
        auto ev = evaluator(Method::ksp, Space::balanced);
        const Observables o = solve_ok(ev, p);
        const double zero = 1e-13 * current_scale(p);
        for (double v : {o.currents.Q_h, o.currents.Q_c, o.currents.W, o.currents.W_loc,
                         o.currents.W_nonloc, o.currents.Q_h_nonloc, o.currents.Q_c_nonloc})
          CHECK(std::abs(v) < zero);
        CHECK(o.regime == Regime::none);
      }
}

TEST_CASE("Thermodynamic invariants over random points", "[steady]") {
  std::mt19937 rng(13);
  int engines = 0;
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings)
        for (int rep = 0; rep < (N == 3 ? 2 : 6); ++rep) {
          const SystemParameters p = random_point(rng, N, bath, coupling);
          INFO("N = " << N << ", " << to_string(bath) << ", " << to_string(coupling)
                      << ", omega_h = " << p.omega_h << ", T_h = " << p.T_h << ", T_c = " << p.T_c);
          auto ev = evaluator(Method::ksp, Space::balanced);
          const Observables o = solve_ok(ev, p);
          const auto &c = o.currents;
          const double big = current_magnitude(c);
          // First law W + Q_h + Q_c = 0, to 1e-10 relative.
          CHECK(std::abs(c.W + c.Q_h + c.Q_c) <= 1e-10 * big);
          CHECK(o.first_law_residual <= 1e-10);
          // Excitation conservation: Q_h/omega_h + Q_c/omega_c = 0.
          CHECK(std::abs(c.Q_h / p.omega_h + c.Q_c / p.omega_c) <=
                1e-10 * std::max(std::abs(c.Q_h / p.omega_h), std::abs(c.Q_c / p.omega_c)));
          CHECK(c.excitation_current == Approx(c.Q_h / p.omega_h).epsilon(1e-10).margin(1e-300));
          // Second law.
          CHECK(o.entropy_production >= -1e-12 * big);
          // A genuine density matrix.
          CHECK(o.min_eigenvalue > -1e-12);
          CHECK(o.hermiticity_error < 1e-12);
          if (o.regime == Regime::engine) {
            ++engines;
            REQUIRE(o.efficiency.has_value());
            // -W/Q_hot with the roles named by temperature (physics.md): 1 - omega_cold/omega_hot.
            const bool h_hotter = p.T_h >= p.T_c;
            const double omega_hot = h_hotter ? p.omega_h : p.omega_c, omega_cold = h_hotter ? p.omega_c : p.omega_h;
            CHECK(*o.efficiency == Approx(1.0 - omega_cold / omega_hot).epsilon(1e-9));
            CHECK(*o.efficiency <= *o.eta_carnot + 1e-12);
          }
        }
  CHECK(engines > 0);  // the random set must exercise the engine check
}

TEST_CASE("Balanced block and full space give the same state", "[steady][agreement]") {
  std::mt19937 rng(14);
  for (int N : {1, 2})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        const SystemParameters p = random_point(rng, N, bath, coupling);
        INFO("N = " << N << ", " << to_string(bath) << ", " << to_string(coupling));
        auto balanced = evaluator(Method::ksp, Space::balanced);
        auto full = evaluator(Method::ksp, Space::full);
        const Observables a = solve_ok(balanced, p), b = solve_ok(full, p);
        check_currents_equal(a.currents, b.currents, 1e-10);
        for (int n = 0; n < N; ++n) {
          CHECK(a.populations_h[n] == Approx(b.populations_h[n]).epsilon(1e-10));
          CHECK(a.populations_c[n] == Approx(b.populations_c[n]).epsilon(1e-10));
        }
        CHECK(a.purity == Approx(b.purity).epsilon(1e-10));
      }
}

TEST_CASE("KSP and EPS give the same state", "[steady][agreement]") {
  std::mt19937 rng(15);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        const SystemParameters p = random_point(rng, N, bath, coupling);
        INFO("N = " << N << ", " << to_string(bath) << ", " << to_string(coupling));
        auto ksp = evaluator(Method::ksp, Space::balanced);
        auto eps = evaluator(Method::eps, Space::balanced);
        check_same_state(solve_ok(ksp, p), solve_ok(eps, p));
      }
}

TEST_CASE("KSP (direct LU) and Sylvester-preconditioned GMRES give the same state", "[steady][agreement]") {
  std::mt19937 rng(17);
  for (int N : {1, 2, 3})
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings) {
        SystemParameters p = random_point(rng, N, bath, coupling);
        INFO("N = " << N << ", " << to_string(bath) << ", " << to_string(coupling));
        auto ksp = evaluator(Method::ksp, Space::balanced);
        auto sylvester = evaluator(Method::sylvester, Space::balanced);
        check_same_state(solve_ok(ksp, p), solve_ok(sylvester, p));
        // Identical qubits in a cascade make L_h and L_c defective (equal eigenvalues coupled one
        // way); the Schur forms must still give an exact preconditioner. Full space too.
        if (bath == Bath::cascaded) {
          p.g_h.assign(N, 0.5);
          p.g_c.assign(N, 0.6);
          auto ksp_full = evaluator(Method::ksp, Space::full);
          auto sylvester_full = evaluator(Method::sylvester, Space::full);
          const Observables c = solve_ok(ksp, p), d = solve_ok(sylvester, p);
          check_currents_equal(c.currents, d.currents, 1e-10);
          if (N <= 2) check_currents_equal(solve_ok(ksp_full, p).currents, solve_ok(sylvester_full, p).currents, 1e-10);
          const PointResult r = sylvester.evaluate(p);
          CHECK(r.steady_state.iterations <= 40);
        }
      }
}

TEST_CASE("auto picks the direct solver up to N = 2 and GMRES above", "[steady]") {
  auto resolve = [](Method m, Space s, int N) { return resolve_method(SolverConfig{m, s}, N); };
  CHECK(resolve(Method::automatic, Space::balanced, 2) == Method::ksp);
  CHECK(resolve(Method::automatic, Space::balanced, 3) == Method::sylvester);
  CHECK(resolve(Method::automatic, Space::balanced, 4) == Method::sylvester);
  CHECK(resolve(Method::automatic, Space::full, 2) == Method::ksp);        // 256
  CHECK(resolve(Method::automatic, Space::full, 3) == Method::sylvester);  // 4096
  CHECK(resolve(Method::eps, Space::balanced, 5) == Method::eps);
  CHECK(resolve(Method::ksp, Space::balanced, 4) == Method::ksp);
}

TEST_CASE("Small direct solves: the real LU by default, PETSc's LU through -pc_type, the same state",
          "[steady][agreement]") {
  std::mt19937 rng(41);
  for (Bath bath : all_baths)
    for (Coupling coupling : all_couplings)
      for (Space s : {Space::balanced, Space::full}) {
        const SystemParameters p = random_point(rng, 2, bath, coupling);
        INFO(describe(p) << ", " << to_string(s));
        auto real = evaluator(Method::ksp, s);
        const PointResult a = real.evaluate(p);
        NESSMAP_PETSC(PetscOptionsSetValue(nullptr, "-pc_type", "lu"));
        auto petsc = evaluator(Method::ksp, s);
        const PointResult b = petsc.evaluate(p);
        NESSMAP_PETSC(PetscOptionsClearValue(nullptr, "-pc_type"));
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        // (Iterative refinement may follow either: ", k refinement step(s)".)
        CHECK_THAT(a.steady_state.solver, Catch::StartsWith("ksp preonly, pc shell (real LU, Hermitian rho)") &&
                                              !Catch::Contains("after"));
        CHECK_THAT(b.steady_state.solver, Catch::StartsWith("ksp preonly, pc lu (petsc)") && !Catch::Contains("after"));
        CHECK(a.steady_state.residual_norm < 1e-14);
        check_same_state(*a.observables, *b.observables);
      }
}

TEST_CASE("A preconditioner applied once is not a solver: the point fails as inaccurate, naming the residual",
          "[steady][edges]") {
  // -ksp_type preonly with -pc_type jacobi divides the trace row's right-hand side by L's diagonal:
  // rho = |0><0|, no current, and one more Jacobi step, the error estimate, is as small as the
  // state's own elements (this was marked ok with J = 0). A Krylov method with the same
  // preconditioner converges and gives LU's state.
  std::mt19937 rng(43);
  for (Bath bath : all_baths) {
    const SystemParameters p = random_point(rng, 2, bath, Coupling::all_to_all);
    INFO(describe(p));
    auto lu = evaluator(Method::ksp, Space::balanced);
    const Observables reference = solve_ok(lu, p);
    NESSMAP_PETSC(PetscOptionsSetValue(nullptr, "-pc_type", "jacobi"));
    auto jacobi = evaluator(Method::ksp, Space::balanced);
    const PointResult once = jacobi.evaluate(p);
    NESSMAP_PETSC(PetscOptionsSetValue(nullptr, "-ksp_type", "gmres"));
    auto krylov = evaluator(Method::ksp, Space::balanced);
    const PointResult converged = krylov.evaluate(p);
    NESSMAP_PETSC(PetscOptionsClearValue(nullptr, "-ksp_type"));
    NESSMAP_PETSC(PetscOptionsClearValue(nullptr, "-pc_type"));
    INFO(once.steady_state.solver << ": " << once.reason);
    CHECK_FALSE(once.ok());
    CHECK(once.failure == Failure::inaccurate);
    CHECK_THAT(once.reason, Catch::Contains("does not invert L") && Catch::Contains("relative residual"));
    CHECK_FALSE(once.observables.has_value());
    INFO(converged.steady_state.solver << ": " << converged.reason);
    REQUIRE(converged.ok());
    CHECK_THAT(converged.steady_state.solver, Catch::StartsWith("ksp gmres, pc jacobi"));
    check_currents_equal(converged.observables->currents, reference.currents, 1e-9);
  }
}

TEST_CASE("auto falls back to LU where GMRES does not converge and LU fits", "[steady]") {
  // Nearly equal g under a common bath: nearly a dark state, slow modes the interaction mixes, and
  // GMRES stagnates above its tolerance. With `auto` set to go iterative at this size, the point
  // must still come out as the direct solver's state; so must it with `sylvester` (the point is
  // solved again directly where LU fits), and the solver field says what happened first.
  SystemParameters p = paper_point(Bath::common, Coupling::all_to_all, 2.112);
  p.N = 3;
  p.T_h = 1.856;
  p.T_c = 0.916;
  p.g_h = {0.350, 0.496, 0.352};
  p.g_c = {0.4553, 0.4577, 0.4661};
  p.Omega = {{0.186, 0.197, 0.059}, {0.089, 0.141, 0.060}, {0.198, 0.180, 0.197}};
  SolverConfig iterative{Method::automatic, Space::balanced};
  iterative.auto_direct_max_dimension = 100;
  auto ksp = evaluator(Method::ksp, Space::balanced);
  {
    // With both preconditioners to choose from, GMRES converges here (the no-jump one keeps the
    // interaction that stalls the Omega = 0 one): no fallback.
    PointEvaluator automatic(PETSC_COMM_SELF, iterative);
    const PointResult a = automatic.evaluate(p);
    INFO(a.reason);
    REQUIRE(a.ok());
    CHECK_THAT(a.steady_state.solver, Catch::Contains("no-jump") && !Catch::StartsWith("ksp preonly"));
    check_currents_equal(a.observables->currents, solve_ok(ksp, p).currents, 1e-10);
  }
  // The Omega = 0 preconditioner alone (-sylvester_pc ensembles) stalls: the fallback's turn.
  NESSMAP_PETSC(PetscOptionsSetValue(nullptr, "-sylvester_pc", "ensembles"));
  PointEvaluator automatic(PETSC_COMM_SELF, iterative);
  auto sylvester = evaluator(Method::sylvester, Space::balanced);
  const PointResult s = sylvester.evaluate(p);
  INFO(s.reason);
  REQUIRE(s.ok());
  CHECK_THAT(s.steady_state.solver, Catch::StartsWith("ksp preonly") && Catch::Contains("after ksp gmres") &&
                                        Catch::Contains("did not converge"));
  // The thorough solve refines; the quick ksp one, on this ill-conditioned point, is good to its
  // estimate (~1e-11), not to 1e-12.
  check_currents_equal(s.observables->currents, solve_ok(ksp, p).currents, 1e-10);
  const PointResult a = automatic.evaluate(p);
  INFO(a.reason);
  REQUIRE(a.ok());
  CHECK_THAT(a.steady_state.solver, Catch::StartsWith("ksp preonly, pc lu") && Catch::Contains("after ksp gmres"));
  check_currents_equal(a.observables->currents, solve_ok(ksp, p).currents, 1e-10);
  NESSMAP_PETSC(PetscOptionsClearValue(nullptr, "-sylvester_pc"));
}

TEST_CASE("A reused solver gives what a fresh one gives", "[steady]") {
  // Consecutive points of one family overwrite values in the same Mat and reuse the symbolic
  // factorization; the result must not depend on what was solved before.
  // Sylvester also starts each point from the last state, which must not change the answer.
  std::mt19937 rng(16);
  for (Method m : {Method::ksp, Method::eps, Method::sylvester}) {
    auto reused = evaluator(m, Space::balanced);
    for (Bath bath : all_baths)
      for (int rep = 0; rep < 3; ++rep) {
        const SystemParameters p = random_point(rng, 2, bath, Coupling::all_to_all);
        auto fresh = evaluator(m, Space::balanced);
        check_currents_equal(solve_ok(reused, p).currents, solve_ok(fresh, p).currents,
                             m == Method::sylvester ? 1e-10 : 1e-12);
      }
  }
  // Across families: common/pairwise and cascaded/all_to_all have the same number of master-equation
  // terms for every N but different sparsity patterns, so the evaluator must not mix them up.
  for (Method m : {Method::ksp, Method::eps, Method::sylvester}) {
    auto reused = evaluator(m, Space::balanced);
    const std::pair<Bath, Coupling> sequence[] = {
        {Bath::common, Coupling::pairwise},      {Bath::cascaded, Coupling::all_to_all},
        {Bath::common, Coupling::pairwise},      {Bath::independent, Coupling::all_to_all},
        {Bath::cascaded, Coupling::pairwise},    {Bath::common, Coupling::all_to_all},
        {Bath::independent, Coupling::pairwise}, {Bath::cascaded, Coupling::all_to_all}};
    for (int N : {2, 3})
      for (const auto &[bath, coupling] : sequence) {
          const SystemParameters p = random_point(rng, N, bath, coupling);
          INFO(describe(p));
          auto fresh = evaluator(m, Space::balanced);
          if (m != Method::sylvester) {
            check_currents_equal(solve_ok(reused, p).currents, solve_ok(fresh, p).currents, 1e-12);
            continue;
          }
          // GMRES converges to its tolerance from either start, so 1e-10; and a point it cannot
          // solve (here one with nearly equal g under a common bath, nearly a dark state) fails
          // both ways. `auto` then falls back to LU (tested below).
          const PointResult a = reused.evaluate(p), b = fresh.evaluate(p);
          REQUIRE(a.failure == b.failure);
          if (a.ok()) check_currents_equal(a.observables->currents, b.observables->currents, 1e-10);
        }
  }
}

TEST_CASE("Identical qubits under a common bath: every method hands the null space to the null-space path",
          "[steady]") {
  // With uniform g the antisymmetric pair state is dark for both L and L^dag, so L has a null space
  // of dimension > 1 (2 at N = 2 type 2, physics.md) and any one solution of L rho = 0 is an arbitrary
  // member of it. Each method must notice, and the state must be the long-time limit from rho_0
  // (checked against time evolution in test_degenerate.cpp): here, the same state from every method
  // and space. Cascaded and independent baths break the symmetry and stay unique.
  SystemParameters p = paper_point(Bath::common, Coupling::pairwise, 1.5);
  p.g_h = {0.5, 0.5};
  p.g_c = {0.5, 0.5};
  std::optional<Currents> first;
  for (Method m : {Method::ksp, Method::eps, Method::sylvester})
    for (Space s : {Space::balanced, Space::full}) {
      INFO(to_string(m) << ", " << to_string(s));
      auto ev = evaluator(m, s);
      const PointResult r = ev.evaluate(p);
      INFO(r.reason << " (" << r.steady_state.solver << ")");
      REQUIRE(r.ok());
      if (s == Space::balanced) CHECK(r.steady_state.steady_state_dimension == 2);
      else CHECK(r.steady_state.steady_state_dimension >= 2);
      CHECK_THAT(r.steady_state.solver, Catch::StartsWith("null spaces of L and L^dagger"));
      // The real LU sees a singular matrix and leaves the verdict to PETSc's LU.
      if (m == Method::ksp) CHECK_THAT(r.steady_state.solver, Catch::Contains("(singular to roundoff))") ||
                                                                 Catch::Contains("(after real LU: a multiplier"));
      if (!first) first = r.observables->currents;
      else check_currents_equal(r.observables->currents, *first, 1e-9);
    }
  for (Bath bath : {Bath::cascaded, Bath::independent}) {
    p.bath = bath;
    auto ev = evaluator(Method::ksp, Space::balanced);
    solve_ok(ev, p);
  }
  // N = 3, where auto takes GMRES first: the dark state stops it, and the null-space path decides.
  // With uniform Omega the interaction leaves the dark states alone (physics.md: dimension 25 at
  // N = 3 type 1); with unequal Omega_ab it couples them to the other ensemble, and the state is
  // unique again.
  std::mt19937 rng(5);
  SystemParameters q = random_point(rng, 3, Bath::common, Coupling::all_to_all);
  q.g_h.assign(3, 0.5);
  q.g_c.assign(3, 0.5);
  const auto unequal = q.Omega;
  for (auto &row : q.Omega) std::fill(row.begin(), row.end(), 0.1);
  for (Method m : {Method::automatic, Method::sylvester}) {
    auto ev = evaluator(m, Space::balanced);
    const PointResult r = ev.evaluate(q);
    INFO(to_string(m) << ": " << r.reason << " (" << r.steady_state.solver << ")");
    REQUIRE(r.ok());
    CHECK(r.steady_state.steady_state_dimension == 25);
  }
  q.Omega = unequal;
  auto automatic = evaluator(Method::automatic, Space::balanced);
  auto ksp = evaluator(Method::ksp, Space::balanced);
  const PointResult r = automatic.evaluate(q);
  INFO(r.reason << " (" << r.steady_state.solver << ")");
  REQUIRE(r.ok());
  CHECK_THAT(r.steady_state.solver, Catch::Contains("after ksp gmres"));
  check_currents_equal(r.observables->currents, solve_ok(ksp, q).currents, 1e-12);
}

TEST_CASE("The null-space probe counts physics.md's steady-state dimensions", "[steady][null_space]") {
  // physics.md, "Master equation": with identical couplings under a common bath (omega_h = 1.5,
  // T_h = 2, T_c = 1, g = 0.5, Omega = 0.1) L's null space has dimension 4 at N = 2 type 1 and 2 at
  // N = 2 type 2; with the paper's non-uniform g, or a cascaded bath, it is 1.
  const auto dimension = [](const SystemParameters &p, int k) {
    SteadyStateSolver solver(PETSC_COMM_SELF, p.N, SolverConfig{Method::eps, Space::balanced});
    const MasterEquation me = build_master_equation(p);
    const SteadyState ss = solver.solve(me, initial_density_matrix(p, solver.space()));
    REQUIRE(ss.converged);
    const auto lambda = solver.eigenvalues_nearest_zero(me, k);
    // The solve measured the same dimension on its own (eps: its second eigenvalue; beyond one,
    // the null-space path counts them).
    CHECK(ss.steady_state_dimension == k - 1);
    REQUIRE(lambda.size() == static_cast<std::size_t>(k));
    const double zero = null_eigenvalue_tolerance * solver.liouvillian_norm();
    INFO("zero level " << zero << ", |lambda_" << k << "| = " << lambda.back());
    CHECK(lambda.back() > 1e3 * zero);  // the next eigenvalue is far from roundoff
    return std::count_if(lambda.begin(), lambda.end(), [&](double l) { return l <= zero; });
  };
  for (auto [coupling, expected] : {std::pair{Coupling::all_to_all, 4}, std::pair{Coupling::pairwise, 2}}) {
    SystemParameters p = paper_point(Bath::common, coupling, 1.5);
    p.g_h = {0.5, 0.5};
    p.g_c = {0.5, 0.5};
    INFO(to_string(coupling));
    CHECK(dimension(p, expected + 1) == expected);
    p.bath = Bath::cascaded;
    CHECK(dimension(p, 2) == 1);
    p = paper_point(Bath::common, coupling, 1.5);
    CHECK(dimension(p, 2) == 1);
  }
}

TEST_CASE("An eigenvector away from 0 is caught by its error estimate and solved again directly",
          "[steady][null_space]") {
  // N = 1 has no dark state; -eps_target -0.55 makes EPS return another eigenvector of L.
  SystemParameters p = paper_point(Bath::independent, Coupling::pairwise, 1.5);
  p.N = 1;
  p.g_h = {0.5};
  p.g_c = {0.5};
  p.Omega = {{0.1}};
  REQUIRE(PetscOptionsSetValue(nullptr, "-eps_target", "-0.55") == 0);
  PointResult r;
  {
    auto ev = evaluator(Method::eps, Space::balanced);
    r = ev.evaluate(p);
  }
  REQUIRE(PetscOptionsClearValue(nullptr, "-eps_target") == 0);
  INFO(r.reason << " (" << r.steady_state.solver << ")");
  // The first-order correction from the shift-and-invert LU is far larger than J itself: the point
  // is inaccurate, and solved again with the trace-row LU, which gives the closed form.
  REQUIRE(r.ok());
  CHECK_THAT(r.steady_state.solver, Catch::StartsWith("ksp preonly") &&
                                        Catch::Contains("(after eps krylovschur") &&
                                        Catch::Contains("the currents are not accurate to their tolerance"));
  auto ksp = evaluator(Method::ksp, Space::balanced);
  check_currents_equal(r.observables->currents, solve_ok(ksp, p).currents, 1e-12);
}
