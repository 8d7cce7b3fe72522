#pragma once
// Physical parameters of one point: two ensembles (hot h, cold c) of N qubits each.
// Units: hbar = k_B = 1, everything in units of omega_c as the user chooses.
#include <string>
#include <vector>

namespace nessmap {

enum class Bath { common, cascaded, independent };
enum class Coupling { pairwise, all_to_all };  // type 2, type 1
enum class Ensemble { hot = 0, cold = 1 };

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

  double omega(Ensemble e) const { return e == Ensemble::hot ? omega_h : omega_c; }
  double T(Ensemble e) const { return e == Ensemble::hot ? T_h : T_c; }
  const std::vector<double> &g(Ensemble e) const { return e == Ensemble::hot ? g_h : g_c; }
  // Mean thermal occupation of bath e at its qubits' frequency, 1/(exp(omega/T) - 1).
  double nbar(Ensemble e) const;
  // gamma-_{kl} = g_k g_l (nbar + 1) (emission), gamma+_{kl} = g_k g_l nbar (absorption).
  double gamma_minus(Ensemble e, int k, int l) const;
  double gamma_plus(Ensemble e, int k, int l) const;

  // Coupled pairs (a, b) of the interaction: the diagonal for pairwise, all N^2 for all_to_all.
  // Structural: a pair with Omega_ab = 0 is still listed, so that the sparsity pattern of a family
  // (N, bath, coupling) does not depend on the values.
  std::vector<std::pair<int, int>> coupled_pairs() const;

  // Throws std::invalid_argument naming the offending field if the parameters are unphysical.
  void validate() const;
};

// Bit (qubit index in a basis bit string) of qubit n of ensemble e: hot 0..N-1, cold N..2N-1.
inline int qubit_bit(int N, Ensemble e, int n) { return e == Ensemble::hot ? n : N + n; }

} // namespace nessmap
