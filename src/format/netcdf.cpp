// netCDF-4 through netCDF-C (see netcdf.hpp), from one process. The file is created with
// nc_create(NC_NETCDF4 | NC_CLOBBER); netCDF-C lays it out in HDF5 (dimension scales, creation
// order, its hidden attributes) and keeps no time stamps, so the same data always gives the same
// bytes. What this adds to netCDF-C's defaults:
// - ids and order: the dimensions in the order given (their ids), each followed by its coordinate
//   variable, then the variables in the order given; attributes in the order given;
// - every dimension and every variable is made in the file by its own nc_enddef (then nc_redef),
//   so that a failure there (netCDF-C creates the HDF5 objects only then) names what failed;
// - text attributes are NC_CHAR, except texts of 0 or 1 bytes and texts with non-ASCII bytes,
//   which are NC_STRING (see put_text_attribute);
// - a variable of more than 2^16 entries is chunked (at most 1 MiB a chunk, trailing axes whole
//   first), others are contiguous; no filters;
// - _FillValue, missing_value, valid_min/max/range, flag_values and flag_masks are converted to
//   the variable's type (Error when a value does not fit exactly); a numeric variable without
//   _FillValue is NC_NOFILL (all its values are written anyway);
// - a dimension of size 0 is unlimited: netCDF-C knows no fixed dimension of size 0.
// Every netCDF-C call is checked; a failure throws Error with the path, what was being done and
// nc_strerror. HDF5's file locking is set to BEST_EFFORT unless HDF5_USE_FILE_LOCKING says
// otherwise (see write()).
#include "format/netcdf.hpp"

#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <type_traits>
#include <utility>

namespace nessmap::netcdf {

namespace {

static_assert(std::is_same_v<std::int8_t, signed char>, "int8 values go to nc_put_*_schar");

constexpr std::size_t contiguous_max_entries = std::size_t{1} << 16;
constexpr std::size_t chunk_max_bytes = std::size_t{1} << 20;
// What an NC_STRING entry takes in a chunk (an HDF5 global heap id: 16 bytes).
constexpr std::size_t string_entry_bytes = 16;

// Attributes that HDF5's dimension scales or the netCDF library own.
const std::set<std::string> reserved_attributes = {
    "CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "_Netcdf4Dimid", "_Netcdf4Coordinates",
    "_NCProperties", "_nc3_strict"};

// Attributes that netCDF/CF require to have the variable's own type: converted to it.
const std::set<std::string> typed_attributes = {"_FillValue",  "missing_value", "valid_min",
                                                "valid_max",   "valid_range",   "flag_values",
                                                "flag_masks"};

// Everything that writes knows the path and how to fail with it.
class Writer {
public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string &what, int status) const {
    throw Error(path_ + ": " + what + ": " + nc_strerror(status));
  }
  void check(int status, const std::string &what) const {
    if (status != NC_NOERR) fail(what, status);
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

// ---- Types --------------------------------------------------------------------------------------

enum class Kind { f64, i64, i8, string };

Kind kind_of(const Data &data) {
  switch (data.index()) {
  case 0: return Kind::f64;
  case 1: return Kind::i64;
  case 2: return Kind::i8;
  default: return Kind::string;
  }
}

const char *kind_name(Kind kind) {
  switch (kind) {
  case Kind::f64: return "float64";
  case Kind::i64: return "int64";
  case Kind::i8: return "int8";
  default: return "string";
  }
}

nc_type nc_type_of(Kind kind) {
  switch (kind) {
  case Kind::f64: return NC_DOUBLE;
  case Kind::i64: return NC_INT64;
  case Kind::i8: return NC_BYTE;
  default: return NC_STRING;
  }
}

Kind coordinate_kind(const Dimension &d) {
  switch (d.coordinate.index()) {
  case 1: return Kind::f64;
  case 2: return Kind::i64;
  default: return Kind::string;  // also for no coordinates, where it is not used
  }
}

std::size_t size_of(const Data &data) {
  return std::visit([](const auto &v) { return v.size(); }, data);
}

// ---- Checking the description -------------------------------------------------------------------

bool is_ascii(const std::string &s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

void check_name(const Writer &w, const std::string &name, const std::string &what) {
  if (name.empty()) throw Error(w.path() + ": " + what + " has an empty name");
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos ||
      name == "." || name == "..")
    throw Error(w.path() + ": " + what + " name '" + name + "' is not a valid netCDF name");
}

void check_text(const Writer &w, const std::string &text, const std::string &where) {
  if (text.find('\0') != std::string::npos)
    throw Error(w.path() + ": " + where + " contains a NUL character");
}

// Converts the value of a typed attribute (see typed_attributes) to the variable's type, or throws
// when a value has no exact equivalent there.
AttributeValue to_kind(const Writer &w, const AttributeValue &value, Kind kind,
                       const std::string &where) {
  auto bad = [&](const std::string &why) -> Error {
    return Error(w.path() + ": " + where + " must have the variable's type " + kind_name(kind) +
                 ": " + why);
  };
  if (kind == Kind::string) {
    if (!std::holds_alternative<std::string>(value)) throw bad("it is not text");
    return value;
  }
  if (std::holds_alternative<std::string>(value)) throw bad("it is text");
  // All values as doubles and as int64s, with whether each of those is exact.
  std::vector<double> as_double;
  std::vector<std::int64_t> as_int;
  std::vector<bool> integral, exact_double;
  auto add_double = [&](double v) {
    as_double.push_back(v);
    const bool exact = std::isfinite(v) && v == std::trunc(v) && v >= -0x1p63 && v < 0x1p63;
    as_int.push_back(exact ? static_cast<std::int64_t>(v) : 0);
    integral.push_back(exact);
    exact_double.push_back(true);
  };
  auto add_int = [&](std::int64_t v) {
    const double d = static_cast<double>(v);
    as_double.push_back(d);
    as_int.push_back(v);
    integral.push_back(true);
    exact_double.push_back(d < 0x1p63 && static_cast<std::int64_t>(d) == v);
  };
  std::visit(
      [&](const auto &v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) add_double(v);
        else if constexpr (std::is_same_v<T, std::int64_t>) add_int(v);
        else if constexpr (std::is_same_v<T, Doubles>) for (double x : v) add_double(x);
        else if constexpr (std::is_same_v<T, Int64s> || std::is_same_v<T, Int8s>)
          for (auto x : v) add_int(x);
      },
      value);
  switch (kind) {
  case Kind::f64: {
    for (std::size_t i = 0; i < as_double.size(); ++i)
      if (!exact_double[i]) throw bad(std::to_string(as_int[i]) + " is not exact as a double");
    return Doubles(as_double);
  }
  case Kind::i64: {
    for (std::size_t i = 0; i < as_int.size(); ++i)
      if (!integral[i]) throw bad(std::to_string(as_double[i]) + " is not an integer");
    return Int64s(as_int);
  }
  default: {
    Int8s out;
    for (std::size_t i = 0; i < as_int.size(); ++i) {
      if (!integral[i] || as_int[i] < -128 || as_int[i] > 127)
        throw bad((integral[i] ? std::to_string(as_int[i]) : std::to_string(as_double[i])) +
                  " is not an int8");
      out.push_back(static_cast<std::int8_t>(as_int[i]));
    }
    return out;
  }
  }
}

std::size_t attribute_length(const AttributeValue &value) {
  return std::visit(
      [](const auto &v) -> std::size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::int64_t>)
          return 1;
        else
          return v.size();
      },
      value);
}

// Checks a list of attributes and returns it with typed attributes converted to `kind` (the
// variable's type; nullptr for global attributes). `where` names the owner in messages.
std::vector<Attribute> checked_attributes(const Writer &w, const std::vector<Attribute> &attributes,
                                          const Kind *kind, const std::string &where) {
  std::vector<Attribute> out;
  std::set<std::string> seen;
  for (const Attribute &a : attributes) {
    const std::string what = "attribute '" + a.name + "' of " + where;
    check_name(w, a.name, "an attribute of " + where);
    if (!seen.insert(a.name).second) throw Error(w.path() + ": duplicate " + what);
    if (reserved_attributes.count(a.name))
      throw Error(w.path() + ": " + what + " is reserved for netCDF/HDF5 bookkeeping");
    if (const auto *text = std::get_if<std::string>(&a.value)) check_text(w, *text, what);
    Attribute converted = a;
    if (kind && typed_attributes.count(a.name) && !(*kind == Kind::string && a.name != "_FillValue"))
      converted.value = to_kind(w, a.value, *kind, what);
    const std::size_t n = attribute_length(converted.value);
    if (n == 0) throw Error(w.path() + ": " + what + " is an empty list");
    if (a.name == "_FillValue" && n != 1)
      throw Error(w.path() + ": " + what + " must be a single value, not " + std::to_string(n));
    if (a.name == "_FillValue" && !kind)
      throw Error(w.path() + ": " + what + ": _FillValue belongs to a variable");
    out.push_back(std::move(converted));
  }
  return out;
}

void check_data_text(const Writer &w, const Data &data, const std::string &where) {
  if (const auto *strings = std::get_if<Strings>(&data))
    for (const std::string &s : *strings) check_text(w, s, "a value of " + where);
}

// The description with typed attributes converted, and the dimension index of each axis.
struct Plan {
  std::vector<std::vector<Attribute>> dimension_attributes;
  std::vector<std::vector<Attribute>> variable_attributes;
  std::vector<std::vector<std::size_t>> variable_dimensions;
};

Plan check(const Writer &w, const Dataset &data) {
  Plan plan;
  std::set<std::string> names;
  for (const Dimension &d : data.dimensions) {
    const std::string where = "dimension '" + d.name + "'";
    check_name(w, d.name, "a dimension");
    if (!names.insert(d.name).second) throw Error(w.path() + ": duplicate " + where);
    std::size_t n = d.size;
    std::visit(
        [&](const auto &c) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(c)>, std::monostate>) n = c.size();
        },
        d.coordinate);
    if (n != d.size)
      throw Error(w.path() + ": " + where + " has size " + std::to_string(d.size) + " but " +
                  std::to_string(n) + " coordinate values");
    if (const auto *strings = std::get_if<Strings>(&d.coordinate))
      for (const std::string &s : *strings) check_text(w, s, "a coordinate of " + where);
    if (std::holds_alternative<std::monostate>(d.coordinate)) {
      if (!d.attributes.empty())
        throw Error(w.path() + ": " + where +
                    " has attributes but no coordinates (netCDF has no place for them)");
      plan.dimension_attributes.emplace_back();
    } else {
      const Kind kind = coordinate_kind(d);
      plan.dimension_attributes.push_back(checked_attributes(w, d.attributes, &kind, where));
    }
  }
  for (const Variable &v : data.variables) {
    const std::string where = "variable '" + v.name + "'";
    check_name(w, v.name, "a variable");
    if (!names.insert(v.name).second)
      throw Error(w.path() + ": " + where + " has the name of another variable or dimension");
    std::vector<std::size_t> dims;
    std::size_t expected = 1;
    for (const std::string &name : v.dimensions) {
      std::size_t i = 0;
      while (i < data.dimensions.size() && data.dimensions[i].name != name) ++i;
      if (i == data.dimensions.size())
        throw Error(w.path() + ": " + where + " uses unknown dimension '" + name + "'");
      for (std::size_t j : dims)
        if (j == i)
          throw Error(w.path() + ": " + where + " uses dimension '" + name + "' twice");
      dims.push_back(i);
      expected *= data.dimensions[i].size;
    }
    const std::size_t n = size_of(v.data);
    if (n != expected) {
      std::string shape;
      for (std::size_t i : dims)
        shape += (shape.empty() ? "" : " x ") + std::to_string(data.dimensions[i].size);
      throw Error(w.path() + ": " + where + " has " + std::to_string(n) + " values but its shape (" +
                  (shape.empty() ? "scalar" : shape) + ") needs " + std::to_string(expected));
    }
    check_data_text(w, v.data, where);
    const Kind kind = kind_of(v.data);
    plan.variable_attributes.push_back(checked_attributes(w, v.attributes, &kind, where));
    plan.variable_dimensions.push_back(std::move(dims));
  }
  checked_attributes(w, data.attributes, nullptr, "the file");
  return plan;
}

// ---- Writing ------------------------------------------------------------------------------------

// An open netCDF file: nc_abort on every way out but close() (netCDF-C then removes a file still
// in its first define mode; write() removes it otherwise).
class File {
public:
  File(const Writer &w, bool &created) {
    w.check(nc_create(w.path().c_str(), NC_NETCDF4 | NC_CLOBBER, &id_), "cannot create the file");
    created = true;
  }
  ~File() {
    // After a failed nc_enddef, netCDF-C 4.9.0's nc_abort itself fails (NC_EHDFERR): it frees the
    // id but leaves HDF5's handles of the file open until the process ends. There is nothing more
    // to do here through netCDF-C; the file is removed by write() all the same.
    if (id_ >= 0) nc_abort(id_);
  }
  File(const File &) = delete;
  File &operator=(const File &) = delete;

  int id() const { return id_; }
  // Closes (flushes) the file; on failure the id stays for the destructor's nc_abort.
  void close(const Writer &w) {
    w.check(nc_close(id_), "cannot close (flush) the file");
    id_ = -1;
  }

private:
  int id_ = -1;
};

std::vector<long long> to_long_long(const Int64s &values) {
  return std::vector<long long>(values.begin(), values.end());
}

// Text is NC_CHAR, except
// - texts of 0 or 1 bytes: NC_STRING, as in the files written before netCDF-C did the writing
//   (ncdump shows them as `string`; every reader returns the same str either way);
// - texts with non-ASCII bytes: NC_STRING (UTF-8). netCDF-C writes NC_CHAR with HDF5's ASCII
//   character set, which h5netcdf (xarray's engine="h5netcdf") decodes byte by byte: "τ" came back
//   as "\udccf\udc84" (measured with netCDF-C 4.9.0, h5netcdf 1.1.0). netCDF4-python does the same.
void put_text_attribute(const Writer &w, int nc, int varid, const std::string &name,
                        const std::string &text, const std::string &what) {
  if (text.size() <= 1 || !is_ascii(text)) {
    const char *p = text.c_str();
    w.check(nc_put_att_string(nc, varid, name.c_str(), 1, &p), what);
  } else {
    w.check(nc_put_att_text(nc, varid, name.c_str(), text.size(), text.data()), what);
  }
}

// `kind`: the owner's type (nullptr for the file); a text _FillValue of a string variable is an
// NC_STRING attribute like any other text.
void put_attribute(const Writer &w, int nc, int varid, const Attribute &a, const Kind *kind,
                   const std::string &where) {
  const std::string what = "cannot define attribute '" + a.name + "' of " + where;
  const char *name = a.name.c_str();
  if (kind && *kind == Kind::string && a.name == "_FillValue") {
    const char *p = std::get<std::string>(a.value).c_str();
    w.check(nc_put_att_string(nc, varid, name, 1, &p), what);
    return;
  }
  std::visit(
      [&](const auto &v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          put_text_attribute(w, nc, varid, a.name, v, what);
        } else if constexpr (std::is_same_v<T, double>) {
          w.check(nc_put_att_double(nc, varid, name, NC_DOUBLE, 1, &v), what);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          const long long value = v;
          w.check(nc_put_att_longlong(nc, varid, name, NC_INT64, 1, &value), what);
        } else if constexpr (std::is_same_v<T, Doubles>) {
          w.check(nc_put_att_double(nc, varid, name, NC_DOUBLE, v.size(), v.data()), what);
        } else if constexpr (std::is_same_v<T, Int64s>) {
          const auto values = to_long_long(v);
          w.check(nc_put_att_longlong(nc, varid, name, NC_INT64, values.size(), values.data()),
                  what);
        } else if constexpr (std::is_same_v<T, Int8s>) {
          w.check(nc_put_att_schar(nc, varid, name, NC_BYTE, v.size(), v.data()), what);
        }
      },
      a.value);
}

// Defines variable `name` over `dims` (ids) with its storage, fill and attributes; returns its id.
int define_variable(const Writer &w, int nc, const std::string &name, Kind kind,
                    const std::vector<int> &dims, const std::vector<std::size_t> &shape,
                    const std::vector<Attribute> &attributes, const std::string &where) {
  int varid = -1;
  w.check(nc_def_var(nc, name.c_str(), nc_type_of(kind), static_cast<int>(dims.size()),
                     dims.data(), &varid),
          "cannot define " + where);

  // Storage: contiguous, or chunks of at most chunk_max_bytes above contiguous_max_entries
  // entries (whole trailing axes first, then as many rows of the next as fit). Scalars keep
  // netCDF-C's (contiguous), and so does a variable over an unlimited (size 0) dimension, which
  // HDF5 can only chunk.
  std::size_t entries = 1;
  for (std::size_t n : shape) entries *= n;
  if (!shape.empty() && entries > contiguous_max_entries) {
    const std::size_t element = kind == Kind::f64 || kind == Kind::i64 ? 8
                                : kind == Kind::i8                     ? 1
                                                                       : string_entry_bytes;
    std::size_t budget = chunk_max_bytes / element;
    std::vector<std::size_t> chunk(shape.size());
    for (std::size_t d = shape.size(); d-- > 0;) {
      chunk[d] = std::max<std::size_t>(1, std::min(shape[d], budget));
      budget = std::max<std::size_t>(1, budget / chunk[d]);
    }
    w.check(nc_def_var_chunking(nc, varid, NC_CHUNKED, chunk.data()),
            "cannot set the chunks of " + where);
  } else if (!shape.empty() && entries > 0) {
    w.check(nc_def_var_chunking(nc, varid, NC_CONTIGUOUS, nullptr),
            "cannot make " + where + " contiguous");
  }

  // No fill where there is no _FillValue: every value is written. netCDF-C refuses NC_NOFILL for
  // NC_STRING (NC_EINVAL), whose fill is then its default, the empty string.
  const bool has_fill = std::any_of(attributes.begin(), attributes.end(),
                                    [](const Attribute &a) { return a.name == "_FillValue"; });
  if (!has_fill && kind != Kind::string)
    w.check(nc_def_var_fill(nc, varid, NC_NOFILL, nullptr), "cannot set the fill of " + where);

  for (const Attribute &a : attributes) put_attribute(w, nc, varid, a, &kind, where);
  return varid;
}

void put_values(const Writer &w, int nc, int varid, const Data &data, const std::string &where) {
  if (size_of(data) == 0) return;
  const std::string what = "cannot write the values of " + where;
  std::visit(
      [&](const auto &v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Doubles>) {
          w.check(nc_put_var_double(nc, varid, v.data()), what);
        } else if constexpr (std::is_same_v<T, Int64s>) {
          w.check(nc_put_var_longlong(nc, varid, to_long_long(v).data()), what);
        } else if constexpr (std::is_same_v<T, Int8s>) {
          w.check(nc_put_var_schar(nc, varid, v.data()), what);
        } else {
          std::vector<const char *> pointers;
          pointers.reserve(v.size());
          for (const std::string &s : v) pointers.push_back(s.c_str());
          w.check(nc_put_var_string(nc, varid, pointers.data()), what);
        }
      },
      data);
}

// Makes what is defined so far in the file: netCDF-C creates the HDF5 objects only now.
void create_in_file(const Writer &w, int nc, const std::string &where) {
  w.check(nc_enddef(nc), "cannot create " + where + " (nc_enddef)");
}

// Sets `created` once the file exists (so that only a file made here is removed on failure).
void write_file(const Writer &w, const Dataset &data, const Plan &plan, bool &created) {
  File file(w, created);
  const int nc = file.id();

  // Dimensions in the order given (their ids), each with its coordinate variable.
  std::vector<int> dimids;
  for (std::size_t i = 0; i < data.dimensions.size(); ++i) {
    const Dimension &d = data.dimensions[i];
    const std::string where = "dimension '" + d.name + "'";
    int dimid = -1;
    // A size of 0 is NC_UNLIMITED.
    w.check(nc_def_dim(nc, d.name.c_str(), d.size, &dimid), "cannot define " + where);
    dimids.push_back(dimid);
    int varid = -1;
    const Data values = std::visit(
        [](const auto &c) -> Data {
          if constexpr (std::is_same_v<std::decay_t<decltype(c)>, std::monostate>)
            return Doubles{};
          else
            return c;
        },
        d.coordinate);
    if (!std::holds_alternative<std::monostate>(d.coordinate))
      varid = define_variable(w, nc, d.name, kind_of(values), {dimid}, {d.size},
                              plan.dimension_attributes[i], "coordinate '" + d.name + "'");
    create_in_file(w, nc, where);
    if (varid >= 0) put_values(w, nc, varid, values, "coordinate '" + d.name + "'");
    w.check(nc_redef(nc), "cannot define more after " + where + " (nc_redef)");
  }

  // Variables in the order given.
  for (std::size_t i = 0; i < data.variables.size(); ++i) {
    const Variable &v = data.variables[i];
    const std::string where = "variable '" + v.name + "'";
    std::vector<int> dims;
    std::vector<std::size_t> shape;
    for (std::size_t j : plan.variable_dimensions[i]) {
      dims.push_back(dimids[j]);
      shape.push_back(data.dimensions[j].size);
    }
    const int varid = define_variable(w, nc, v.name, kind_of(v.data), dims, shape,
                                      plan.variable_attributes[i], where);
    create_in_file(w, nc, where);
    put_values(w, nc, varid, v.data, where);
    w.check(nc_redef(nc), "cannot define more after " + where + " (nc_redef)");
  }

  for (const Attribute &a : data.attributes) put_attribute(w, nc, NC_GLOBAL, a, nullptr, "the file");
  create_in_file(w, nc, "the attributes of the file");
  file.close(w);
}

}  // namespace

void write(const std::string &path, const Dataset &data) {
  const Writer w(path);
  const Plan plan = check(w, data);  // before the file is touched
  // HDF5 locks the files it writes and, by default, fails where the file system cannot lock
  // (some parallel ones). As the HDF5 writer before this did through its file access properties
  // (which netCDF-C does not expose): lock where possible, go on where not. HDF5 reads the
  // variable at every file it creates; one set by the user is kept.
  setenv("HDF5_USE_FILE_LOCKING", "BEST_EFFORT", /*overwrite=*/0);
  bool created = false;
  try {
    write_file(w, data, plan, created);
  } catch (const Error &) {
    // The file is closed (or given up) by now; a partial file is of no use to anyone.
    if (created) std::remove(path.c_str());
    throw;
  }
}

}  // namespace nessmap::netcdf
