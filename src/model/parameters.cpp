#include "model/parameters.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nessmap {

const char *to_string(Bath b) {
  switch (b) {
  case Bath::common: return "common";
  case Bath::cascaded: return "cascaded";
  case Bath::independent: return "independent";
  }
  return "?";
}

const char *to_string(Coupling c) {
  return c == Coupling::pairwise ? "pairwise" : "all_to_all";
}

Bath parse_bath(const std::string &s) {
  if (s == "common") return Bath::common;
  if (s == "cascaded") return Bath::cascaded;
  if (s == "independent") return Bath::independent;
  throw std::invalid_argument("bath must be one of common, cascaded, independent; got '" + s + "'");
}

Coupling parse_coupling(const std::string &s) {
  if (s == "pairwise") return Coupling::pairwise;
  if (s == "all_to_all") return Coupling::all_to_all;
  throw std::invalid_argument("coupling must be one of pairwise, all_to_all; got '" + s + "'");
}

std::string to_string(const InitialState &s) {
  switch (s.kind) {
  case InitialKind::thermal: return "thermal";
  case InitialKind::ground: return "ground";
  case InitialKind::populations: break;
  }
  // The shortest text of each number that reads back exactly.
  auto number = [](double x) {
    char text[32];
    const auto [end, err] = std::to_chars(text, text + sizeof text, x);
    return err == std::errc() ? std::string(text, end) : std::to_string(x);
  };
  return "{p_h: " + number(s.p_h) + ", p_c: " + number(s.p_c) + "}";
}

double SystemParameters::initial_population(Ensemble e) const {
  switch (initial_state.kind) {
  case InitialKind::thermal: return 1.0 / (std::exp(omega(e) / T(e)) + 1.0);
  case InitialKind::ground: return 0.0;
  case InitialKind::populations: break;
  }
  return e == Ensemble::hot ? initial_state.p_h : initial_state.p_c;
}

double SystemParameters::nbar(Ensemble e) const { return 1.0 / std::expm1(omega(e) / T(e)); }

double SystemParameters::gamma_minus(Ensemble e, int k, int l) const {
  return g(e)[k] * g(e)[l] * (nbar(e) + 1.0);
}

double SystemParameters::gamma_plus(Ensemble e, int k, int l) const {
  return g(e)[k] * g(e)[l] * nbar(e);
}

std::vector<std::pair<int, int>> SystemParameters::coupled_pairs() const {
  std::vector<std::pair<int, int>> pairs;
  for (int a = 0; a < N; ++a) {
    if (coupling == Coupling::pairwise) {
      pairs.emplace_back(a, a);
    } else {
      for (int b = 0; b < N; ++b) pairs.emplace_back(a, b);
    }
  }
  return pairs;
}

void SystemParameters::validate() const {
  auto positive = [](double v, const char *name) {
    if (!std::isfinite(v) || v <= 0)
      throw std::invalid_argument(std::string(name) + " must be a positive finite number");
  };
  if (N < 1) throw std::invalid_argument("N must be at least 1");
  if (N > max_N)
    throw std::invalid_argument("N must be at most " + std::to_string(max_N) + " " + why_max_N);
  positive(omega_h, "omega_h");
  positive(omega_c, "omega_c");
  positive(T_h, "T_h");
  positive(T_c, "T_c");
  for (const auto *g : {&g_h, &g_c}) {
    const char *name = g == &g_h ? "g_h" : "g_c";
    if (static_cast<int>(g->size()) != N)
      throw std::invalid_argument(std::string(name) + " must have N entries");
    for (double v : *g)
      if (!std::isfinite(v) || v < 0)
        throw std::invalid_argument(std::string(name) + " entries must be finite and >= 0");
  }
  if (initial_state.kind == InitialKind::populations)
    for (double v : {initial_state.p_h, initial_state.p_c})
      if (!(v >= 0 && v <= 1))
        throw std::invalid_argument("initial_state populations p_h and p_c must lie in [0, 1]");
  if (static_cast<int>(Omega.size()) != N)
    throw std::invalid_argument("Omega must be N x N");
  for (int a = 0; a < N; ++a) {
    if (static_cast<int>(Omega[a].size()) != N) throw std::invalid_argument("Omega must be N x N");
    for (int b = 0; b < N; ++b) {
      if (!std::isfinite(Omega[a][b])) throw std::invalid_argument("Omega entries must be finite");
      if (coupling == Coupling::pairwise && a != b && Omega[a][b] != 0)
        throw std::invalid_argument("pairwise coupling has only diagonal Omega entries");
    }
  }
}

} // namespace nessmap
