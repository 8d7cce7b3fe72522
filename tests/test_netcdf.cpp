// netCDF-4 output (written by netCDF-C): a data set with every feature is written to a real
// file, which tests/netcdf_check.py opens with xarray (default engine, h5netcdf, netcdf4), the
// netCDF4 library and h5py and compares with the values it computes itself from the same formulas
// (see there), and reads with `ncdump -h` for the dimensions, types and attributes. Also: bad
// descriptions, names netCDF-C refuses, HDF5 failures and unwritable paths throw netcdf::Error
// saying what and where, and leave no file.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>

#include "format/netcdf.hpp"

using namespace nessmap;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A fresh directory under the system's temporary one, removed with everything in it at the end.
class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nessmap-netcdf-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

// The formulas below are repeated in tests/netcdf_check.py; all values are exact in binary.
constexpr std::size_t n_omega = 4, n_bath = 3, n_N = 3, n_qubit = 2, n_sample = 200000;
const netcdf::Strings bath_names = {"hot", "cold", "\xcf\x84-bath"};  // "τ-bath"
double omega_ratio(std::size_t i) { return 0.5 + 0.25 * i; }
std::int64_t N_value(std::size_t n) { return n == 2 ? 5 : 2 + n; }  // 2, 3, 5
double heat(std::size_t i, std::size_t j) {
  return (i + j) % 4 == 3 ? nan : 0.25 * i - 1.5 * j + 0.0625 * i * j;
}
double population(std::size_t i, std::size_t j, std::size_t k) {
  return (i + j + k) % 5 == 0 ? nan : i + 0.5 * j - 0.125 * k;
}
std::int8_t regime(std::size_t i, std::size_t j) {
  return i == 3 && j == 2 ? -1 : static_cast<std::int8_t>((i + 2 * j) % 5);
}
std::int64_t iterations(std::size_t i, std::size_t n) {
  return 100 * static_cast<std::int64_t>(i) + N_value(n) - 7;
}
double spectrum(std::size_t i, std::size_t s) { return 0.25 * s - 1000.0 * i; }

const std::string description = "First line of the description.\n"
                                "Second line: \xcf\x89_h / \xcf\x89_c \xe2\x88\x88 [0.5, 1.25]\n"
                                "\tindented, \"quoted\", back\\slash\n";

netcdf::Dataset full_dataset() {
  using netcdf::Attribute;
  netcdf::Dataset d;
  netcdf::Doubles omegas;
  for (std::size_t i = 0; i < n_omega; ++i) omegas.push_back(omega_ratio(i));
  netcdf::Int64s Ns;
  for (std::size_t n = 0; n < n_N; ++n) Ns.push_back(N_value(n));
  d.dimensions = {
      {"omega_ratio", n_omega, omegas,
       {{"long_name", std::string("omega_h / omega_c")}, {"units", std::string("1")}}},
      {"bath", n_bath, bath_names, {{"long_name", std::string("bath configuration")}}},
      {"N", n_N, Ns, {{"long_name", std::string("number of qubits")}}},
      {"qubit", n_qubit, std::monostate{}, {}},
      {"sample", n_sample, std::monostate{}, {}},
  };

  netcdf::Doubles heats, populations, spectra;
  netcdf::Int8s regimes;
  netcdf::Int64s iters;
  for (std::size_t i = 0; i < n_omega; ++i) {
    for (std::size_t j = 0; j < n_bath; ++j) {
      heats.push_back(heat(i, j));
      regimes.push_back(regime(i, j));
      for (std::size_t k = 0; k < n_qubit; ++k) populations.push_back(population(i, j, k));
    }
    for (std::size_t n = 0; n < n_N; ++n) iters.push_back(iterations(i, n));
    for (std::size_t s = 0; s < n_sample; ++s) spectra.push_back(spectrum(i, s));
  }
  d.variables = {
      {"heat_current",
       {"omega_ratio", "bath"},
       heats,
       {{"long_name", std::string("heat current from the hot bath")},
        {"units", std::string("omega_c")},
        {"_FillValue", nan}}},
      {"population",
       {"omega_ratio", "bath", "qubit"},
       populations,
       {{"long_name", std::string("excited-state population")}, {"_FillValue", nan}}},
      {"regime",
       {"omega_ratio", "bath"},
       regimes,
       {{"long_name", std::string("operating regime")},
        {"flag_values", netcdf::Int8s{0, 1, 2, 3, 4}},
        {"flag_meanings", std::string("none engine refrigerator accelerator heater")},
        {"_FillValue", std::int64_t{-1}}}},  // converted to int8
      {"iterations", {"omega_ratio", "N"}, iters, {{"units", std::string("1")}}},
      {"bath_label",
       {"bath"},
       netcdf::Strings{"the hot one", "", "\xcf\x84"},
       {{"long_name", std::string("label")}}},
      {"spectrum", {"omega_ratio", "sample"}, spectra, {{"comment", std::string("chunked")}}},
  };
  d.attributes = {
      {"title", std::string("nessmap netCDF test")},
      {"description", description},
      {"T_h", 2.5},
      {"seed", std::int64_t{9007199254740993}},  // 2^53 + 1: not exact as a double
      {"g_h", netcdf::Doubles{0.5, 0.55}},
      {"levels", netcdf::Int64s{-3, 0, 7}},
      {"empty", std::string()},
      {"one_char", std::string("x")},
  };
  return d;
}

// Runs `command` (stderr joined to stdout) and returns its exit status and output.
std::pair<int, std::string> run(const std::string &command) {
  std::string output;
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string source_dir() {
  const char *dir = std::getenv("NESSMAP_SOURCE_DIR");
  return dir ? dir : ".";
}

std::string write_error(const std::string &path, const netcdf::Dataset &d) {
  try {
    netcdf::write(path, d);
  } catch (const netcdf::Error &e) {
    return e.what();
  }
  FAIL("no netcdf::Error for " << path);
  return "";
}

}  // namespace

TEST_CASE("netCDF-4 file is read back by xarray (all engines), h5py and ncdump", "[netcdf]") {
  TempDir dir;
  const std::string path = (dir.path() / "full.nc").string();
  netcdf::write(path, full_dataset());
  REQUIRE(fs::exists(path));
  const auto [status, output] =
      run("/usr/bin/python3 '" + source_dir() + "/tests/netcdf_check.py' '" + path + "'");
  INFO(output);
  REQUIRE(status == 0);
}

TEST_CASE("netCDF-4 writing the same data twice gives the same bytes", "[netcdf]") {
  TempDir dir;
  const std::string a = (dir.path() / "a.nc").string(), b = (dir.path() / "b.nc").string();
  const netcdf::Dataset d = full_dataset();
  netcdf::write(a, d);
  // Over a second apart, so that a time stamp in the file (HDF5 keeps them unless told not to)
  // shows.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  netcdf::write(b, d);
  netcdf::write(b, d);  // truncates an existing file
  const auto [status, output] = run("cmp '" + a + "' '" + b + "'");
  INFO(output);
  REQUIRE(status == 0);
}

TEST_CASE("netCDF-4 bad descriptions throw an Error naming the path and the problem",
          "[netcdf]") {
  TempDir dir;
  const std::string path = (dir.path() / "bad.nc").string();
  netcdf::Dataset d;
  d.dimensions = {{"x", 3, netcdf::Doubles{1, 2, 3}, {}}, {"q", 2, std::monostate{}, {}}};
  d.variables = {{"v", {"x", "q"}, netcdf::Doubles(6, 0.0), {}}};
  netcdf::write(path, d);  // the valid base

  SECTION("unknown dimension") {
    d.variables[0].dimensions = {"x", "qubits"};
    const std::string message = write_error(path, d);
    CHECK_THAT(message, Contains(path) && Contains("variable 'v'") &&
                            Contains("unknown dimension 'qubits'"));
  }
  SECTION("wrong data size") {
    d.variables[0].data = netcdf::Doubles(5, 0.0);
    const std::string message = write_error(path, d);
    CHECK_THAT(message, Contains(path) && Contains("variable 'v' has 5 values") &&
                            Contains("3 x 2") && Contains("needs 6"));
  }
  SECTION("coordinate size differs from the dimension's") {
    d.dimensions[0].coordinate = netcdf::Doubles{1, 2};
    CHECK_THAT(write_error(path, d),
               Contains(path) && Contains("dimension 'x' has size 3 but 2 coordinate values"));
  }
  SECTION("duplicate names") {
    d.variables.push_back(d.variables[0]);
    CHECK_THAT(write_error(path, d), Contains("variable 'v'") && Contains("name of another"));
    d.variables.pop_back();
    d.variables[0].name = "x";
    CHECK_THAT(write_error(path, d), Contains("variable 'x'") && Contains("name of another"));
  }
  SECTION("_FillValue that the variable's type cannot hold") {
    d.variables[0].data = netcdf::Int8s(6, 0);
    d.variables[0].attributes = {{"_FillValue", std::int64_t{300}}};
    CHECK_THAT(write_error(path, d), Contains("attribute '_FillValue' of variable 'v'") &&
                                         Contains("int8") && Contains("300"));
    d.variables[0].attributes = {{"_FillValue", std::string("none")}};
    CHECK_THAT(write_error(path, d), Contains("_FillValue") && Contains("text"));
  }
  SECTION("reserved attribute name") {
    d.variables[0].attributes = {{"DIMENSION_LIST", 1.0}};
    CHECK_THAT(write_error(path, d), Contains("'DIMENSION_LIST'") && Contains("reserved"));
  }
  SECTION("a name with a slash") {
    d.variables[0].name = "a/b";
    CHECK_THAT(write_error(path, d), Contains("'a/b'") && Contains("not a valid netCDF name"));
  }
}

TEST_CASE("netCDF-4 an HDF5 failure after the file exists: Error naming it, no file left",
          "[netcdf]") {
  TempDir dir;
  const std::string path = (dir.path() / "huge.nc").string();
  netcdf::Dataset d;
  d.dimensions = {{"x", 2, netcdf::Doubles{0.0, 1.0}, {}},
                  {"huge", std::size_t{1} << 62, std::monostate{}, {}}};  // 2^64 bytes
  d.variables = {{"v", {"x"}, netcdf::Doubles{1.0, 2.0}, {}}};
  // netCDF-C creates the HDF5 objects at nc_enddef; its message for HDF5's failure is this one.
  CHECK_THAT(write_error(path, d), Contains(path) && Contains("cannot create dimension 'huge'") &&
                                       Contains("nc_enddef") && Contains("NetCDF: HDF error"));
  CHECK(!fs::exists(path));
  // The same name is written again. (netCDF-C 4.9.0 keeps HDF5's handles of the failed file open
  // until the process ends, as its nc_abort fails there too; the file itself is removed, so HDF5
  // sees a new file here. See File in src/format/netcdf.cpp.)
  d.dimensions.pop_back();
  netcdf::write(path, d);
  netcdf::write(path, d);
  CHECK(fs::exists(path));
}

TEST_CASE("netCDF-4 a name netCDF-C refuses: Error naming it with netCDF-C's message, no file",
          "[netcdf]") {
  TempDir dir;
  const std::string path = (dir.path() / "names.nc").string();
  netcdf::Dataset d;
  d.dimensions = {{"x", 2, netcdf::Doubles{0.0, 1.0}, {}}};
  d.variables = {{"v ", {"x"}, netcdf::Doubles{1.0, 2.0}, {}}};  // a trailing space
  CHECK_THAT(write_error(path, d), Contains(path) && Contains("cannot define variable 'v '") &&
                                       Contains("NetCDF: Name contains illegal characters"));
  CHECK(!fs::exists(path));
  d.variables[0].name = "v";
  d.variables[0].attributes = {{"-units", std::string("1")}};
  CHECK_THAT(write_error(path, d), Contains(path) &&
                                       Contains("cannot define attribute '-units' of variable 'v'") &&
                                       Contains("NetCDF: Name contains illegal characters"));
  CHECK(!fs::exists(path));
}

TEST_CASE("netCDF-4 writing into a missing directory throws an Error naming the path",
          "[netcdf]") {
  TempDir dir;
  const std::string path = (dir.path() / "no" / "such" / "dir" / "out.nc").string();
  netcdf::Dataset d;
  d.dimensions = {{"x", 2, netcdf::Doubles{0.0, 1.0}, {}}};
  d.variables = {{"v", {"x"}, netcdf::Doubles{1.0, 2.0}, {}}};
  const std::string message = write_error(path, d);
  CHECK_THAT(message, Contains(path) && Contains("cannot create the file"));
  CHECK(!fs::exists(path));
}
