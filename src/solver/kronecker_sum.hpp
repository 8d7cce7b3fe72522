#pragma once
// The Omega = 0 Liouvillian as a Kronecker sum, inverted exactly (physics.md, "Structure worth
// exploiting"). Without the interaction the ensembles decouple:
//
//     L_0 = L_h (x) 1 + 1 (x) L_c,
//
// L_h (L_c) collecting the terms of the master equation that act on the hot (cold) qubits only.
// Write rho's elements as X[(m_h, n_h), (m_c, n_c)]: L_0 rho = r is the Sylvester equation
// L_h X + X L_c^T = R. Each L_e is block diagonal in its ensemble's excitation difference
// d = N(m_e) - N(n_e), and rho's elements with (d_h, d_c) form one block X_{d_h d_c} (the balanced
// space holds the blocks with d_h + d_c = 0).
//
// Per block, Bartels-Stewart with complex Schur forms L_h = Q_h T_h Q_h^H and
// conj(L_c) = Q_c T_c Q_c^H (so that L_c^T = Q_c T_c^H Q_c^H):
//
//     X = Q_h Z Q_c^H,   T_h Z + Z T_c^H = Q_h^H R Q_c,
//
// four dense products and a triangular solve. Schur forms, unlike eigenvectors, stay well
// conditioned when L_e is defective, as the cascaded Liouvillian of identical qubits is. Each
// ensemble's zero mode (its own steady state) is moved to the first Schur position, so the one
// singular element of the triangular system, Z_00, is the last one solved and nothing depends on
// it: it is left at zero, which makes the result a generalised inverse of L_0. Its trace is then
// arbitrary (X + c rho_0 solves the same equation), so rho_0 = rho_h (x) rho_c, the steady state of
// L_0 from the same Schur vectors, is subtracted to make the result traceless.
//
// The symmetric space of type 1 (S_N x S_N, symmetric_basis.hpp) has the same structure: its
// basis elements are products E_h(n_h) E_c(n_c) of one ensemble's class sums, so X is indexed by
// the two ensembles' occupation numbers (n_00, n_01, n_10, n_11), d = n_10 - n_01, and L_e is
// read off the one-body and pair terms of its species (symmetric_terms.hpp). Tr rho weighs
// element (i, j) by sqrt(M_h(i) M_c(j)) instead of 1 on the diagonal. At N = 40 the largest block
// of one ensemble has 441 rows (C(N+3,3) = 12,341 classes in all): the factors take megabytes
// where the balanced qubit basis's C(4N, 2N) would not fit.
//
// Pure linear algebra on arrays of the state space's ordering; no MPI. `apply` can be split over
// ranks by block (see `blocks_of`).
#include <complex>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/ensemble_blocks.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"
#include "model/symmetric_terms.hpp"
#include "solver/schur_sylvester.hpp"

namespace nessmap {

// Serial (no MPI: a group's ranks each hold the whole object and apply their share of the blocks).
// Keeps a reference to `space`, which must outlive it. Arrays passed in and out have
// space.dimension() entries in the ordering of state_space.hpp.
class KroneckerSumInverse {
public:
  // Throws std::invalid_argument for a space without the structure (the symmetric space of type 2,
  // whose units hold a hot and a cold qubit each).
  explicit KroneckerSumInverse(const StateSpace &space);

  // Schur-decomposes L_h and conj(L_c) of this master equation (built for the space's N; in the
  // symmetric space a permutation-symmetric one, symmetric_ineligibility()). An ensemble whose
  // terms and coefficients are those of the previous call keeps its decomposition (a sweep over
  // omega_h changes only L_h).
  // Throws std::runtime_error when LAPACK fails.
  void factor(const MasterEquation &me);

  // y = L_0^g r (the traceless generalised inverse above) on the blocks listed (indices into
  // blocks()), reading and writing arrays of the whole space; entries outside those blocks are left
  // as they are.
  void apply(const Complex *r, Complex *y, const std::vector<int> &blocks) const;
  void apply(const Complex *r, Complex *y) const { apply(r, y, all_blocks_); }

  // The same for a Hermitian r (rho's elements (m, n) and (n, m) conjugate), with the work halved
  // outside block (0, 0): L_0 preserves Hermiticity, so block (-d_h, -d_c) of y is the adjoint of
  // block (d_h, d_c), and only the leading blocks (hermitian_blocks()) are solved; each writes its
  // mirror too. `leading` lists indices into blocks(), each one of hermitian_blocks(). For an r
  // that is not Hermitian the result is that of r's leading blocks and their adjoints.
  // In the qubit bases only (hermitian() false in the symmetric space, where this throws
  // std::logic_error).
  void apply_hermitian(const Complex *r, Complex *y, const std::vector<int> &leading) const;
  void apply_hermitian(const Complex *r, Complex *y) const { apply_hermitian(r, y, layout_->leading()); }
  bool hermitian() const { return layout_->hermitian(); }
  // The leading blocks: d_h > 0, or d_h = 0 and d_c >= 0.
  const std::vector<int> &hermitian_blocks() const { return layout_->leading(); }
  // Block k's mirror (-d_h, -d_c), k itself for block (0, 0).
  int mirror(int k) const { return layout_->mirror(k); }

  // rho_h (x) rho_c, each factor of unit trace: the steady state of L_0 (zero outside its block).
  void product_state(Complex *x) const;


  using Block = EnsembleBlocks::Block;  // rho's blocks (d_h, d_c), model/ensemble_blocks.hpp
  const std::vector<Block> &blocks() const { return layout_->blocks(); }
  // Eigenvalues of L_h or L_c (the larger count) at roundoff level: 1 when each ensemble has a
  // unique steady state, more with dark states.
  int zero_modes() const { return zero_modes_; }
  // A split of the blocks (of `among`, default all) over `size` ranks with about equal cost; the
  // list of rank `rank`.
  std::vector<int> blocks_of(int rank, int size) const { return blocks_of(rank, size, all_blocks_); }
  std::vector<int> blocks_of(int rank, int size, const std::vector<int> &among) const {
    return layout_->split(rank, size, among, [](const Block &b) { return b.cost(); });
  }

private:
  // One ensemble's Liouvillian (conjugated for the cold one), block by excitation difference, in
  // Schur form; the zero mode of block d = 0 first.
  struct Ensemble1 {
    int N = 0;
    int species = 0;                            // 0 hot, 1 cold
    int shift = 0;                              // bit offset of the ensemble's qubits
    bool conjugate = false;                     // Schur form of conj(L_e)
    std::vector<SchurForm> schur;               // per d + N
    std::vector<Complex> coefficients;          // of the terms it was built from, to reuse it
    std::vector<std::size_t> terms;
    bool factored = false;
    std::vector<Complex> steady;                // the zero mode as a state of unit trace
    std::vector<std::pair<int, double>> trace;  // (position in block d = 0, weight in Tr rho)
  };
  // Block d of L_e (conjugated for the cold ensemble), n x n column-major, from its terms.
  std::vector<Complex> qubit_block(const Ensemble1 &e, const MasterEquation &me, int d) const;
  std::vector<Complex> symmetric_block(const Ensemble1 &e, const std::vector<SymmetricTerm> &terms, int d) const;
  void factor_ensemble(Ensemble1 &e, const MasterEquation &me);

  const StateSpace &space_;
  int N_;
  std::shared_ptr<const EnsembleBlocks> layout_;  // items, blocks, adjoints (shared per space)
  const std::vector<std::uint64_t> &items(const Ensemble1 &e, int d) const { return layout_->items(e.species, d); }
  Ensemble1 hot_, cold_;
  std::vector<int> all_blocks_;
  // One block's solve: r's elements of block b in, y's out in R (column-major, nh x nc).
  void solve_block(const Block &b, const Complex *r, std::vector<Complex> &R) const;
  mutable std::vector<Complex> scratch_r_, scratch_w_;  // apply's block buffers
  double largest_rate_ = 0;  // max |T_h,ii| + max |T_c,jj|
  int zero_modes_ = 0;
  // |T_h,ii + conj(T_c,jj)| below this times the largest rate counts as another zero mode (a dark
  // state of one ensemble) and its element is left at zero too.
  static constexpr double dropped_rate = 1e-13;
};

} // namespace nessmap
