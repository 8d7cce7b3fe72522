#include "liouvillian/liouvillian.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

namespace nessmap {
namespace {

// Calls f(column, term index) for every term of `me` with an entry in row `row`, in term order.
template <class F>
void for_each_entry(const StateSpace &space, const MasterEquation &me, std::int64_t row, F &&f) {
  Bits m, n;
  space.element(row, m, n);
  for (std::size_t i = 0; i < me.terms.size(); ++i) {
    const auto &t = me.terms[i];
    if (!t.left.produces(m) || !t.right.acts_on(n)) continue;
    const Bits mp = m ^ t.left.flip;   // A|m'> = |m>
    const Bits np = t.right.apply(n);  // B|n> = |n'>
    const std::int64_t col = space.index(mp, np);
    if (col < 0) throw std::logic_error("master-equation term leaves the balanced block");
    f(static_cast<PetscInt>(col), i);
  }
}

// A row's entries summed by column: a dense map from column to position in the row (-1 where
// absent), reset after each row, then the (few) distinct columns sorted. Duplicates add up in the
// order they are added (term order). A sorted insert per entry moved half the row each time, and
// sorting all entries (a common bath's pair terms give about ten per distinct column) was most
// of an N = 6 assembly.
class RowAccumulator {
public:
  void start(RowEntries &out) {
    out.cols.clear();
    out.values.clear();
  }
  void add(RowEntries &out, PetscInt c, PetscScalar v) {
    if (static_cast<std::size_t>(c) >= slot_.size()) slot_.resize(static_cast<std::size_t>(c) + 1, -1);
    int &s = slot_[c];
    if (s < 0) {
      s = static_cast<int>(out.cols.size());
      out.cols.push_back(c);
      out.values.push_back(v);
    } else {
      out.values[s] += v;
    }
  }
  void finish(RowEntries &out) {
    const std::size_t n = out.cols.size();
    entries_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      slot_[out.cols[i]] = -1;
      entries_[i] = {out.cols[i], out.values[i]};
    }
    std::sort(entries_.begin(), entries_.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (std::size_t i = 0; i < n; ++i) {
      out.cols[i] = entries_[i].first;
      out.values[i] = entries_[i].second;
    }
  }

private:
  std::vector<int> slot_;
  std::vector<std::pair<PetscInt, PetscScalar>> entries_;
};
thread_local RowAccumulator accumulator;

} // namespace

void symmetric_row(const SymmetricBasis &basis, const std::vector<SymmetricTerm> &terms, std::int64_t row,
                   RowEntries &out) {
  using Key = SymmetricBasis::Key;
  accumulator.start(out);
  const Key target = basis.key(row);
  // count: of the source kinds in the source class; target_count: of the target kinds in the
  // row's class (symmetric_terms.hpp: the entry is coef sqrt(count target_count)).
  const auto add = [&](Key source, double count, double target_count, Complex coef) {
    const std::int64_t col = basis.index(source);
    if (col < 0) throw std::logic_error("a symmetric term leaves the balanced classes");
    accumulator.add(out, static_cast<PetscInt>(col), coef * std::sqrt(count * target_count));
  };
  const auto occ = [&](Key key, int s, int k) { return basis.occupation(key, s, k); };
  // `key` with one unit of species s moved back from kind `to` to kind `from`; false when key
  // has no unit of kind `to`.
  const auto move_back = [&](Key &key, int s, int from, int to) {
    if (occ(key, s, to) < 1) return false;
    key = basis.shifted(basis.shifted(key, s, to, -1), s, from, +1);
    return true;
  };
  for (const auto &t : terms) {
    const int sa = t.species_a, sb = t.species_b;
    switch (t.shape) {
    case SymmetricTerm::one_body:
      for (const auto &[k, kp] : t.a.moves) {
        Key src = target;
        if (move_back(src, sa, k, kp)) add(src, occ(src, sa, k), occ(target, sa, kp), t.coef);
      }
      break;
    case SymmetricTerm::pair:
      for (const auto &[k1, k1p] : t.a.moves)
        for (const auto &[k2, k2p] : t.b.moves) {
          // Remove both targets first: moving one back could fake the other's presence.
          Key src = target;
          if (occ(src, sa, k1p) < 1) continue;
          src = basis.shifted(src, sa, k1p, -1);
          if (occ(src, sa, k2p) < 1) continue;
          src = basis.shifted(basis.shifted(basis.shifted(src, sa, k2p, -1), sa, k1, +1), sa, k2, +1);
          const int count = occ(src, sa, k1) * (occ(src, sa, k2) - (k1 == k2 ? 1 : 0));
          const int target_count = occ(target, sa, k1p) * (occ(target, sa, k2p) - (k1p == k2p ? 1 : 0));
          if (count > 0) add(src, count, target_count, t.coef);
        }
      break;
    case SymmetricTerm::cross:
      for (const auto &[k1, k1p] : t.a.moves)
        for (const auto &[k2, k2p] : t.b.moves) {
          Key src = target;
          if (!move_back(src, sa, k1, k1p) || !move_back(src, sb, k2, k2p)) continue;
          add(src, occ(src, sa, k1) * occ(src, sb, k2), occ(target, sa, k1p) * occ(target, sb, k2p), t.coef);
        }
      break;
    }
  }
  accumulator.finish(out);
}

void liouvillian_row(const StateSpace &space, const MasterEquation &me, std::int64_t row,
                     RowEntries &out) {
  if (const auto *basis = space.symmetric()) {
    symmetric_row(*basis, symmetric_terms(me, *basis), row, out);
    return;
  }
  accumulator.start(out);
  for_each_entry(space, me, row, [&](PetscInt c, std::size_t i) { accumulator.add(out, c, me.terms[i].coef); });
  accumulator.finish(out);
}

LiouvillianMatrix::LiouvillianMatrix(MPI_Comm comm, const StateSpace &space, TraceRow mode,
                                     std::int64_t plan_limit, Storage storage)
    : comm_(comm), space_(space), mode_(mode), plan_limit_(plan_limit) {
  if (space.dimension() > static_cast<std::int64_t>(PETSC_MAX_INT))
    throw std::invalid_argument("Liouvillian dimension exceeds PETSc's index range");
  if (storage == Storage::structured) {
    if (mode == TraceRow::fold) throw std::invalid_argument("a structured Liouvillian has no trace row");
    structured_ = std::make_unique<StructuredLiouvillian>(space);
  }
  if (mode == TraceRow::fold) {
    for (auto d : space.diagonal_indices()) trace_cols_.push_back(static_cast<PetscInt>(d));
    std::sort(trace_cols_.begin(), trace_cols_.end());
    for (auto c : trace_cols_) trace_values_.push_back(space.trace_weight(c));
  }
}

void LiouvillianMatrix::create(const MasterEquation &me) {
  const auto dim = static_cast<PetscInt>(space_.dimension());
  PetscInt local = PETSC_DECIDE, global = dim;
  NESSMAP_PETSC(PetscSplitOwnership(comm_, &local, &global));
  NESSMAP_PETSC(MatCreate(comm_, mat_.out()));
  NESSMAP_PETSC(MatSetSizes(mat_, local, local, dim, dim));
  // AIJ unless the options database says otherwise (-mat_type baij, sell, ...): the default in
  // code, the user's choice last, as for the solvers.
  NESSMAP_PETSC(MatSetType(mat_, MATAIJ));
  NESSMAP_PETSC(MatSetFromOptions(mat_));
  PetscBool seq = PETSC_FALSE;
  NESSMAP_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(mat_.get()), MATSEQAIJ, &seq));
  sequential_ = seq;
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
      row(me, r);
      cols = &buffer_.cols;
    }
    for (PetscInt c : *cols) {
      if (c >= rbegin_ && c < rend_) ++d_nnz[r - rbegin_];
      else ++o_nnz[r - rbegin_];
    }
    local_nnz += static_cast<std::int64_t>(cols->size());
  }
  // Whichever type the options chose: each call is a no-op for the other types.
  NESSMAP_PETSC(MatXAIJSetPreallocation(mat_, 1, d_nnz.data(), o_nnz.data(), nullptr, nullptr));
  NESSMAP_PETSC(MatSeqSELLSetPreallocation(mat_, 0, d_nnz.data()));
  NESSMAP_PETSC(MatMPISELLSetPreallocation(mat_, 0, d_nnz.data(), 0, o_nnz.data()));
  NESSMAP_PETSC(MatSetOption(mat_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  MPI_Allreduce(&local_nnz, &nnz_, 1, MPI_INT64_T, MPI_SUM, comm_);

  operators_.clear();
  operators_.reserve(2 * me.terms.size());
  for (const auto &t : me.terms) {
    operators_.push_back(t.left);
    operators_.push_back(t.right);
  }
  ++generation_;
  // Each rank plans its own rows and decides on its own.
  clear_plan();
  // The symmetric space's values are counts times coefficients, which the plan (sums of
  // coefficients) does not hold: its rows are recomputed per point.
  if (local_nnz <= plan_limit_ && !space_.symmetric()) build_plan(me);
}

void LiouvillianMatrix::row(const MasterEquation &me, PetscInt r) {
  if (space_.symmetric()) symmetric_row(*space_.symmetric(), symmetric_terms_, r, buffer_);
  else liouvillian_row(space_, me, r, buffer_);
}

bool LiouvillianMatrix::same_operators(const MasterEquation &me) const {
  // The operators themselves, not a count: common/pairwise and cascaded/all_to_all have the same
  // number of terms for every N but different patterns. O(terms) word comparisons per point.
  if (2 * me.terms.size() != operators_.size()) return false;
  for (std::size_t i = 0; i < me.terms.size(); ++i)
    if (!(me.terms[i].left == operators_[2 * i]) || !(me.terms[i].right == operators_[2 * i + 1]))
      return false;
  return true;
}

void LiouvillianMatrix::clear_plan() {
  // Swaps rather than clear(): a family without a plan should not keep the last one's memory.
  std::vector<PetscInt>().swap(row_slots_);
  std::vector<PetscInt>().swap(slot_cols_);
  std::vector<std::uint32_t>().swap(slot_begin_);
  std::vector<std::uint32_t>().swap(slot_terms_);
  std::vector<PetscScalar>().swap(coefs_);
  trace_slots_ = 0;
  checked_ = in_place_ = false;
}

void LiouvillianMatrix::build_plan(const MasterEquation &me) {
  constexpr auto u32_max = std::numeric_limits<std::uint32_t>::max();
  if (me.terms.empty() || me.terms.size() > u32_max) return;  // the per-row path

  std::vector<std::pair<PetscInt, std::uint32_t>> entries;  // (column, term) of one row
  row_slots_.reserve(static_cast<std::size_t>(rend_ - rbegin_) + 1);
  for (PetscInt r = rbegin_; r < rend_; ++r) {
    row_slots_.push_back(static_cast<PetscInt>(slot_cols_.size()));
    if (mode_ == TraceRow::fold && r == 0) {
      // Slots with no terms; their value is 1 (slot_values).
      for (PetscInt c : trace_cols_) {
        slot_cols_.push_back(c);
        slot_begin_.push_back(static_cast<std::uint32_t>(slot_terms_.size()));
      }
      trace_slots_ = trace_cols_.size();
      continue;
    }
    entries.clear();
    for_each_entry(space_, me, r, [&](PetscInt c, std::size_t i) {
      entries.emplace_back(c, static_cast<std::uint32_t>(i));
    });
    // By column, and within a column by term: liouvillian_row's order of addition.
    std::sort(entries.begin(), entries.end());
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (k == 0 || entries[k].first != entries[k - 1].first) {
        slot_cols_.push_back(entries[k].first);
        slot_begin_.push_back(static_cast<std::uint32_t>(slot_terms_.size()));
      }
      if (slot_terms_.size() == u32_max) {  // 32-bit offsets do not fit: the per-row path
        clear_plan();
        return;
      }
      slot_terms_.push_back(entries[k].second);
    }
  }
  row_slots_.push_back(static_cast<PetscInt>(slot_cols_.size()));
  slot_begin_.push_back(static_cast<std::uint32_t>(slot_terms_.size()));
  coefs_.resize(me.terms.size());
}

bool LiouvillianMatrix::pattern_matches_plan() const {
  // PETSc keeps each row's columns sorted, and with exact preallocation and every slot inserted the
  // assembled CSR arrays should be the plan's; checked once rather than assumed.
  PetscInt n = 0;
  const PetscInt *ia = nullptr, *ja = nullptr;
  PetscBool done = PETSC_FALSE;
  NESSMAP_PETSC(MatGetRowIJ(mat_, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  bool same = done && n == rend_ - rbegin_;
  if (same) same = std::equal(row_slots_.begin(), row_slots_.end(), ia);
  if (same) same = std::equal(slot_cols_.begin(), slot_cols_.end(), ja);
  NESSMAP_PETSC(MatRestoreRowIJ(mat_, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  return same;
}

void LiouvillianMatrix::slot_values(std::size_t first, std::size_t last, PetscScalar *out) const {
  const PetscScalar *coef = coefs_.data();
  const std::uint32_t *terms = slot_terms_.data();
  std::size_t s = first;
  for (; s < std::min(last, trace_slots_); ++s) *out++ = 1.0;
  for (; s < last; ++s) {
    const std::uint32_t b = slot_begin_[s], e = slot_begin_[s + 1];
    // Starting from the first term rather than 0 keeps the sum bitwise equal to liouvillian_row's.
    PetscScalar v = coef[terms[b]];
    for (std::uint32_t k = b + 1; k < e; ++k) v += coef[terms[k]];
    *out++ = v;
  }
}

std::vector<std::uint8_t> LiouvillianMatrix::value_parts(const MasterEquation &me) const {
  std::vector<std::uint8_t> parts;
  if (!planned()) return parts;
  parts.resize(slot_begin_.size() - 1, 0);
  for (std::size_t s = 0; s < parts.size(); ++s) {
    if (s < trace_slots_) parts[s] = value_real;
    for (std::uint32_t k = slot_begin_[s]; k < slot_begin_[s + 1]; ++k)
      parts[s] |= me.terms[slot_terms_[k]].part == Part::hamiltonian ? value_imaginary : value_real;
  }
  return parts;
}

std::vector<std::complex<double>> LiouvillianMatrix::value_rounding(const MasterEquation &me) const {
  std::vector<std::complex<double>> rounding;
  if (!planned()) return rounding;
  rounding.resize(slot_begin_.size() - 1);
  constexpr double eps = std::numeric_limits<double>::epsilon();
  for (std::size_t s = trace_slots_; s < rounding.size(); ++s) {
    double re = 0, im = 0;
    int n_re = 0, n_im = 0;
    for (std::uint32_t k = slot_begin_[s]; k < slot_begin_[s + 1]; ++k) {
      const Complex c = me.terms[slot_terms_[k]].coef;
      if (c.real() != 0) re += c.real(), ++n_re;
      if (c.imag() != 0) im += c.imag(), ++n_im;
    }
    rounding[s] = {n_re > 1 ? eps * std::abs(re) : 0.0, n_im > 1 ? eps * std::abs(im) : 0.0};
  }
  return rounding;
}

void LiouvillianMatrix::set_rows(const MasterEquation &me) {
  for (PetscInt r = rbegin_; r < rend_; ++r) {
    if (mode_ == TraceRow::fold && r == 0) {
      buffer_.cols = trace_cols_;
      buffer_.values = trace_values_;
    } else {
      row(me, r);
    }
    NESSMAP_PETSC(MatSetValues(mat_, 1, &r, static_cast<PetscInt>(buffer_.cols.size()),
                               buffer_.cols.data(), buffer_.values.data(), INSERT_VALUES));
  }
}

void LiouvillianMatrix::set_planned_rows() {
  for (PetscInt r = rbegin_; r < rend_; ++r) {
    const auto first = static_cast<std::size_t>(row_slots_[r - rbegin_]);
    const auto last = static_cast<std::size_t>(row_slots_[r - rbegin_ + 1]);
    buffer_.values.resize(last - first);
    slot_values(first, last, buffer_.values.data());
    NESSMAP_PETSC(MatSetValues(mat_, 1, &r, static_cast<PetscInt>(last - first), &slot_cols_[first],
                               buffer_.values.data(), INSERT_VALUES));
  }
}

void LiouvillianMatrix::write_in_place() {
  PetscScalar *a = nullptr;
  NESSMAP_PETSC(MatSeqAIJGetArray(mat_, &a));
  slot_values(0, slot_begin_.size() - 1, a);
  NESSMAP_PETSC(MatSeqAIJRestoreArray(mat_, &a));
}

void LiouvillianMatrix::assemble(const MasterEquation &me) {
  if (structured_) {
    structured_->set(me);
    nnz_ = structured_->nonzeros();
    if (!mat_) create_shell();  // the values live in structured_, read at each product
    return;
  }
  if (space_.symmetric()) symmetric_terms_ = symmetric_terms(me, *space_.symmetric());
  // Same operators as the existing pattern: overwrite values; another family: a new matrix.
  if (!mat_ || !same_operators(me)) create(me);
  if (planned()) {
    for (std::size_t i = 0; i < coefs_.size(); ++i) coefs_[i] = me.terms[i].coef;
    if (in_place_) write_in_place();
    else set_planned_rows();
  } else {
    set_rows(me);
  }
  NESSMAP_PETSC(MatAssemblyBegin(mat_, MAT_FINAL_ASSEMBLY));
  NESSMAP_PETSC(MatAssemblyEnd(mat_, MAT_FINAL_ASSEMBLY));
  if (planned() && !checked_) {
    // After the first fill the pattern is final. A mismatch (not expected) keeps MatSetValues.
    checked_ = true;
    in_place_ = sequential_ && pattern_matches_plan();
    if (in_place_) std::vector<PetscInt>().swap(slot_cols_);  // PETSc has the columns
  }
}

void LiouvillianMatrix::create_shell() {
  const auto dim = static_cast<PetscInt>(space_.dimension());
  PetscInt local = PETSC_DECIDE, global = dim;
  NESSMAP_PETSC(PetscSplitOwnership(comm_, &local, &global));
  NESSMAP_PETSC(MatCreateShell(comm_, local, local, dim, dim, this, mat_.out()));
  NESSMAP_PETSC(MatShellSetOperation(mat_, MATOP_MULT, reinterpret_cast<void (*)(void)>(&LiouvillianMatrix::shell_mult)));
  NESSMAP_PETSC(MatShellSetOperation(mat_, MATOP_NORM, reinterpret_cast<void (*)(void)>(&LiouvillianMatrix::shell_norm)));
  NESSMAP_PETSC(MatSetUp(mat_));
  NESSMAP_PETSC(MatGetOwnershipRange(mat_, &rbegin_, &rend_));
  int size = 1, rank = 0;
  MPI_Comm_size(comm_, &size);
  MPI_Comm_rank(comm_, &rank);
  const auto &layout = structured_->layout();
  std::vector<int> all(layout.blocks().size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int>(k);
  targets_ = layout.split(rank, size, all, [this](const EnsembleBlocks::Block &b) { return structured_->cost(b); });
  share_.clear();
  for (int k : targets_) share_.push_back(&layout.blocks()[k].index);
  ++generation_;
}

PetscErrorCode LiouvillianMatrix::shell_mult(Mat A, Vec x, Vec y) {
  return petsc_callback("structured Liouvillian", [&] {
    LiouvillianMatrix *self = nullptr;
    NESSMAP_PETSC(MatShellGetContext(A, &self));
    self->shell_multiply(x, y);
  });
}

PetscErrorCode LiouvillianMatrix::shell_norm(Mat A, NormType type, PetscReal *norm) {
  return petsc_callback("structured Liouvillian norm", [&] {
    LiouvillianMatrix *self = nullptr;
    NESSMAP_PETSC(MatShellGetContext(A, &self));
    if (type == NORM_1) *norm = self->structured_->norm_1();
    else if (type == NORM_INFINITY) *norm = self->structured_->norm_inf();
    else throw PetscFailure(PETSC_ERR_SUP, "the structured Liouvillian has the 1- and infinity norms only");
  });
}

void LiouvillianMatrix::shell_multiply(Vec x, Vec y) {
  split_.apply(
      x, y, [this](const Complex *xa, Complex *ya) { structured_->multiply(xa, ya, targets_); }, share_);
}

} // namespace nessmap
