#pragma once
// Currents, coherence quantities, operating regime and figures of merit of physics.md.
//
// The currents are defined as traces of an operator against a subset of the master-equation terms
// evaluated at rho (CurrentsPlan, definition_currents). The values reported come from equivalent
// forms without cancellation (currents()); the definitions serve as the check (the first-law
// residual) and the tests hold the two equal at steady states.
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

// The trace definitions of one point (a plan of its own; a sweep keeps one per family).
Currents definition_currents(const SystemParameters &p, const MasterEquation &me, const DensityMatrix &rho);

// The excitation current carried by H_I, J = -2 sum_{(a,b) in P} Omega_ab Im <sigma+_{h,a} sigma-_{c,b}>,
// equal to Tr[N_h D^(h)(rho)] in the steady state. Units: omega_c (excitations per unit time).
double excitation_current_through_interaction(const SystemParameters &p, const DensityMatrix &rho);

// The currents of a steady state in their most accurate equivalent forms: Q_h = omega_h J,
// Q_c = -omega_c J, W = -(omega_h - omega_c) J with J through H_I; the non-local parts by their
// explicit forms (rates g_k g_l exactly); the local parts as the differences. No term of order
// g^2 nbar cancels, so they hold to ~1e-10 relative where the trace definitions lose digits (b1 at
// T_h = 1e7: 3% off). Equal to definition_currents at an exact steady state (tested). Units:
// omega_c^2.
Currents currents(const SystemParameters &p, const DensityMatrix &rho);

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

// A current's sign counts when its magnitude exceeds this many times its estimated error, or J's
// zero level when that is larger (an estimate, not a bound: on the reversibility line, where J is 0,
// the refined state of the rounded L has J = -2e-18 with a correction of 1e-32, and at N = 1 the
// correction of a J of 3e-19 came out 0.99 of it).
inline constexpr double sign_error_factor = 4;

enum class Regime { none = 0, engine = 1, refrigerator = 2, accelerator = 3, heater = 4 };
const char *to_string(Regime r);
// physics.md, "Operating regimes": the regime from the signs of (W, Q_hot, Q_cold), the heat
// currents named by temperature (the hotter bath's first); a value counts as zero only when its
// magnitude is at most its own error.
struct SignedCurrent {
  double value, error;
  int sign() const { return value > error ? 1 : (value < -error ? -1 : 0); }
};
Regime classify(SignedCurrent W, SignedCurrent Q_hot, SignedCurrent Q_cold);

struct Observables {
  Currents currents;
  Coherences coherences;
  double entropy_production = 0;
  Regime regime = Regime::none;
  // Figures of merit relative to the hotter bath (physics.md: when T_h < T_c the bath called c is the
  // hotter one, and the roles swap): efficiency -W/Q_hot of an engine, eta_carnot
  // 1 - T_cold/T_hot, COP_R = Q_cold/W, COP_A = Q_hot/W. At T_h = T_c the bath called h takes the
  // hot role (eta_carnot = 0: no engine can run).
  std::optional<double> efficiency, eta_carnot, cop_refrigerator, cop_accelerator;
  // The estimated error of the excitation current J (excitation_current_error below, as given to
  // compute_observables), against which the regime's signs are judged. Units: omega_c.
  double excitation_current_error = 0;
  std::vector<double> populations_h, populations_c;
  double purity = 0, l1_coherence = 0;
  // health of the solution
  double hermiticity_error = 0, min_eigenvalue = 0, first_law_residual = 0;
};

// Current scale of a point, omega_max * (largest emission rate); currents far below it are zero.
double current_scale(const SystemParameters &p);

// The rounding level of J through H_I at rho: 4 eps sum_{(a,b) in P} 2 |Omega_ab| times the sum of
// |Im rho_mn| over the elements that Im <sigma+_{h,a} sigma-_{c,b}> adds up (a floating-point
// number carries its real and imaginary parts to eps of each). Units: omega_c.
double excitation_current_rounding(const SystemParameters &p, const DensityMatrix &rho);
// J's zero level: the rounding of J for coherences of order 1, 4 eps sum_{(a,b) in P} 2 |Omega_ab|.
// A J below it, with an error below it, is zero to double precision. Units: omega_c.
double excitation_current_zero_level(const SystemParameters &p);
// The estimated error of J at a state whose error is estimated in three parts: a first-order
// correction of the solve (rho_exact ~ rho + correction; J is linear, so |J(correction)|; may be
// null), samples of the response to the rounding of L's entries (the largest |J(sample)| counts),
// and a part known only in size, ||.||_2 <= unresolved_error in rho's coordinates, bounded by
// 2 sum |Omega_ab| functional_norm(sigma+_{h,a} sigma-_{c,b}) unresolved_error (Cauchy-Schwarz:
// 2^(N-1) per coherence in the balanced and full spaces). Units: omega_c.
// The samples' part is at least rate_rounding_error |J|.
double excitation_current_error(const SystemParameters &p, const DensityMatrix &rho, const DensityMatrix *correction,
                                const std::vector<const DensityMatrix *> &data_samples, double unresolved_error,
                                double J);

// A floor for the error from the rounding of L's entries, from the rates alone: an entry adds the
// rates of different qubits (a population's diagonal -(gamma_h + gamma_c)), so a qubit's total rate
// Gamma_i = gamma-_i + gamma+_i is known to eps max_j Gamma_j / Gamma_i, and the currents, rational
// functions of the rates of low degree (physics.md, "Exact results"), move by a few times that:
// 4 eps max Gamma / min Gamma over the qubits with g > 0, relative to J. (b1 at T_h = 1e7: 5.5e-9;
// the state of the rounded matrix, solved exactly, is 4.7e-10 off the closed form.) It stands in
// where the samples cannot see the slow modes (sylvester's preconditioner has no Omega).
double rate_rounding_error(const SystemParameters &p);

// `current_error`: the estimated error of J (excitation_current_error); the regime's signs are
// judged against sign_error_factor times it or J's zero level, whichever is larger.
Observables compute_observables(const SystemParameters &p, const MasterEquation &me,
                                const DensityMatrix &rho, const CurrentsPlan &plan, double current_error);

// Sets o's regime, eta_carnot and its efficiency or COP from o.currents and
// o.excitation_current_error (the part of compute_observables after the currents).
void classify_regime(const SystemParameters &p, Observables &o);

} // namespace nessmap
