#pragma once
// The output files of a sweep, from the master's results: the netCDF-4 data set (one variable
// per observable over all axes, coordinates per axis, status and regime as flagged integers) and
// the optional long-format CSV (one row per point).
#include <string>
#include <vector>

#include "format/netcdf.hpp"
#include "sweep/grid.hpp"
#include "sweep/results.hpp"

namespace nessmap {

// The data set; `attributes` (provenance) become global attributes after the fixed ones.
netcdf::Dataset sweep_dataset(const SweepConfig &config, const Grid &grid, const SweepResults &results,
                              std::vector<netcdf::Attribute> attributes);

// Both write to "<path>.tmp" and rename, so a file with the final name is always whole.
void write_sweep_netcdf(const std::string &path, const netcdf::Dataset &data);
void write_sweep_csv(const std::string &path, const Grid &grid, const SweepResults &results);

// output.path with its extension replaced by .csv.
std::string csv_path(const std::string &netcdf_path);

} // namespace nessmap
