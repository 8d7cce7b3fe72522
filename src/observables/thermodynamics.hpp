#pragma once
// Currents, coherence quantities, operating regime and figures of merit of physics.md.
//
// The currents are computed from their definitions, traces of an operator against a subset of the
// master-equation terms evaluated at rho; the explicit forms (physics.md, "Explicit forms") are
// separate functions, tested against the definitions.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/master_equation.hpp"
#include "model/parameters.hpp"
#include "observables/density_matrix.hpp"

namespace nessmap {

// Tr[ X sum_{t selected} coef_t A_t rho B_t ] = sum_t coef_t <B_t X A_t>.
Complex trace_against(const DensityMatrix &rho, const Operator &X, const MasterEquation &me,
                      const std::function<bool(const SuperTerm &)> &select);

struct Currents {
  double Q_h = 0, Q_h_loc = 0, Q_h_nonloc = 0;
  double Q_c = 0, Q_c_loc = 0, Q_c_nonloc = 0;
  double W = 0, W_loc = 0, W_nonloc = 0;
  double excitation_current = 0;  // Tr[N_h D^(h)(rho)]: excitations entering from the hot bath
};

// From the definitions: Q_i = Tr[H_0^(i) D^(i)(rho)], W = Tr[H_I sum_i D^(i)(rho)], split into
// the loc and nonloc dissipators.
Currents currents(const SystemParameters &p, const MasterEquation &me, const DensityMatrix &rho);

// Explicit forms of physics.md (valid for any N, non-uniform g and Omega).
namespace explicit_form {
double Q_loc(const SystemParameters &p, const DensityMatrix &rho, Ensemble e);
double Q_nonloc(const SystemParameters &p, const DensityMatrix &rho, Ensemble e);
double W_loc(const SystemParameters &p, const DensityMatrix &rho);
double W_nonloc(const SystemParameters &p, const DensityMatrix &rho);
} // namespace explicit_form

struct Coherences {
  double C_loc = 0, C_nonloc = 0, C_nonloc_factorized = 0;
};
Coherences coherences(const SystemParameters &p, const DensityMatrix &rho);

enum class Regime { none = 0, engine = 1, refrigerator = 2, accelerator = 3, heater = 4 };
const char *to_string(Regime r);
// Signs of (W, Q_h, Q_c); a value counts as zero when it is below `relative` times the largest of
// the three or below `absolute`.
Regime classify(double W, double Q_h, double Q_c, double relative, double absolute);

struct Observables {
  Currents currents;
  Coherences coherences;
  double entropy_production = 0;
  Regime regime = Regime::none;
  std::optional<double> efficiency, eta_carnot, cop_refrigerator, cop_accelerator;
  std::vector<double> populations_h, populations_c;
  double purity = 0, l1_coherence = 0;
  // health of the solution
  double hermiticity_error = 0, min_eigenvalue = 0, first_law_residual = 0;
};

// Current scale of a point, omega_max * (largest emission rate); currents far below it are zero.
double current_scale(const SystemParameters &p);

Observables compute_observables(const SystemParameters &p, const MasterEquation &me,
                                const DensityMatrix &rho);

} // namespace nessmap
