// The assembly plan (a point's matrix as sums of its coefficients over precomputed term lists)
// against the reference it replaces: the rows of liouvillian_row, with the folded trace row, entry
// by entry and bitwise, at random points of every family, also when one matrix goes from family to
// family.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "model/master_equation.hpp"
#include "model/state_space.hpp"

using namespace nessmap;
using namespace nessmap::testing;

namespace {

const char *to_string(TraceRow t) { return t == TraceRow::fold ? "fold" : "none"; }

// First difference between the assembled Mat and the rows of liouvillian_row (the folded trace row
// being 1 at every diagonal element), or "" when the pattern and every value are equal. Equality is
// exact: the plan adds the same coefficients in the same order.
std::string difference(const LiouvillianMatrix &L, const MasterEquation &me) {
  const StateSpace &space = L.space();
  std::vector<PetscInt> trace_cols;
  for (auto d : space.diagonal_indices()) trace_cols.push_back(static_cast<PetscInt>(d));
  std::sort(trace_cols.begin(), trace_cols.end());
  RowEntries ref;
  std::int64_t nnz = 0;
  std::ostringstream out;
  out.precision(17);
  for (PetscInt r = L.row_begin(); r < L.row_end(); ++r) {
    if (L.mode() == TraceRow::fold && r == 0) {
      ref.cols = trace_cols;
      ref.values.assign(trace_cols.size(), 1.0);
    } else {
      liouvillian_row(space, me, r, ref);
    }
    nnz += static_cast<std::int64_t>(ref.cols.size());
    PetscInt n = 0;
    const PetscInt *cols = nullptr;
    const PetscScalar *values = nullptr;
    NESSMAP_PETSC(MatGetRow(L.mat(), r, &n, &cols, &values));
    for (PetscInt k = 0; out.str().empty() && k < std::max<PetscInt>(n, static_cast<PetscInt>(ref.cols.size())); ++k) {
      if (k >= n || k >= static_cast<PetscInt>(ref.cols.size()))
        out << "row " << r << ": " << n << " stored entries, reference " << ref.cols.size();
      else if (cols[k] != ref.cols[k])
        out << "row " << r << " entry " << k << ": column " << cols[k] << ", reference " << ref.cols[k];
      else if (values[k] != ref.values[k])
        out << "row " << r << " column " << cols[k] << ": " << values[k] << ", reference " << ref.values[k];
    }
    NESSMAP_PETSC(MatRestoreRow(L.mat(), r, &n, &cols, &values));
    if (!out.str().empty()) return out.str();
  }
  if (nnz != L.nnz()) out << "nnz " << L.nnz() << ", reference " << nnz;
  return out.str();
}

struct Layout {
  int N;
  Space space;
  TraceRow mode;
};

std::vector<Layout> layouts() {
  std::vector<Layout> l;
  for (int N : {1, 2, 3})
    for (Space s : {Space::balanced, Space::full})
      for (TraceRow t : {TraceRow::fold, TraceRow::none})
        if (s == Space::balanced || N <= 2) l.push_back({N, s, t});
  return l;
}

} // namespace

TEST_CASE("Assembly plan reproduces liouvillian_row at random points of every family", "[assembly]") {
  std::mt19937 rng(21);
  for (const Layout &lay : layouts())
    for (Bath bath : all_baths)
      for (Coupling coupling : all_couplings)
        // The default limit plans; a limit of 0 takes the per-row path kept for large N.
        for (std::int64_t limit : {LiouvillianMatrix::default_plan_limit, std::int64_t{0}}) {
          const StateSpace space(lay.space, lay.N);
          LiouvillianMatrix L(PETSC_COMM_SELF, space, lay.mode, limit);
          Mat first = nullptr;
          for (int rep = 0; rep < 4; ++rep) {
            const SystemParameters p = random_point(rng, lay.N, bath, coupling);
            INFO(describe(p) << " space=" << nessmap::to_string(lay.space) << " trace row="
                             << to_string(lay.mode) << " plan limit=" << limit << " point " << rep);
            const MasterEquation me = build_master_equation(p);
            L.assemble(me);
            CHECK(difference(L, me) == "");
            CHECK(L.planned() == (limit > 0));
            // One sequential Mat per family; once the first fill has checked the pattern, the values
            // go in place.
            if (rep == 0) first = L.mat();
            CHECK(L.mat() == first);
            CHECK(L.writes_in_place() == L.planned());
          }
        }
}

TEST_CASE("Assembly plan follows one matrix through alternating families", "[assembly]") {
  // common/pairwise and cascaded/all_to_all have equal term counts but different operators; a
  // family may come back after others, and may repeat.
  const std::pair<Bath, Coupling> sequence[] = {
      {Bath::common, Coupling::pairwise},      {Bath::cascaded, Coupling::all_to_all},
      {Bath::cascaded, Coupling::all_to_all},  {Bath::common, Coupling::pairwise},
      {Bath::independent, Coupling::all_to_all}, {Bath::cascaded, Coupling::pairwise},
      {Bath::common, Coupling::all_to_all},    {Bath::common, Coupling::all_to_all},
      {Bath::independent, Coupling::pairwise}, {Bath::common, Coupling::pairwise}};
  std::mt19937 rng(22);
  for (const Layout &lay : layouts()) {
    const StateSpace space(lay.space, lay.N);
    LiouvillianMatrix L(PETSC_COMM_SELF, space, lay.mode);
    const std::pair<Bath, Coupling> *previous = nullptr;
    Mat previous_mat = nullptr;
    for (const auto &family : sequence) {
      const SystemParameters p = random_point(rng, lay.N, family.first, family.second);
      INFO(describe(p) << " space=" << nessmap::to_string(lay.space) << " trace row=" << to_string(lay.mode));
      const MasterEquation me = build_master_equation(p);
      L.assemble(me);
      CHECK(difference(L, me) == "");
      CHECK(L.planned());
      // The same family keeps its Mat (and with it the symbolic factorization). N = 1 has no
      // non-local terms, so there the baths differ only in coefficients and also share one.
      if (previous && family == *previous) CHECK(L.mat() == previous_mat);
      previous = &family;
      previous_mat = L.mat();
    }
  }
}
