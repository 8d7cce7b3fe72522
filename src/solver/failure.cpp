#include "solver/failure.hpp"

namespace nessmap {

namespace {

struct FailureText {
  const char *name, *headline;
};

// Indexed by the enumeration's value.
constexpr FailureText failure_table[failure_kinds] = {
    {"none", "ok"},
    {"not_converged", "solver did not converge"},
    {"not_unique", "the steady state is not unique"},
    {"not_finite", "the solution is not finite"},
    {"not_hermitian", "rho is not Hermitian"},
    {"not_positive", "rho has a negative eigenvalue beyond tolerance"},
    {"error", "error"},
    {"inaccurate", "the currents are not accurate to their tolerance"},
};

} // namespace

const char *to_string(Failure f) { return failure_table[static_cast<int>(f)].name; }

const char *headline(Failure f) { return failure_table[static_cast<int>(f)].headline; }

std::string failure_text(Failure f, const std::string &detail) {
  std::string text = headline(f);
  if (!detail.empty()) text += ": " + detail;
  return text;
}

} // namespace nessmap
