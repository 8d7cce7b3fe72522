// Currents, explicit forms and coherence quantities of the library against the independent dense
// reference (tests/dense_reference.hpp), at the dense reference's own steady state, for N = 2 and
// N = 3, every bath model and coupling, random non-uniform parameters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dense_reference.hpp"
#include "fixtures.hpp"
#include "model/master_equation.hpp"
#include "model/parameters.hpp"
#include "model/state_space.hpp"
#include "model/density_matrix.hpp"
#include "observables/thermodynamics.hpp"

using dense_ref::cd;
using dense_ref::Matrix;

#define CHECK_CLOSE(a, b, tol)                                                                     \
  do {                                                                                             \
    const double check_close_a_ = (a), check_close_b_ = (b), check_close_t_ = (tol);              \
    INFO(std::setprecision(17) << #a " = " << check_close_a_ << ", " #b " = " << check_close_b_   \
                               << ", diff " << (check_close_a_ - check_close_b_) << ", tol "       \
                               << check_close_t_);                                                 \
    CHECK(std::abs(check_close_a_ - check_close_b_) <= check_close_t_);                            \
  } while (0)

namespace {


void check_point(int N, nessmap::Bath bath, nessmap::Coupling coupling, int seed) {
  std::mt19937_64 rng(0xe1f0000u + 100u * static_cast<unsigned>(N) +
                      10u * static_cast<unsigned>(bath) + static_cast<unsigned>(coupling) +
                      7919u * static_cast<unsigned>(seed));
  auto p = nessmap::testing::random_point(rng, N, bath, coupling);
  // Odd seeds of all_to_all drop one coupled pair: P (physics.md) is the set with Omega_ab != 0,
  // so the coherence sums must skip it while the work formulas weigh it by zero.
  if (coupling == nessmap::Coupling::all_to_all && seed % 2 == 1) p.Omega[0][N - 1] = 0.0;
  p.validate();
  INFO("seed=" << seed << " " << nessmap::testing::describe(p));

  // Dense reference steady state on the balanced block (its own row-major ordering).
  const auto M = dense_ref::make_model(p);
  const auto pairs = dense_ref::balanced_pairs(N);
  const Matrix rho = dense_ref::steady_state(M, pairs);

  // Sanity of the reference solution: trace 1, Hermitian, L(rho) = 0.
  REQUIRE(std::abs(dense_ref::trace(rho) - 1.0) < 1e-12);
  REQUIRE(dense_ref::max_abs_diff(rho, dense_ref::adjoint(rho)) < 1e-12);
  REQUIRE(dense_ref::max_abs(dense_ref::apply_L(M, rho)) < 1e-12);

  // The library's DensityMatrix in the balanced space ordering.
  const nessmap::StateSpace space(nessmap::Space::balanced, N);
  std::vector<nessmap::Complex> values(static_cast<std::size_t>(space.dimension()));
  for (std::int64_t r = 0; r < space.dimension(); ++r) {
    nessmap::Bits m, n;
    space.element(r, m, n);
    values[static_cast<std::size_t>(r)] = rho(m, n);
  }
  const nessmap::DensityMatrix lrho(space, std::move(values));
  REQUIRE(std::abs(lrho.trace() - 1.0) < 1e-12);
  CHECK(lrho.min_eigenvalue() > -1e-12);

  const auto me = nessmap::build_master_equation(p);
  const nessmap::Currents lib = nessmap::currents(p, lrho);
  const nessmap::Currents defined = nessmap::definition_currents(p, me, lrho);
  const dense_ref::Currents ref = dense_ref::currents(M, rho);

  double scale = 0;
  for (double v : {ref.Q_h, ref.Q_h_loc, ref.Q_h_nonloc, ref.Q_c, ref.Q_c_loc, ref.Q_c_nonloc,
                   ref.W, ref.W_loc, ref.W_nonloc})
    scale = std::max(scale, std::abs(v));
  REQUIRE(scale > 0);
  const double tol = 1e-10 * scale + 1e-14;

  // (a) currents() (the forms without cancellation) and definition_currents() (the library's trace
  // definitions) equal the dense reference's trace definitions.
  CHECK_CLOSE(defined.Q_h, ref.Q_h, tol);
  CHECK_CLOSE(defined.Q_h_loc, ref.Q_h_loc, tol);
  CHECK_CLOSE(defined.Q_h_nonloc, ref.Q_h_nonloc, tol);
  CHECK_CLOSE(defined.Q_c, ref.Q_c, tol);
  CHECK_CLOSE(defined.Q_c_loc, ref.Q_c_loc, tol);
  CHECK_CLOSE(defined.Q_c_nonloc, ref.Q_c_nonloc, tol);
  CHECK_CLOSE(defined.W, ref.W, tol);
  CHECK_CLOSE(defined.W_loc, ref.W_loc, tol);
  CHECK_CLOSE(defined.W_nonloc, ref.W_nonloc, tol);
  CHECK_CLOSE(defined.excitation_current, ref.excitation_current, tol);
  CHECK_CLOSE(lib.Q_h, ref.Q_h, tol);
  CHECK_CLOSE(lib.Q_h_loc, ref.Q_h_loc, tol);
  CHECK_CLOSE(lib.Q_h_nonloc, ref.Q_h_nonloc, tol);
  CHECK_CLOSE(lib.Q_c, ref.Q_c, tol);
  CHECK_CLOSE(lib.Q_c_loc, ref.Q_c_loc, tol);
  CHECK_CLOSE(lib.Q_c_nonloc, ref.Q_c_nonloc, tol);
  CHECK_CLOSE(lib.W, ref.W, tol);
  CHECK_CLOSE(lib.W_loc, ref.W_loc, tol);
  CHECK_CLOSE(lib.W_nonloc, ref.W_nonloc, tol);
  CHECK_CLOSE(lib.excitation_current, ref.excitation_current, tol);

  // (b) explicit forms equal the generic traces.
  namespace ef = nessmap::explicit_form;
  CHECK_CLOSE(ef::Q_loc(p, lrho, nessmap::Ensemble::hot), ref.Q_h_loc, tol);
  CHECK_CLOSE(ef::Q_loc(p, lrho, nessmap::Ensemble::cold), ref.Q_c_loc, tol);
  CHECK_CLOSE(ef::Q_nonloc(p, lrho, nessmap::Ensemble::hot), ref.Q_h_nonloc, tol);
  CHECK_CLOSE(ef::Q_nonloc(p, lrho, nessmap::Ensemble::cold), ref.Q_c_nonloc, tol);
  CHECK_CLOSE(ef::W_loc(p, lrho), ref.W_loc, tol);
  CHECK_CLOSE(ef::W_nonloc(p, lrho), ref.W_nonloc, tol);
  if (bath == nessmap::Bath::independent) {
    CHECK(std::abs(ref.Q_h_nonloc) <= 1e-14);
    CHECK(std::abs(ref.Q_c_nonloc) <= 1e-14);
    CHECK(std::abs(ref.W_nonloc) <= 1e-14);
  }

  // (c) coherence quantities.
  const nessmap::Coherences lc = nessmap::coherences(p, lrho);
  const dense_ref::Coherences rc = dense_ref::coherences(M, rho);
  const double ctol =
      1e-10 * std::max({std::abs(rc.C_loc), std::abs(rc.C_nonloc), std::abs(rc.C_nonloc_factorized)}) +
      1e-14;
  CHECK_CLOSE(lc.C_loc, rc.C_loc, ctol);
  CHECK_CLOSE(lc.C_nonloc, rc.C_nonloc, ctol);
  CHECK_CLOSE(lc.C_nonloc_factorized, rc.C_nonloc_factorized, ctol);

  // (d) first law, excitation current, second law.
  CHECK_CLOSE(lib.W + lib.Q_h + lib.Q_c, 0.0, tol);
  CHECK_CLOSE(ref.W + ref.Q_h + ref.Q_c, 0.0, tol);
  CHECK_CLOSE(lib.Q_h / p.omega_h + lib.Q_c / p.omega_c, 0.0, tol);
  CHECK_CLOSE(lib.Q_h, p.omega_h * lib.excitation_current, tol);
  CHECK_CLOSE(lib.Q_c, -p.omega_c * lib.excitation_current, tol);
  const double sigma = -lib.Q_h / p.T_h - lib.Q_c / p.T_c;
  INFO("entropy production " << sigma);
  CHECK(sigma >= -1e-14);
}

} // namespace

TEST_CASE("currents / explicit forms and coherences match the dense reference / N = 2", "[explicit]") {
  for (auto bath : {nessmap::Bath::common, nessmap::Bath::cascaded, nessmap::Bath::independent})
    for (auto coupling : {nessmap::Coupling::pairwise, nessmap::Coupling::all_to_all})
      for (int seed = 0; seed < 5; ++seed) check_point(2, bath, coupling, seed);
}

TEST_CASE("currents / explicit forms and coherences match the dense reference / N = 3", "[explicit]") {
  for (auto bath : {nessmap::Bath::common, nessmap::Bath::cascaded, nessmap::Bath::independent})
    for (auto coupling : {nessmap::Coupling::pairwise, nessmap::Coupling::all_to_all})
      for (int seed = 0; seed < 3; ++seed) check_point(3, bath, coupling, seed);
}

TEST_CASE("A currents plan serves exactly its family", "[explicit]") {
  using namespace nessmap;
  std::mt19937 rng(77);
  const SystemParameters p = testing::random_point(rng, 2, Bath::common, Coupling::all_to_all);
  const CurrentsPlan plan(p, build_master_equation(p));
  // Other parameter values of the family: the plan fits and gives what a fresh plan gives.
  for (int k = 0; k < 3; ++k) {
    SystemParameters q = testing::random_point(rng, 2, Bath::common, Coupling::all_to_all);
    const MasterEquation me = build_master_equation(q);
    REQUIRE(plan.fits(q, me));
    const Matrix rho = dense_ref::steady_state(dense_ref::make_model(q), dense_ref::balanced_pairs(2));
    const StateSpace space(Space::balanced, 2);
    std::vector<Complex> values(static_cast<std::size_t>(space.dimension()));
    for (std::int64_t r = 0; r < space.dimension(); ++r) {
      Bits m, n;
      space.element(r, m, n);
      values[static_cast<std::size_t>(r)] = rho(m, n);
    }
    const DensityMatrix lrho(space, std::move(values));
    const Currents a = plan.evaluate(q, me, lrho), b = CurrentsPlan(q, me).evaluate(q, me, lrho);
    CHECK(a.W == b.W);
    CHECK(a.Q_h_nonloc == b.Q_h_nonloc);
    CHECK(a.excitation_current == b.excitation_current);
  }
  // Another bath, coupling or N changes the terms: the plan does not fit.
  for (auto [N, bath, coupling] : {std::tuple{2, Bath::cascaded, Coupling::all_to_all},
                                   std::tuple{2, Bath::common, Coupling::pairwise},
                                   std::tuple{3, Bath::common, Coupling::all_to_all}}) {
    const SystemParameters q = testing::random_point(rng, N, bath, coupling);
    CHECK_FALSE(plan.fits(q, build_master_equation(q)));
  }
}
