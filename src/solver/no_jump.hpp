#pragma once
// The no-jump preconditioner of the Sylvester method: the coherent part of L exactly, the quantum
// jumps by one block Gauss-Seidel sweep over the excitation sectors.
//
// Split the master equation's terms coef * left rho right (master_equation.hpp) by their monomials:
//
//     L rho = A rho + rho B + J rho,
//
// A from the terms whose right monomial is the identity (-i H rho - 1/2 sum L^dag L rho, so
// A = -i H_eff), B from those whose left one is (B = A^H for every bath model here), and J the
// sandwiches L rho L^dag, the jumps. H_eff conserves the excitation number k (the flip-flop
// interaction too), so A is block diagonal in k, with blocks of C(2N, k) rows, and
// P rho = A rho + rho B is block diagonal in (k_m, k_n), rho_{mn}'s excitation numbers: one
// Sylvester equation per block (schur_sylvester.hpp), whatever Omega is. A jump changes
// (k_m, k_n) by (-1, -1) (emission into a bath) or (+1, +1) (absorption). The preconditioner is
//
//     M = P + J_down,
//
// block lower triangular in k_m + k_n: solved from the top block down, each block's jumps from the
// one above it moved to the right-hand side (one block Gauss-Seidel sweep). At zero temperature
// M = L and one application solves the system; the absorption jumps, weighted nbar / (nbar + 1)
// against the emission, are what GMRES iterates on. Against the Omega = 0 Kronecker sum
// (kronecker_sum.hpp), which keeps every dissipator exactly but no interaction, this keeps the
// interaction exactly: it converges where Omega dominates the dissipation rates.
//
// Pure linear algebra on arrays of the state space's ordering; no MPI.
#include <complex>
#include <cstdint>
#include <vector>

#include "model/master_equation.hpp"
#include "model/state_space.hpp"
#include "solver/schur_sylvester.hpp"

namespace nessmap {

// Serial; keeps a reference to `space`, which must outlive it. Arrays passed in and out have
// space.dimension() entries in the ordering of state_space.hpp.
class NoJumpInverse {
public:
  // The balanced or the full space (one block per (k_m, k_n) in it), N <= 10; throws
  // std::invalid_argument for the symmetric space or a larger N.
  explicit NoJumpInverse(const StateSpace &space);

  // Builds A's and B's blocks from this master equation's terms and Schur-decomposes them.
  // Throws std::invalid_argument when a term without a jump changes the excitation number (no
  // weak U(1) symmetry), std::runtime_error when LAPACK fails.
  void factor(const MasterEquation &me);

  // y = M^-1 r, then y -= Tr(y) rho0 when set_trace_direction was called (GMRES's corrections
  // stay traceless). y must not alias r.
  void apply(const Complex *r, Complex *y) const;
  // rho0 (space.dimension() entries, unit trace), copied.
  void set_trace_direction(const Complex *rho0);

  // Counts of the jump terms of the last factor(): in M (emission), left to GMRES (absorption,
  // and any jump that keeps (k_m, k_n)).
  int jumps_kept() const { return jumps_kept_; }
  int jumps_left() const { return jumps_left_; }

private:
  struct Block {
    int km, kn;
    std::vector<std::int64_t> index;  // space index of X[i, j], column-major (i + j * n(km))
  };
  struct Jump {
    Complex coef;
    Monomial left, right;
    int source;  // the block the term reads, by its position in blocks_
  };
  int block_of(int km, int kn) const;

  const StateSpace &space_;
  int N_;
  std::vector<std::vector<Bits>> items_;  // per k: the basis states of k excitations, ascending
  std::vector<int> position_;              // of a basis state in its items_ list
  std::vector<Block> blocks_;              // descending k_m + k_n: the order of the sweep
  std::vector<SchurForm> A_, Bh_;          // per k: A_k and B_k^H (empty where same_[k])
  std::vector<bool> same_;                 // B_k^H = A_k: A_k's form serves both sides
  std::vector<std::vector<Jump>> jumps_in_;  // per block: the emission terms into it
  int jumps_kept_ = 0;
  int jumps_left_ = 0;
  double tiny_ = 0;
  std::vector<std::int64_t> diagonal_;  // indices of rho's diagonal
  std::vector<Complex> rho0_;
  mutable std::vector<Complex> R_, W_;
  // A rate |T_a,ii + conj(T_b,jj)| below this times the largest counts as zero (a state no bath
  // empties, the ground state at T = 0) and its element is left at zero.
  static constexpr double dropped_rate = 1e-13;
};

} // namespace nessmap
