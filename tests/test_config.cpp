// The YAML of one point: how a valid file maps onto SystemParameters/SolverConfig, and that every
// kind of mistake is refused with a message that says where (file:line:column or the --set) and
// what.
#include <catch2/catch.hpp>

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
// omega_c 5, omega_h 6, T_h 7, T_c 8, g_h 9, g_c 10, Omega 11, solver 12, method 13, space 14.
const std::string valid_yaml = R"(system:
  N: 2
  bath: common
  coupling: pairwise
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: [0.5, 0.55]
  g_c: 0.6
  Omega: [0.1, 0.2]
solver:
  method: eps
  space: full
)";

// valid_yaml with the line that starts with `line_start` replaced by `replacement` ("" deletes it).
std::string with_line(const std::string &line_start, const std::string &replacement) {
  const auto at = valid_yaml.find("\n" + line_start);
  REQUIRE(at != std::string::npos);
  const auto end = valid_yaml.find('\n', at + 1);
  return valid_yaml.substr(0, at + 1) + replacement + (replacement.empty() ? "" : "\n") +
         valid_yaml.substr(end + 1);
}

// valid_yaml with an extra line inserted after the line that starts with `line_start`.
std::string with_line_after(const std::string &line_start, const std::string &extra) {
  const auto at = valid_yaml.find("\n" + line_start);
  REQUIRE(at != std::string::npos);
  const auto end = valid_yaml.find('\n', at + 1);
  return valid_yaml.substr(0, end + 1) + extra + "\n" + valid_yaml.substr(end + 1);
}

PointConfig parse(const std::string &text, const std::vector<std::string> &overrides = {}) {
  return parse_point_config(text, "test.yaml", overrides);
}

}  // namespace

TEST_CASE("a valid point maps onto the parameters", "[config]") {
  const PointConfig c = parse(valid_yaml);
  const SystemParameters &p = c.system;
  CHECK(c.source == "test.yaml");
  CHECK(p.N == 2);
  CHECK(p.bath == Bath::common);
  CHECK(p.coupling == Coupling::pairwise);
  CHECK(p.omega_c == 1.0);
  CHECK(p.omega_h == 1.5);
  CHECK(p.T_h == 2.0);
  CHECK(p.T_c == 1.0);
  CHECK(p.g_h == std::vector<double>{0.5, 0.55});
  CHECK(p.g_c == std::vector<double>{0.6, 0.6});  // a scalar is broadcast to every qubit
  // The pairwise N-vector is the diagonal of Omega.
  CHECK(p.Omega == std::vector<std::vector<double>>{{0.1, 0.0}, {0.0, 0.2}});
  CHECK(c.solver.method == Method::eps);
  CHECK(c.solver.space == Space::full);
  CHECK_NOTHROW(p.validate());
}

TEST_CASE("solver section and its keys default to auto and auto", "[config]") {
  const std::string no_solver = valid_yaml.substr(0, valid_yaml.find("solver:"));
  const PointConfig c = parse(no_solver);
  CHECK(c.solver.method == Method::automatic);
  CHECK(c.solver.space == Space::automatic);

  const PointConfig only_method = parse(with_line("  space:", ""));
  CHECK(only_method.solver.method == Method::eps);
  CHECK(only_method.solver.space == Space::automatic);
  CHECK(parse(with_line("  space:", "  space: symmetric"), {"system.g_h=0.5", "system.Omega=0.1"}).solver.space ==
        Space::symmetric);
}

TEST_CASE("Omega forms for each coupling", "[config]") {
  SECTION("pairwise scalar is w on the diagonal") {
    const auto p = parse(with_line("  Omega:", "  Omega: 0.3")).system;
    CHECK(p.Omega == std::vector<std::vector<double>>{{0.3, 0.0}, {0.0, 0.3}});
  }
  SECTION("all_to_all scalar fills every entry") {
    const auto p =
        parse(with_line("  Omega:", "  Omega: 0.1"), {"system.coupling=all_to_all"}).system;
    CHECK(p.coupling == Coupling::all_to_all);
    CHECK(p.Omega == std::vector<std::vector<double>>{{0.1, 0.1}, {0.1, 0.1}});
  }
  SECTION("all_to_all nested list is used as is") {
    const auto text = with_line("  Omega:", "  Omega: [[0.1, -0.2], [0.3, 0.4]]");
    const auto p = parse(text, {"system.coupling=all_to_all"}).system;
    CHECK(p.Omega == std::vector<std::vector<double>>{{0.1, -0.2}, {0.3, 0.4}});
  }
  SECTION("Omega = 0 is a valid point") {
    const auto p = parse(with_line("  Omega:", "  Omega: 0")).system;
    CHECK(p.Omega == std::vector<std::vector<double>>{{0.0, 0.0}, {0.0, 0.0}});
  }
}

TEST_CASE("to_string(Method)", "[config]") {
  CHECK(std::string(to_string(Method::ksp)) == "ksp");
  CHECK(std::string(to_string(Method::eps)) == "eps");
  CHECK(std::string(to_string(Method::automatic)) == "auto");
  CHECK(std::string(to_string(Method::sylvester)) == "sylvester");
}

TEST_CASE("overrides replace values and may add solver keys", "[config]") {
  const std::string no_solver = valid_yaml.substr(0, valid_yaml.find("solver:"));
  const auto c =
      parse(no_solver, {"system.omega_h=1.7", "system.g_h=[0.6, 0.7, 0.8]", "solver.method=eps",
                        "system.N=3", "system.g_c=0.5", "system.Omega=0.1"});
  CHECK(c.system.omega_h == 1.7);
  CHECK(c.system.g_h == std::vector<double>{0.6, 0.7, 0.8});
  CHECK(c.system.N == 3);
  CHECK(c.system.g_c == std::vector<double>{0.5, 0.5, 0.5});
  CHECK(c.solver.method == Method::eps);
  CHECK(c.solver.space == Space::automatic);
  // g_h has 2 entries but N is now 3: the error is the override's.
  CHECK_THROWS_WITH(
      parse(no_solver, {"system.N=3", "system.g_h=[0.6, 0.7]"}),
      Contains("--set system.g_h=[0.6, 0.7]: system.g_h: must have N = 3 entries, got 2"));
  // A later override of the same key wins.
  CHECK(parse(valid_yaml, {"system.T_h=3", "system.T_h=4"}).system.T_h == 4.0);
}

TEST_CASE("load_point_config reads a file and names it in messages", "[config]") {
  const auto path = (std::filesystem::temp_directory_path() / "nessmap_test_config.yaml").string();
  {
    std::ofstream out(path);
    out << valid_yaml;
  }
  const PointConfig c = load_point_config(path);
  CHECK(c.source == path);
  CHECK(c.system.g_h == std::vector<double>{0.5, 0.55});
  CHECK_THROWS_WITH(load_point_config(path, {"system.T_c=0"}),
                    "--set system.T_c=0: system.T_c: must be a positive finite number, got 0");
  {
    std::ofstream out(path);
    out << with_line("  T_h:", "  T_h: -1");
  }
  CHECK_THROWS_WITH(load_point_config(path),
                    path + ":7:8: system.T_h: must be a positive finite number, got -1");
  std::remove(path.c_str());
}

TEST_CASE("unreadable file / bad YAML / wrong top level", "[config]") {
  const std::string missing = "/nonexistent-dir/point.yaml";
  REQUIRE_THROWS_AS(load_point_config(missing), ConfigError);
  CHECK_THROWS_WITH(load_point_config(missing), Contains(missing) && Contains("cannot open"));
  CHECK_THROWS_WITH(load_point_config(std::filesystem::temp_directory_path().string()),
                    Contains("is a directory"));

  CHECK_THROWS_WITH(parse("system:\n  N: 2\n  g_h: [0.5, 0.6\n  g_c: 1\n"),
                    Contains("test.yaml:4:6: invalid YAML") &&
                        Contains("end of sequence flow not found") && Contains("flow"));
  CHECK_THROWS_WITH(
      parse("- 1\n- 2\n"),
      Contains(
          "test.yaml:1:1: (top level): expected a map with sections system, solver, sweep, output, "
          "got a list"));
  CHECK_THROWS_WITH(parse("just text\n"),
                    Contains("(top level): expected a map") && Contains("'just text'"));
  CHECK_THROWS_WITH(parse(""), Contains("test.yaml: the file is empty"));
  CHECK_THROWS_WITH(parse(valid_yaml + "---\n" + valid_yaml), Contains("holds 2 YAML documents"));
}

TEST_CASE("unknown keys at every level", "[config]") {
  CHECK_THROWS_WITH(
      parse(with_line_after("  omega_h:", "  omega_hh: 1.5")),
      Contains("test.yaml:7:3: system.omega_hh: unknown key; allowed keys are N, bath, coupling, "
               "omega_c, omega_h, T_h, T_c, g_h, g_c, Omega"));
  CHECK_THROWS_WITH(parse(valid_yaml + "results: out.h5\n"),
                    Contains("test.yaml:15:1: results: unknown key; allowed keys are system, "
                             "solver, sweep, output"));
  // A point file may have the sweep sections (they are checked, see test_sweep_config.cpp).
  CHECK_THROWS_WITH(
      parse(valid_yaml + "sweep:\n  x: 1\n"),
      Contains("test.yaml:16:3: sweep.x: unknown key; allowed keys are axes, ranks_per_point"));
  CHECK_THROWS_WITH(
      parse(with_line_after("  method:", "  tol: 1e-10")),
      Contains("test.yaml:14:3: solver.tol: unknown key; allowed keys are method, space"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.foo=1"}),
                    Contains("--set system.foo=1: system.foo: unknown key"));
  // The section created on the way to an unknown key is named after the override, not the file.
  CHECK_THROWS_WITH(parse(valid_yaml, {"results.x=1"}),
                    Contains("--set results.x=1: results: unknown key"));
}

TEST_CASE("duplicate keys are refused", "[config]") {
  CHECK_THROWS_WITH(parse(with_line_after("  T_h:", "  T_h: 3.0")),
                    Contains("test.yaml:8:3: system.T_h: duplicate key (first given at line 7)"));
  CHECK_THROWS_WITH(parse(valid_yaml + "system:\n  N: 3\n"),
                    Contains("test.yaml:15:1: system: duplicate key (first given at line 1)"));
  // Overriding one copy does not hide the duplicate in the file.
  CHECK_THROWS_WITH(parse(with_line_after("  T_h:", "  T_h: 3.0"), {"system.T_h=2"}),
                    Contains("test.yaml:8:3: system.T_h: duplicate key"));
  CHECK_THROWS_WITH(
      parse(valid_yaml, {"solver={method: ksp, method: eps}"}),
      Contains("--set solver={method: ksp, method: eps}: solver.method: duplicate key"));
}

TEST_CASE("wrong types", "[config]") {
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h: hot")),
                    Contains("test.yaml:7:8: system.T_h: expected a number, got 'hot'"));
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h: [1, 2]")),
                    Contains("test.yaml:7:8: system.T_h: expected a number, got a list"));
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h: true")),
                    Contains("system.T_h: expected a number, got 'true'"));
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h: \"2.0\"")),
                    Contains("system.T_h: expected a number, got the quoted text \"2.0\""));
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h:")),
                    Contains("test.yaml:7:3: system.T_h: expected a number, got nothing (null)"));
  CHECK_THROWS_WITH(
      parse(with_line("  g_h:", "  g_h: {a: 1}")),
      Contains(
          "test.yaml:9:8: system.g_h: expected a number or a list of N = 2 numbers, got a map"));
  CHECK_THROWS_WITH(parse(with_line("  g_h:", "  g_h: [0.5, [0.1]]")),
                    Contains("test.yaml:9:14: system.g_h[1]: expected a number, got a list"));
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: 2.5")),
                    Contains("test.yaml:2:6: system.N: must be an integer, got 2.5"));
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: two")),
                    Contains("test.yaml:2:6: system.N: expected an integer, got 'two'"));
  CHECK_THROWS_WITH(
      parse(with_line("  bath:", "  bath: [common]")),
      Contains(
          "test.yaml:3:9: system.bath: expected one of common, cascaded, independent, got a list"));
  CHECK_THROWS_WITH(parse("system: 3\n"),
                    Contains("test.yaml:1:9: system: expected a map, got '3'"));
  CHECK_THROWS_WITH(parse(valid_yaml.substr(0, valid_yaml.find("solver:")) + "solver: [ksp]\n"),
                    Contains("test.yaml:12:9: solver: expected a map, got a list"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.N=2.5"}),
                    Contains("--set system.N=2.5: system.N: must be an integer, got 2.5"));
}

TEST_CASE("missing required keys", "[config]") {
  CHECK_THROWS_WITH(
      parse(with_line("  T_c:", "")),
      Contains("test.yaml:2:3: system.T_c: required key is missing from section 'system'"));
  CHECK_THROWS_WITH(parse(with_line("  Omega:", "")),
                    Contains("system.Omega: required key is missing"));
  CHECK_THROWS_WITH(parse("solver:\n  method: ksp\n"),
                    Contains("test.yaml:1:1: system: required key is missing from the top level"));
}

TEST_CASE("list lengths must match N", "[config]") {
  CHECK_THROWS_WITH(parse(with_line("  g_h:", "  g_h: [0.5, 0.5, 0.5]")),
                    Contains("test.yaml:9:8: system.g_h: must have N = 2 entries, got 3"));
  CHECK_THROWS_WITH(parse(with_line("  g_c:", "  g_c: []")),
                    Contains("test.yaml:10:8: system.g_c: must have N = 2 entries, got 0"));
  CHECK_THROWS_WITH(parse(with_line("  Omega:", "  Omega: [0.1]")),
                    Contains("test.yaml:11:10: system.Omega: must have N = 2 entries, got 1"));
  const std::vector<std::string> all_to_all = {"system.coupling=all_to_all"};
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: [[0.1, 0.1], [0.1]]"), all_to_all),
      Contains("test.yaml:11:23: system.Omega[1]: row must have N = 2 entries, got 1"));
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1]]"), all_to_all),
      Contains("test.yaml:11:10: system.Omega: must have N = 2 rows, got 3"));
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: [[0.1, 0.1], 0.1]"), all_to_all),
      Contains("test.yaml:11:23: system.Omega[1]: expected a row of N = 2 numbers, got '0.1'"));
}

TEST_CASE("Omega shape must fit the coupling", "[config]") {
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: [[0.1, 0.0], [0.0, 0.1]]")),
      Contains("test.yaml:11:10: system.Omega: pairwise coupling takes a number or an N-vector"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.coupling=all_to_all"}),
                    Contains("test.yaml:11:10: system.Omega: all_to_all coupling takes a number or "
                             "an N x N nested list, got a flat list"));
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: {a: 1}"), {"system.coupling=all_to_all"}),
      Contains(
          "system.Omega: all_to_all coupling takes a number or an N x N nested list, got a map"));
}

TEST_CASE("values out of range / NaN and inf", "[config]") {
  CHECK_THROWS_WITH(parse(with_line("  T_h:", "  T_h: -1")),
                    "test.yaml:7:8: system.T_h: must be a positive finite number, got -1");
  CHECK_THROWS_WITH(parse(with_line("  T_c:", "  T_c: 0")),
                    Contains("test.yaml:8:8: system.T_c: must be a positive finite number, got 0"));
  CHECK_THROWS_WITH(
      parse(with_line("  omega_h:", "  omega_h: -1.5")),
      Contains("test.yaml:6:12: system.omega_h: must be a positive finite number, got -1.5"));
  CHECK_THROWS_WITH(parse(with_line("  omega_c:", "  omega_c: 0.0")),
                    Contains("test.yaml:5:12: system.omega_c: must be a positive finite number"));
  CHECK_THROWS_WITH(
      parse(with_line("  T_h:", "  T_h: .nan")),
      Contains("test.yaml:7:8: system.T_h: must be a positive finite number, got .nan"));
  CHECK_THROWS_WITH(parse(with_line("  omega_h:", "  omega_h: .inf")),
                    Contains("system.omega_h: must be a positive finite number, got .inf"));
  CHECK_THROWS_WITH(
      parse(with_line("  g_c:", "  g_c: [0.5, -0.1]")),
      Contains("test.yaml:10:14: system.g_c[1]: must be a non-negative finite number, got -0.1"));
  CHECK_THROWS_WITH(parse(with_line("  g_h:", "  g_h: -.inf")),
                    Contains("system.g_h: must be a non-negative finite number, got -.inf"));
  CHECK_THROWS_WITH(
      parse(with_line("  Omega:", "  Omega: [.nan, 0.1]")),
      Contains("test.yaml:11:11: system.Omega[0]: must be a finite number, got .nan"));
  CHECK_THROWS_WITH(parse(with_line("  Omega:", "  Omega: [[0.1, 0.1], [0.1, .inf]]"),
                          {"system.coupling=all_to_all"}),
                    Contains("system.Omega[1][1]: must be a finite number, got .inf"));
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: 0")),
                    Contains("test.yaml:2:6: system.N: must be at least 1, got 0"));
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: -3")),
                    Contains("system.N: must be at least 1, got -3"));
  // Negative Omega is physical (only its magnitude and relative sign matter).
  CHECK(parse(with_line("  Omega:", "  Omega: [-0.1, 0.1]")).system.Omega[0][0] == -0.1);
}

TEST_CASE("N above the bit-string limits is refused", "[config]") {
  // 2N qubits in a 128-bit monomial: N <= 63 in any space.
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: 64")),
                    Contains("test.yaml:2:6: system.N: must be at most 63") && Contains("got 64"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.N=100000000000000000000"}),
                    Contains("--set system.N=100000000000000000000: system.N: must be at most 63"));
  // The full space (valid_yaml's) indexes rho_mn with 4N bits: N <= 15 there.
  CHECK_THROWS_WITH(parse(with_line("  N:", "  N: 16"), {"system.g_h=0.5", "system.g_c=0.5", "system.Omega=0.1"}),
                    Contains("system.N: must be at most 15 in the full space") && Contains("got 16"));
  CHECK(parse(valid_yaml, {"system.N=15", "system.g_h=0.5", "system.Omega=0.1"}).system.N == 15);
  CHECK(parse(valid_yaml, {"system.N=20", "system.g_h=0.5", "system.g_c=0.5", "system.Omega=0.1", "solver.space=auto"})
            .system.N == 20);
}

TEST_CASE("space symmetric without the symmetry is refused at solver.space", "[config]") {
  // valid_yaml: g_h = [0.5, 0.55] differ, Omega = [0.1, 0.2] differ.
  const std::string symmetric = with_line("  space:", "  space: symmetric");
  CHECK_THROWS_WITH(parse(symmetric), Contains("test.yaml:14:10: solver.space: symmetric does not apply: the couplings "
                                              "g_h or g_c differ"));
  CHECK_THROWS_WITH(parse(symmetric, {"system.g_h=0.5"}), Contains("solver.space: symmetric does not apply: Omega differs"));
  CHECK_THROWS_WITH(parse(symmetric, {"system.g_h=0.5", "system.Omega=0.1", "system.bath=cascaded"}),
                    Contains("solver.space: symmetric does not apply: a cascaded bath"));
  CHECK(parse(symmetric, {"system.g_h=0.5", "system.Omega=0.1"}).solver.space == Space::symmetric);
}

TEST_CASE("bad enum names list the allowed values", "[config]") {
  CHECK_THROWS_WITH(
      parse(with_line("  bath:", "  bath: commn")),
      Contains(
          "test.yaml:3:9: system.bath: must be one of common, cascaded, independent; got 'commn'"));
  CHECK_THROWS_WITH(
      parse(with_line("  coupling:", "  coupling: pairs")),
      Contains(
          "test.yaml:4:13: system.coupling: must be one of pairwise, all_to_all; got 'pairs'"));
  CHECK_THROWS_WITH(
      parse(with_line("  method:", "  method: gmres")),
      Contains("test.yaml:13:11: solver.method: must be one of auto, ksp, eps, sylvester; got 'gmres'"));
  CHECK_THROWS_WITH(
      parse(valid_yaml, {"solver.space=half"}),
      Contains("--set solver.space=half: solver.space: must be one of auto, symmetric, pairs, balanced, full; got 'half'"));
}

TEST_CASE("malformed overrides", "[config]") {
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.T_h=-1"}),
                    "--set system.T_h=-1: system.T_h: must be a positive finite number, got -1");
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.T_h"}),
                    Contains("--set system.T_h: expected KEY.PATH=VALUE (no '=')"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"=3"}),
                    Contains("--set =3: expected KEY.PATH=VALUE (empty key path)"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system..T_h=3"}),
                    Contains("--set system..T_h=3: empty key in key path"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.T_h.=3"}),
                    Contains("--set system.T_h.=3: empty key in key path"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.g_h=[0.5, 0.6"}),
                    Contains("--set system.g_h=[0.5, 0.6: invalid YAML value"));
  CHECK_THROWS_WITH(
      parse(valid_yaml, {"system.g_h=[0.5, x]"}),
      Contains("--set system.g_h=[0.5, x]: system.g_h[1]: expected a number, got 'x'"));
  CHECK_THROWS_WITH(parse(valid_yaml, {"system.N.x=1"}),
                    Contains("--set system.N.x=1: system.N: is '2', not a section"));
  CHECK_THROWS_WITH(
      parse(valid_yaml, {"system.T_h="}),
      Contains("--set system.T_h=: system.T_h: expected a number, got nothing (null)"));
}

TEST_CASE("system.initial_state is thermal by default, ground or populations, and bad values name the line and key",
          "[config]") {
  CHECK(parse(valid_yaml).system.initial_state.kind == InitialKind::thermal);
  CHECK(parse(with_line_after("  Omega:", "  initial_state: ground")).system.initial_state.kind == InitialKind::ground);
  const auto p = parse(with_line_after("  Omega:", "  initial_state: {p_h: 0.2, p_c: 0.1}")).system;
  CHECK(p.initial_state.kind == InitialKind::populations);
  CHECK(p.initial_population(Ensemble::hot) == 0.2);
  CHECK(p.initial_population(Ensemble::cold) == 0.1);
  // The JSON, identity and attributes spell it so that it reads back.
  CHECK(to_string(p.initial_state) == "{p_h: 0.2, p_c: 0.1}");
  CHECK(parse(valid_yaml, {"system.initial_state=" + to_string(p.initial_state)}).system.initial_state.p_c == 0.1);
  // Thermal: each qubit's Gibbs population at its own bath, 1/(exp(omega/T) + 1).
  const auto t = parse(valid_yaml).system;
  CHECK(t.initial_population(Ensemble::hot) == Approx(1.0 / (std::exp(1.5 / 2.0) + 1.0)).epsilon(1e-15));
  const auto message = [](const std::string &text) {
    try {
      parse(text);
    } catch (const ConfigError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(with_line_after("  Omega:", "  initial_state: hot")),
             Catch::StartsWith("test.yaml:12:") && Catch::Contains("system.initial_state") &&
                 Catch::Contains("thermal, ground"));
  CHECK_THAT(message(with_line_after("  Omega:", "  initial_state: {p_h: 1.2, p_c: 0.1}")),
             Catch::Contains("system.initial_state.p_h") && Catch::Contains("at most 1"));
  CHECK_THAT(message(with_line_after("  Omega:", "  initial_state: {p_h: 0.2}")),
             Catch::Contains("p_c") && Catch::Contains("required key is missing"));
  CHECK_THAT(message(with_line_after("  Omega:", "  initial_state: {p_h: 0.2, p_c: 0.1, q: 1}")),
             Catch::Contains("q"));
}
