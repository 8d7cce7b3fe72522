#pragma once
// The observables of N independent pairs: type 2 (pairwise) coupling under independent baths,
// where L = sum_n L_n, each L_n acting on the pair (h_n, c_n) alone, and the unique steady state
// is the product of the pairs' own, rho = rho_1 x ... x rho_N (physics.md, "Exact results": the
// machine "splits into N independent N = 1 machines"). Every observable of the product follows
// from the pairs' (each solved as an N = 1 point, with its own parameters):
//
//   currents, their loc and nonloc parts, J, C_loc, entropy production   sums over the pairs
//   C_nonloc, C_nonloc_factorized   sums: their cross-pair terms hold <sigma+-> of one qubit, which
//                                   is 0 in each pair's state (it conserves the excitation number)
//   populations                     each qubit's from its pair
//   purity                          prod Tr rho_n^2
//   l1_coherence                    prod (1 + l1_n) - 1 (each rho_n has a non-negative diagonal of
//                                   trace 1: sum |rho_mn| over all elements is prod (1 + l1_n))
//   min_eigenvalue                  prod of the pairs' smallest (the eigenvalues of a product are
//                                   products); where a pair's is negative, that most negative one,
//                                   a lower bound (the others' eigenvalues are at most 1)
//   hermiticity_error               sum of the pairs': a bound (rho - rho^dagger telescopes into N
//                                   terms, each a pair's times matrices of elements at most 1)
//   first_law_residual              the largest pair's
//   excitation_current_error        sum of the pairs' estimated errors of J
//
// and the regime and figures of merit from the summed currents (classify_regime).
#include <vector>

#include "model/parameters.hpp"
#include "observables/thermodynamics.hpp"

namespace nessmap {

// The parameters of pair n of p (N = 1: g_h[n], g_c[n], Omega[n][n], p's frequencies,
// temperatures and initial state). Requires pairs_ineligibility(p) empty (state_space.hpp).
SystemParameters pair_parameters(const SystemParameters &p, int n);

// `pair[n]`: the observables of pair_parameters(p, n), n = 0 .. p.N - 1. Serial; throws
// std::invalid_argument when the count is not p.N or a pair's populations are not one qubit's.
Observables compose_pairs(const SystemParameters &p, const std::vector<const Observables *> &pair);

} // namespace nessmap
