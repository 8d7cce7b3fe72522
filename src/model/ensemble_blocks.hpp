#pragma once
// rho's elements grouped by the two ensembles (physics.md, "Structure worth exploiting").
//
// Write rho's elements as X[(m_h, n_h), (m_c, n_c)]: a hot "item" |m_h><n_h| times a cold one.
// Every term of the master equation that acts on one ensemble keeps that ensemble's excitation
// difference d = N(m_e) - N(n_e), so the items of one ensemble fall into blocks d = -N..N, and
// rho's elements with (d_h, d_c) form one block X_{d_h d_c}, nh x nc, stored column-major
// (hot item i, cold item j at i + j * nh). The balanced space holds the blocks with
// d_h + d_c = 0, the full space all of them.
//
// In the qubit bases block d of one ensemble has sum_n C(N, n) C(N, n - d) = C(2N, N + d) items,
// so the balanced space's blocks have C(2N, N + d)^2 elements each and C(4N, 2N) in all. In the
// symmetric space of type 1 an item is one ensemble's occupation numbers (n_00, n_01, n_10, n_11)
// and d = n_10 - n_01.
//
// The layout is what both the Omega = 0 inverse (solver/kronecker_sum.hpp) and the structured
// Liouvillian (liouvillian/structured.hpp) work on; ensemble_blocks() shares one per space, since
// its index tables take 8 bytes per element of rho (320 MB at N = 7).
//
// Serial, no MPI.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/state_space.hpp"

namespace nessmap {

class EnsembleBlocks {
public:
  // Throws std::invalid_argument for a space without the structure (the symmetric space of type 2,
  // whose units hold a hot and a cold qubit each).
  explicit EnsembleBlocks(const StateSpace &space);

  int N() const { return N_; }
  // Ensemble e's items (0 hot, 1 cold) of difference d, in block order: the qubit bases'
  // (ket << N) | bra on the ensemble's own N bits, or the symmetric space's occupations
  // n_00 | n_01 << 16 | n_10 << 32 | n_11 << 48.
  const std::vector<std::uint64_t> &items(int e, int d) const { return items_[e][d + N_]; }

  struct Block {
    int dh, dc;                       // excitation differences of the hot and cold ensembles
    int nh, nc;                       // their item counts
    std::vector<std::int64_t> index;  // space index of X[i, j], column-major (i + j * nh)
    double cost() const { return double(nh) * nc * (nh + nc); }  // of a dense Sylvester solve
  };
  const std::vector<Block> &blocks() const { return blocks_; }
  // The block (d_h, d_c), or -1 when the space does not hold it.
  int block_of(int dh, int dc) const;

  // Hermiticity, in the qubit bases only (false in the symmetric space): the adjoint of |ket><bra|
  // is |bra><ket|, in block -d.
  bool hermitian() const { return hermitian_; }
  // Ensemble e's position in block -d of the adjoint of each item of block d.
  const std::vector<int> &adjoint(int e, int d) const { return adjoint_[e][d + N_]; }
  // Block k's mirror (-d_h, -d_c), k itself for block (0, 0).
  int mirror(int k) const { return mirror_[k]; }
  // The leading blocks, d_h > 0 or d_h = 0 and d_c >= 0: with their mirrors, every block once.
  const std::vector<int> &leading() const { return leading_; }

  // A split of `among` (indices into blocks()) over `size` ranks with about equal `cost` per rank,
  // largest first to the least loaded rank; the list of rank `rank`.
  template <class Cost>
  std::vector<int> split(int rank, int size, const std::vector<int> &among, Cost cost) const;

private:
  int N_;
  std::array<std::vector<std::vector<std::uint64_t>>, 2> items_;
  std::array<std::vector<std::vector<int>>, 2> adjoint_;
  std::vector<Block> blocks_;
  std::vector<int> block_of_;  // (dh + N) * (2N + 1) + dc + N -> block, or -1
  std::vector<int> mirror_, leading_;
  bool hermitian_ = false;
};

// The layout of `space`, shared with every other caller that asks for a space of the same kind, N
// and coupling while one is alive.
std::shared_ptr<const EnsembleBlocks> ensemble_blocks(const StateSpace &space);

// One ensemble's occupation numbers in the symmetric space of type 1: n_k units in kind k,
// k = |a><b| -> 2a + b (symmetric_basis.hpp).
namespace occupation {
using Numbers = std::array<int, 4>;
inline std::uint64_t pack(const Numbers &n) {
  return std::uint64_t(n[0]) | std::uint64_t(n[1]) << 16 | std::uint64_t(n[2]) << 32 | std::uint64_t(n[3]) << 48;
}
inline Numbers unpack(std::uint64_t p) {
  return {int(p & 0xffff), int((p >> 16) & 0xffff), int((p >> 32) & 0xffff), int(p >> 48)};
}
// The class with hot occupations h and cold occupations c.
SymmetricBasis::Key compose(const SymmetricBasis &basis, const Numbers &h, const Numbers &c);
// The occupations of species s in a class.
Numbers of(const SymmetricBasis &basis, SymmetricBasis::Key key, int species);
// An ensemble's occupations with excitation difference d: the partner that puts a class of the
// other ensemble with difference -d into the balanced space.
inline Numbers partner(int N, int d) { return d >= 0 ? Numbers{N - d, 0, d, 0} : Numbers{N + d, -d, 0, 0}; }
} // namespace occupation

template <class Cost>
std::vector<int> EnsembleBlocks::split(int rank, int size, const std::vector<int> &among, Cost cost) const {
  std::vector<int> order = among;
  std::vector<double> costs(blocks_.size(), 0.0);
  for (int k : among) costs[k] = cost(blocks_[k]);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return costs[a] > costs[b]; });
  std::vector<double> load(size, 0.0);
  std::vector<int> mine;
  for (int k : order) {
    int r = 0;
    for (int q = 1; q < size; ++q)
      if (load[q] < load[r]) r = q;
    load[r] += costs[k];
    if (r == rank) mine.push_back(k);
  }
  return mine;
}

} // namespace nessmap
