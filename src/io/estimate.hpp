#pragma once
// `nessmap estimate`: what one point of each family of a config costs before anything runs:
// dimension, nonzeros of the Liouvillian and memory for a direct (LU) and an iterative solve.
#include <cstdint>
#include <string>
#include <vector>

#include "io/config.hpp"

namespace nessmap {

struct FamilyEstimate {
  SystemParameters system;   // the family's base (N, bath, coupling)
  Space space = Space::balanced;
  std::int64_t dimension = 0;
  double nonzeros = 0;       // of the Liouvillian with the trace row
  bool sampled = false;      // nonzeros extrapolated from a sample of rows (large dimensions)
  double matrix_bytes = 0;   // the assembled matrix
  double lu_bytes = 0;       // LU factors (about half of n^2 entries fill in, physics.md)
  double krylov_bytes = 0;   // GMRES(30) basis and work vectors
  std::int64_t points = 0;   // points of the sweep in this family
};

// One entry per family of the sweep (a point config is a sweep of one point).
std::vector<FamilyEstimate> estimate_families(const SweepConfig &config);

// The table printed by `nessmap estimate`; `direct` says which column decides whether it fits.
std::string estimate_report(const SweepConfig &config, const std::vector<FamilyEstimate> &families,
                            double available_bytes, bool direct);

} // namespace nessmap
