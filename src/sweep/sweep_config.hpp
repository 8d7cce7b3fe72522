#pragma once
// The configuration of a sweep: the point it starts from, its axes (sweep/axes.hpp) and where the
// results go. config/ builds it from the YAML:
//
//   sweep:
//     axes:                        # the grid is the Cartesian product, in the order written
//       omega_ratio: {start: 0.1, stop: 3.0, num: 291}   # or {..., log: true}, or a list
//       bath: [common, cascaded, independent]
//     ranks_per_point: 1           # optional: ranks that solve one point together
//   output:
//     path: results/fig3.nc        # netCDF-4; relative to the working directory
//     csv: false                   # optional: also a long-format CSV beside it (same name, .csv)
#include <string>
#include <vector>

#include "point/point_config.hpp"
#include "sweep/axes.hpp"

namespace nessmap {

struct OutputConfig {
  std::string path;    // the netCDF-4 file
  bool csv = false;    // also write a long-format CSV at `path` with its extension replaced by .csv
};

struct SweepConfig {
  PointConfig base;              // system and solver as written, before any axis is applied
  std::vector<Axis> axes;        // in the order written
  // The base system for every combination of the structural axes (N, bath, coupling), row-major
  // over those axes in the order they appear in `axes`; a single entry when there are none. Each
  // was read and validated as a point with those values, so per-qubit lists were checked
  // against that N and Omega against that coupling.
  std::vector<SystemParameters> structural_bases;
  int ranks_per_point = 1;
  OutputConfig output;
  std::string yaml_text;         // the file verbatim (provenance)
  std::vector<std::string> overrides;
};

} // namespace nessmap
