#pragma once
// Currents, coherence quantities, operating regime and figures of merit of physics.md.
//
// The currents are computed from their definitions, traces of an operator against a subset of the
// master-equation terms evaluated at rho; the explicit forms (physics.md, "Explicit forms") are
// separate functions, tested against the definitions.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/master_equation.hpp"
#include "model/parameters.hpp"
#include "model/density_matrix.hpp"

namespace nessmap {

struct Currents {
  double Q_h = 0, Q_h_loc = 0, Q_h_nonloc = 0;
  double Q_c = 0, Q_c_loc = 0, Q_c_nonloc = 0;
  double W = 0, W_loc = 0, W_nonloc = 0;
  double excitation_current = 0;  // Tr[N_h D^(h)(rho)]: excitations entering from the hot bath
};

// The definitions Q_i = Tr[H_0^(i) D^(i)(rho)] and W = Tr[H_I sum_i D^(i)(rho)], split into the loc
// and nonloc dissipators, and Tr[N_h D^(h)(rho)]: with D = sum_t coef_t A_t . B_t over the
// dissipator terms, Tr[X A_t rho B_t] = <B_t X A_t>, one expectation value per term t and term x of
// X. Which monomials B_t x A_t occur, and where each goes, is fixed by the family (N, bath,
// coupling); a point only changes the coefficients. The plan lists them once, so a point costs one
// expectation value per distinct monomial and a weighted sum.
class CurrentsPlan {
public:
  CurrentsPlan(const SystemParameters &p, const MasterEquation &me);
  // Whether the plan was made for this family: the same terms and operators X.
  bool fits(const SystemParameters &p, const MasterEquation &me) const;
  Currents evaluate(const SystemParameters &p, const MasterEquation &me, const DensityMatrix &rho) const;

private:
  enum Source : std::uint8_t { H0_h, H0_c, H_I, N_h, sources };  // the operators X
  enum Target : std::uint8_t { Q_h_loc, Q_h_nonloc, Q_c_loc, Q_c_nonloc, W_loc, W_nonloc, excitation, targets };
  struct Entry {
    std::uint32_t term, x, monomial;
    Source source;
    Target target;
  };
  static std::array<Operator, sources> operators_x(const SystemParameters &p);
  std::vector<Entry> entries_;
  std::vector<Monomial> monomials_;  // the distinct B_t x A_t
  std::vector<Monomial> built_for_;  // every term's A_t and B_t, then every x of each X
};

// The currents of one point (a plan of its own; a sweep keeps one per family).
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
                                const DensityMatrix &rho, const CurrentsPlan &plan);

} // namespace nessmap
