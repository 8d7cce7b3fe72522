#pragma once
// Parameter sets shared by the tests: the paper's (physics.md, "The paper's parameter set") and
// random non-uniform points.
#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "model/parameters.hpp"
#include "observables/thermodynamics.hpp"

namespace nessmap::testing {

// The paper's N = 2 point (cascaded, type 2) as a YAML system section, for sweep fixtures.
inline const std::string paper_system_yaml = R"(system:
  N: 2
  bath: cascaded
  coupling: pairwise
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: [0.5, 0.55]
  g_c: [0.5, 0.55]
  Omega: 0.1
)";

// Figs. 2-4: N = 2, g = (0.5, 0.55) per ensemble, T_h = 2, T_c = 1, omega_c = 1, Omega = 0.1.
inline SystemParameters paper_point(Bath bath, Coupling coupling, double x) {
  SystemParameters p;
  p.N = 2;
  p.bath = bath;
  p.coupling = coupling;
  p.omega_c = 1.0;
  p.omega_h = x;
  p.T_h = 2.0;
  p.T_c = 1.0;
  p.g_h = {0.5, 0.55};
  p.g_c = {0.5, 0.55};
  p.Omega = coupling == Coupling::pairwise ? std::vector<std::vector<double>>{{0.1, 0.0}, {0.0, 0.1}}
                                           : std::vector<std::vector<double>>{{0.1, 0.1}, {0.1, 0.1}};
  return p;
}

// physics.md, "Exact results": the N = 1 excitation current of qubit pair 0 (g_h[0], g_c[0],
// Omega[0][0]), nbar written so that it neither overflows at T -> 0 nor loses digits at T -> inf.
inline double closed_form_J(const SystemParameters &p) {
  const auto nbar = [](double x) { return std::exp(-x) / -std::expm1(-x); };
  const double n_h = nbar(p.omega_h / p.T_h), n_c = nbar(p.omega_c / p.T_c);
  const double g_h = p.g_h[0], g_c = p.g_c[0], Omega = p.Omega[0][0];
  const double G_h = g_h * g_h * (2 * n_h + 1), G_c = g_c * g_c * (2 * n_c + 1);
  const double p_h = n_h / (2 * n_h + 1), p_c = n_c / (2 * n_c + 1);
  const double G = G_h + G_c, D = p.omega_h - p.omega_c;
  const double kappa = 4 * Omega * Omega * G / (G * G + 4 * D * D);
  return kappa * (p_h - p_c) / (1 + kappa * (1 / G_h + 1 / G_c));
}

// Random non-uniform point (distinct g per qubit, so the steady state is unique).
template <class Rng>
SystemParameters random_point(Rng &rng, int N, Bath bath, Coupling coupling) {
  std::uniform_real_distribution<double> g(0.3, 0.7), w(0.05, 0.2), om(0.3, 3.0), T(0.5, 3.0);
  SystemParameters p;
  p.N = N;
  p.bath = bath;
  p.coupling = coupling;
  p.omega_c = 1.0;
  p.omega_h = om(rng);
  p.T_h = T(rng);
  p.T_c = T(rng);
  for (int n = 0; n < N; ++n) {
    p.g_h.push_back(g(rng));
    p.g_c.push_back(g(rng));
  }
  p.Omega.assign(N, std::vector<double>(N, 0.0));
  for (int a = 0; a < N; ++a)
    for (int b = 0; b < N; ++b)
      if (coupling == Coupling::all_to_all || a == b) p.Omega[a][b] = w(rng);
  return p;
}

// A point with the permutation symmetry (physics.md, "Structure worth exploiting"): the same g in
// each ensemble (g_h != g_c allowed), one Omega for every coupled pair; omega_h = 1.5, omega_c = 1,
// T_h = 2, T_c = 1.
inline SystemParameters uniform_point(int N, Bath bath, Coupling coupling, double g_h = 0.5, double g_c = 0.6,
                                      double Omega = 0.1) {
  SystemParameters p;
  p.N = N;
  p.bath = bath;
  p.coupling = coupling;
  p.omega_h = 1.5;
  p.omega_c = 1.0;
  p.T_h = 2.0;
  p.T_c = 1.0;
  p.g_h.assign(N, g_h);
  p.g_c.assign(N, g_c);
  p.Omega.assign(N, std::vector<double>(N, 0.0));
  for (int a = 0; a < N; ++a)
    for (int b = 0; b < N; ++b)
      if (coupling == Coupling::all_to_all || a == b) p.Omega[a][b] = Omega;
  return p;
}

inline constexpr Bath all_baths[] = {Bath::common, Bath::cascaded, Bath::independent};
inline constexpr Coupling all_couplings[] = {Coupling::pairwise, Coupling::all_to_all};

// Every parameter of a point, to 17 digits, for failure messages.
inline std::string describe(const SystemParameters &p) {
  std::ostringstream s;
  s.precision(17);
  s << "N=" << p.N << " bath=" << to_string(p.bath) << " coupling=" << to_string(p.coupling)
    << " omega_h=" << p.omega_h << " omega_c=" << p.omega_c << " T_h=" << p.T_h << " T_c=" << p.T_c
    << " g_h=[";
  for (double g : p.g_h) s << g << ' ';
  s << "] g_c=[";
  for (double g : p.g_c) s << g << ' ';
  s << "] Omega=[";
  for (const auto &row : p.Omega) {
    for (double w : row) s << w << ' ';
    s << ';';
  }
  s << ']';
  return s.str();
}

// Largest |current| of a point, the natural yardstick for relative comparisons.
inline double current_magnitude(const Currents &c) {
  return std::max({std::abs(c.W), std::abs(c.Q_h), std::abs(c.Q_c)});
}

} // namespace nessmap::testing
