#include "liouvillian/liouvillian.hpp"

#include <algorithm>
#include <stdexcept>

namespace nessmap {

void liouvillian_row(const StateSpace &space, const MasterEquation &me, std::int64_t row,
                     RowEntries &out) {
  Bits m, n;
  space.element(row, m, n);
  out.cols.clear();
  out.values.clear();
  for (const auto &t : me.terms) {
    if (!t.left.produces(m) || !t.right.acts_on(n)) continue;
    const Bits mp = m ^ t.left.flip;   // A|m'> = |m>
    const Bits np = t.right.apply(n);  // B|n> = |n'>
    const std::int64_t col = space.index(mp, np);
    if (col < 0) throw std::logic_error("master-equation term leaves the balanced block");
    // Insertion into the short sorted row; duplicates add up.
    const auto c = static_cast<PetscInt>(col);
    const auto it = std::lower_bound(out.cols.begin(), out.cols.end(), c);
    const auto pos = it - out.cols.begin();
    if (it != out.cols.end() && *it == c) {
      out.values[pos] += t.coef;
    } else {
      out.cols.insert(it, c);
      out.values.insert(out.values.begin() + pos, t.coef);
    }
  }
}

LiouvillianMatrix::LiouvillianMatrix(MPI_Comm comm, const StateSpace &space, TraceRow mode)
    : comm_(comm), space_(space), mode_(mode) {
  if (space.dimension() > static_cast<std::int64_t>(PETSC_MAX_INT))
    throw std::invalid_argument("Liouvillian dimension exceeds PETSc's index range");
  if (mode == TraceRow::fold) {
    for (auto d : space.diagonal_indices()) trace_cols_.push_back(static_cast<PetscInt>(d));
    std::sort(trace_cols_.begin(), trace_cols_.end());
  }
}

void LiouvillianMatrix::create(const MasterEquation &me) {
  const auto dim = static_cast<PetscInt>(space_.dimension());
  PetscInt local = PETSC_DECIDE, global = dim;
  NESSMAP_PETSC(PetscSplitOwnership(comm_, &local, &global));
  NESSMAP_PETSC(MatCreate(comm_, mat_.out()));
  NESSMAP_PETSC(MatSetSizes(mat_, local, local, dim, dim));
  NESSMAP_PETSC(MatSetType(mat_, MATAIJ));
  // The layout is set up only by the preallocation, so the owned rows come from the split.
  PetscInt end = 0;
  MPI_Scan(&local, &end, 1, MPIU_INT, MPI_SUM, comm_);
  rbegin_ = end - local;
  rend_ = end;

  // Exact preallocation: one pass over the owned rows counting diagonal- and off-diagonal-block
  // columns.
  std::vector<PetscInt> d_nnz(rend_ - rbegin_), o_nnz(rend_ - rbegin_);
  std::int64_t local_nnz = 0;
  for (PetscInt r = rbegin_; r < rend_; ++r) {
    const std::vector<PetscInt> *cols = &trace_cols_;
    if (!(mode_ == TraceRow::fold && r == 0)) {
      liouvillian_row(space_, me, r, buffer_);
      cols = &buffer_.cols;
    }
    for (PetscInt c : *cols) {
      if (c >= rbegin_ && c < rend_) ++d_nnz[r - rbegin_];
      else ++o_nnz[r - rbegin_];
    }
    local_nnz += static_cast<std::int64_t>(cols->size());
  }
  NESSMAP_PETSC(MatXAIJSetPreallocation(mat_, 1, d_nnz.data(), o_nnz.data(), nullptr, nullptr));
  NESSMAP_PETSC(MatSetOption(mat_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  MPI_Allreduce(&local_nnz, &nnz_, 1, MPI_INT64_T, MPI_SUM, comm_);
  structure_ = me.structure();
}

void LiouvillianMatrix::assemble(const MasterEquation &me) {
  // Same operators as the existing pattern: overwrite values; another family: a new matrix.
  if (!mat_ || me.structure() != structure_) create(me);
  for (PetscInt r = rbegin_; r < rend_; ++r) {
    if (mode_ == TraceRow::fold && r == 0) {
      buffer_.cols = trace_cols_;
      buffer_.values.assign(trace_cols_.size(), 1.0);
    } else {
      liouvillian_row(space_, me, r, buffer_);
    }
    NESSMAP_PETSC(MatSetValues(mat_, 1, &r, static_cast<PetscInt>(buffer_.cols.size()),
                               buffer_.cols.data(), buffer_.values.data(), INSERT_VALUES));
  }
  NESSMAP_PETSC(MatAssemblyBegin(mat_, MAT_FINAL_ASSEMBLY));
  NESSMAP_PETSC(MatAssemblyEnd(mat_, MAT_FINAL_ASSEMBLY));
}

} // namespace nessmap
