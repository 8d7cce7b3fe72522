// The pieces of the sweep engine on their own: the grid (flat indexing, task order, the parameters
// of a point), the append-only journal (round trip, torn tails, corruption, resume), the binary
// point record, the master's column store, and the identity that decides whether a journal may be
// resumed. Expected values are computed here from the documented rules, not taken from a run.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fixtures.hpp"
#include "config/config.hpp"
#include "format/journal.hpp"
#include "sweep/grid.hpp"
#include "sweep/progress.hpp"
#include "point/point.hpp"
#include "point/point_json.hpp"
#include "point/record.hpp"
#include "sweep/results.hpp"
#include "sweep/sweep.hpp"

using namespace nessmap;
using Catch::Contains;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

SweepConfig parse(const std::string &text, const std::vector<std::string> &overrides = {}) {
  return parse_sweep_config(text, "engine.yaml", overrides);
}

// ---- grid helpers ----------------------------------------------------------------------------

// The coordinates of a flat index computed from strides (the product of the sizes of the later
// axes), not by the repeated division of Grid::unravel.
std::vector<std::size_t> coordinates(const std::vector<std::size_t> &shape, std::int64_t index) {
  std::vector<std::size_t> at(shape.size());
  for (std::size_t a = 0; a < shape.size(); ++a) {
    std::int64_t stride = 1;
    for (std::size_t b = a + 1; b < shape.size(); ++b) stride *= static_cast<std::int64_t>(shape[b]);
    at[a] = static_cast<std::size_t>((index / stride) % static_cast<std::int64_t>(shape[a]));
  }
  return at;
}

// The axis sizes of a config, read from the config rather than from the grid.
std::vector<std::size_t> shape_of(const SweepConfig &c) {
  std::vector<std::size_t> s;
  for (const Axis &a : c.axes) s.push_back(a.kind == AxisKind::name ? a.labels.size() : a.values.size());
  return s;
}

std::int64_t product(const std::vector<std::size_t> &shape) {
  std::int64_t n = 1;
  for (std::size_t s : shape) n *= static_cast<std::int64_t>(s);
  return n;
}

// The coordinates of the axes that satisfy `pick`, in the order of the axes.
std::vector<std::size_t> picked(const SweepConfig &c, const std::vector<std::size_t> &at, bool structural) {
  std::vector<std::size_t> out;
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    if (c.axes[a].structural() == structural) out.push_back(at[a]);
  return out;
}

// Row-major offset of the value-axis coordinates among the value axes alone.
std::int64_t value_offset(const SweepConfig &c, const std::vector<std::size_t> &at) {
  std::int64_t offset = 0;
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    if (!c.axes[a].structural())
      offset = offset * static_cast<std::int64_t>(c.axes[a].values.size()) + static_cast<std::int64_t>(at[a]);
  return offset;
}

// Every property of the task order that does not depend on the parameter values.
void check_task_order(const SweepConfig &c, const Grid &grid) {
  const auto shape = shape_of(c);
  const std::int64_t size = product(shape);
  REQUIRE(grid.size() == size);
  REQUIRE(grid.shape() == shape);
  std::int64_t families = 1, family_size = 1;
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    (c.axes[a].structural() ? families : family_size) *= static_cast<std::int64_t>(shape[a]);
  REQUIRE(grid.families() == families);
  REQUIRE(grid.family_size() == family_size);

  // A permutation of 0 .. size-1.
  std::vector<int> seen(static_cast<std::size_t>(size), 0);
  for (std::int64_t t = 0; t < size; ++t) {
    const std::int64_t i = grid.task_index(t);
    REQUIRE(i >= 0);
    REQUIRE(i < size);
    ++seen[static_cast<std::size_t>(i)];
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));

  // Families: contiguous runs of family_size tasks with one structural combination each, every
  // combination in exactly one run; within a run the value axes go row-major.
  std::set<std::vector<std::size_t>> combinations_seen;
  int previous_family = -1, previous_N = std::numeric_limits<int>::max();
  for (std::int64_t t = 0; t < size; ++t) {
    INFO("task " << t);
    const int f = grid.family_of_task(t);
    CHECK(f >= previous_family);
    CHECK(f == t / family_size);
    const std::int64_t index = grid.task_index(t);
    const auto at = coordinates(shape, index);
    const auto combination = picked(c, at, true);
    const std::int64_t first = static_cast<std::int64_t>(f) * family_size;
    const auto family_combination = picked(c, coordinates(shape, grid.task_index(first)), true);
    CHECK(combination == family_combination);
    CHECK(value_offset(c, at) == t - first);
    if (t == first) {
      CHECK(combinations_seen.insert(combination).second);  // a new family starts
      const int N = grid.parameters(index).N;
      CHECK(N <= previous_N);  // larger N first
      previous_N = N;
    }
    previous_family = f;
  }
  CHECK(static_cast<std::int64_t>(combinations_seen.size()) == families);
}

// The coordinate of the axis named `name`, if the config has that axis.
std::optional<std::size_t> axis_at(const SweepConfig &c, const std::vector<std::size_t> &at,
                                   const std::string &name) {
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    if (c.axes[a].name == name) return at[a];
  return std::nullopt;
}

const Axis &axis(const SweepConfig &c, const std::string &name) {
  for (const Axis &a : c.axes)
    if (a.name == name) return a;
  FAIL("no axis " << name);
  return c.axes.front();
}

void check_validates(const Grid &grid) {
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    INFO("point " << i);
    CHECK_NOTHROW(grid.parameters(i).validate());
  }
}

using Matrix = std::vector<std::vector<double>>;

// ---- configs ---------------------------------------------------------------------------------

// N and bath between value axes; omega_c != 1; T_c before T_ratio.
const std::string grid_yaml_N = R"(system:
  N: 2
  bath: common
  coupling: pairwise
  omega_c: 1.3
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: 0.5
  g_c: 0.6
  Omega: 0.1
sweep:
  axes:
    omega_ratio: [0.5, 1.5, 2.5]
    N: [1, 3, 2]
    T_c: [0.5, 0.8]
    bath: [cascaded, independent]
    T_ratio: [1.5, 2.0]
output:
  path: grid.h5
)";

// A coupling axis with Omega and g axes; T_ratio alone on a base T_c != 1.
const std::string grid_yaml_Omega = R"(system:
  N: 3
  bath: cascaded
  coupling: pairwise
  omega_c: 0.8
  omega_h: 1.2
  T_h: 2.0
  T_c: 0.7
  g_h: [0.4, 0.5, 0.6]
  g_c: [0.3, 0.35, 0.45]
  Omega: 0.1
sweep:
  axes:
    Omega: [-0.2, 0.0, 0.3]
    coupling: [pairwise, all_to_all]
    g: [0.0, 0.7]
    T_ratio: [1.5, 3.0]
output:
  path: grid.h5
)";

// An all_to_all matrix with distinct entries under Omega_scale and g_scale; no structural axis.
const std::string grid_yaml_scale = R"(system:
  N: 3
  bath: independent
  coupling: all_to_all
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: [0.5, 0.55, 0.6]
  g_c: [0.65, 0.7, 0.75]
  Omega: [[0.11, 0.12, 0.13], [0.21, 0.22, 0.23], [0.31, 0.32, 0.33]]
sweep:
  axes:
    Omega_scale: [0.5, -2.0, 3.0]
    T_h: [1.5, 3.0]
    g_scale: [0.25, 2.0]
output:
  path: grid.h5
)";

// T_ratio written before T_c: T_c still applies first; coupling is the last axis.
const std::string grid_yaml_ratio_first = R"(system:
  N: 2
  bath: independent
  coupling: pairwise
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: 0.5
  g_c: 0.6
  Omega: 0.1
sweep:
  axes:
    T_ratio: [1.25, 4.0]
    N: [2, 1]
    T_c: [0.5, 3.0, 0.75]
    coupling: [all_to_all, pairwise]
output:
  path: grid.h5
)";

// ---- journal helpers -------------------------------------------------------------------------

// A fresh directory under the system's temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nessmap_engine_XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string &name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string &path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  REQUIRE(out);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out);
}

// Payloads of assorted sizes, with NUL and high bytes.
std::vector<std::string> sample_payloads() {
  std::string binary;
  for (int i = 0; i < 300; ++i) binary.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
  return {std::string("first frame"), std::string(), std::string("with\0NUL\n", 9), binary,
          std::string("last frame: twenty+")};
}

// Bytes a frame occupies: its u32 size, the payload and its CRC-32.
std::uint64_t frame_bytes(const std::string &payload) { return 4 + payload.size() + 4; }

// ---- record helpers --------------------------------------------------------------------------

bool same_bits(const std::vector<double> &a, const std::vector<double> &b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void check_same_record(const PointRecord &got, const PointRecord &want) {
  CHECK(got.index == want.index);
  CHECK(got.status == want.status);
  CHECK(got.regime == want.regime);
  CHECK(got.failure == want.failure);
  CHECK(same_bits(got.values, want.values));
  CHECK(same_bits(got.populations_h, want.populations_h));
  CHECK(same_bits(got.populations_c, want.populations_c));
  CHECK(got.reason == want.reason);
}

// Records that exercise every part of the layout.
std::vector<PointRecord> sample_records() {
  const std::size_t n = point_fields().size();
  PointRecord ok;
  ok.index = 0;
  ok.status = RecordStatus::ok;
  ok.regime = 1;
  for (std::size_t f = 0; f < n; ++f) ok.values.push_back(f % 3 == 0 ? nan_value : 0.25 * f - 1.0);
  ok.values[1] = -0.0;
  ok.values[2] = std::numeric_limits<double>::denorm_min();
  ok.values[4] = -std::numeric_limits<double>::infinity();
  ok.populations_h = {0.125, 0.375};
  ok.populations_c = {0.0625, 0.5};

  PointRecord failed;
  failed.index = 123456789012345;
  failed.status = RecordStatus::failed;
  failed.regime = -1;
  failed.failure = Failure::not_converged;
  failed.values.assign(n, nan_value);
  static const char reason[] = "solver did not converge: DIVERGED_ITS\nline two \xc3\xa9 \0 end";
  failed.reason = std::string(reason, sizeof reason - 1);  // with its NUL byte

  PointRecord odd;
  odd.index = 7;
  odd.status = RecordStatus::not_computed;
  odd.regime = 4;
  odd.failure = Failure::error;  // the last kind: the reader's bound is inclusive of it
  odd.values = {1.0, nan_value, 3.0};
  odd.populations_h = {0.1, 0.2, 0.3};
  odd.populations_c = {0.9};
  odd.reason.assign(1, 'x');
  return {ok, failed, odd};
}

std::size_t field_position(const std::string &name) {
  const auto &fields = point_fields();
  for (std::size_t f = 0; f < fields.size(); ++f)
    if (name == fields[f].name) return f;
  FAIL("no point field named " << name);
  return 0;
}

}  // namespace

// ============================================================================================
// Grid
// ============================================================================================

TEST_CASE("grid unravel inverts row-major flat indexing", "[sweep_engine][grid]") {
  for (const std::string *text : {&grid_yaml_N, &grid_yaml_Omega, &grid_yaml_scale, &grid_yaml_ratio_first}) {
    const SweepConfig c = parse(*text);
    const Grid grid(c);
    const auto shape = shape_of(c);
    REQUIRE(grid.size() == product(shape));
    for (std::int64_t i = 0; i < grid.size(); ++i) {
      INFO("index " << i);
      const auto at = grid.unravel(i);
      REQUIRE(at == coordinates(shape, i));
      // And back: the last axis varies fastest.
      std::int64_t flat = 0;
      for (std::size_t a = 0; a < shape.size(); ++a)
        flat = flat * static_cast<std::int64_t>(shape[a]) + static_cast<std::int64_t>(at[a]);
      CHECK(flat == i);
    }
    // The last axis is the fastest: index 1 is the second value of the last axis.
    std::vector<std::size_t> one(shape.size(), 0);
    one.back() = 1;
    CHECK(grid.unravel(1) == one);
  }
}

TEST_CASE("grid task order with an N axis between value axes", "[sweep_engine][grid]") {
  const SweepConfig c = parse(grid_yaml_N);
  const Grid grid(c);
  REQUIRE(grid.size() == 3 * 3 * 2 * 2 * 2);
  REQUIRE(grid.families() == 6);
  REQUIRE(grid.family_size() == 12);
  check_task_order(c, grid);
  // The largest N of the axis is the first family, the smallest the last.
  CHECK(grid.parameters(grid.task_index(0)).N == 3);
  CHECK(grid.parameters(grid.task_index(grid.size() - 1)).N == 1);
  // Two families per N (the bath axis), so N is 3 3 2 2 1 1 by family.
  const std::vector<int> expected_N = {3, 3, 2, 2, 1, 1};
  for (int f = 0; f < grid.families(); ++f) {
    INFO("family " << f);
    CHECK(grid.parameters(grid.task_index(f * grid.family_size())).N == expected_N[f]);
  }
}

TEST_CASE("grid work: a point weighs n^1.5, n the dimension of the space its family is solved in, and the time left "
          "goes by work",
          "[sweep_engine][grid]") {
  // grid_yaml_N: uniform g, pairwise. Cascaded: the balanced block, C(4N, 2N) = 6, 70, 924;
  // independent: N separate pairs (space auto), 6N rows (physics.md, "Structure worth exploiting").
  const SweepConfig c = parse(grid_yaml_N);
  const Grid grid(c);
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    const SystemParameters p = grid.parameters(i);
    const double n = p.bath == Bath::cascaded ? (p.N == 1 ? 6.0 : p.N == 2 ? 70.0 : 924.0) : 6.0 * p.N;
    INFO("point " << i << ", N = " << p.N << ", " << to_string(p.bath));
    CHECK(grid.work(i) == Approx(std::pow(n, 1.5)).epsilon(1e-12));
  }
  // The time left: the work left over this run's rate of work (here 3 times the work done), and
  // unknown before any; points of an earlier run (40 of the 100) count in neither.
  const Progress fresh(10, 0, true, 5.0, 100.0, 0.0);
  CHECK(std::isnan(fresh.seconds_left(0, 0.0)));
  double before = fresh.elapsed();
  double left = fresh.seconds_left(2, 25.0);
  double after = fresh.elapsed();
  CHECK(left >= 3 * before);
  CHECK(left <= 3 * after);
  const Progress resumed(10, 4, true, 5.0, 100.0, 40.0);
  before = resumed.elapsed();
  left = resumed.seconds_left(6, 70.0);
  after = resumed.elapsed();
  CHECK(left >= before);
  CHECK(left <= after);
}

TEST_CASE("the progress line keeps coming while no update does (the master rank solving a long point)",
          "[sweep_engine][progress]") {
  // stderr into a file (not a terminal: one line per interval) while no update comes for 1.5 s.
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  std::FILE *captured = std::tmpfile();
  REQUIRE(captured);
  dup2(fileno(captured), STDERR_FILENO);
  {
    Progress progress(10, 0, false, 0.2, 100.0, 0.0);
    progress.update(2, 0, 50.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::rewind(captured);
  std::string text;
  for (int c; (c = std::fgetc(captured)) != EOF;) text += static_cast<char>(c);
  std::fclose(captured);
  INFO(text);
  int lines = 0;
  for (std::size_t at = 0; (at = text.find("nessmap sweep: 2/10 points", at)) != std::string::npos; ++at) ++lines;
  CHECK(lines >= 3);  // about 7 at 0.2 s
}

TEST_CASE("grid task order in the other configs", "[sweep_engine][grid]") {
  for (const std::string *text : {&grid_yaml_Omega, &grid_yaml_scale, &grid_yaml_ratio_first}) {
    const SweepConfig c = parse(*text);
    const Grid grid(c);
    check_task_order(c, grid);
  }
  // Without structural axes there is one family and the task order is the grid order.
  const SweepConfig c = parse(grid_yaml_scale);
  const Grid grid(c);
  REQUIRE(grid.families() == 1);
  for (std::int64_t t = 0; t < grid.size(); ++t) CHECK(grid.task_index(t) == t);
  // N is the second axis of grid_yaml_ratio_first, [2, 1]: N = 2 families first although the
  // coupling axis after it is the faster one.
  const SweepConfig r = parse(grid_yaml_ratio_first);
  const Grid rg(r);
  REQUIRE(rg.families() == 4);
  for (std::int64_t t = 0; t < rg.size(); ++t) CHECK(rg.parameters(rg.task_index(t)).N == (t < rg.size() / 2 ? 2 : 1));
}

TEST_CASE("grid parameters apply omega_ratio and T_c before T_ratio with N and bath from the axes",
          "[sweep_engine][grid]") {
  const SweepConfig c = parse(grid_yaml_N);
  const Grid grid(c);
  const auto shape = shape_of(c);
  const double omega_c = 1.3;
  const std::vector<double> ratio = {0.5, 1.5, 2.5}, T_c = {0.5, 0.8}, T_ratio = {1.5, 2.0};
  const std::vector<int> N = {1, 3, 2};
  const std::vector<Bath> bath = {Bath::cascaded, Bath::independent};
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    INFO("point " << i);
    const auto at = coordinates(shape, i);  // axes: omega_ratio, N, T_c, bath, T_ratio
    const SystemParameters p = grid.parameters(i);
    const int n = N[at[1]];
    CHECK(p.N == n);
    CHECK(p.bath == bath[at[3]]);
    CHECK(p.coupling == Coupling::pairwise);
    CHECK(p.omega_c == omega_c);
    CHECK(p.omega_h == ratio[at[0]] * omega_c);
    CHECK(p.T_c == T_c[at[2]]);
    CHECK(p.T_h == T_ratio[at[4]] * T_c[at[2]]);
    CHECK(p.g_h == std::vector<double>(n, 0.5));
    CHECK(p.g_c == std::vector<double>(n, 0.6));
    Matrix Omega(n, std::vector<double>(n, 0.0));
    for (int a = 0; a < n; ++a) Omega[a][a] = 0.1;
    CHECK(p.Omega == Omega);
    CHECK_NOTHROW(p.validate());
  }
  // A point checked by hand: omega_ratio 2.5, N 2, T_c 0.8, independent, T_ratio 1.5 is at
  // coordinates (2, 2, 1, 1, 0), flat index (((2*3 + 2)*2 + 1)*2 + 1)*2 + 0 = 70.
  const SystemParameters p = grid.parameters(70);
  CHECK(p.N == 2);
  CHECK(p.bath == Bath::independent);
  CHECK(p.omega_h == Approx(3.25));
  CHECK(p.T_c == 0.8);
  CHECK(p.T_h == Approx(1.2));
}

TEST_CASE("grid parameters apply T_c before T_ratio whatever the axis order", "[sweep_engine][grid]") {
  const SweepConfig c = parse(grid_yaml_ratio_first);
  const Grid grid(c);
  const auto shape = shape_of(c);
  const std::vector<double> T_ratio = {1.25, 4.0}, T_c = {0.5, 3.0, 0.75};
  const std::vector<int> N = {2, 1};
  const std::vector<Coupling> coupling = {Coupling::all_to_all, Coupling::pairwise};
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    INFO("point " << i);
    const auto at = coordinates(shape, i);  // axes: T_ratio, N, T_c, coupling
    const SystemParameters p = grid.parameters(i);
    const int n = N[at[1]];
    CHECK(p.N == n);
    CHECK(p.coupling == coupling[at[3]]);
    CHECK(p.bath == Bath::independent);
    CHECK(p.T_c == T_c[at[2]]);
    CHECK(p.T_h == T_ratio[at[0]] * T_c[at[2]]);
    CHECK(p.omega_h == 1.5);
    CHECK(p.g_h == std::vector<double>(n, 0.5));
    CHECK(p.g_c == std::vector<double>(n, 0.6));
    Matrix Omega(n, std::vector<double>(n, coupling[at[3]] == Coupling::all_to_all ? 0.1 : 0.0));
    for (int a = 0; a < n; ++a) Omega[a][a] = 0.1;
    CHECK(p.Omega == Omega);
    CHECK_NOTHROW(p.validate());
  }
}

TEST_CASE("grid parameters set every coupled pair for Omega and g_h and g_c for g", "[sweep_engine][grid]") {
  const SweepConfig c = parse(grid_yaml_Omega);
  const Grid grid(c);
  const auto shape = shape_of(c);
  const std::vector<double> Omega = {-0.2, 0.0, 0.3}, g = {0.0, 0.7}, T_ratio = {1.5, 3.0};
  const std::vector<Coupling> coupling = {Coupling::pairwise, Coupling::all_to_all};
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    INFO("point " << i);
    const auto at = coordinates(shape, i);  // axes: Omega, coupling, g, T_ratio
    const SystemParameters p = grid.parameters(i);
    CHECK(p.N == 3);
    CHECK(p.bath == Bath::cascaded);
    CHECK(p.coupling == coupling[at[1]]);
    const double w = Omega[at[0]];
    Matrix expected(3, std::vector<double>(3, 0.0));
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        if (coupling[at[1]] == Coupling::all_to_all || a == b) expected[a][b] = w;
    CHECK(p.Omega == expected);
    CHECK(p.g_h == std::vector<double>(3, g[at[2]]));
    CHECK(p.g_c == std::vector<double>(3, g[at[2]]));
    CHECK(p.T_c == 0.7);
    CHECK(p.T_h == T_ratio[at[3]] * 0.7);
    CHECK(p.omega_h == 1.2);
    CHECK(p.omega_c == 0.8);
    CHECK_NOTHROW(p.validate());
  }
}

TEST_CASE("grid parameters scale the configured Omega matrix and both g lists", "[sweep_engine][grid]") {
  const SweepConfig c = parse(grid_yaml_scale);
  const Grid grid(c);
  const auto shape = shape_of(c);
  const Matrix base = {{0.11, 0.12, 0.13}, {0.21, 0.22, 0.23}, {0.31, 0.32, 0.33}};
  const std::vector<double> g_h = {0.5, 0.55, 0.6}, g_c = {0.65, 0.7, 0.75};
  const std::vector<double> scale = {0.5, -2.0, 3.0}, T_h = {1.5, 3.0}, g_scale = {0.25, 2.0};
  std::set<double> distinct;
  for (std::int64_t i = 0; i < grid.size(); ++i) {
    INFO("point " << i);
    const auto at = coordinates(shape, i);  // axes: Omega_scale, T_h, g_scale
    const SystemParameters p = grid.parameters(i);
    CHECK(p.coupling == Coupling::all_to_all);
    CHECK(p.bath == Bath::independent);
    REQUIRE(p.Omega.size() == 3);
    for (int a = 0; a < 3; ++a) {
      REQUIRE(p.Omega[a].size() == 3);
      for (int b = 0; b < 3; ++b) {
        CHECK(p.Omega[a][b] == base[a][b] * scale[at[0]]);
        distinct.insert(p.Omega[a][b]);
      }
    }
    for (int k = 0; k < 3; ++k) {
      CHECK(p.g_h[k] == g_h[k] * g_scale[at[2]]);
      CHECK(p.g_c[k] == g_c[k] * g_scale[at[2]]);
    }
    CHECK(p.T_h == T_h[at[1]]);
    CHECK(p.T_c == 1.0);
    CHECK(p.omega_h == 1.5);
    CHECK_NOTHROW(p.validate());
  }
  // Each entry was scaled on its own: 9 entries times 3 scales, all different.
  CHECK(distinct.size() == 27);
}

TEST_CASE("grid per-qubit vectors follow N and every point validates", "[sweep_engine][grid]") {
  for (const std::string *text : {&grid_yaml_N, &grid_yaml_Omega, &grid_yaml_scale, &grid_yaml_ratio_first}) {
    const SweepConfig c = parse(*text);
    const Grid grid(c);
    const auto shape = shape_of(c);
    for (std::int64_t i = 0; i < grid.size(); ++i) {
      INFO("point " << i);
      const SystemParameters p = grid.parameters(i);
      const auto at = coordinates(shape, i);
      if (const auto n = axis_at(c, at, "N")) CHECK(p.N == static_cast<int>(axis(c, "N").values[*n]));
      if (const auto b = axis_at(c, at, "bath")) CHECK(to_string(p.bath) == axis(c, "bath").labels[*b]);
      if (const auto k = axis_at(c, at, "coupling"))
        CHECK(to_string(p.coupling) == axis(c, "coupling").labels[*k]);
      CHECK(p.g_h.size() == static_cast<std::size_t>(p.N));
      CHECK(p.g_c.size() == static_cast<std::size_t>(p.N));
      REQUIRE(p.Omega.size() == static_cast<std::size_t>(p.N));
      for (const auto &row : p.Omega) CHECK(row.size() == static_cast<std::size_t>(p.N));
    }
    check_validates(grid);
  }
}

// ============================================================================================
// Journal
// ============================================================================================

TEST_CASE("crc32 gives the standard check value", "[sweep_engine][journal]") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0u);
  CHECK(crc32("a") == 0xE8B7BE43u);  // the CRC-32 of a single 'a'
  CHECK(crc32("123456789") != crc32("123456788"));
}

TEST_CASE("journal create and append read back the identity and the frames", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("sweep.journal");
  const std::string identity = "system.N = 2\nsolver options = -ksp_type gmres\n";
  const auto payloads = sample_payloads();
  std::uint64_t header_size = 0;
  {
    JournalWriter w = JournalWriter::create(path, identity);
    CHECK(w.path() == path);
    CHECK_FALSE(std::filesystem::exists(path + ".new"));
    // The header alone: no frames, everything valid.
    const auto empty = read_journal(path);
    REQUIRE(empty);
    CHECK(empty->identity == identity);
    CHECK(empty->frames.empty());
    CHECK(empty->valid_size == empty->file_size);
    CHECK(empty->file_size == std::filesystem::file_size(path));
    CHECK(empty->file_size >= identity.size());
    header_size = empty->file_size;
    std::uint64_t expected_size = header_size;
    for (std::size_t k = 0; k < payloads.size(); ++k) {
      w.append(payloads[k]);
      expected_size += frame_bytes(payloads[k]);
      // Readable as soon as it is appended, while the writer is still open.
      const auto now = read_journal(path);
      REQUIRE(now);
      REQUIRE(now->frames.size() == k + 1);
      CHECK(now->frames.back() == payloads[k]);
      CHECK(now->valid_size == expected_size);
      CHECK(now->file_size == expected_size);
    }
  }
  const auto j = read_journal(path);
  REQUIRE(j);
  CHECK(j->identity == identity);
  CHECK(j->frames == payloads);
  CHECK(j->file_size == std::filesystem::file_size(path));
  CHECK(j->valid_size == j->file_size);

  // The last four bytes are the CRC-32 of the last payload (native endianness).
  const std::string bytes = read_bytes(path);
  std::uint32_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  CHECK(stored == crc32(payloads.back()));

  // create replaces an existing journal.
  { JournalWriter again = JournalWriter::create(path, "other identity"); }
  const auto replaced = read_journal(path);
  REQUIRE(replaced);
  CHECK(replaced->identity == "other identity");
  CHECK(replaced->frames.empty());
}

TEST_CASE("journal cut anywhere inside the last frame keeps the earlier frames", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("whole.journal"), cut_path = dir.file("cut.journal");
  const auto payloads = sample_payloads();
  {
    JournalWriter w = JournalWriter::create(path, "identity");
    for (const auto &p : payloads) w.append(p);
  }
  const std::string whole = read_bytes(path);
  const std::uint64_t end = whole.size();
  const std::uint64_t last_start = end - frame_bytes(payloads.back());
  const std::vector<std::string> earlier(payloads.begin(), payloads.end() - 1);
  for (std::uint64_t cut = last_start; cut < end; ++cut) {
    INFO("cut at " << cut << " of " << end);
    write_bytes(cut_path, std::string_view(whole).substr(0, cut));
    const auto j = read_journal(cut_path);
    REQUIRE(j);
    CHECK(j->identity == "identity");
    CHECK(j->frames == earlier);
    CHECK(j->valid_size == last_start);
    CHECK(j->file_size == cut);
  }
}

TEST_CASE("journal cut inside its header is refused naming the file", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("whole.journal"), cut_path = dir.file("cut.journal");
  { JournalWriter w = JournalWriter::create(path, "an identity of some length"); }
  const std::string whole = read_bytes(path);
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    INFO("cut at " << cut);
    write_bytes(cut_path, std::string_view(whole).substr(0, cut));
    CHECK_THROWS_AS(read_journal(cut_path), JournalError);
    CHECK_THROWS_WITH(read_journal(cut_path), Contains(cut_path));
  }
}

TEST_CASE("journal stops at a frame whose payload has a flipped byte", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("whole.journal"), bad_path = dir.file("bad.journal");
  const std::vector<std::string> payloads = {"alpha", "the second frame, which is corrupted", "gamma"};
  std::uint64_t second_start = 0;
  {
    JournalWriter w = JournalWriter::create(path, "id");
    w.append(payloads[0]);
    second_start = std::filesystem::file_size(path);
    w.append(payloads[1]);
    w.append(payloads[2]);
  }
  const std::string whole = read_bytes(path);
  for (std::size_t k = 0; k < payloads[1].size(); ++k) {
    INFO("payload byte " << k);
    std::string bad = whole;
    bad[second_start + 4 + k] ^= 0x20;
    write_bytes(bad_path, bad);
    const auto j = read_journal(bad_path);
    REQUIRE(j);
    CHECK(j->frames == std::vector<std::string>{payloads[0]});
    CHECK(j->valid_size == second_start);
    CHECK(j->file_size == whole.size());
  }
}

TEST_CASE("journal resume truncates a torn tail and appends after it", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("sweep.journal");
  {
    JournalWriter w = JournalWriter::create(path, "resumable");
    w.append("one");
    w.append("two");
    w.append("three, torn");
  }
  const std::uint64_t whole = std::filesystem::file_size(path);
  const std::uint64_t torn_start = whole - frame_bytes("three, torn");
  std::filesystem::resize_file(path, torn_start + 6);  // part of the last frame is on disk

  const auto before = read_journal(path);
  REQUIRE(before);
  CHECK(before->frames == std::vector<std::string>{"one", "two"});
  REQUIRE(before->valid_size == torn_start);
  CHECK(before->file_size == torn_start + 6);
  {
    JournalWriter w = JournalWriter::resume(path, before->valid_size);
    CHECK(std::filesystem::file_size(path) == torn_start);  // the torn tail is gone
    w.append("four");
    w.append(std::string(1000, 'x'));
  }
  const auto after = read_journal(path);
  REQUIRE(after);
  CHECK(after->identity == "resumable");
  CHECK(after->frames == std::vector<std::string>{"one", "two", "four", std::string(1000, 'x')});
  CHECK(after->valid_size == after->file_size);
  CHECK(after->file_size == torn_start + frame_bytes("four") + frame_bytes(std::string(1000, 'x')));

  // Resuming a clean journal keeps everything.
  { JournalWriter w = JournalWriter::resume(path, after->valid_size); w.append("five"); }
  const auto again = read_journal(path);
  REQUIRE(again);
  CHECK(again->frames.size() == 5);
  CHECK(again->frames.back() == "five");
}

TEST_CASE("journal refuses a file that is not a journal and misses a missing one", "[sweep_engine][journal]") {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> printable(32, 126);
  std::string text;
  for (int i = 0; i < 500; ++i) text.push_back(i % 61 == 60 ? '\n' : static_cast<char>(printable(rng)));
  write_bytes(path, text);
  CHECK_THROWS_AS(read_journal(path), JournalError);
  CHECK_THROWS_WITH(read_journal(path), Contains(path));
  // Text that happens to be long, or very short, is no different.
  write_bytes(path, "NESSMAP");
  CHECK_THROWS_WITH(read_journal(path), Contains(path));

  CHECK_FALSE(read_journal(dir.file("no-such.journal")).has_value());
  CHECK_FALSE(read_journal(dir.file("no-such-dir/x.journal")).has_value());
}

// ============================================================================================
// Records
// ============================================================================================

TEST_CASE("record round trip of single and concatenated records", "[sweep_engine][record]") {
  const auto records = sample_records();
  for (const auto &r : records) {
    std::string bytes;
    append_record(bytes, r);
    std::string_view view = bytes;
    PointRecord got;
    REQUIRE(read_record(view, got));
    check_same_record(got, r);
    CHECK(view.empty());
  }
  std::string all = "";
  for (const auto &r : records) append_record(all, r);
  std::string_view view = all;
  for (const auto &r : records) {
    PointRecord got;
    REQUIRE(read_record(view, got));
    check_same_record(got, r);
  }
  CHECK(view.empty());
  PointRecord none;
  CHECK_FALSE(read_record(view, none));
  // The NaN of the failed record is still a NaN, and -0.0 kept its sign.
  std::string_view again = all;
  PointRecord first;
  REQUIRE(read_record(again, first));
  CHECK(std::isnan(first.values[0]));
  CHECK(std::signbit(first.values[1]));
  CHECK(first.values[4] == -std::numeric_limits<double>::infinity());
}

TEST_CASE("record read of a proper prefix fails and leaves the view alone", "[sweep_engine][record]") {
  for (const auto &r : sample_records()) {
    std::string bytes;
    append_record(bytes, r);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      INFO("prefix of " << n << " of " << bytes.size() << " bytes");
      std::string_view view(bytes.data(), n);
      PointRecord got;
      CHECK_FALSE(read_record(view, got));
      CHECK(view.data() == bytes.data());
      CHECK(view.size() == n);
    }
  }
  // A whole record followed by part of another: the first is read, the rest stays.
  const auto records = sample_records();
  std::string two;
  append_record(two, records[0]);
  const std::size_t first_size = two.size();
  append_record(two, records[2]);
  std::string_view view(two.data(), two.size() - 1);
  PointRecord got;
  REQUIRE(read_record(view, got));
  check_same_record(got, records[0]);
  CHECK(view.data() == two.data() + first_size);
  CHECK_FALSE(read_record(view, got));
  CHECK(view.size() == two.size() - 1 - first_size);
}

TEST_CASE("point field names are unique", "[sweep_engine][record]") {
  std::set<std::string> names;
  for (const auto &f : point_fields()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK(std::string(f.name).find_first_of(" ,;") == std::string::npos);
  }
  CHECK(names.size() == point_fields().size());
  for (const char *name : {"Q_h", "Q_c", "W", "C_nonloc", "efficiency", "trace_error"}) CHECK(names.count(name) == 1);
}

TEST_CASE("A point that fails after its observables were computed reports them as null, in the JSON and the files",
          "[sweep_engine][record]") {
  // The point's own checks (current error, positivity, Hermiticity) run after the observables: a
  // point failed there must not print the currents it could not certify.
  PointEvaluator evaluator(PETSC_COMM_SELF, SolverConfig{});
  PointConfig config;
  config.system = testing::paper_point(Bath::cascaded, Coupling::all_to_all, 1.5);
  PointResult r = evaluator.evaluate(config.system);
  REQUIRE(r.ok());
  REQUIRE(r.observables);
  r.failure = Failure::inaccurate;
  r.reason = "the excitation current has an estimated error of ...";
  const std::string json = point_json(config, r).str();
  INFO(json);
  for (const char *name : {"Q_h", "Q_c", "W", "Q_h_nonloc", "C_nonloc", "efficiency", "purity", "current_error"}) {
    const bool diagnostic = std::string(name) == "current_error";
    CHECK((json.find("\"" + std::string(name) + "\": null") != std::string::npos) == !diagnostic);
  }
  CHECK(json.find("\"regime\": null") != std::string::npos);
  CHECK(json.find("\"populations_h\": []") != std::string::npos);
  CHECK(json.find("\"residual_norm\": null") == std::string::npos);  // a diagnostic: kept
  const PointRecord rec = make_record(3, r);
  CHECK(rec.status == RecordStatus::failed);
  CHECK(std::isnan(rec.values[field_position("Q_h")]));
  CHECK_FALSE(std::isnan(rec.values[field_position("residual_norm")]));
}

TEST_CASE("make_record of an evaluated point carries its observables", "[sweep_engine][record]") {
  // paper_point: the engine window is omega_c < omega_h < omega_c T_h / T_c, i.e. 1 < x < 2, and
  // x > 2 is a refrigerator.
  PointEvaluator evaluator(PETSC_COMM_SELF, SolverConfig{});
  struct Case {
    Bath bath;
    Coupling coupling;
    double x;
    bool engine;
  };
  for (const Case &k : {Case{Bath::cascaded, Coupling::all_to_all, 1.5, true},
                        Case{Bath::independent, Coupling::pairwise, 2.5, false},
                        Case{Bath::common, Coupling::pairwise, 1.3, true}}) {
    INFO(to_string(k.bath) << " " << to_string(k.coupling) << " x = " << k.x);
    const PointResult r = evaluator.evaluate(testing::paper_point(k.bath, k.coupling, k.x));
    INFO("reason: " << r.reason);
    REQUIRE(r.ok());
    REQUIRE(r.observables);
    const Observables &o = *r.observables;
    CHECK((o.regime == Regime::engine) == k.engine);

    const PointRecord rec = make_record(41, r);
    CHECK(rec.index == 41);
    CHECK(rec.status == RecordStatus::ok);
    CHECK(rec.regime == static_cast<std::int8_t>(o.regime));
    CHECK(rec.reason.empty());
    REQUIRE(rec.values.size() == point_fields().size());
    CHECK(rec.values[field_position("Q_h")] == o.currents.Q_h);
    CHECK(rec.values[field_position("Q_c")] == o.currents.Q_c);
    CHECK(rec.values[field_position("W")] == o.currents.W);
    CHECK(rec.values[field_position("C_nonloc")] == o.coherences.C_nonloc);
    CHECK(rec.values[field_position("purity")] == o.purity);
    const double efficiency = rec.values[field_position("efficiency")];
    if (k.engine) {
      CHECK(efficiency == Approx(-o.currents.W / o.currents.Q_h).epsilon(1e-14));
      CHECK(efficiency > 0);
      CHECK(efficiency < 1.0 - 1.0 / 2.0);  // below Carnot at T_c / T_h = 1/2
    } else {
      CHECK(std::isnan(efficiency));
      CHECK(rec.values[field_position("cop_refrigerator")] == Approx(o.currents.Q_c / o.currents.W));
    }
    CHECK(rec.populations_h == o.populations_h);
    CHECK(rec.populations_c == o.populations_c);
    CHECK(rec.populations_h.size() == 2);

    // And through the binary form.
    std::string bytes;
    append_record(bytes, rec);
    std::string_view view = bytes;
    PointRecord back;
    REQUIRE(read_record(view, back));
    check_same_record(back, rec);
  }
}

TEST_CASE("make_record of a point without observables is all NaN", "[sweep_engine][record]") {
  PointResult r;  // failed, nothing solved
  r.reason = "solver did not converge: DIVERGED_BREAKDOWN";
  const PointRecord rec = make_record(5, r);
  CHECK(rec.index == 5);
  CHECK(rec.status == RecordStatus::failed);
  CHECK(rec.regime == -1);
  CHECK(rec.reason == r.reason);
  REQUIRE(rec.values.size() == point_fields().size());
  for (std::size_t f = 0; f < rec.values.size(); ++f) {
    INFO(point_fields()[f].name);
    CHECK(std::isnan(rec.values[f]));
  }
  CHECK(rec.populations_h.empty());
  CHECK(rec.populations_c.empty());
}

// record.hpp: a physics field is NaN wherever a point failed; a diagnostic field (a health
// measure) is kept, since it tells why. PointEvaluator::evaluate refuses some solved points after
// computing their observables (rho not Hermitian, or a negative eigenvalue beyond tolerance) and
// keeps those observables in the PointResult; the PointResult is built here as that branch leaves
// it.
TEST_CASE("make_record of a refused point has NaN physics and keeps its diagnostics", "[sweep_engine][record]") {
  PointResult r;
  r.failure = Failure::not_positive;
  r.reason = "rho has a negative eigenvalue beyond tolerance (-1e-3)";
  r.steady_state.converged = true;
  Observables o;
  o.currents.Q_h = 0.02;
  o.currents.Q_c = -0.015;
  o.currents.W = -0.005;
  o.coherences.C_nonloc = 0.3;
  o.regime = Regime::engine;
  o.efficiency = 0.25;
  o.populations_h = {0.2, 0.3};
  o.populations_c = {0.1, 0.15};
  o.min_eigenvalue = -1e-3;
  r.observables = o;
  const PointRecord rec = make_record(3, r);
  CHECK(rec.status == RecordStatus::failed);
  CHECK(rec.regime == -1);
  CHECK(rec.reason == r.reason);
  REQUIRE(rec.values.size() == point_fields().size());
  for (const char *name : {"Q_h", "W", "C_nonloc", "efficiency"}) {
    INFO(name);
    CHECK_FALSE(point_fields()[field_position(name)].diagnostic);
    CHECK(std::isnan(rec.values[field_position(name)]));
  }
  for (std::size_t f = 0; f < rec.values.size(); ++f) {
    INFO(point_fields()[f].name);
    if (!point_fields()[f].diagnostic) CHECK(std::isnan(rec.values[f]));
  }
  CHECK(point_fields()[field_position("min_eigenvalue")].diagnostic);
  CHECK(rec.values[field_position("min_eigenvalue")] == -1e-3);
  CHECK(rec.populations_h.empty());
  CHECK(rec.populations_c.empty());
}

// ============================================================================================
// SweepResults
// ============================================================================================

namespace {

const std::string results_yaml = R"(system:
  N: 2
  bath: cascaded
  coupling: pairwise
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: 0.5
  g_c: 0.6
  Omega: 0.1
sweep:
  axes:
    N: [1, 2]
    T_h: [1.5, 2.5, 3.5]
output:
  path: results.h5
)";

PointRecord record_at(std::int64_t index, RecordStatus status, double value, std::size_t pops) {
  PointRecord r;
  r.index = index;
  r.status = status;
  r.regime = status == RecordStatus::ok ? 2 : -1;
  for (std::size_t f = 0; f < point_fields().size(); ++f) r.values.push_back(value + static_cast<double>(f));
  for (std::size_t k = 0; k < pops; ++k) {
    r.populations_h.push_back(0.1 * (k + 1));
    r.populations_c.push_back(0.01 * (k + 1));
  }
  if (status == RecordStatus::failed) {
    r.failure = Failure::not_hermitian;
    r.reason = "rho is not Hermitian at point " + std::to_string(index);
  }
  return r;
}

}  // namespace

TEST_CASE("results store a record in the columns at its index", "[sweep_engine][results]") {
  const SweepConfig c = parse(results_yaml);
  const Grid grid(c);
  SweepResults results(grid);
  REQUIRE(results.size() == 6);
  CHECK(results.max_N == 2);
  CHECK(results.computed == 0);
  CHECK(results.failed == 0);
  REQUIRE(results.values.size() == point_fields().size());
  for (std::int64_t i = 0; i < 6; ++i) CHECK_FALSE(results.has(i));

  const PointRecord r = record_at(4, RecordStatus::ok, 10.0, 2);
  REQUIRE(results.store(r));
  CHECK(results.has(4));
  CHECK(results.computed == 1);
  CHECK(results.failed == 0);
  CHECK(results.status[4] == RecordStatus::ok);
  CHECK(results.regime[4] == 2);
  for (std::size_t f = 0; f < point_fields().size(); ++f) {
    INFO(point_fields()[f].name);
    CHECK(results.values[f][4] == 10.0 + static_cast<double>(f));
    for (std::int64_t i : {0, 1, 2, 3, 5}) CHECK(std::isnan(results.values[f][i]));
  }
  CHECK(results.populations_h[4 * 2 + 0] == 0.1);
  CHECK(results.populations_h[4 * 2 + 1] == 0.2);
  CHECK(results.populations_c[4 * 2 + 1] == 0.02);
  for (std::size_t k = 0; k < results.populations_h.size(); ++k)
    if (k / 2 != 4) CHECK(std::isnan(results.populations_h[k]));
  for (std::int64_t i : {0, 1, 2, 3, 5}) {
    CHECK(results.status[i] == RecordStatus::not_computed);
    CHECK(results.regime[i] == -1);
  }
  CHECK(results.failures.empty());

  // N = 1: one population, the second slot stays NaN.
  REQUIRE(results.store(record_at(1, RecordStatus::ok, 20.0, 1)));
  CHECK(results.populations_h[1 * 2 + 0] == 0.1);
  CHECK(std::isnan(results.populations_h[1 * 2 + 1]));
  CHECK(results.computed == 2);
}

TEST_CASE("results refuse a second record for one index and keep the first", "[sweep_engine][results]") {
  const Grid grid(parse(results_yaml));
  SweepResults results(grid);
  REQUIRE(results.store(record_at(2, RecordStatus::ok, 1.0, 2)));
  CHECK_FALSE(results.store(record_at(2, RecordStatus::ok, 99.0, 2)));
  CHECK_FALSE(results.store(record_at(2, RecordStatus::failed, 99.0, 0)));
  CHECK(results.computed == 1);
  CHECK(results.failed == 0);
  CHECK(results.values[0][2] == 1.0);
  CHECK(results.status[2] == RecordStatus::ok);
  CHECK(results.failures.empty());
  // Outside the grid, or not computed: refused.
  CHECK_FALSE(results.store(record_at(-1, RecordStatus::ok, 1.0, 2)));
  CHECK_FALSE(results.store(record_at(6, RecordStatus::ok, 1.0, 2)));
  CHECK_FALSE(results.store(record_at(3, RecordStatus::not_computed, 1.0, 2)));
  CHECK(results.computed == 1);
  CHECK_FALSE(results.has(3));
}

TEST_CASE("results count failed records and keep their reasons", "[sweep_engine][results]") {
  const Grid grid(parse(results_yaml));
  SweepResults results(grid);
  const PointRecord f0 = record_at(0, RecordStatus::failed, nan_value, 0);
  const PointRecord f5 = record_at(5, RecordStatus::failed, nan_value, 0);
  REQUIRE(results.store(f0));
  REQUIRE(results.store(record_at(3, RecordStatus::ok, 1.0, 2)));
  REQUIRE(results.store(f5));
  CHECK(results.computed == 3);
  CHECK(results.failed == 2);
  CHECK(results.status[0] == RecordStatus::failed);
  CHECK(results.status[5] == RecordStatus::failed);
  CHECK(results.regime[0] == -1);
  REQUIRE(results.failures.size() == 2);
  CHECK(results.failures.at(0).reason == f0.reason);
  CHECK(results.failures.at(0).failure == Failure::not_hermitian);
  CHECK(results.failures.at(5).reason == f5.reason);
  CHECK(results.failures.count(3) == 0);
  CHECK_FALSE(results.store(f0));
  CHECK(results.failed == 2);
}

// ============================================================================================
// Sweep identity
// ============================================================================================

namespace {

const std::string identity_yaml = testing::paper_system_yaml + R"(sweep:
  axes:
    omega_ratio: [0.5, 1.25]
    bath: [common, independent]
  ranks_per_point: 1
output:
  path: results/a.h5
)";

std::string identity(const std::vector<std::string> &overrides = {}, const std::string &options = "") {
  return sweep_identity(parse(identity_yaml, overrides), options);
}

// The identity of identity_yaml with the text `from` replaced by `to`.
std::string identity_edited(const std::string &from, const std::string &to) {
  std::string text = identity_yaml;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return sweep_identity(parse(text), "");
}

}  // namespace

TEST_CASE("sweep identity ignores where the output goes and how many ranks solve a point",
          "[sweep_engine][identity]") {
  const std::string base = identity();
  CHECK_FALSE(base.empty());
  CHECK(identity({"output.path=elsewhere/b.h5"}) == base);
  CHECK(identity({"sweep.ranks_per_point=4"}) == base);
  CHECK(identity({"output.csv=true", "output.path=c.h5", "sweep.ranks_per_point=2"}) == base);
  // A value given by --set instead of in the file is the same sweep.
  CHECK(identity({"system.T_h=2.0"}) == base);
}

TEST_CASE("sweep identity changes with an axis value and names it", "[sweep_engine][identity]") {
  const std::string base = identity();
  const std::string other = identity_edited("omega_ratio: [0.5, 1.25]", "omega_ratio: [0.5, 2.75]");
  CHECK(other != base);
  const std::string why = identity_difference(base, other);
  CHECK_THAT(why, Contains("sweep.axes.omega_ratio"));
  CHECK_THAT(why, Contains("1.25"));
  CHECK_THAT(why, Contains("2.75"));
  // The journal's value is named before this run's.
  CHECK(why.find("1.25") < why.find("2.75"));
  const std::string back = identity_difference(other, base);
  CHECK(back.find("2.75") < back.find("1.25"));

  // One more axis value, or a different label.
  CHECK(identity_edited("omega_ratio: [0.5, 1.25]", "omega_ratio: [0.5, 1.25, 3.0]") != base);
  const std::string baths = identity_edited("bath: [common, independent]", "bath: [common, cascaded]");
  CHECK(baths != base);
  CHECK_THAT(identity_difference(base, baths), Contains("sweep.axes.bath"));
  CHECK_THAT(identity_difference(base, baths), Contains("independent"));
  CHECK_THAT(identity_difference(base, baths), Contains("cascaded"));
  // The same values in another axis order are another grid.
  const std::string swapped = identity_edited("    omega_ratio: [0.5, 1.25]\n    bath: [common, independent]\n",
                                              "    bath: [common, independent]\n    omega_ratio: [0.5, 1.25]\n");
  CHECK(swapped != base);
  CHECK_THAT(identity_difference(base, swapped), Contains("sweep.axes"));
  // A new axis.
  const std::string more = identity({"sweep.axes.T_c=[0.5, 1.0]"});
  CHECK(more != base);
  CHECK_THAT(identity_difference(base, more), Contains("sweep.axes"));
}

TEST_CASE("sweep identity changes with the system and the solver", "[sweep_engine][identity]") {
  const std::string base = identity();
  const std::string hot = identity({"system.T_h=3.5"});
  CHECK(hot != base);
  CHECK_THAT(identity_difference(base, hot), Contains("system.T_h"));
  CHECK_THAT(identity_difference(base, hot), Contains("3.5"));
  const std::string g = identity({"system.g_c=[0.5, 0.6]"});
  CHECK(g != base);
  CHECK_THAT(identity_difference(base, g), Contains("system.g_c"));
  CHECK(identity({"system.Omega=0.2"}) != base);
  CHECK(identity({"system.omega_c=1.1"}) != base);
  // The preparation decides a degenerate steady state, so a journal of another one cannot be resumed.
  const std::string ground = identity({"system.initial_state=ground"});
  CHECK(ground != base);
  CHECK_THAT(identity_difference(base, ground), Contains("system.initial_state") && Contains("ground"));
  CHECK(identity({"system.initial_state={p_h: 0.2, p_c: 0.1}"}) != identity({"system.initial_state={p_h: 0.2, p_c: 0.3}"}));
  const std::string eps = identity({"solver.method=eps"});
  CHECK(eps != base);
  CHECK_THAT(identity_difference(base, eps), Contains("solver.method"));
  CHECK(identity({"solver.space=full"}) != base);

  const std::string gmres = identity({}, "-ksp_type gmres");
  CHECK(gmres != base);
  CHECK_THAT(identity_difference(base, gmres), Contains("gmres"));
  CHECK(identity({}, "-ksp_type gmres") != identity({}, "-ksp_type bcgs"));
  CHECK(identity({}, "-eps_tol 1e-12") != identity({}, "-eps_tol 1e-10"));
  CHECK(identity({}, "-pc_factor_shift_amount -1e-3") != identity({}, "-pc_factor_shift_amount"));
}

TEST_CASE("sweep identity ignores options that only log", "[sweep_engine][identity]") {
  const std::string base = identity();
  CHECK(identity({}, "-log_view") == base);
  CHECK(identity({}, "-info") == base);
  CHECK(identity({}, "-log_view -info") == base);
  const std::string gmres = identity({}, "-ksp_type gmres");
  CHECK(identity({}, "-log_view -ksp_type gmres") == gmres);
  CHECK(identity({}, "-ksp_type gmres -info") == gmres);
  CHECK(identity({}, "-info -ksp_type gmres -log_view") == gmres);
  // A logging option does not swallow a real one, and a real one still counts beside it.
  CHECK(identity({}, "-log_view -pc_type ilu") != base);
  // Monitors and viewers only print; the order options are written in does not matter.
  CHECK(identity({}, "-ksp_monitor -ksp_view -ksp_converged_reason -eps_view") == base);
  CHECK(identity({}, "-ksp_type gmres -pc_type ilu") == identity({}, "-pc_type ilu -ksp_type gmres"));
  CHECK(identity({}, "-ksp_type gmres -pc_type ilu") != identity({}, "-ksp_type gmres -pc_type jacobi"));
}

// The order of sweep.axes is the grid's axis order: an axis whose values are replaced by --set
// must stay where it is (the grid is not transposed), and the identity names the changed values.
TEST_CASE("an axis replaced by --set keeps its place in the axis order", "[sweep_engine][identity]") {
  const SweepConfig c = parse(identity_yaml, {"sweep.axes.omega_ratio=[0.5, 2.75]"});
  REQUIRE(c.axes.size() == 2);
  CHECK(c.axes[0].name == "omega_ratio");
  CHECK(c.axes[1].name == "bath");
  const std::string why = identity_difference(identity(), sweep_identity(c, ""));
  CHECK_THAT(why, Contains("sweep.axes.omega_ratio"));
}
