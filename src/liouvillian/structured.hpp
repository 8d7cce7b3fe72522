#pragma once
// The Liouvillian applied through the ensembles' structure, without assembling it
// (physics.md, "Structure worth exploiting").
//
// Each term coef * A rho B of the master equation factors into a hot and a cold superoperator,
// A = A_h A_c and B = B_h B_c on disjoint qubits, so L is a sum of Kronecker products. Grouped:
//
//     L = L_h (x) 1 + 1 (x) L_c + sum_g H_g (x) C_g,
//
// L_e the terms that act on ensemble e only, and the groups g the interaction's terms collected by
// their cold factor and then merged where their hot sums agree (type 1's H_I gives four groups,
// J+_h (x) J-_c rho and the like; type 2's gives 4N). On rho's blocks X_{d_h d_c}
// (model/ensemble_blocks.hpp) each part is sparse times dense times sparse:
//
//     Y_{d_h d_c} = L_h(d_h) X + X L_c(d_c)^T + sum_g H_g X_{d_h - a_g, d_c - b_g} C_g^T,
//
// with every factor a sparse matrix between the blocks of one ensemble (C(2N, N + d) rows at most,
// 3,432 at N = 7). Memory: the factors (megabytes) against the assembled matrix's 20 bytes per
// nonzero (5.8 GB at N = 6, 113 GB at N = 7); work: the same products, read from cache.
//
// In the qubit bases only (balanced and full spaces). Serial, no MPI: multiply() can be split over
// ranks by target block (LiouvillianMatrix's shell does).
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/ensemble_blocks.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"

namespace nessmap {

// A sparse matrix in CSR form, rows x cols.
struct SparseMatrix {
  int rows = 0, cols = 0;
  std::vector<int> start{0};  // rows + 1 offsets into col and value
  std::vector<int> col;
  std::vector<Complex> value;
  std::int64_t nonzeros() const { return static_cast<std::int64_t>(col.size()); }
  double norm_1() const;    // max column sum of |a_ij|
  double norm_inf() const;  // max row sum
};

class StructuredLiouvillian {
public:
  // Why `space` has no structured form ("" when it has): the symmetric space.
  static const char *unavailable(const StateSpace &space);
  // Keeps a reference to `space`, which must outlive it. Throws std::invalid_argument where
  // unavailable() is not empty.
  explicit StructuredLiouvillian(const StateSpace &space);

  // Builds the factors of `me`'s L. Throws std::logic_error if a term would leave the space.
  void set(const MasterEquation &me);

  // y = L x for arrays of the whole space (space ordering): writes the elements of the target
  // blocks listed (indices into layout().blocks()), reading all of x; other elements of y are left
  // as they are.
  void multiply(const Complex *x, Complex *y, const std::vector<int> &targets) const;
  void multiply(const Complex *x, Complex *y) const { multiply(x, y, all_); }

  // ||L||_1 and ||L||_inf, from the factors' column and row sums (one pass over rho's elements,
  // made on the first call after set()).
  double norm_1() const { norms(); return norm_1_; }
  double norm_inf() const { norms(); return norm_inf_; }
  // L's structural nonzeros, as the assembled matrix would store them.
  std::int64_t nonzeros() const { return nonzeros_; }
  // The factors' memory in bytes.
  double bytes() const;

  const EnsembleBlocks &layout() const { return *layout_; }
  // Work in a block, for splitting multiply() over ranks (EnsembleBlocks::split).
  double cost(const EnsembleBlocks::Block &b) const { return double(b.nh) * b.nc; }

private:
  struct Group {
    int dh = 0, dc = 0;  // what the group adds to the hot and cold excitation differences
    bool hot_identity = false, cold_identity = false;
    // Per source block d + N of each ensemble: the factor from block d to block d + dh (d + dc);
    // empty where the target is out of range.
    std::vector<SparseMatrix> hot, cold;
  };
  const StateSpace &space_;
  std::shared_ptr<const EnsembleBlocks> layout_;
  std::vector<int> all_;
  std::vector<std::int64_t> offset_;  // of each block in x_ (the blocks' concatenation)
  std::vector<Group> groups_;
  const Group *hot_only_ = nullptr, *cold_only_ = nullptr;  // L_h (x) 1 and 1 (x) L_c
  void norms() const;
  mutable bool norms_known_ = false;
  mutable double norm_1_ = 0, norm_inf_ = 0;
  std::int64_t nonzeros_ = 0;
  // x by blocks; one source block transposed; one target block Y and its transpose; H X
  // transposed and back.
  mutable std::vector<Complex> x_, xt_, block_, block_t_, temp_t_, temp_;
};

} // namespace nessmap
