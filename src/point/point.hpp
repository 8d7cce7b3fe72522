#pragma once
// One parameter point: steady state, observables and a status. A solver is kept per family
// (N, bath, coupling, space, method) so that consecutive points reuse its PETSc objects.
#include <memory>
#include <optional>
#include <string>

#include "observables/thermodynamics.hpp"
#include "solver/steady_state.hpp"

namespace nessmap {

struct PointResult {
  // none when the point is ok. A default-constructed result has nothing solved: error.
  Failure failure = Failure::error;
  std::string reason;               // failure_text(failure, what was measured); empty when ok
  SteadyState steady_state;         // diagnostics (rho dropped once observables are computed)
  std::optional<Observables> observables;
  std::int64_t dimension = 0, nnz = 0;
  Space space = Space::balanced;  // the space that solved it (SolverConfig::space resolved; on an
                                  // error, the space it was to be solved in)
  // Relative error of the currents Q_h, Q_c, W (each a multiple of J): excitation_current_error / |J|,
  // infinite at J = 0; NaN when nothing was solved.
  double current_error = 0;

  bool ok() const { return failure == Failure::none; }
};

// A point is ok only when the estimated error of its currents (all multiples of the excitation
// current J) is at most current_tolerance |J| + zero_current_tolerance sum_{(a,b) in P} |Omega_ab|,
// the second term being that share of the largest current the interaction can carry (where J is
// 0, as on the reversibility line, no relative accuracy exists). A method other than ksp whose
// estimate misses the relative tolerance has its point solved again directly where the LU fits.
inline constexpr double current_tolerance = 1e-6;
inline constexpr double zero_current_tolerance = 1e-12;
// rho's departures from Hermiticity and positivity are judged against its estimated error
// (SteadyState::correction, state_error): they may reach this many times it, plus this many
// rounding units, before the point fails.
inline constexpr double state_error_allowance = 10;
// An inaccurate point's reason calls L "nearly degenerate" when |lambda_2| is at most this times ||L||_1.
inline constexpr double nearly_degenerate_gap = 1e-6;
inline constexpr double state_rounding_allowance = 1000;

// The status follows physics.md and solver/steady_state.hpp: a point is ok when the solve converged,
// its state is finite, Hermitian and positive within its estimated error, and its currents are
// accurate to current_tolerance; otherwise it fails with the first kind that applies and what was
// measured (an inaccurate point names L's gap, measured then).
//
// Contract: evaluate() is collective over `comm` (the ranks that solve one point together) and
// never throws: an exception becomes a failed result with Failure::error, and the next point starts
// from a fresh solver. The comm is kept and must outlive the evaluator. Currents are in omega_c^2
// (hbar = 1, energies and rates in units of omega_c), as physics.md defines them.
class PointEvaluator {
public:
  PointEvaluator(MPI_Comm comm, SolverConfig config);
  PointResult evaluate(const SystemParameters &p);

private:
  PointResult evaluate_unguarded(const SystemParameters &p);
  // Space pairs (type 2 under independent baths): each distinct pair (g_h, g_c, Omega) solved as
  // an N = 1 point in the balanced block, the observables composed (observables/pairs.hpp). The
  // point fails as its first failing pair does, its reason naming the pair; it is ok when every
  // pair is and the summed error of J meets the tolerance below. Diagnostics: residual_norm,
  // state_error and trace_error are the sums of the pairs' (bounds of the product's), iterations
  // the most of a pair, steady_state_dimension the product of theirs, gap the smallest.
  PointResult evaluate_pairs(const SystemParameters &p);
  // The status of a solved point (the checks above); `probe`: measure L's spectrum for the reason
  // of a failed check.
  PointResult judge(const SystemParameters &p, const MasterEquation &me, SteadyState solved, bool probe);

  MPI_Comm comm_;
  SolverConfig config_;
  int family_N_ = -1;
  Space family_space_ = Space::automatic;
  Coupling family_coupling_ = Coupling::pairwise;
  Bath family_bath_ = Bath::common;
  std::unique_ptr<SteadyStateSolver> solver_;
  std::optional<CurrentsPlan> currents_plan_;  // of the last family
  std::unique_ptr<PointEvaluator> pair_evaluator_;  // space pairs: the N = 1 points
};

} // namespace nessmap
