#pragma once
// Reading and validating the YAML of one point (sections `system` and `solver`) and of a sweep
// (the same, plus `sweep` and `output`; see the end of this file).
//
// Every problem is reported as a ConfigError whose message starts with where it is:
//   "FILE:LINE:COLUMN: KEY.PATH: what is wrong"       for a value read from the file
//   "--set KEY.PATH=VALUE: KEY.PATH: what is wrong"   for a command-line override
// and nothing has a silent default: a key that is not known, given twice, of the wrong type, of the
// wrong length, NaN/inf, or out of range is an error.
#include <string>
#include <vector>

#include "point/point_config.hpp"
#include "sweep/sweep_config.hpp"

namespace nessmap {

// Reads `path`, applies the overrides ("system.omega_h=1.7"; the value is parsed as YAML, so
// "system.g_h=[0.5, 0.6]" works), validates, and returns the point. Throws ConfigError.
PointConfig load_point_config(const std::string &path, const std::vector<std::string> &overrides = {});

// Same from YAML text already in memory; `source` names it in messages.
PointConfig parse_point_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides = {});

// Reads and validates a sweep: every check of a point applies to every structural base, every
// axis value is checked against its range, and conflicting axes are refused. Throws ConfigError.
SweepConfig load_sweep_config(const std::string &path, const std::vector<std::string> &overrides = {});
SweepConfig parse_sweep_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides = {});

// A sweep when the file (or an override) has a `sweep` section, else its point as a sweep without
// axes (one structural base); for commands that take either, like `nessmap estimate`.
SweepConfig load_config(const std::string &path, const std::vector<std::string> &overrides = {});

} // namespace nessmap
