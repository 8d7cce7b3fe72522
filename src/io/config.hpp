#pragma once
// Reading and validating the YAML of one point (sections `system` and `solver`).
//
// Every problem is reported as a ConfigError whose message starts with where it is:
//   "FILE:LINE:COLUMN: KEY.PATH: what is wrong"       for a value read from the file
//   "--set KEY.PATH=VALUE: KEY.PATH: what is wrong"   for a command-line override
// and nothing has a silent default: a key that is not known, given twice, of the wrong type, of the
// wrong length, NaN/inf, or out of range is an error.
#include <stdexcept>
#include <string>
#include <vector>

#include "model/parameters.hpp"
#include "model/state_space.hpp"

namespace nessmap {

enum class Method { ksp, eps };
const char *to_string(Method m);

struct SolverConfig {
  Method method = Method::ksp;
  Space space = Space::balanced;
};

struct PointConfig {
  SystemParameters system;
  SolverConfig solver;
  std::string source;      // file name the config was read from
  std::string N_location;  // "FILE:LINE:COLUMN" or "--set ..." of system.N, for later checks of N
};

class ConfigError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Reads `path`, applies the overrides ("system.omega_h=1.7"; the value is parsed as YAML, so
// "system.g_h=[0.5, 0.6]" works), validates, and returns the point. Throws ConfigError.
PointConfig load_point_config(const std::string &path, const std::vector<std::string> &overrides = {});

// Same from YAML text already in memory; `source` names it in messages.
PointConfig parse_point_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides = {});

} // namespace nessmap
