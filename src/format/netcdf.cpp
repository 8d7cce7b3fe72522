// netCDF-4 through the HDF5 C API (see netcdf.hpp). What netCDF-C writes, and what this writes:
// - the file and every dataset track (and index) link and attribute creation order, so the
//   variables and attributes come back in the order given;
// - every dimension is a dimension scale with an int `_Netcdf4Dimid` (its position in
//   Dataset::dimensions, which is also its creation order). A dimension with coordinates is the
//   1-D coordinate dataset of the same name; one without is an empty float32 dataset whose NAME
//   is "This is a netCDF dimension but not a netCDF variable." plus the size in 10 columns;
// - every variable is a dataset attached to its dimensions' scales, with the int array
//   `_Netcdf4Coordinates` of its dimension ids (which netCDF-C writes on every variable);
// - text attributes are scalar fixed-length strings (netCDF NC_CHAR), except texts of 0 or 1
//   bytes, which are scalar variable-length UTF-8 strings (NC_STRING): h5netcdf returns a
//   fixed-length string of one byte as bytes, and HDF5 has no fixed-length string of 0 bytes.
// - a variable of more than 2^16 entries is chunked (at most 1 MiB a chunk, trailing axes whole
//   first), others are contiguous; no filters;
// - _FillValue, missing_value, valid_min/max/range, flag_values and flag_masks are converted to
//   the variable's type (Error when a value does not fit exactly); _FillValue is also the HDF5
//   fill value of the dataset.
// No object keeps time stamps, so the same data always gives the same bytes.
// HDF5's automatic printing of its error stack is off while writing; a failing call throws Error
// with the path, what was being done and HDF5's own messages.
#include "format/netcdf.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>

namespace nessmap::netcdf {

namespace {

constexpr const char *dimension_without_variable =
    "This is a netCDF dimension but not a netCDF variable.";
constexpr std::size_t contiguous_max_entries = std::size_t{1} << 16;
constexpr std::size_t chunk_max_bytes = std::size_t{1} << 20;

// Attributes that HDF5's dimension scales or the netCDF library own.
const std::set<std::string> reserved_attributes = {
    "CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "_Netcdf4Dimid", "_Netcdf4Coordinates",
    "_NCProperties", "_nc3_strict"};

// Attributes that netCDF/CF require to have the variable's own type: converted to it.
const std::set<std::string> typed_attributes = {"_FillValue",  "missing_value", "valid_min",
                                                "valid_max",   "valid_range",   "flag_values",
                                                "flag_masks"};

// ---- Errors -------------------------------------------------------------------------------------

herr_t collect_error(unsigned n, const H5E_error2_t *e, void *out) {
  auto &text = *static_cast<std::string *>(out);
  if (n >= 2) return 0;  // the innermost say what went wrong; the rest is the call chain
  std::string desc = e->desc ? e->desc : "?";
  for (char &c : desc)
    if (c == '\n') c = ' ';
  text += (text.empty() ? "" : "; ") + desc;
  return 0;
}

// The innermost messages of HDF5's error stack, and clears it.
std::string hdf5_errors() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &text);
  H5Eclear2(H5E_DEFAULT);
  return text;
}

// Turns off HDF5's automatic error printing for its lifetime (restoring what was set before).
class QuietHdf5Errors {
public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors &) = delete;
  QuietHdf5Errors &operator=(const QuietHdf5Errors &) = delete;

private:
  H5E_auto2_t func_ = nullptr;
  void *data_ = nullptr;
};

// ---- Handles ------------------------------------------------------------------------------------

// An owned HDF5 identifier, closed by `close_` (H5Dclose, H5Sclose, ...) when it goes.
class Handle {
public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle &&other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Handle &operator=(Handle &&other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  // Closes now and reports whether that worked (closing a file flushes it).
  bool close() {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    return id < 0 || close_(id) >= 0;
  }

private:
  void reset() {
    if (id_ >= 0) close_(id_);
    id_ = H5I_INVALID_HID;
  }
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// Everything that writes knows the path and how to fail with it.
class Writer {
public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string &what) const {
    const std::string hdf5 = hdf5_errors();
    throw Error(path_ + ": " + what + (hdf5.empty() ? "" : " (HDF5: " + hdf5 + ")"));
  }
  Handle check(hid_t id, Handle::Closer close, const std::string &what) const {
    if (id < 0) fail(what);
    return Handle(id, close);
  }
  void check(herr_t status, const std::string &what) const {
    if (status < 0) fail(what);
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

Handle vlen_string_type(const Writer &w) {
  Handle type = w.check(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create a string type");
  w.check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot create a string type");
  w.check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create a string type");
  return type;
}

// Type in the file (little-endian, as netCDF-C writes on this platform).
Handle file_type(const Writer &w, Kind kind) {
  switch (kind) {
  case Kind::f64: return w.check(H5Tcopy(H5T_IEEE_F64LE), H5Tclose, "cannot copy a type");
  case Kind::i64: return w.check(H5Tcopy(H5T_STD_I64LE), H5Tclose, "cannot copy a type");
  case Kind::i8: return w.check(H5Tcopy(H5T_STD_I8LE), H5Tclose, "cannot copy a type");
  default: return vlen_string_type(w);
  }
}

// Type of the values in memory.
Handle memory_type(const Writer &w, Kind kind) {
  switch (kind) {
  case Kind::f64: return w.check(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose, "cannot copy a type");
  case Kind::i64: return w.check(H5Tcopy(H5T_NATIVE_INT64), H5Tclose, "cannot copy a type");
  case Kind::i8: return w.check(H5Tcopy(H5T_NATIVE_INT8), H5Tclose, "cannot copy a type");
  default: return vlen_string_type(w);
  }
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

// A scalar fixed-length (or, for 0/1 bytes, variable-length) UTF-8 string attribute.
void write_text_attribute(const Writer &w, hid_t owner, const std::string &name,
                          const std::string &text, const std::string &what) {
  Handle space = w.check(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a dataspace");
  if (text.size() <= 1) {
    Handle type = vlen_string_type(w);
    Handle attr = w.check(H5Acreate2(owner, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                     H5P_DEFAULT),
                          H5Aclose, "cannot create " + what);
    const char *p = text.c_str();
    w.check(H5Awrite(attr.get(), type.get(), &p), "cannot write " + what);
    return;
  }
  Handle type = w.check(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create a string type");
  w.check(H5Tset_size(type.get(), text.size()), "cannot create a string type");
  w.check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "cannot create a string type");
  w.check(H5Tset_cset(type.get(), is_ascii(text) ? H5T_CSET_ASCII : H5T_CSET_UTF8),
          "cannot create a string type");
  Handle attr = w.check(
      H5Acreate2(owner, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "cannot create " + what);
  w.check(H5Awrite(attr.get(), type.get(), text.data()), "cannot write " + what);
}

template <class T>
void write_array_attribute(const Writer &w, hid_t owner, const std::string &name, Kind kind,
                           const T *values, std::size_t n, const std::string &what) {
  const hsize_t dims[1] = {n};
  Handle space = w.check(H5Screate_simple(1, dims, nullptr), H5Sclose, "cannot create a dataspace");
  Handle ftype = file_type(w, kind);
  Handle mtype = memory_type(w, kind);
  Handle attr = w.check(
      H5Acreate2(owner, name.c_str(), ftype.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose, "cannot create " + what);
  w.check(H5Awrite(attr.get(), mtype.get(), values), "cannot write " + what);
}

// `kind`: the owner's type (nullptr for the file); a text _FillValue of a string variable is a
// one-element variable-length string array, as netCDF-C writes an NC_STRING attribute.
void write_attribute(const Writer &w, hid_t owner, const Attribute &a, const Kind *kind,
                     const std::string &where) {
  const std::string what = "attribute '" + a.name + "' of " + where;
  if (kind && *kind == Kind::string && a.name == "_FillValue") {
    const char *p = std::get<std::string>(a.value).c_str();
    write_array_attribute(w, owner, a.name, Kind::string, &p, 1, what);
    return;
  }
  std::visit(
      [&](const auto &v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          write_text_attribute(w, owner, a.name, v, what);
        else if constexpr (std::is_same_v<T, double>)
          write_array_attribute(w, owner, a.name, Kind::f64, &v, 1, what);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          write_array_attribute(w, owner, a.name, Kind::i64, &v, 1, what);
        else if constexpr (std::is_same_v<T, Doubles>)
          write_array_attribute(w, owner, a.name, Kind::f64, v.data(), v.size(), what);
        else if constexpr (std::is_same_v<T, Int64s>)
          write_array_attribute(w, owner, a.name, Kind::i64, v.data(), v.size(), what);
        else if constexpr (std::is_same_v<T, Int8s>)
          write_array_attribute(w, owner, a.name, Kind::i8, v.data(), v.size(), what);
      },
      a.value);
}

// netCDF-C's hidden int attributes: `_Netcdf4Dimid` (scalar) and `_Netcdf4Coordinates` (array).
void write_int_attribute(const Writer &w, hid_t owner, const char *name,
                         const std::vector<int> &values, bool scalar) {
  const hsize_t dims[1] = {values.size()};
  Handle space = w.check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr),
                         H5Sclose, "cannot create a dataspace");
  Handle attr = w.check(
      H5Acreate2(owner, name, H5T_NATIVE_INT, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      std::string("cannot create attribute ") + name);
  w.check(H5Awrite(attr.get(), H5T_NATIVE_INT, values.data()),
          std::string("cannot write attribute ") + name);
}

// Creation properties of a dataset: attribute order, no time stamps (files of the same data are
// equal), chunks of at most chunk_max_bytes above contiguous_max_entries entries, and the fill
// value from _FillValue.
Handle dataset_properties(const Writer &w, const std::vector<hsize_t> &shape, Kind kind,
                          const std::vector<Attribute> &attributes, const std::string &where) {
  Handle dcpl = w.check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
                        "cannot create the properties of " + where);
  w.check(H5Pset_attr_creation_order(dcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "cannot set the attribute order of " + where);
  w.check(H5Pset_obj_track_times(dcpl.get(), 0), "cannot set the properties of " + where);

  std::size_t entries = 1;
  for (hsize_t n : shape) entries *= n;
  if (entries > contiguous_max_entries) {
    // Whole trailing axes first, then as many rows of the next as fit.
    const std::size_t element = kind == Kind::f64 || kind == Kind::i64 ? 8
                                : kind == Kind::i8                     ? 1
                                                                       : sizeof(hvl_t);
    std::size_t budget = chunk_max_bytes / element;
    std::vector<hsize_t> chunk(shape.size());
    for (std::size_t d = shape.size(); d-- > 0;) {
      chunk[d] = std::max<hsize_t>(1, std::min<hsize_t>(shape[d], budget));
      budget = std::max<std::size_t>(1, budget / chunk[d]);
    }
    w.check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
            "cannot set the chunks of " + where);
  } else {
    w.check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), "cannot set the layout of " + where);
  }

  for (const Attribute &a : attributes) {
    if (a.name != "_FillValue") continue;
    Handle mtype = memory_type(w, kind);
    const std::string what = "cannot set the fill value of " + where;
    std::visit(
        [&](const auto &v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            const char *p = v.c_str();
            w.check(H5Pset_fill_value(dcpl.get(), mtype.get(), &p), what);
          } else if constexpr (std::is_same_v<T, Doubles> || std::is_same_v<T, Int64s> ||
                               std::is_same_v<T, Int8s>) {
            w.check(H5Pset_fill_value(dcpl.get(), mtype.get(), v.data()), what);
          }
        },
        a.value);
  }
  return dcpl;
}

// Creates dataset `name` of `shape` and writes `data` into it (nothing when `data` is null).
Handle write_dataset(const Writer &w, hid_t file, const std::string &name,
                     const std::vector<hsize_t> &shape, Kind kind, const Data *data,
                     const std::vector<Attribute> &attributes, const std::string &where) {
  Handle space = w.check(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
                         H5Sclose, "cannot create the dataspace of " + where);
  Handle dcpl = dataset_properties(w, shape, kind, attributes, where);
  Handle ftype = file_type(w, kind);
  Handle dataset = w.check(H5Dcreate2(file, name.c_str(), ftype.get(), space.get(), H5P_DEFAULT,
                                      dcpl.get(), H5P_DEFAULT),
                           H5Dclose, "cannot create " + where);
  if (data && size_of(*data) > 0) {
    Handle mtype = memory_type(w, kind);
    const void *buffer = nullptr;
    std::vector<const char *> pointers;
    if (const auto *strings = std::get_if<Strings>(data)) {
      for (const std::string &s : *strings) pointers.push_back(s.c_str());
      buffer = pointers.data();
    } else {
      buffer = std::visit([](const auto &v) -> const void * { return v.data(); }, *data);
    }
    w.check(H5Dwrite(dataset.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer),
            "cannot write the values of " + where);
  }
  return dataset;
}

// Sets `created` once the file exists (so that only a file made here is removed on failure).
void write_file(const Writer &w, const Dataset &data, const Plan &plan, bool &created) {
  Handle fcpl = w.check(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "cannot create file properties");
  w.check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "cannot set the link order");
  w.check(H5Pset_attr_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "cannot set the attribute order");
  w.check(H5Pset_obj_track_times(fcpl.get(), 0), "cannot turn off time stamps");
  Handle fapl = w.check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create file properties");
#if defined(H5_VERSION_GE) && \
    ((H5_VERSION_GE(1, 10, 7) && !H5_VERSION_GE(1, 12, 0)) || H5_VERSION_GE(1, 12, 1))
  // Lock where the file system can, and do not fail where it cannot (some parallel ones).
  w.check(H5Pset_file_locking(fapl.get(), true, true), "cannot set file locking");
#endif
  Handle file = w.check(H5Fcreate(w.path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                        H5Fclose, "cannot create the file");
  created = true;
  {
    // Dimension scales first, in the order given (their creation order is their netCDF id).
    std::vector<Handle> scales;
    for (std::size_t i = 0; i < data.dimensions.size(); ++i) {
      const Dimension &d = data.dimensions[i];
      const std::string where = "dimension '" + d.name + "'";
      const std::vector<hsize_t> shape = {d.size};
      const auto &attributes = plan.dimension_attributes[i];
      Handle scale;
      std::string scale_name = d.name;
      if (std::holds_alternative<std::monostate>(d.coordinate)) {
        Handle dcpl = w.check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
                              "cannot create the properties of " + where);
        w.check(H5Pset_attr_creation_order(dcpl.get(),
                                           H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                "cannot set the attribute order of " + where);
        w.check(H5Pset_obj_track_times(dcpl.get(), 0), "cannot set the properties of " + where);
        Handle space = w.check(H5Screate_simple(1, shape.data(), nullptr), H5Sclose,
                               "cannot create the dataspace of " + where);
        scale = w.check(H5Dcreate2(file.get(), d.name.c_str(), H5T_IEEE_F32BE, space.get(),
                                   H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                        H5Dclose, "cannot create " + where);
        char padded[32];
        std::snprintf(padded, sizeof padded, "%10d", static_cast<int>(d.size));
        scale_name = std::string(dimension_without_variable) + padded;
      } else {
        const Data values = std::visit(
            [](const auto &c) -> Data {
              if constexpr (std::is_same_v<std::decay_t<decltype(c)>, std::monostate>)
                return Doubles{};
              else
                return c;
            },
            d.coordinate);
        scale = write_dataset(w, file.get(), d.name, shape, kind_of(values), &values, attributes,
                              "coordinate '" + d.name + "'");
        write_int_attribute(w, scale.get(), "_Netcdf4Coordinates", {static_cast<int>(i)}, false);
      }
      w.check(H5DSset_scale(scale.get(), scale_name.c_str()),
              "cannot make " + where + " a dimension scale");
      write_int_attribute(w, scale.get(), "_Netcdf4Dimid", {static_cast<int>(i)}, true);
      const Kind kind = coordinate_kind(d);
      for (const Attribute &a : attributes) write_attribute(w, scale.get(), a, &kind, where);
      scales.push_back(std::move(scale));
    }

    // Variables in the order given, attached to their dimensions' scales.
    for (std::size_t i = 0; i < data.variables.size(); ++i) {
      const Variable &v = data.variables[i];
      const std::string where = "variable '" + v.name + "'";
      const auto &dims = plan.variable_dimensions[i];
      std::vector<hsize_t> shape;
      std::vector<int> ids;
      for (std::size_t j : dims) {
        shape.push_back(data.dimensions[j].size);
        ids.push_back(static_cast<int>(j));
      }
      const auto &attributes = plan.variable_attributes[i];
      Handle dataset = write_dataset(w, file.get(), v.name, shape, kind_of(v.data), &v.data,
                                     attributes, where);
      if (!ids.empty()) write_int_attribute(w, dataset.get(), "_Netcdf4Coordinates", ids, false);
      for (std::size_t axis = 0; axis < dims.size(); ++axis)
        w.check(H5DSattach_scale(dataset.get(), scales[dims[axis]].get(),
                                 static_cast<unsigned>(axis)),
                "cannot attach dimension '" + data.dimensions[dims[axis]].name + "' to " + where);
      const Kind kind = kind_of(v.data);
      for (const Attribute &a : attributes) write_attribute(w, dataset.get(), a, &kind, where);
    }

    for (const Attribute &a : data.attributes)
      write_attribute(w, file.get(), a, nullptr, "the file");
  }
  if (!file.close()) w.fail("cannot close (flush) the file");
}

}  // namespace

void write(const std::string &path, const Dataset &data) {
  const Writer w(path);
  const Plan plan = check(w, data);  // before the file is touched
  QuietHdf5Errors quiet;
  bool created = false;
  try {
    write_file(w, data, plan, created);
  } catch (const Error &) {
    // All handles are closed by now; a partial file is of no use to anyone.
    if (created) std::remove(path.c_str());
    throw;
  }
}

}  // namespace nessmap::netcdf
