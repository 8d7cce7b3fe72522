#pragma once
// The master equation of physics.md as data:
//
//     d rho/dt = L(rho) = sum_t  coef_t * left_t rho right_t,
//
// one SuperTerm per (coefficient, left monomial, right monomial). Each term carries the part of the
// equation it belongs to, so that currents are traces over the matching subset of terms.
#include <complex>
#include <vector>

#include "model/monomial.hpp"
#include "model/parameters.hpp"

namespace nessmap {

using Complex = std::complex<double>;

// A Hermitian operator as a sum of monomials with complex coefficients.
struct OperatorTerm {
  Complex coef;
  Monomial op;
};
using Operator = std::vector<OperatorTerm>;

enum class Part {
  hamiltonian,       // -i[H_S, rho]
  dissipator_loc,    // D_loc^(i)
  dissipator_nonloc  // D_nonloc^(i)
};

struct SuperTerm {
  Complex coef;
  Monomial left, right;
  Part part;
  Ensemble ensemble;  // bath the dissipator belongs to (unused for the Hamiltonian part)
};

// Within one family (N, bath, coupling) every parameter value gives the same operators in the same
// order, only other coefficients: the Liouvillian's assembly plan keys on that (liouvillian.hpp).
struct MasterEquation {
  std::vector<SuperTerm> terms;
  std::size_t size() const { return terms.size(); }
};

// Free Hamiltonian of one ensemble, H_0^(i) = omega_i sum_n sigma+_{i,n} sigma-_{i,n}.
Operator free_hamiltonian(const SystemParameters &p, Ensemble e);
// Excitation number of one ensemble, sum_n sigma+_{i,n} sigma-_{i,n}.
Operator excitation_number(const SystemParameters &p, Ensemble e);
// Interaction H_I = sum_{(a,b) in P} Omega_ab (sigma+_{h,a} sigma-_{c,b} + h.c.).
Operator interaction_hamiltonian(const SystemParameters &p);
// sigma_z of one qubit as excited - ground projectors.
Operator sigma_z(int bit);

MasterEquation build_master_equation(const SystemParameters &p);

} // namespace nessmap
