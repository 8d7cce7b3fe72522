#include "solver/dicke_solver.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <petscksp.h>

#include "model/dicke_sectors.hpp"
#include "model/symmetric_terms.hpp"
#include "petsc/petsc.hpp"

namespace nessmap {
namespace {

// A sector's trace-row matrix counts as singular when A z = b for a generic b leaves more than
// this times ||A||_1 ||z|| + ||b|| (backward-stable LU of a regular matrix leaves about 1e-16), or
// when ||A||_1 ||z|| / ||b|| (a lower bound of its condition number) exceeds its inverse.
constexpr double sector_regularity_tolerance = 1e-12;

// rho0's excited population per ensemble, when rho0 is the product of one diagonal qubit state per
// ensemble (every class's y = sqrt(M) prod (1 - p)^n00 p^n11 on the diagonal, 0 elsewhere).
std::optional<std::array<double, 2>> product_populations(const SymmetricBasis &basis, const DensityMatrix &rho0) {
  const int N = basis.N();
  const std::array<double, 2> p{rho0.excited_population(qubit_bit(N, Ensemble::hot, 0)),
                                 rho0.excited_population(qubit_bit(N, Ensemble::cold, 0))};
  const auto &y = rho0.values();
  double largest = 0, off = 0;
  for (std::int64_t i = 0; i < basis.dimension(); ++i) {
    double w = 0;
    if (basis.diagonal(i)) {
      w = std::sqrt(basis.multiplicity(i));
      for (int s = 0; s < 2; ++s)
        w *= std::pow(1 - p[s], basis.occupation(basis.key(i), s, 0)) * std::pow(p[s], basis.occupation(basis.key(i), s, 3));
    }
    largest = std::max(largest, std::abs(y[static_cast<std::size_t>(i)]));
    off = std::max(off, std::abs(y[static_cast<std::size_t>(i)] - w));
  }
  if (off > 1e-12 * largest) return std::nullopt;
  return p;
}

} // namespace

std::optional<SectorSolution> sector_steady_state(const MasterEquation &me, const SymmetricBasis &basis,
                                                  const DensityMatrix &rho0, std::string *why) {
  const auto fail = [&](std::string reason) -> std::optional<SectorSolution> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  const auto form = collective_form(symmetric_terms(me, basis), basis, why);
  if (!form) return std::nullopt;
  const auto populations = product_populations(basis, rho0);
  if (!populations) return fail("rho_0 is not a product of one qubit state per ensemble, which the sector weights assume");
  const int N = basis.N();

  SectorSolution out;
  std::vector<DickeSector> sectors;
  std::vector<std::vector<Complex>> states;  // W_s sigma_s
  // One KSP per sector (their sizes differ), options prefix -sector_.
  PetscKSP ksp;
  const auto make_ksp = [&] {
    NESSMAP_PETSC(KSPCreate(PETSC_COMM_SELF, ksp.out()));
    NESSMAP_PETSC(KSPSetOptionsPrefix(ksp, "sector_"));
    NESSMAP_PETSC(KSPSetType(ksp, KSPPREONLY));
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    NESSMAP_PETSC(PCSetType(pc, PCLU));
#if defined(PETSC_HAVE_MUMPS)
    NESSMAP_PETSC(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
#endif
    NESSMAP_PETSC(KSPSetFromOptions(ksp));
  };
  for (int two_j_h : spins(N)) {
    for (int two_j_c : spins(N)) {
      ++out.sectors;
      const double weight = sector_weight(N, two_j_h, (*populations)[0]) * sector_weight(N, two_j_c, (*populations)[1]);
      sectors.emplace_back(N, two_j_h, two_j_c);
      states.emplace_back();
      if (weight == 0) continue;
      ++out.solved;
      const DickeSector &sector = sectors.back();
      auto L = sector.liouvillian(*form);
      const auto n = static_cast<PetscInt>(sector.dimension());
      out.largest = std::max<std::int64_t>(out.largest, n);
      // Row 0 (|0,0><0,0|, a diagonal element: L is trace preserving, so its row is implied by the
      // others) becomes the trace, with right-hand side 1.
      std::vector<PetscInt> rows(static_cast<std::size_t>(n) + 1), columns;
      std::vector<PetscScalar> values;
      for (PetscInt i = 0; i < n; ++i)
        if (sector.diagonal(i)) {
          columns.push_back(i);
          values.push_back(1.0);
        }
      rows[1] = static_cast<PetscInt>(columns.size());
      const std::size_t first = static_cast<std::size_t>(L.row_offsets[1]);
      for (std::size_t k = first; k < L.columns.size(); ++k) {
        columns.push_back(static_cast<PetscInt>(L.columns[k]));
        values.push_back(L.values[k]);
      }
      for (PetscInt r = 1; r < n; ++r)
        rows[static_cast<std::size_t>(r) + 1] =
            rows[1] + static_cast<PetscInt>(L.row_offsets[static_cast<std::size_t>(r) + 1] - L.row_offsets[1]);
      L = {};
      PetscMat A;
      NESSMAP_PETSC(MatCreate(PETSC_COMM_SELF, A.out()));
      NESSMAP_PETSC(MatSetSizes(A, n, n, n, n));
      NESSMAP_PETSC(MatSetType(A, MATSEQAIJ));
      NESSMAP_PETSC(MatSeqAIJSetPreallocationCSR(A, rows.data(), columns.data(), values.data()));
      PetscVec x, b, r, d;
      NESSMAP_PETSC(MatCreateVecs(A, x.out(), b.out()));
      NESSMAP_PETSC(VecDuplicate(b, r.out()));
      NESSMAP_PETSC(VecDuplicate(b, d.out()));
      NESSMAP_PETSC(VecSet(b, 0.0));
      NESSMAP_PETSC(VecSetValue(b, 0, 1.0, INSERT_VALUES));
      NESSMAP_PETSC(VecAssemblyBegin(b));
      NESSMAP_PETSC(VecAssemblyEnd(b));
      make_ksp();
      NESSMAP_PETSC(KSPSetOperators(ksp, A, A));
      KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
      const auto solved = [&](Vec rhs, Vec sol) {
        if (KSPSolve(ksp, rhs, sol) != 0) return false;
        NESSMAP_PETSC(KSPGetConvergedReason(ksp, &reason));
        return reason > 0;
      };
      char where[96];
      std::snprintf(where, sizeof where, "sector (j_h, j_c) = (%g, %g), %ld rows", two_j_h / 2.0, two_j_c / 2.0,
                    static_cast<long>(n));
      if (!solved(b, x)) return fail(std::string("the LU of ") + where + " failed (" + KSPConvergedReasons[reason] + ")");
      // With the trace row the matrix is regular exactly when the sector has one steady state (a
      // hot ensemble without a bath of its own, g_h = 0, keeps every population in the sectors
      // j_c = 0). LU of a singular matrix can still return a valid-looking state (MUMPS reports no
      // null pivot for those rows), but no solution of A z = b for a generic b: its residual then
      // stays of the order of ||b||, where a regular A leaves roundoff.
      {
        PetscScalar *ra;
        NESSMAP_PETSC(VecGetArray(r, &ra));
        for (PetscInt i = 0; i < n; ++i) ra[i] = std::sin(1.0 + 0.7 * static_cast<double>(i));
        NESSMAP_PETSC(VecRestoreArray(r, &ra));
        PetscReal a_norm, z_norm, b_norm, res_norm;
        NESSMAP_PETSC(VecNorm(r, NORM_2, &b_norm));
        const bool ok = solved(r, d);
        NESSMAP_PETSC(MatNorm(A, NORM_1, &a_norm));
        NESSMAP_PETSC(VecNorm(d, NORM_2, &z_norm));
        PetscVec t;
        NESSMAP_PETSC(VecDuplicate(r, t.out()));
        NESSMAP_PETSC(MatMult(A, d, t));
        NESSMAP_PETSC(VecAXPY(t, -1.0, r));
        NESSMAP_PETSC(VecNorm(t, NORM_2, &res_norm));
        // ||A|| ||z|| / ||b|| estimates A's condition number: beyond 1/sector_regularity_tolerance
        // a null pivot of roundoff size (g_h = 0 leaves 8e-17 on those rows) was divided by.
        const double condition = a_norm * z_norm / b_norm;
        if (!ok || !(res_norm <= sector_regularity_tolerance * (a_norm * z_norm + b_norm)) ||
            !(condition <= 1.0 / sector_regularity_tolerance)) {
          char text[240];
          std::snprintf(text, sizeof text,
                        " has more than one steady state: A z = b for a generic b gives ||A||_1 ||z|| / ||b|| = %.3g "
                        "and ||A z - b|| / ||b|| = %.3g",
                        condition, res_norm / b_norm);
          return fail(std::string(where) + text);
        }
      }
      // One more solve with the residual: the size of the LU's error (traceless, like that error).
      NESSMAP_PETSC(MatMult(A, x, r));
      NESSMAP_PETSC(VecAXPY(r, -1.0, b));
      if (!solved(r, d)) return fail(std::string("the correction of ") + where + " failed");
      PetscReal x_norm, d_norm;
      NESSMAP_PETSC(VecNorm(x, NORM_2, &x_norm));
      NESSMAP_PETSC(VecNorm(d, NORM_2, &d_norm));
      if (!std::isfinite(x_norm) || !(d_norm <= 1e-6 * x_norm))
        return fail(std::string(where) + " has no unique steady state: its LU's correction is " + std::to_string(d_norm) +
                    " of a state of norm " + std::to_string(x_norm));
      // sigma (x) 1_d / d has Frobenius norm ||sigma|| / sqrt(d).
      const double d_s = spin_multiplicity(N, two_j_h) * spin_multiplicity(N, two_j_c);
      out.error += weight * d_norm / std::sqrt(d_s);
      const PetscScalar *xa;
      NESSMAP_PETSC(VecGetArrayRead(x, &xa));
      states.back().assign(xa, xa + n);
      NESSMAP_PETSC(VecRestoreArrayRead(x, &xa));
      for (auto &v : states.back()) v *= weight;
    }
  }
  std::vector<double> bound;
  to_symmetric(basis, sectors, states, out.y, bound);
  double bound_norm = 0;
  for (double v : bound) bound_norm += v * v;
  out.error += std::sqrt(bound_norm);
  if (!ksp) make_ksp();
  {
    PC pc;
    NESSMAP_PETSC(KSPGetPC(ksp, &pc));
    KSPType kt;
    PCType pt;
    MatSolverType st = nullptr;
    NESSMAP_PETSC(KSPGetType(ksp, &kt));
    NESSMAP_PETSC(PCGetType(pc, &pt));
    char text[200];
    std::snprintf(text, sizeof text, "dicke sectors: %d of %d solved (largest %ld rows), ksp %s, pc %s", out.solved,
                  out.sectors, static_cast<long>(out.largest), kt, pt);
    out.solver = text;
    if (PCFactorGetMatSolverType(pc, &st) == 0 && st) out.solver += " (" + std::string(st) + ")";
  }
  return out;
}

} // namespace nessmap
