#pragma once
// Physical parameters of one point: two ensembles (hot h, cold c) of N qubits each.
// Units: hbar = k_B = 1, everything in units of omega_c as the user chooses.
#include <string>
#include <vector>

namespace nessmap {

// The largest N a configuration may name. A basis state of the 2N qubits is a 128-bit bit string
// (monomial.hpp): 2N <= 126. The qubit bases' index of rho_mn, m 2^(2N) + n (state_space.hpp), has
// 4N bits and must fit a signed 64-bit index, so the balanced and full spaces stop at
// qubit_basis_max_N (their memory check refuses far earlier); the symmetric space goes on. Whether
// a given N fits in memory is decided against the machine.
inline constexpr int max_N = 63;
inline constexpr const char *why_max_N = "(the 2N qubits must fit a 128-bit monomial)";
inline constexpr int qubit_basis_max_N = 15;

enum class Bath { common, cascaded, independent };
enum class Coupling { pairwise, all_to_all };  // type 2, type 1
enum class Ensemble { hot = 0, cold = 1 };

// How the qubits are prepared before the machine runs (physics.md, "Degenerate steady states"). It
// decides the steady state only where L's null space has dimension > 1 (identical qubits under a
// common bath); a unique steady state forgets it.
//   thermal:     every qubit in the Gibbs state of its own bath at its own frequency, excited
//                population 1/(exp(omega_i/T_i) + 1) (the default: the state each ensemble relaxes
//                to before the two are coupled and the machine starts)
//   ground:      every qubit in |0>
//   populations: a product state, every qubit of ensemble i excited with probability p_i
enum class InitialKind { thermal, ground, populations };
struct InitialState {
  InitialKind kind = InitialKind::thermal;
  double p_h = 0, p_c = 0;  // populations only; each in [0, 1]
};
// "thermal", "ground" or "{p_h: 0.2, p_c: 0.1}": the YAML value that reads back as `s`.
std::string to_string(const InitialState &s);

const char *to_string(Bath b);
const char *to_string(Coupling c);
Bath parse_bath(const std::string &s);          // throws std::invalid_argument
Coupling parse_coupling(const std::string &s);  // throws std::invalid_argument

struct SystemParameters {
  int N = 2;
  Bath bath = Bath::common;
  Coupling coupling = Coupling::pairwise;
  double omega_h = 1.5, omega_c = 1.0;
  double T_h = 2.0, T_c = 1.0;
  std::vector<double> g_h, g_c;             // size N
  std::vector<std::vector<double>> Omega;   // N x N; diagonal only for pairwise
  InitialState initial_state;               // decides the state only when it is not unique

  double omega(Ensemble e) const { return e == Ensemble::hot ? omega_h : omega_c; }
  double T(Ensemble e) const { return e == Ensemble::hot ? T_h : T_c; }
  const std::vector<double> &g(Ensemble e) const { return e == Ensemble::hot ? g_h : g_c; }
  // Mean thermal occupation of bath e at its qubits' frequency, 1/(exp(omega/T) - 1).
  double nbar(Ensemble e) const;
  // gamma-_{kl} = g_k g_l (nbar + 1) (emission), gamma+_{kl} = g_k g_l nbar (absorption).
  double gamma_minus(Ensemble e, int k, int l) const;
  double gamma_plus(Ensemble e, int k, int l) const;
  // gamma-_{kl} - gamma+_{kl} = g_k g_l, computed as that product: the difference of the two rates
  // would lose the digits that nbar adds to both (at T = 1e7, nbar ~ 1e7: seven digits).
  double gamma_difference(Ensemble e, int k, int l) const { return g(e)[k] * g(e)[l]; }

  // Excited population of every qubit of ensemble e in the initial state (a product state).
  double initial_population(Ensemble e) const;

  // Coupled pairs (a, b) of the interaction: the diagonal for pairwise, all N^2 for all_to_all.
  // Structural: a pair with Omega_ab = 0 is still listed, so that the sparsity pattern of a family
  // (N, bath, coupling) does not depend on the values.
  std::vector<std::pair<int, int>> coupled_pairs() const;

  // Throws std::invalid_argument naming the offending field if the parameters are unphysical.
  void validate() const;
};

// Calls visit(key, value) for every field of `p`, in the order of the YAML's system section, with
// `key` its name there and `value` an int (N), a const char * (bath, coupling), a double, a
// std::vector<double> (g_h, g_c) or a std::vector<std::vector<double>> (Omega, N x N);
// initial_state comes as its text (to_string). The one list
// of the fields that the point JSON, the journal identity and the netCDF attributes are written from.
template <class Visitor> void visit_fields(const SystemParameters &p, Visitor &&visit) {
  visit("N", p.N);
  visit("bath", to_string(p.bath));
  visit("coupling", to_string(p.coupling));
  visit("omega_c", p.omega_c);
  visit("omega_h", p.omega_h);
  visit("T_h", p.T_h);
  visit("T_c", p.T_c);
  visit("g_h", p.g_h);
  visit("g_c", p.g_c);
  visit("Omega", p.Omega);
  const std::string initial = to_string(p.initial_state);
  visit("initial_state", initial.c_str());
}

// Bit (qubit index in a basis bit string) of qubit n of ensemble e: hot 0..N-1, cold N..2N-1.
inline int qubit_bit(int N, Ensemble e, int n) { return e == Ensemble::hot ? n : N + n; }

} // namespace nessmap
