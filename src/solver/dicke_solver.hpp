#pragma once
// The steady state of a collective type-1 family (common bath, uniform g and Omega) sector by
// sector (model/dicke_sectors.hpp): one small LU per Dicke sector (j_h, j_c) instead of the
// null-space path's LU of the whole symmetric space. At N = 12 the null-space path took 17 s and
// 752 MiB; the sectors' largest block there is 1,015 rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/density_matrix.hpp"
#include "model/master_equation.hpp"
#include "model/symmetric_basis.hpp"

namespace nessmap {

struct SectorSolution {
  std::vector<Complex> y;  // the state in the symmetric space's coordinates, unit trace
  // ||rho - rho_exact||_F as estimated: per sector one more solve with the residual (the LU's own
  // correction), weighted into rho, plus the rounding bound of the sum into y (dicke_sectors.hpp).
  double error = 0;
  int sectors = 0;            // all sectors: L's null space in the symmetric space has this dimension
  int solved = 0;             // those rho_0 weighs (the others are skipped)
  std::int64_t largest = 0;   // rows of the largest sector solved
  std::string solver;         // "dicke sectors ..." with the KSP used
};

// Whether `me` (type 1, for N = basis.N()) is collective and rho0 a product of one qubit state
// per ensemble (what fixes the sectors' weights); empty with the reason in `why` when not, or when
// a sector's LU fails (singular: a sector with more than one steady state, e.g. g = 0).
// Sequential: every rank of a point computes it whole (PETSC_COMM_SELF). The KSP has options
// prefix -sector_ (default: preonly, LU by MUMPS where PETSc has it). Throws PetscFailure for
// PETSc errors outside a solve.
std::optional<SectorSolution> sector_steady_state(const MasterEquation &me, const SymmetricBasis &basis,
                                                  const DensityMatrix &rho0, std::string *why);

} // namespace nessmap
