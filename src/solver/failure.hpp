#pragma once
// Why a point has no trustworthy value: one enumeration, carried as data from the solver through
// the point and the journal into the output files (the netCDF variable `failure`, whose
// flag_values and flag_meanings are these codes and names), with one message table.
//
// A failure is a kind plus a detail that names what was measured ("LU meets a pivot below 1e-12 of
// its row", "max |rho_mn - conj(rho_nm)| = 3e-5"); `failure_text` composes the reason printed in
// the JSON and stored in the files.
#include <cstdint>
#include <string>

namespace nessmap {

enum class Failure : std::int8_t {
  none = 0,          // the point is ok
  not_converged = 1, // the solver stopped without meeting its tolerance (PETSc/SLEPc's reason)
  not_unique = 2,    // L's null space could not be resolved into the state reached from rho_0
  not_finite = 3,    // the solution or a current is NaN or infinite, or rho has zero trace
  not_hermitian = 4, // rho differs from rho^dagger beyond tolerance
  not_positive = 5,  // rho has a negative eigenvalue beyond tolerance
  error = 6,         // an exception (PETSc error, out of memory, ...) while solving the point
  inaccurate = 7,    // the currents' estimated error exceeds their tolerance (or L's gap is too close
                     // to roundoff to tell a unique state from a degenerate one)
};
inline constexpr int failure_kinds = 8;

// The name of a kind, as in the netCDF flag_meanings: "none", "not_converged", ...
const char *to_string(Failure f);
// The headline of a reason: "solver did not converge", "the steady state is not unique", ...
const char *headline(Failure f);
// The reason as printed: the headline, ": " and the detail.
std::string failure_text(Failure f, const std::string &detail);

} // namespace nessmap
