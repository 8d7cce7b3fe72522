#pragma once
// Where a sweep's file came from: the code, the config, the command line, the libraries, the
// machine and the run's times, as the netCDF file's global attributes.
#include <cstdint>
#include <string>
#include <vector>

#include "format/netcdf.hpp"
#include "sweep/sweep_config.hpp"
#include "sweep/sweep_options.hpp"

namespace nessmap {

// The attributes, on the master (not collective; asks PETSc, SLEPc and MPI for their versions).
// `ranks`: the MPI ranks of the run; `start`: utc_now() at its start; `wall`, `compute`: its
// seconds (compute_seconds added up over the groups); `resumed`: points taken from journals.
std::vector<netcdf::Attribute> provenance(const SweepConfig &config, const SweepOptions &options, int ranks,
                                          const std::string &start, double wall, double compute,
                                          std::int64_t resumed);

// The time now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

} // namespace nessmap
