#pragma once
// Sparse assembly of the Liouvillian in one of the two spaces of state_space.hpp.
//
// Row (m, n) of L collects, for every term coef * A rho B of the master equation, the single
// column (m', n') with A|m'> = |m> and B|n> = |n'> (monomials have at most one entry per row and
// column), so a row costs O(terms) and the preallocation is exact. Each rank fills only the rows
// it owns. The pattern is fixed by the family (N, bath, coupling, space): later points only
// overwrite values in the same Mat, so a factorization's symbolic phase can be reused.
//
// Within a family only the terms' coefficients change, so which terms add up in which stored
// nonzero is worked out once (the "plan"), and a point's matrix is a sum of its coefficients per
// nonzero, written in CSR order.
#include <cstdint>
#include <memory>
#include <vector>

#include "petsc/petsc.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"
#include "model/symmetric_terms.hpp"
#include "liouvillian/split_apply.hpp"
#include "liouvillian/structured.hpp"

namespace nessmap {

struct RowEntries {
  std::vector<PetscInt> cols;        // sorted, unique
  std::vector<PetscScalar> values;
};

// Row `row` of L (space ordering) for the given master equation. The reference the assembly plan
// must reproduce. In the symmetric space it reads the equation's sums over units first
// (symmetric_terms, O(terms)); symmetric_row takes them ready.
void liouvillian_row(const StateSpace &space, const MasterEquation &me, std::int64_t row,
                     RowEntries &out);
// Row `row` of L in the symmetric space: for every term and choice of source kinds, the class
// with the target kinds moved back to the source kinds, at the term's coefficient times the count
// of the source kinds (symmetric_terms.hpp).
void symmetric_row(const SymmetricBasis &basis, const std::vector<SymmetricTerm> &terms, std::int64_t row,
                   RowEntries &out);

enum class TraceRow {
  none,  // L itself
  fold   // row 0 (rho_00) replaced by the trace functional: the system L' rho = e_0 has Tr rho = 1
};

enum class Storage {
  assembled,  // AIJ (or what -mat_type says), with exact preallocation and the plan
  structured  // a MatShell applying L through structured.hpp (qubit bases, TraceRow::none): no rows
};

// Contract: every member that touches the Mat (the constructor does not; assemble, value_parts)
// is collective over `comm`; PETSc errors are thrown as PetscFailure. `space` is kept by reference
// and must outlive the object. The Mat has C(4N, 2N) (balanced) or 4^(2N) (full) rows, split over
// the ranks of `comm` by PETSc; its type is AIJ unless -mat_type says otherwise. Values are rates in
// the units of the SystemParameters (omega_c).
class LiouvillianMatrix {
public:
  // The plan costs about 4 + 4 * (terms per nonzero) bytes per nonzero. Above this many owned
  // nonzeros (large N, where the solve dominates anyway) it is not built and every point recomputes
  // its rows with liouvillian_row.
  static constexpr std::int64_t default_plan_limit = 20'000'000;

  // Storage::structured throws std::invalid_argument with TraceRow::fold or in the symmetric space
  // (StructuredLiouvillian::unavailable). Its Mat is a MatShell: MatMult (each rank gathers the
  // whole x, applies L to a share of rho's blocks and sends them to their owners) and MatNorm
  // (NORM_1, NORM_INFINITY) only, so nothing that reads rows (LU, ILU, MatGetRow) can use it;
  // nnz() is the assembled matrix's count.
  LiouvillianMatrix(MPI_Comm comm, const StateSpace &space, TraceRow mode,
                    std::int64_t plan_limit = default_plan_limit, Storage storage = Storage::assembled);
  Storage storage() const { return structured_ ? Storage::structured : Storage::assembled; }

  // Writes the values of `me` into the matrix, creating and preallocating it on the first call and
  // whenever the terms' operators differ from those the pattern was built for.
  void assemble(const MasterEquation &me);

  Mat mat() const { return mat_.get(); }
  const StateSpace &space() const { return space_; }
  TraceRow mode() const { return mode_; }
  PetscInt row_begin() const { return rbegin_; }
  PetscInt row_end() const { return rend_; }
  std::int64_t nnz() const { return nnz_; }  // global, structural
  bool planned() const { return !slot_begin_.empty(); }
  // True once the plan's values go straight into a sequential matrix's value array.
  bool writes_in_place() const { return in_place_; }
  // Changes whenever the matrix is made anew (another family's pattern); 0 before the first.
  std::uint64_t generation() const { return generation_; }

  // Which parts of each stored value the family's terms can give, for the owned rows in CSR order:
  // value_real, value_imaginary or both. The Hamiltonian's terms -i H rho and i rho H with a real
  // H are imaginary, the dissipators' terms real, the trace row real. Empty without a plan.
  static constexpr std::uint8_t value_real = 1, value_imaginary = 2;
  std::vector<std::uint8_t> value_parts(const MasterEquation &me) const;
  // How much each stored value (owned rows, CSR order, as value_parts) carries from its own
  // rounding: where two or more terms add up in a part (real or imaginary), eps times that part's
  // magnitude (a sum of rates of 1.7e6 and 0.15 keeps 1.7e6 eps of the small one; -i E_m + i E_m
  // on a population's diagonal cancels exactly); 0 for a part that is one term (stored as
  // computed) and for the trace row. Empty without a plan.
  std::vector<std::complex<double>> value_rounding(const MasterEquation &me) const;

private:
  void create(const MasterEquation &me);
  // Storage::structured.
  std::unique_ptr<StructuredLiouvillian> structured_;
  void create_shell();
  void shell_multiply(Vec x, Vec y);
  static PetscErrorCode shell_mult(Mat A, Vec x, Vec y);
  static PetscErrorCode shell_norm(Mat A, NormType type, PetscReal *norm);
  std::vector<int> targets_;  // this rank's share of rho's blocks
  std::vector<const std::vector<std::int64_t> *> share_;  // their index tables
  SplitApply split_;
  bool same_operators(const MasterEquation &me) const;
  void clear_plan();
  void build_plan(const MasterEquation &me);
  bool pattern_matches_plan() const;
  // Values of slots [first, last) for the coefficients in coefs_.
  void slot_values(std::size_t first, std::size_t last, PetscScalar *out) const;
  void set_rows(const MasterEquation &me);  // liouvillian_row per row, MatSetValues
  void row(const MasterEquation &me, PetscInt r);  // row r into buffer_
  void set_planned_rows();                  // the plan's rows, MatSetValues
  void write_in_place();                    // the plan's values into the SeqAIJ array

  MPI_Comm comm_;
  const StateSpace &space_;
  TraceRow mode_;
  std::int64_t plan_limit_;
  PetscMat mat_;
  bool sequential_ = false;  // MATSEQAIJ: the value array is in plan order
  PetscInt rbegin_ = 0, rend_ = 0;
  std::int64_t nnz_ = 0;
  std::vector<Monomial> operators_;  // left and right monomial of each term the pattern is for
  std::vector<PetscInt> trace_cols_;  // columns of the folded trace row
  std::vector<PetscScalar> trace_values_;  // its values, Tr of each column's basis element
  RowEntries buffer_;
  std::vector<SymmetricTerm> symmetric_terms_;  // the symmetric space's terms, read at each assembly

  // The plan, for the owned rows in CSR order. A "slot" is one stored nonzero; its value is the sum
  // of the coefficients of terms slot_terms_[slot_begin_[s] .. slot_begin_[s + 1]), in term order
  // (the order liouvillian_row adds them in, so the sums are bitwise the same). The folded trace
  // row, when owned, is the first trace_slots_ slots, all 1, with no terms.
  std::vector<PetscInt> row_slots_;        // first slot of each owned row, and the slot count
  std::vector<PetscInt> slot_cols_;        // global column of each slot (dropped once in place)
  std::vector<std::uint32_t> slot_begin_;  // slot count + 1 offsets into slot_terms_
  std::vector<std::uint32_t> slot_terms_;  // term indices
  std::size_t trace_slots_ = 0;
  std::uint64_t generation_ = 0;
  bool checked_ = false;   // PETSc's stored pattern compared with the plan (after the first fill)
  bool in_place_ = false;
  std::vector<PetscScalar> coefs_;  // the current point's coefficients, by term
};

} // namespace nessmap
