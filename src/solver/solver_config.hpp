#pragma once
// How the steady state of a point is found: the solver's own configuration (config/ reads it from
// the YAML section `solver`; the PETSc/SLEPc options database refines it at run time).
#include <cstdint>

#include "model/state_space.hpp"

namespace nessmap {

// How the steady state is found (steady_state.hpp):
//   auto       by size: ksp (direct LU) up to `auto_direct_max_dimension` (N <= 2), sylvester above
//   ksp        L with a trace row, KSP; direct LU unless the PETSc options choose otherwise
//   eps        SLEPc, the eigenvector of L nearest 0
//   sylvester  GMRES on L, preconditioned by the exact inverse of the Omega = 0 Liouvillian
enum class Method { automatic, ksp, eps, sylvester };
const char *to_string(Method m);

// `auto` solves directly up to this dimension: N = 2 (balanced 70, full 256); from N = 3 (924)
// GMRES with the Sylvester preconditioner is faster (tests/benchmarks/results/ has the numbers).
inline constexpr std::uint64_t default_direct_max_dimension = 300;

struct SolverConfig {
  Method method = Method::automatic;
  // The YAML's choice (auto: symmetric where the configuration has the symmetry); a solver is
  // made for a resolved space (for_point).
  Space space = Space::automatic;
  // Not YAML keys: the family's coupling, which decides the symmetric space's units, and its bath
  // (a common bath of identical qubits has degenerate steady states; resolve_method and
  // symmetric_iterative read both).
  Coupling coupling = Coupling::pairwise;
  Bath bath = Bath::common;
  // Not a YAML key: a knob for tests.
  std::uint64_t auto_direct_max_dimension = default_direct_max_dimension;
  // An iterative solve still running after this many seconds reports its progress on stderr every
  // as many seconds (0: never); a sweep uses its --progress-interval (at least 1 s), `--quiet`
  // turns it off.
  double progress_seconds = 10;
};

// `c` for the point p: its space resolved (resolve_space; balanced for method sylvester, which
// needs the Kronecker structure of the qubit basis) and p's coupling.
inline SolverConfig for_point(SolverConfig c, const SystemParameters &p) {
  c.space = c.method == Method::sylvester && c.space == Space::automatic ? Space::balanced : resolve_space(c.space, p);
  c.coupling = p.coupling;
  c.bath = p.bath;
  return c;
}

} // namespace nessmap
