#include "liouvillian/split_apply.hpp"

#include <cstring>

namespace nessmap {

bool SplitApply::alone(Vec x, Vec y, const Operator &f) {
  int size = 1;
  MPI_Comm_size(PetscObjectComm(reinterpret_cast<PetscObject>(x)), &size);
  if (size > 1) return false;
  const PetscScalar *xa;
  PetscScalar *ya;
  NESSMAP_PETSC(VecGetArrayRead(x, &xa));
  NESSMAP_PETSC(VecGetArray(y, &ya));
  f(reinterpret_cast<const Complex *>(xa), reinterpret_cast<Complex *>(ya));
  NESSMAP_PETSC(VecRestoreArray(y, &ya));
  NESSMAP_PETSC(VecRestoreArrayRead(x, &xa));
  return true;
}

const SplitApply::Complex *SplitApply::gather(Vec x) {
  if (!to_all_) NESSMAP_PETSC(VecScatterCreateToAll(x, to_all_.out(), gathered_.out()));
  NESSMAP_PETSC(VecScatterBegin(to_all_, x, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  NESSMAP_PETSC(VecScatterEnd(to_all_, x, gathered_, INSERT_VALUES, SCATTER_FORWARD));
  NESSMAP_PETSC(VecGetArrayRead(gathered_, &gathered_array_));
  PetscInt n = 0;
  NESSMAP_PETSC(VecGetSize(x, &n));
  whole_y_.resize(static_cast<std::size_t>(n));
  return reinterpret_cast<const Complex *>(gathered_array_);
}

void SplitApply::release() { NESSMAP_PETSC(VecRestoreArrayRead(gathered_, &gathered_array_)); }

void SplitApply::apply(Vec x, Vec y, const Operator &f, const std::vector<const std::vector<std::int64_t> *> &share) {
  if (alone(x, y, f)) return;
  const Complex *whole_x = gather(x);  // (sizes whole_y_)
  f(whole_x, whole_y_.data());
  release();
  index_.clear();
  value_.clear();
  for (const auto *table : share)
    for (std::int64_t i : *table) {
      index_.push_back(static_cast<PetscInt>(i));
      value_.push_back(whole_y_[static_cast<std::size_t>(i)]);
    }
  NESSMAP_PETSC(VecSetValues(y, static_cast<PetscInt>(index_.size()), index_.data(), value_.data(), INSERT_VALUES));
  NESSMAP_PETSC(VecAssemblyBegin(y));
  NESSMAP_PETSC(VecAssemblyEnd(y));
}

void SplitApply::apply_whole(Vec x, Vec y, const Operator &f) {
  if (alone(x, y, f)) return;
  const Complex *whole_x = gather(x);  // (sizes whole_y_)
  f(whole_x, whole_y_.data());
  release();
  PetscScalar *ya;
  PetscInt lo, hi;
  NESSMAP_PETSC(VecGetOwnershipRange(y, &lo, &hi));
  NESSMAP_PETSC(VecGetArray(y, &ya));
  std::memcpy(ya, whole_y_.data() + lo, sizeof(PetscScalar) * (hi - lo));
  NESSMAP_PETSC(VecRestoreArray(y, &ya));
}

} // namespace nessmap
