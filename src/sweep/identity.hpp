#pragma once
// The identity of a sweep: the text that names everything that changes a point's value (the
// system values no axis replaces, the solver's method and space, the axes and their values, the
// PETSc/SLEPc options that change results). A journal records it in its header and is only
// resumed or merged by a run with the same identity. Pure functions of their arguments: no MPI,
// no files; none of them throws beyond std::bad_alloc.
#include <string>

#include "sweep/sweep_config.hpp"

namespace nessmap {

// One "key = value" line per entry, in a fixed order.
std::string sweep_identity(const SweepConfig &config, const std::string &solver_options);

// Why two identities differ: the first key whose value changed, with both values shortened.
std::string identity_difference(const std::string &journal, const std::string &current);

// The options of `options` (a PETSc options string, "-name [value] ...") that may change a
// point's value, as "-name value" sorted by name; the last occurrence of a name wins, as in
// PETSc. Options that only print or log (cosmetic_option) are dropped.
std::string result_options(const std::string &options);

// An option (its name without the leading '-') that only changes what is printed or logged.
bool cosmetic_option(const std::string &name);

} // namespace nessmap
