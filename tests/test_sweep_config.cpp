// The YAML of a sweep: the point config as the base, plus the `sweep` and `output` sections. How
// a valid file maps onto SweepConfig (axes, generated ranges, structural bases, output), and that
// every kind of mistake is refused with a message that says where and what.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"

using namespace nessmap;
using Catch::Contains;

namespace {

// Line numbers of this text are used by the tests below: system 1, N 2, bath 3, coupling 4,
// omega_c 5, omega_h 6, T_h 7, T_c 8, g_h 9, g_c 10, Omega 11, solver 12, method 13, sweep 14,
// axes 15, omega_ratio 16, g_scale 17, bath 18, coupling 19, T_c 20, ranks_per_point 21,
// output 22, path 23, csv 24.
const std::string sweep_yaml = R"(system:
  N: 2
  bath: common
  coupling: pairwise
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: [0.5, 0.55]
  g_c: 0.6
  Omega: 0.1
solver:
  method: eps
sweep:
  axes:
    omega_ratio: {start: 0.1, stop: 3.0, num: 30}
    g_scale: {start: 0.01, stop: 1.0, num: 5, log: true}
    bath: [common, cascaded, independent]
    coupling: [pairwise, all_to_all]
    T_c: [0.5, 1.0]
  ranks_per_point: 2
output:
  path: results/fig3.h5
  csv: true
)";

// The system and solver of sweep_yaml alone: a point (lines 1 to 13).
const std::string point_yaml = sweep_yaml.substr(0, sweep_yaml.find("sweep:"));

// A sweep with one axis and only the required keys; its axis is on line 16.
const std::string minimal_sweep =
    point_yaml + "sweep:\n  axes:\n    T_h: [1.5, 3.0]\noutput:\n  path: out.h5\n";

// `text` with the line that starts with `line_start` replaced by `replacement` ("" deletes it).
std::string with_line(const std::string &text, const std::string &line_start,
                      const std::string &replacement) {
  const auto at = text.find("\n" + line_start);
  REQUIRE(at != std::string::npos);
  const auto end = text.find('\n', at + 1);
  return text.substr(0, at + 1) + replacement + (replacement.empty() ? "" : "\n") +
         text.substr(end + 1);
}

// sweep_yaml with its axes (lines 16 to 20) replaced by `axes`, one "    name: values" per line.
std::string with_axes(const std::string &axes) {
  const auto begin = sweep_yaml.find("    omega_ratio:");
  const auto end = sweep_yaml.find("  ranks_per_point:");
  return sweep_yaml.substr(0, begin) + axes + sweep_yaml.substr(end);
}

SweepConfig parse(const std::string &text, const std::vector<std::string> &overrides = {}) {
  return parse_sweep_config(text, "test.yaml", overrides);
}

}  // namespace

TEST_CASE("a valid sweep maps onto its axes in the order written", "[sweep_config]") {
  const SweepConfig c = parse(sweep_yaml);
  REQUIRE(c.axes.size() == 5);
  CHECK(c.axes[0].name == "omega_ratio");
  CHECK(c.axes[1].name == "g_scale");
  CHECK(c.axes[2].name == "bath");
  CHECK(c.axes[3].name == "coupling");
  CHECK(c.axes[4].name == "T_c");
  CHECK(c.axes[0].kind == AxisKind::number);
  CHECK(c.axes[1].kind == AxisKind::number);
  CHECK(c.axes[2].kind == AxisKind::name);
  CHECK(c.axes[3].kind == AxisKind::name);
  CHECK(c.axes[4].kind == AxisKind::number);
  CHECK(c.axes[0].location == "test.yaml:16:5");
  CHECK(c.axes[4].location == "test.yaml:20:5");

  // Linear: start + i (stop - start) / (num - 1), with both ends exact.
  const Axis &ratio = c.axes[0];
  REQUIRE(ratio.size() == 30);
  CHECK_FALSE(ratio.log);
  CHECK(ratio.values.front() == 0.1);
  CHECK(ratio.values.back() == 3.0);
  CHECK(ratio.values[1] == 0.1 + 1.0 * (3.0 - 0.1) / 29);
  CHECK(ratio.values[10] == Approx(1.1));

  // Log: start (stop / start)^(i / (num - 1)), with both ends exact.
  const Axis &scale = c.axes[1];
  REQUIRE(scale.size() == 5);
  CHECK(scale.log);
  CHECK(scale.values.front() == 0.01);
  CHECK(scale.values.back() == 1.0);
  CHECK(scale.values[1] == Approx(0.01 * std::sqrt(std::sqrt(100.0))));
  CHECK(scale.values[2] == Approx(0.1));

  CHECK(c.axes[2].labels == std::vector<std::string>{"common", "cascaded", "independent"});
  CHECK(c.axes[2].values.empty());
  CHECK(c.axes[2].size() == 3);
  CHECK(c.axes[3].labels == std::vector<std::string>{"pairwise", "all_to_all"});
  CHECK(c.axes[4].values == std::vector<double>{0.5, 1.0});
  CHECK(c.axes[4].labels.empty());

  CHECK(c.ranks_per_point == 2);
  CHECK(c.output.path == "results/fig3.h5");
  CHECK(c.output.csv);
  CHECK(c.yaml_text == sweep_yaml);
  CHECK(c.overrides.empty());
  // The base is the system and solver as written.
  CHECK(c.base.source == "test.yaml");
  CHECK(c.base.system.bath == Bath::common);
  CHECK(c.base.system.coupling == Coupling::pairwise);
  CHECK(c.base.system.g_h == std::vector<double>{0.5, 0.55});
  CHECK(c.base.solver.method == Method::eps);
  CHECK(c.base.N_location == "test.yaml:2:6");
}

TEST_CASE("structural bases are row-major over bath and coupling", "[sweep_config]") {
  const SweepConfig c = parse(sweep_yaml);
  REQUIRE(c.structural_bases.size() == 6);
  const std::vector<std::pair<Bath, Coupling>> expected = {
      {Bath::common, Coupling::pairwise},      {Bath::common, Coupling::all_to_all},
      {Bath::cascaded, Coupling::pairwise},    {Bath::cascaded, Coupling::all_to_all},
      {Bath::independent, Coupling::pairwise}, {Bath::independent, Coupling::all_to_all}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("base " << i);
    CHECK(c.structural_bases[i].bath == expected[i].first);
    CHECK(c.structural_bases[i].coupling == expected[i].second);
    CHECK(c.structural_bases[i].g_h == std::vector<double>{0.5, 0.55});
    CHECK(c.structural_bases[i].T_h == 2.0);
  }
  // Omega: 0.1 means the diagonal for pairwise and every entry for all_to_all.
  CHECK(c.structural_bases[0].Omega == std::vector<std::vector<double>>{{0.1, 0.0}, {0.0, 0.1}});
  CHECK(c.structural_bases[1].Omega == std::vector<std::vector<double>>{{0.1, 0.1}, {0.1, 0.1}});

  // The order is that of `axes`, not of sweep_axis_names: coupling first makes it the slowest.
  const SweepConfig swapped =
      parse(with_axes("    coupling: [pairwise, all_to_all]\n    bath: [common, independent]\n"));
  REQUIRE(swapped.structural_bases.size() == 4);
  CHECK(swapped.structural_bases[1].coupling == Coupling::pairwise);
  CHECK(swapped.structural_bases[1].bath == Bath::independent);
  CHECK(swapped.structural_bases[2].coupling == Coupling::all_to_all);
  CHECK(swapped.structural_bases[2].bath == Bath::common);
}

TEST_CASE("an N axis re-reads the per-qubit values for each N", "[sweep_config]") {
  const std::string text =
      with_line(with_axes("    N: [1, 2]\n    T_h: [1.5, 2.5]\n"), "  g_h:", "  g_h: 0.5");
  const SweepConfig c = parse(text);
  REQUIRE(c.axes.size() == 2);
  CHECK(c.axes[0].kind == AxisKind::integer);
  CHECK(c.axes[0].values == std::vector<double>{1.0, 2.0});
  REQUIRE(c.structural_bases.size() == 2);
  CHECK(c.structural_bases[0].N == 1);
  CHECK(c.structural_bases[0].g_h == std::vector<double>{0.5});
  CHECK(c.structural_bases[0].Omega == std::vector<std::vector<double>>{{0.1}});
  CHECK(c.structural_bases[1].N == 2);
  CHECK(c.structural_bases[1].g_h == std::vector<double>{0.5, 0.5});
  CHECK(c.structural_bases[1].g_c == std::vector<double>{0.6, 0.6});
}

TEST_CASE("defaults without structural axes or optional keys", "[sweep_config]") {
  const SweepConfig c = parse(minimal_sweep);
  CHECK(c.ranks_per_point == 1);
  CHECK(c.output.path == "out.h5");
  CHECK_FALSE(c.output.csv);
  REQUIRE(c.axes.size() == 1);
  CHECK(c.axes[0].values == std::vector<double>{1.5, 3.0});
  CHECK_FALSE(c.axes[0].log);
  CHECK(c.axes[0].location == "test.yaml:16:5");
  // One structural base: the system as written.
  REQUIRE(c.structural_bases.size() == 1);
  CHECK(c.structural_bases[0].N == c.base.system.N);
  CHECK(c.structural_bases[0].g_h == c.base.system.g_h);
  CHECK(c.structural_bases[0].Omega == c.base.system.Omega);
  CHECK(parse(minimal_sweep + "  csv: false\n").output.csv == false);
}

TEST_CASE("ranges with num 1 and exact ends", "[sweep_config]") {
  const auto one = parse(with_axes("    T_c: {start: 0.7, stop: 0.7, num: 1}\n")).axes[0];
  CHECK(one.values == std::vector<double>{0.7});
  const auto seven = parse(with_axes("    omega_ratio: {start: 0.1, stop: 0.7, num: 7}\n")).axes[0];
  REQUIRE(seven.size() == 7);
  CHECK(seven.values.back() == 0.7);
  CHECK(seven.values[3] == Approx(0.4));
  // A decreasing range and log: false are allowed; Omega may be negative.
  const auto down =
      parse(with_axes("    Omega: {start: 0.2, stop: -0.2, num: 3, log: false}\n")).axes[0];
  CHECK(down.values == std::vector<double>{0.2, 0.0, -0.2});
  CHECK_FALSE(down.log);
  const auto log_down =
      parse(with_axes("    g: {start: 1.0, stop: 0.001, num: 4, log: true}\n")).axes[0];
  CHECK(log_down.values.front() == 1.0);
  CHECK(log_down.values.back() == 0.001);
  CHECK(log_down.values[1] == Approx(0.1));
}

TEST_CASE("overrides reach the sweep and output sections", "[sweep_config]") {
  const SweepConfig c =
      parse(sweep_yaml, {"sweep.axes.omega_ratio.num=5", "output.path=x.h5", "output.csv=false"});
  CHECK(c.axes[0].size() == 5);
  CHECK(c.axes[0].values.back() == 3.0);
  CHECK(c.output.path == "x.h5");
  CHECK_FALSE(c.output.csv);
  CHECK(c.overrides ==
        std::vector<std::string>{"sweep.axes.omega_ratio.num=5", "output.path=x.h5",
                                 "output.csv=false"});
  // An axis added by --set is located at the --set.
  const SweepConfig added = parse(minimal_sweep, {"sweep.axes.T_c=[0.5, 1.0]"});
  REQUIRE(added.axes.size() == 2);
  CHECK(added.axes[1].location == "--set sweep.axes.T_c=[0.5, 1.0]");

  CHECK_THROWS_WITH(parse(sweep_yaml, {"sweep.axes.omega_ratio.num=0"}),
                    "--set sweep.axes.omega_ratio.num=0: sweep.axes.omega_ratio.num: must be at "
                    "least 1, got 0");
  CHECK_THROWS_WITH(parse(sweep_yaml, {"sweep.axes.T_c=[]"}),
                    "--set sweep.axes.T_c=[]: sweep.axes.T_c: must have at least one value, got "
                    "an empty list");
  CHECK_THROWS_WITH(parse(sweep_yaml, {"output.csv=yes"}),
                    "--set output.csv=yes: output.csv: expected true or false, got 'yes'");
  CHECK_THROWS_WITH(parse(sweep_yaml, {"sweep.axes.omega_ratio.num.x=1"}),
                    Contains("--set sweep.axes.omega_ratio.num.x=1: sweep.axes.omega_ratio.num: "
                             "is '30', not a section"));
}

TEST_CASE("load_sweep_config reads a file and names it in messages", "[sweep_config]") {
  const auto path = (std::filesystem::temp_directory_path() / "nessmap_test_sweep.yaml").string();
  {
    std::ofstream out(path);
    out << sweep_yaml;
  }
  const SweepConfig c = load_sweep_config(path, {"output.path=y.h5"});
  CHECK(c.base.source == path);
  CHECK(c.axes[0].location == path + ":16:5");
  CHECK(c.yaml_text == sweep_yaml);
  CHECK(c.output.path == "y.h5");
  {
    std::ofstream out(path);
    out << with_line(sweep_yaml, "    T_c:", "    T_c: [0.5, -1.0]");
  }
  CHECK_THROWS_WITH(load_sweep_config(path),
                    path + ":20:16: sweep.axes.T_c[1]: must be a positive finite number, got -1.0");
  std::remove(path.c_str());
  CHECK_THROWS_WITH(load_sweep_config("/nonexistent-dir/sweep.yaml"),
                    Contains("/nonexistent-dir/sweep.yaml") && Contains("cannot open"));
  CHECK_THROWS_WITH(load_sweep_config(std::filesystem::temp_directory_path().string()),
                    Contains("is a directory"));
}

TEST_CASE("a point accepts a sweep file and checks its sweep sections", "[sweep_config]") {
  const PointConfig p = parse_point_config(sweep_yaml, "test.yaml");
  CHECK(p.system.bath == Bath::common);
  CHECK(p.system.coupling == Coupling::pairwise);
  CHECK(p.system.T_c == 1.0);
  CHECK(p.system.g_h == std::vector<double>{0.5, 0.55});
  CHECK(p.solver.method == Method::eps);
  // Without the sweep sections it is still a point.
  CHECK(parse_point_config(point_yaml, "test.yaml").system.N == 2);
  // With them, they are checked.
  CHECK_THROWS_WITH(parse_point_config(with_line(sweep_yaml, "    T_c:", "    T_c: []"), "test.yaml"),
                    Contains("test.yaml:20:10: sweep.axes.T_c: must have at least one value"));
  CHECK_THROWS_WITH(
      parse_point_config(with_line(sweep_yaml, "  path:", ""), "test.yaml"),
      Contains("output.path: required key is missing from section 'output'"));
  CHECK_THROWS_WITH(parse_point_config(with_line(sweep_yaml, "  Omega:", "  Omega: [0.1, 0.2]"),
                                       "test.yaml"),
                    Contains("system.Omega: all_to_all coupling takes a number"));
}

TEST_CASE("a sweep needs its sections", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(point_yaml),
                    "test.yaml:1:1: sweep: required key is missing from the top level");
  CHECK_THROWS_WITH(parse(sweep_yaml.substr(0, sweep_yaml.find("output:"))),
                    "test.yaml:1:1: output: required key is missing from the top level");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  path:", "")),
                    "test.yaml:23:3: output.path: required key is missing from section 'output'");
  CHECK_THROWS_WITH(parse(point_yaml + "sweep:\n  ranks_per_point: 1\noutput:\n  path: o.h5\n"),
                    "test.yaml:15:3: sweep.axes: required key is missing from section 'sweep'");
  CHECK_THROWS_WITH(parse(point_yaml + "sweep:\noutput:\n  path: o.h5\n"),
                    "test.yaml:14:1: sweep: expected a map, got nothing (null)");
  CHECK_THROWS_WITH(parse(with_axes("")),
                    "test.yaml:15:3: sweep.axes: expected a map, got nothing (null)");
  CHECK_THROWS_WITH(parse(with_line(with_axes(""), "  axes:", "  axes: {}")),
                    Contains("test.yaml:15:9: sweep.axes: must name at least one axis, got an "
                             "empty map"));
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  path:", "  path: \"\"")),
                    "test.yaml:23:9: output.path: must be a non-empty file path");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  path:", "  path: [a.h5]")),
                    "test.yaml:23:9: output.path: expected a file path, got a list");
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "  csv:", "  format: csv")),
      "test.yaml:24:3: output.format: unknown key; allowed keys are path, csv");
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "  ranks_per_point:", "  ranks: 2")),
      "test.yaml:21:3: sweep.ranks: unknown key; allowed keys are axes, ranks_per_point");
}

TEST_CASE("unknown axis names list the allowed ones", "[sweep_config]") {
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "    T_c:", "    T_cold: [0.5, 1.0]")),
      "test.yaml:20:5: sweep.axes.T_cold: unknown axis; allowed axes are omega_ratio, Omega, "
      "Omega_scale, g, g_scale, T_h, T_c, T_ratio, bath, coupling, N");
  CHECK(axis_names() ==
        std::vector<std::string>{"omega_ratio", "Omega", "Omega_scale", "g", "g_scale", "T_h",
                                 "T_c", "T_ratio", "bath", "coupling", "N"});
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "    T_c:", "    T_c: [0.5, 1.0]\n    T_c: [2]")),
                    "test.yaml:21:5: sweep.axes.T_c: duplicate key (first given at line 20)");
}

TEST_CASE("malformed axis values", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "    T_c:", "    T_c: []")),
                    "test.yaml:20:10: sweep.axes.T_c: must have at least one value, got an empty "
                    "list");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "    T_c:", "    T_c: 0.5")),
                    "test.yaml:20:10: sweep.axes.T_c: expected a list or a {start, stop, num} "
                    "map, got '0.5'");
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "    bath:", "    bath: {start: 0, stop: 2, num: 3}")),
      "test.yaml:18:11: sweep.axes.bath: expected a list of names, got a map; a {start, stop, "
      "num} range is only for number axes");
  CHECK_THROWS_WITH(parse(with_axes("    N: {start: 1, stop: 3, num: 3}\n")),
                    Contains("sweep.axes.N: expected a list of integers, got a map"));
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "    bath:", "    bath: [common, warm]")),
      "test.yaml:18:20: sweep.axes.bath[1]: must be one of common, cascaded, independent; got "
      "'warm'");
  CHECK_THROWS_WITH(parse(with_axes("    N: [2, 64]\n")),
                    Contains("test.yaml:16:12: sweep.axes.N[1]: must be at most 63"));
  CHECK_THROWS_WITH(parse(with_axes("    N: [2, 2.5]\n")),
                    "test.yaml:16:12: sweep.axes.N[1]: must be an integer, got 2.5");
  CHECK_THROWS_WITH(parse(with_axes("    T_h: [1.5, hot]\n")),
                    "test.yaml:16:16: sweep.axes.T_h[1]: expected a number, got 'hot'");
}

TEST_CASE("malformed ranges", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: 0}\n")),
                    "test.yaml:16:39: sweep.axes.T_c.num: must be at least 1, got 0");
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: 2.5}\n")),
                    "test.yaml:16:39: sweep.axes.T_c.num: must be an integer, got 2.5");
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: \"3\"}\n")),
                    Contains("sweep.axes.T_c.num: expected an integer, got the quoted text \"3\""));
  CHECK_THROWS_WITH(parse(with_axes("    g: {start: 0, stop: 1.0, num: 3, log: true}\n")),
                    "test.yaml:16:16: sweep.axes.g.start: must be positive for a log range, "
                    "got 0");
  CHECK_THROWS_WITH(parse(with_axes("    Omega: {start: 0.1, stop: -0.1, num: 3, log: true}\n")),
                    "test.yaml:16:31: sweep.axes.Omega.stop: must be positive for a log range, "
                    "got -0.1");
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 0.6, num: 1}\n")),
                    "test.yaml:16:29: sweep.axes.T_c.stop: must equal start (0.5) when num = 1, "
                    "got 0.6");
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: 3, step: 0.25}\n")),
                    "test.yaml:16:42: sweep.axes.T_c.step: unknown key; allowed keys are start, "
                    "stop, num, log");
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, num: 3}\n")),
                    Contains("sweep.axes.T_c.stop: required key is missing from section "
                             "'sweep.axes.T_c'"));
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: 3, log: 1}\n")),
                    Contains("sweep.axes.T_c.log: expected true or false, got '1'"));
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 1.0, num: 3000000}\n")),
                    Contains("sweep.axes.T_c.num: must be at most 1000000"));
}

TEST_CASE("axis values out of range", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_axes("    T_ratio: [1.5, -1]\n")),
                    "test.yaml:16:20: sweep.axes.T_ratio[1]: must be a positive finite number, "
                    "got -1");
  CHECK_THROWS_WITH(parse(with_axes("    T_ratio: {start: 0, stop: 2, num: 3}\n")),
                    "test.yaml:16:22: sweep.axes.T_ratio.start: must be a positive finite "
                    "number, got 0");
  CHECK_THROWS_WITH(parse(with_axes("    g: [-0.1, 0.2]\n")),
                    "test.yaml:16:9: sweep.axes.g[0]: must be a non-negative finite number, got "
                    "-0.1");
  CHECK_THROWS_WITH(parse(with_axes("    g_scale: {start: 1, stop: -0.5, num: 3}\n")),
                    Contains("sweep.axes.g_scale.stop: must be a non-negative finite number"));
  CHECK_THROWS_WITH(parse(with_axes("    omega_ratio: [0.5, 0]\n")),
                    Contains("sweep.axes.omega_ratio[1]: must be a positive finite number, got 0"));
  CHECK_THROWS_WITH(parse(with_axes("    T_h: [.nan]\n")),
                    Contains("sweep.axes.T_h[0]: must be a positive finite number, got .nan"));
  CHECK_THROWS_WITH(parse(with_axes("    Omega_scale: [1, .inf]\n")),
                    Contains("sweep.axes.Omega_scale[1]: must be a finite number, got .inf"));
  // Omega and Omega_scale take any finite number, g and g_scale zero.
  CHECK(parse(with_axes("    Omega_scale: [-1, 0, 1]\n    g: [0, 0.1]\n")).axes.size() == 2);
}

TEST_CASE("repeated values within an axis are refused", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "    T_c:", "    T_c: [0.5, 1.0, 0.50]")),
                    "test.yaml:20:21: sweep.axes.T_c[2]: repeats sweep.axes.T_c[0] (0.5); the "
                    "values of an axis must be distinct");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "    bath:", "    bath: [common, common]")),
                    "test.yaml:18:20: sweep.axes.bath[1]: repeats sweep.axes.bath[0] (common); "
                    "the values of an axis must be distinct");
  CHECK_THROWS_WITH(parse(with_axes("    N: [1, 2, 1]\n")),
                    Contains("sweep.axes.N[2]: repeats sweep.axes.N[0] (1)"));
  CHECK_THROWS_WITH(parse(with_axes("    T_c: {start: 0.5, stop: 0.5, num: 3}\n")),
                    "test.yaml:16:10: sweep.axes.T_c: the range gives the value 0.5 at both index "
                    "0 and index 1; the values of an axis must be distinct");
}

TEST_CASE("conflicting axes are refused naming both", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_axes("    T_h: [1.5, 2.0]\n    T_c: [0.5]\n    T_ratio: [2]\n")),
                    "test.yaml:18:5: sweep.axes.T_ratio: cannot be combined with the axis T_h "
                    "(test.yaml:16:5): T_h and T_ratio set the same parameter; keep one of them");
  CHECK_THROWS_WITH(parse(with_axes("    g_scale: [1, 2]\n    g: [0.1]\n")),
                    "test.yaml:17:5: sweep.axes.g: cannot be combined with the axis g_scale "
                    "(test.yaml:16:5): g and g_scale set the same parameter; keep one of them");
  CHECK_THROWS_WITH(parse(with_axes("    Omega: [0.1]\n    Omega_scale: [1, 2]\n")),
                    Contains("sweep.axes.Omega_scale: cannot be combined with the axis Omega "
                             "(test.yaml:16:5)"));
  CHECK_THROWS_WITH(parse(minimal_sweep, {"sweep.axes.T_ratio=[2, 3]"}),
                    "--set sweep.axes.T_ratio=[2, 3]: sweep.axes.T_ratio: cannot be combined with "
                    "the axis T_h (test.yaml:16:5): T_h and T_ratio set the same parameter; keep "
                    "one of them");
}

TEST_CASE("structural axes re-check the system and name the combination", "[sweep_config]") {
  // N = 2 is fine with the 2-entry g_h; N = 3 is not.
  CHECK_THROWS_WITH(
      parse(with_axes("    N: [2, 3]\n")),
      "test.yaml:9:8: system.g_h: must have N = 3 entries, got 2 (with N = 3 from sweep.axes.N)");
  // A flat Omega list is the pairwise diagonal; all_to_all needs a number or a matrix.
  CHECK_THROWS_WITH(
      parse(with_line(sweep_yaml, "  Omega:", "  Omega: [0.1, 0.2]")),
      "test.yaml:11:10: system.Omega: all_to_all coupling takes a number or an N x N nested "
      "list, got a flat list (with bath = common from sweep.axes.bath, coupling = all_to_all "
      "from sweep.axes.coupling)");
  // The error in an override keeps pointing at the override.
  CHECK_THROWS_WITH(parse(minimal_sweep, {"system.g_h=0.5", "system.g_c=[0.1, 0.2]", "sweep.axes.N=[2, 1]"}),
                    "--set system.g_c=[0.1, 0.2]: system.g_c: must have N = 1 entries, got 2 "
                    "(with N = 1 from sweep.axes.N)");
  // An error in the base as written has no combination to name.
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  g_h:", "  g_h: [0.5]")),
                    "test.yaml:9:8: system.g_h: must have N = 2 entries, got 1");
}

TEST_CASE("ranks_per_point and csv values", "[sweep_config]") {
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  ranks_per_point:", "  ranks_per_point: 0")),
                    "test.yaml:21:20: sweep.ranks_per_point: must be at least 1, got 0");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  ranks_per_point:", "  ranks_per_point: 1.5")),
                    "test.yaml:21:20: sweep.ranks_per_point: must be an integer, got 1.5");
  CHECK(parse(with_line(sweep_yaml, "  ranks_per_point:", "  ranks_per_point: 4"))
            .ranks_per_point == 4);
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  csv:", "  csv: \"yes\"")),
                    "test.yaml:24:8: output.csv: expected true or false, got the quoted text "
                    "\"yes\"");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  csv:", "  csv: 3")),
                    "test.yaml:24:8: output.csv: expected true or false, got '3'");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  csv:", "  csv: yes")),
                    "test.yaml:24:8: output.csv: expected true or false, got 'yes'");
  CHECK_THROWS_WITH(parse(with_line(sweep_yaml, "  csv:", "  csv:")),
                    "test.yaml:24:3: output.csv: expected true or false, got nothing (null)");
}

TEST_CASE("the axis table is consistent with itself and with the system keys", "[sweep_config][axes]") {
  std::vector<std::string> system_keys;
  visit_fields(SystemParameters{}, [&](const char *key, const auto &) { system_keys.emplace_back(key); });
  for (const AxisInfo &a : axis_table()) {
    INFO(a.name);
    // A key an axis replaces is one it varies; every key named is a system key.
    for (auto key : a.replaces)
      CHECK(std::find(a.varies.begin(), a.varies.end(), key) != a.varies.end());
    for (auto key : a.varies)
      CHECK(std::find(system_keys.begin(), system_keys.end(), std::string(key)) != system_keys.end());
    // Conflicts go both ways.
    if (!a.conflicts_with.empty()) CHECK(axis_info(a.conflicts_with).conflicts_with == a.name);
    // Value axes change a point through apply; structural ones by re-reading the system section.
    CHECK((a.apply == nullptr) == a.structural);
    CHECK((a.kind == AxisKind::number) == !a.structural);
    CHECK(std::string(a.long_name).size() > 0);
    CHECK(std::string(a.plot_label).size() > 0);
  }
  // T_ratio multiplies the swept T_c: T_c comes first in the table, whose order the grid follows.
  const auto position = [](const char *name) { return &axis_info(name) - axis_table().data(); };
  CHECK(position("T_c") < position("T_ratio"));
  SystemParameters p;
  axis_info("T_c").apply(p, 0.5);
  axis_info("T_ratio").apply(p, 3);
  CHECK(p.T_h == 1.5);
  CHECK_THROWS_AS(axis_info("T_cold"), std::invalid_argument);
}
