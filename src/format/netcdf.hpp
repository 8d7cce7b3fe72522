#pragma once
// A data set written as a netCDF-4 file by netCDF-C (the library behind ncdump), so that netCDF
// tools, xarray (engines netcdf4 and h5netcdf) and h5py all read it: a dimension with
// coordinates is a coordinate variable of the same name, and attributes use the netCDF types.
// Written serially, by the one process that calls write().
//
// The data set is described in memory and written in one call; the caller writes to a temporary
// name and renames (see sweep/), so a file with the final name is always complete.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace nessmap::netcdf {

using Int8s = std::vector<std::int8_t>;
using Int64s = std::vector<std::int64_t>;
using Doubles = std::vector<double>;
using Strings = std::vector<std::string>;

// Attribute values: text, one number, or a list (netCDF attributes are 1-D arrays). An Int8s
// attribute goes with int8 variables (flag_values must have the variable's type).
using AttributeValue = std::variant<std::string, double, std::int64_t, Doubles, Int64s, Int8s>;

struct Attribute {
  std::string name;
  AttributeValue value;
};

// Data of a variable or coordinate, row-major over its dimensions.
using Data = std::variant<Doubles, Int64s, Int8s, Strings>;

struct Dimension {
  std::string name;
  std::size_t size = 0;
  // Values of the coordinate variable `name` (size entries); std::monostate for a dimension
  // without coordinates (it is still a dimension scale, as netCDF-4 writes it).
  std::variant<std::monostate, Doubles, Int64s, Strings> coordinate;
  std::vector<Attribute> attributes;  // of the coordinate variable (long_name, units, ...)
};

struct Variable {
  std::string name;
  std::vector<std::string> dimensions;  // names of Dataset::dimensions, outermost first
  Data data;                            // product of the dimension sizes entries
  std::vector<Attribute> attributes;    // e.g. long_name, units, _FillValue, flag_values
};

struct Dataset {
  std::vector<Dimension> dimensions;
  std::vector<Variable> variables;
  std::vector<Attribute> attributes;  // global
};

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Writes `data` to `path` (created or truncated). Throws Error naming the path and what failed,
// or when the description is inconsistent (unknown dimension, wrong data size, ...).
void write(const std::string &path, const Dataset &data);

}  // namespace nessmap::netcdf
