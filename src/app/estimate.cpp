#include "app/estimate.hpp"

#include <algorithm>
#include <cstdio>

#include "liouvillian/liouvillian.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"
#include "observables/pairs.hpp"

namespace nessmap {

namespace {

constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
// Above this many rows the nonzeros are counted on an even sample of rows and extrapolated.
constexpr std::int64_t exact_rows = 200000;
constexpr std::int64_t sample_rows = 20000;

std::string bytes_text(double b) {
  char buf[32];
  if (b >= GiB) std::snprintf(buf, sizeof buf, "%.1f GiB", b / GiB);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024.0));
  return buf;
}

} // namespace

FamilyEstimate estimate_family(const SystemParameters &base, const SolverConfig &requested, int ranks) {
  FamilyEstimate e;
  e.system = base;
  const SolverConfig solver = for_point(requested, base);
  e.space = solver.space;
  if (e.space == Space::pairs) {
    // N separate pairs, one N = 1 balanced block each; its rows counted once.
    const SystemParameters pair = pair_parameters(base, 0);
    SolverConfig one = requested;
    one.space = Space::balanced;
    const FamilyEstimate f = estimate_family(pair, one);
    e.dimension = static_cast<std::int64_t>(space_dimension(Space::pairs, base.N));
    e.nonzeros = f.nonzeros * base.N;
    e.memory = estimate_memory(base.N, solver, e.nonzeros, ranks);
    return e;
  }
  if (e.space != Space::symmetric &&
      (base.N > qubit_basis_max_N || space_dimension(e.space, base.N) > static_cast<std::uint64_t>(PETSC_MAX_INT))) {
    // Beyond any index (PETSc's included, from N = 9 in the balanced space): no rows to count; the
    // estimate alone says it does not fit.
    e.dimension = static_cast<std::int64_t>(std::min<std::uint64_t>(space_dimension(e.space, base.N), INT64_MAX));
    e.memory = estimate_memory(base.N, solver, -1, ranks);
    return e;
  }
  const StateSpace space(e.space, base.N, base.coupling);
  const MasterEquation me = build_master_equation(base);
  e.dimension = space.dimension();
  const std::int64_t n = e.dimension;
  const std::int64_t step = n > exact_rows ? std::max<std::int64_t>(1, n / sample_rows) : 1;
  e.sampled = step > 1;
  RowEntries row;
  double counted = 0;
  std::int64_t rows = 0;
  // The symmetric space's terms once (liouvillian_row would read them for every row).
  const auto *basis = space.symmetric();
  const auto terms = basis ? symmetric_terms(me, *basis) : std::vector<SymmetricTerm>{};
  for (std::int64_t r = 1; r < n; r += step, ++rows) {
    if (basis) symmetric_row(*basis, terms, r, row);
    else liouvillian_row(space, me, r, row);
    counted += static_cast<double>(row.cols.size());
  }
  // Row 0: the trace row (one entry per diagonal element, 2^(2N)) for ksp, else L's own.
  const Method method = resolve_method(solver, base.N);
  liouvillian_row(space, me, 0, row);
  const double row0 = method == Method::ksp ? static_cast<double>(space.diagonal_indices().size())
                                            : static_cast<double>(row.cols.size());
  e.nonzeros = (rows > 0 ? counted / static_cast<double>(rows) * static_cast<double>(n - 1) : 0.0) + row0;
  e.memory = estimate_memory(base.N, solver, e.nonzeros, ranks);
  return e;
}

Fit where_it_fits(const MemoryEstimate &m, double available) {
  if (fits_in_memory(m.times(m.ranks), available)) return Fit::one_machine;  // the point's ranks together
  return m.ranks > 1 && fits_in_memory(m, available) ? Fit::k_machines : Fit::none;
}

std::vector<FamilyEstimate> estimate_families(const SweepConfig &config, int ranks) {
  std::int64_t per_family = 1;
  for (const auto &a : config.axes)
    if (!a.structural()) per_family *= static_cast<std::int64_t>(a.size());
  std::vector<FamilyEstimate> out;
  for (const auto &base : config.structural_bases) {
    out.push_back(estimate_family(base, config.base.solver, ranks));
    out.back().points = per_family;
  }
  return out;
}

std::string estimate_report(const SweepConfig &config, const std::vector<FamilyEstimate> &families,
                            double available) {
  std::string s;
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-12s %-11s %-9s %12s %14s %11s %12s %12s %-20s %10s\n", "N", "bath",
                "coupling", "space", "dimension", "nonzeros", "matrix", "+ LU", "+ GMRES", "method", "points");
  s += line;
  std::int64_t total = 0;
  bool fits = true;
  const int ranks = families.empty() ? 1 : families.front().memory.ranks;
  for (const auto &e : families) {
    const auto &m = e.memory;
    const Fit where = where_it_fits(m, available);
    const bool fit = where == Fit::one_machine;
    fits = fits && fit;
    const std::string method =
        std::string(to_string(m.method)) + (m.sectors ? "/sectors" : m.direct ? "/LU" : m.structured ? "/structured" : "");
    std::snprintf(line, sizeof line, "%-4d %-12s %-11s %-9s %12lld %13.4g%s %11s %12s %12s %-20s %10lld%s\n",
                  e.system.N, to_string(e.system.bath), to_string(e.system.coupling), to_string(e.space),
                  static_cast<long long>(e.dimension), e.nonzeros, e.sampled ? "~" : " ",
                  bytes_text(m.matrix_bytes).c_str(), bytes_text(m.assembled_bytes + m.factor_bytes).c_str(),
                  bytes_text(m.matrix_bytes + m.krylov_bytes).c_str(), method.c_str(),
                  static_cast<long long>(e.points),
                  where == Fit::one_machine  ? ""
                  : where == Fit::k_machines ? "  fits with each rank on its own machine"
                                             : "  does not fit");
    s += line;
    total += e.points;
  }
  if (!families.empty()) {
    std::snprintf(line, sizeof line, "+ GMRES: with GMRES(%d) (-ksp_gmres_restart R for another basis)\n",
                  families.front().memory.restart);
    s += line;
  }
  if (std::any_of(families.begin(), families.end(), [](const auto &e) { return e.memory.structured; }))
    s += "/structured: L applied without assembly (-sylvester_matrix); the matrix column is its factors and "
         "work vectors\n";
  if (ranks > 1)
    std::snprintf(line, sizeof line,
                  "%lld points in %zu famil%s; memory per rank of the %d ranks that split each point "
                  "(--ranks-per-point or sweep.ranks_per_point), with each family's method (LU: a direct "
                  "factorisation), against %s on this machine (%s)\n",
                  static_cast<long long>(total), families.size(), families.size() == 1 ? "y" : "ies", ranks,
                  bytes_text(available).c_str(),
                  fits ? "every family's point fits here on all its ranks" : "some points do not fit here on all their ranks");
  else
    std::snprintf(line, sizeof line,
                  "%lld points in %zu famil%s; memory per point with each family's method (LU: a direct "
                  "factorisation), against %s on this machine (%s)\n",
                  static_cast<long long>(total), families.size(), families.size() == 1 ? "y" : "ies",
                  bytes_text(available).c_str(), fits ? "every family fits" : "some do not fit");
  s += line;
  if (std::any_of(families.begin(), families.end(), [](const auto &e) { return e.sampled; }))
    s += "~ nonzeros extrapolated from a sample of rows\n";

  (void)config;
  return s;
}

} // namespace nessmap
