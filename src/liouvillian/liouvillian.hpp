#pragma once
// Sparse assembly of the Liouvillian in one of the two spaces of state_space.hpp.
//
// Row (m, n) of L collects, for every term coef * A rho B of the master equation, the single
// column (m', n') with A|m'> = |m> and B|n> = |n'> (monomials have at most one entry per row and
// column), so a row costs O(terms) and the preallocation is exact. Each rank fills only the rows
// it owns. The pattern is fixed by the family (N, bath, coupling, space): later points only
// overwrite values in the same Mat, so a factorization's symbolic phase can be reused.
#include <cstdint>
#include <vector>

#include "liouvillian/petsc.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"

namespace nessmap {

struct RowEntries {
  std::vector<PetscInt> cols;        // sorted, unique
  std::vector<PetscScalar> values;
};

// Row `row` of L (space ordering) for the given master equation.
void liouvillian_row(const StateSpace &space, const MasterEquation &me, std::int64_t row,
                     RowEntries &out);

enum class TraceRow {
  none,  // L itself
  fold   // row 0 (rho_00) replaced by the trace functional: the system L' rho = e_0 has Tr rho = 1
};

class LiouvillianMatrix {
public:
  LiouvillianMatrix(MPI_Comm comm, const StateSpace &space, TraceRow mode);

  // Writes the values of `me` into the matrix, creating and preallocating it on the first call.
  void assemble(const MasterEquation &me);

  Mat mat() const { return mat_.get(); }
  const StateSpace &space() const { return space_; }
  TraceRow mode() const { return mode_; }
  PetscInt row_begin() const { return rbegin_; }
  PetscInt row_end() const { return rend_; }
  std::int64_t nnz() const { return nnz_; }  // global, structural

private:
  void create(const MasterEquation &me);

  MPI_Comm comm_;
  const StateSpace &space_;
  TraceRow mode_;
  PetscMat mat_;
  PetscInt rbegin_ = 0, rend_ = 0;
  std::int64_t nnz_ = 0;
  std::uint64_t structure_ = 0;  // MasterEquation::structure() the pattern was built for
  std::vector<PetscInt> trace_cols_;  // columns of the folded trace row
  RowEntries buffer_;
};

} // namespace nessmap
