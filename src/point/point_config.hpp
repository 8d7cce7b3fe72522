#pragma once
// The configuration of one point as read from a file: the physics (model/parameters.hpp), the
// solver (solver/solver_config.hpp) and where they came from, for messages. config/ builds it from
// the YAML; nothing here reads files.
#include <stdexcept>
#include <string>

#include "model/parameters.hpp"
#include "solver/solver_config.hpp"

namespace nessmap {

struct PointConfig {
  SystemParameters system;
  SolverConfig solver;
  std::string source;      // file name the config was read from
  std::string N_location;  // "FILE:LINE:COLUMN" or "--set ..." of system.N, for later checks of N
};

// Bad input: a config value, an option or an output file that cannot be used. The message starts
// with where the problem is ("FILE:LINE:COLUMN: KEY.PATH: ...", "--set KEY=VALUE: ...", or a
// file path). The commands map it to exit status 2.
class ConfigError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace nessmap
