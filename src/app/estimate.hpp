#pragma once
// `nessmap estimate`: what one point of each family of a config costs before anything runs:
// dimension, nonzeros of the Liouvillian and memory for a direct (LU) and an iterative solve.
#include <cstdint>
#include <string>
#include <vector>

#include "sweep/sweep_config.hpp"
#include "solver/steady_state.hpp"

namespace nessmap {

struct FamilyEstimate {
  SystemParameters system;   // the family's base (N, bath, coupling)
  Space space = Space::balanced;
  std::int64_t dimension = 0;
  double nonzeros = 0;       // of the matrix the method assembles (ksp: with the trace row)
  bool sampled = false;      // nonzeros extrapolated from a sample of rows (large dimensions)
  MemoryEstimate memory;     // method, matrix, LU factors and Krylov work (steady_state.hpp)
  std::int64_t points = 0;   // points of the sweep in this family
};

// One point of the family of `base` (N, bath, coupling) solved as `solver` asks (resolved by
// for_point): the nonzeros counted row by row, on an even sample of 20,000 rows above 200,000.
// Serial; builds the space and the master equation (seconds at N = 40 in the symmetric space).
// `ranks`: the ranks one point is split over (--ranks-per-point); the memory is then per rank.
FamilyEstimate estimate_family(const SystemParameters &base, const SolverConfig &solver, int ranks = 1);

// One entry per family of the sweep (a point config is a sweep of one point).
std::vector<FamilyEstimate> estimate_families(const SweepConfig &config, int ranks = 1);

// Where one point of the family fits: its K ranks on this one machine, only with each rank on a
// machine of its own (K machines like this one), or nowhere.
enum class Fit { one_machine, k_machines, none };
Fit where_it_fits(const MemoryEstimate &m, double available_bytes);

// The table printed by `nessmap estimate`; each family's method decides which column must fit.
// With ranks > 1 the memory columns are per rank.
std::string estimate_report(const SweepConfig &config, const std::vector<FamilyEstimate> &families,
                            double available_bytes);

} // namespace nessmap
