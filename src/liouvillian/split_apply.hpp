#pragma once
// y = F x for a serial operator F on arrays of the whole space (the structured L, the
// preconditioners), on the ranks of a communicator that share one Vec layout:
//
//   one rank   F on the Vec's own arrays;
//   K ranks    x gathered whole on every rank; each rank computes its share of y, listed as index
//              tables (rho's blocks, model/ensemble_blocks.hpp), and sends those entries to the
//              ranks that own them, or (`whole`) computes all of y and keeps its own rows.
//
// Collective over the Vec's communicator; PETSc errors are thrown as PetscFailure. Holds the
// gathered x and a whole-space y per rank (2 vectors of the space beyond one rank's share).
#include <complex>
#include <cstdint>
#include <functional>
#include <vector>

#include "petsc/petsc.hpp"

namespace nessmap {

class SplitApply {
public:
  using Complex = std::complex<double>;
  // f(x, y): x and y arrays of the whole space.
  using Operator = std::function<void(const Complex *x, Complex *y)>;

  // `share`: the index tables of the entries of y this rank computes (each entry of y computed on
  // exactly one rank).
  void apply(Vec x, Vec y, const Operator &f, const std::vector<const std::vector<std::int64_t> *> &share);
  // Every rank computes all of y (an operator that does not split, a sequential sweep).
  void apply_whole(Vec x, Vec y, const Operator &f);

private:
  // f on one rank's arrays; false (nothing done) on more ranks.
  bool alone(Vec x, Vec y, const Operator &f);
  const Complex *gather(Vec x);
  void release();
  PetscScatter to_all_;
  PetscVec gathered_;
  const PetscScalar *gathered_array_ = nullptr;
  std::vector<Complex> whole_y_;
  std::vector<PetscInt> index_;
  std::vector<PetscScalar> value_;
};

} // namespace nessmap
