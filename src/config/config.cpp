#include "config/config.hpp"

#include "model/symmetric_terms.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace nessmap {

namespace {

// The keys each level accepts. The top-level set is one constant so that a sweep config, which
// adds its own sections, can extend it in one place.
const std::vector<std::string> top_level_keys = {"system", "solver", "sweep", "output"};
// The system section's keys are the fields of SystemParameters (model/parameters.hpp).
const std::vector<std::string> system_keys = [] {
  std::vector<std::string> keys;
  visit_fields(SystemParameters{}, [&](const char *key, const auto &) { keys.emplace_back(key); });
  return keys;
}();
const std::vector<std::string> solver_keys = {"method", "space"};
const std::vector<std::string> sweep_keys = {"axes", "ranks_per_point"};
const std::vector<std::string> range_keys = {"start", "stop", "num", "log"};
const std::vector<std::string> output_keys = {"path", "csv"};
// The values of the enumerations a config names, for read_enum.
const std::vector<Bath> all_baths = {Bath::common, Bath::cascaded, Bath::independent};
const std::vector<Coupling> all_couplings = {Coupling::pairwise, Coupling::all_to_all};
// Stands for the key path of the document itself in messages.
const std::string top_level_name = "(top level)";

// A generated axis is held in memory, and so is every point of the grid.
constexpr int max_range_num = 1000000;

// Where the document came from and which key paths the command line replaced, so that a message
// can point at the file position or at the --set that produced the value.
struct Context {
  std::string source;
  std::map<std::string, std::string> overridden;  // key path -> the override "path=value"
};

// A node together with its key path and the position to report for it. A null value (`key:` with
// nothing after it) is marked by yaml-cpp at the next token, often on the following line, so for
// a map entry the position of the key is used instead.
struct Value {
  YAML::Node node;
  std::string path;
  YAML::Mark mark;
};

// `path` lies inside `prefix` when it equals it or continues it with a key or an index.
bool within(const std::string &path, const std::string &prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// The innermost override whose key path covers `path`, or nullptr when the value is from the file.
const std::string *covering_override(const Context &ctx, const std::string &path) {
  const std::string *best = nullptr;
  std::size_t best_length = 0;
  for (const auto &[prefix, text] : ctx.overridden) {
    if (within(path, prefix) && (best == nullptr || prefix.size() >= best_length)) {
      best = &text;
      best_length = prefix.size();
    }
  }
  return best;
}

// The location prefix of every message: the override that produced the value if any, otherwise
// FILE:LINE:COLUMN, 1-based. A node without a position that no override covers was created on
// the way to an override deeper down (`--set sweep.x=1` creates `sweep`), so that one is named.
std::string location(const Context &ctx, const std::string &path, const YAML::Mark &mark) {
  if (const std::string *text = covering_override(ctx, path)) return "--set " + *text;
  if (!mark.is_null())
    return ctx.source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  for (const auto &[prefix, text] : ctx.overridden)
    if (within(prefix, path)) return "--set " + text;
  return ctx.source;
}

[[noreturn]] void fail(const Context &ctx, const std::string &path, const YAML::Mark &mark,
                       const std::string &what) {
  throw ConfigError(location(ctx, path, mark) + ": " + path + ": " + what);
}

[[noreturn]] void fail(const Context &ctx, const Value &v, const std::string &what) {
  fail(ctx, v.path, v.mark, what);
}

// The mark of a node that may be absent (yaml-cpp throws when asked for the mark of an invalid
// node).
YAML::Mark mark_of(const YAML::Node &node) {
  return node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
}

std::string join(const std::vector<std::string> &words) {
  std::string out;
  for (const auto &w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// What a node is, for "expected X, got Y".
std::string describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Sequence: return "a list";
  case YAML::NodeType::Map: return "a map";
  case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
  default: return "nothing (null)";
  }
}

std::string child_path(const std::string &parent, const std::string &key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string &parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

// yaml-cpp keeps every entry of a map, so a key written twice would silently read as the first.
// Walks the whole tree (a file or an override value) and rejects any repeated key.
void reject_duplicate_keys(const Context &ctx, const YAML::Node &node, const std::string &path) {
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      reject_duplicate_keys(ctx, node[i], index_path(path, i));
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark> first_seen;
  for (const auto &kv : node) {
    const YAML::Node &key = kv.first;
    if (!key.IsScalar())
      fail(ctx, path.empty() ? top_level_name : path, key.Mark(),
           "keys must be plain names, got " + describe(key) + " as a key");
    const std::string key_path = child_path(path, key.Scalar());
    const auto [it, inserted] = first_seen.emplace(key.Scalar(), key.Mark());
    if (!inserted) {
      std::string what = "duplicate key";
      // A line number inside an override's value would only confuse.
      if (covering_override(ctx, key_path) == nullptr && !it->second.is_null())
        what += " (first given at line " + std::to_string(it->second.line + 1) + ")";
      fail(ctx, key_path, key.Mark(), what);
    }
    reject_duplicate_keys(ctx, kv.second, key_path);
  }
}

// A section must be a map whose keys are all in `allowed` (a misspelt key must not be ignored).
// `noun` names what the keys are ("key", or "axis" for sweep.axes).
void check_keys(const Context &ctx, const Value &section, const std::vector<std::string> &allowed,
                const std::string &noun = "key") {
  if (!section.node.IsMap()) fail(ctx, section, "expected a map, got " + describe(section.node));
  for (const auto &kv : section.node) {
    const std::string &key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      fail(ctx, child_path(section.path, key), mark_of(kv.first),
           "unknown " + noun + "; allowed " + (noun == "axis" ? "axes" : noun + "s") + " are " +
               join(allowed));
  }
}

// The entry `key` of a checked section; its node is undefined when the key is absent.
Value entry(const Value &section, const std::string &key) {
  Value v{section.node[key], child_path(section.path, key), YAML::Mark::null_mark()};
  if (!v.node.IsDefined()) return v;
  v.mark = v.node.Mark();
  if (v.node.IsNull()) {
    for (const auto &e : section.node)
      if (e.first.Scalar() == key) v.mark = mark_of(e.first);
  }
  return v;
}

Value required(const Context &ctx, const Value &section, const std::string &key) {
  Value v = entry(section, key);
  if (!v.node.IsDefined())
    fail(ctx, v.path, section.mark,
         "required key is missing from " + (section.path.empty()
                                                ? std::string("the top level")
                                                : "section '" + section.path + "'"));
  return v;
}

// The text of a scalar (a number or a name), refusing a list, a map or nothing.
const std::string &scalar_text(const Context &ctx, const Value &v, const std::string &expected) {
  if (!v.node.IsScalar()) fail(ctx, v, "expected " + expected + ", got " + describe(v.node));
  return v.node.Scalar();
}

// YAML reads a quoted "2.0" (yaml-cpp tags it "!") or a `!!str 2.0` as text; a number written as
// text is more likely a mistake than intent.
void reject_quoted(const Context &ctx, const Value &v, const std::string &expected) {
  if (v.node.Tag() == "!" || v.node.Tag() == "tag:yaml.org,2002:str")
    fail(ctx, v, "expected " + expected + ", got the quoted text \"" + v.node.Scalar() + "\"");
}

using Sign = AxisSign;

// A real number; YAML's .nan and .inf are read so that they can be rejected by name.
double read_number(const Context &ctx, const Value &v, Sign sign) {
  const std::string &text = scalar_text(ctx, v, "a number");
  reject_quoted(ctx, v, "a number");
  double x = 0;
  if (!YAML::convert<double>::decode(v.node, x))
    fail(ctx, v, "expected a number, got '" + text + "'");
  const bool ok =
      std::isfinite(x) && (sign == Sign::any || (sign == Sign::non_negative ? x >= 0 : x > 0));
  if (!ok) {
    const char *kind = sign == Sign::any            ? "a finite number"
                       : sign == Sign::non_negative ? "a non-negative finite number"
                                                    : "a positive finite number";
    fail(ctx, v, std::string("must be ") + kind + ", got " + text);
  }
  return x;
}

// An integer in [lo, hi], parsed here rather than by yaml-cpp, which would read 010 as octal.
int read_integer(const Context &ctx, const Value &v, int lo, int hi, const std::string &why_hi) {
  const std::string &text = scalar_text(ctx, v, "an integer");
  reject_quoted(ctx, v, "an integer");
  const char *begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const char *end = text.data() + text.size();
  long long n = 0;
  const auto [stop, err] = std::from_chars(begin, end, n);
  if (err == std::errc() && stop == end) {
    if (n < lo) fail(ctx, v, "must be at least " + std::to_string(lo) + ", got " + text);
    if (n > hi)
      fail(ctx, v, "must be at most " + std::to_string(hi) + " " + why_hi + ", got " + text);
    return static_cast<int>(n);
  }
  if (err == std::errc::result_out_of_range) {
    if (text.starts_with('-'))
      fail(ctx, v, "must be at least " + std::to_string(lo) + ", got " + text);
    fail(ctx, v, "must be at most " + std::to_string(hi) + " " + why_hi + ", got " + text);
  }
  double x = 0;
  if (YAML::convert<double>::decode(v.node, x)) fail(ctx, v, "must be an integer, got " + text);
  fail(ctx, v, "expected an integer, got '" + text + "'");
}

// A boolean written as YAML's true or false; yes/no/on/off and quoted text are refused.
bool read_bool(const Context &ctx, const Value &v) {
  const std::string &text = scalar_text(ctx, v, "true or false");
  reject_quoted(ctx, v, "true or false");
  if (text == "true") return true;
  if (text == "false") return false;
  fail(ctx, v, "expected true or false, got '" + text + "'");
}

// One of the names of `values` (their to_string is the single spelling of each).
template <class E> E read_enum(const Context &ctx, const Value &v, const std::vector<E> &values) {
  std::vector<std::string> names;
  for (E e : values) names.emplace_back(to_string(e));
  const std::string &text = scalar_text(ctx, v, "one of " + join(names));
  for (E e : values)
    if (text == to_string(e)) return e;
  fail(ctx, v, "must be one of " + join(names) + "; got '" + text + "'");
}

// A number or a list of N numbers, one per qubit of an ensemble; a number means the same for all.
std::vector<double> read_per_qubit(const Context &ctx, const Value &v, int N, Sign sign) {
  if (v.node.IsScalar()) return std::vector<double>(N, read_number(ctx, v, sign));
  if (!v.node.IsSequence())
    fail(ctx, v,
         "expected a number or a list of N = " + std::to_string(N) + " numbers, got " +
             describe(v.node));
  if (v.node.size() != static_cast<std::size_t>(N))
    fail(ctx, v,
         "must have N = " + std::to_string(N) + " entries, got " + std::to_string(v.node.size()));
  std::vector<double> out;
  for (std::size_t i = 0; i < v.node.size(); ++i)
    out.push_back(read_number(ctx, {v.node[i], index_path(v.path, i), v.node[i].Mark()}, sign));
  return out;
}

// Omega as the N x N matrix of SystemParameters. Pairwise coupling has only the diagonal, so it
// takes a number or an N-vector; all_to_all takes a number for every entry or the full matrix.
std::vector<std::vector<double>> read_omega(const Context &ctx, const Value &v, int N,
                                            Coupling coupling) {
  std::vector<std::vector<double>> Omega(N, std::vector<double>(N, 0.0));
  bool nested = false;
  if (v.node.IsSequence())
    for (const auto &row : v.node) nested = nested || row.IsSequence();

  if (coupling == Coupling::pairwise) {
    if (nested)
      fail(ctx, v,
           "pairwise coupling takes a number or an N-vector (the diagonal), not a nested list");
    const auto diagonal = read_per_qubit(ctx, v, N, Sign::any);
    for (int a = 0; a < N; ++a) Omega[a][a] = diagonal[a];
    return Omega;
  }

  if (v.node.IsScalar()) {
    const double w = read_number(ctx, v, Sign::any);
    for (auto &row : Omega) std::fill(row.begin(), row.end(), w);
    return Omega;
  }
  if (!v.node.IsSequence() || !nested)
    fail(ctx, v,
         "all_to_all coupling takes a number or an N x N nested list, got " +
             (v.node.IsSequence() ? std::string("a flat list") : describe(v.node)));
  if (v.node.size() != static_cast<std::size_t>(N))
    fail(ctx, v,
         "must have N = " + std::to_string(N) + " rows, got " + std::to_string(v.node.size()));
  for (int a = 0; a < N; ++a) {
    const Value row{v.node[a], index_path(v.path, a), v.node[a].Mark()};
    if (!row.node.IsSequence())
      fail(ctx, row,
           "expected a row of N = " + std::to_string(N) + " numbers, got " + describe(row.node));
    if (row.node.size() != static_cast<std::size_t>(N))
      fail(ctx, row,
           "row must have N = " + std::to_string(N) + " entries, got " +
               std::to_string(row.node.size()));
    for (int b = 0; b < N; ++b)
      Omega[a][b] =
          read_number(ctx, {row.node[b], index_path(row.path, b), row.node[b].Mark()}, Sign::any);
  }
  return Omega;
}

// `thermal`, `ground` or {p_h: x, p_c: y} with both populations in [0, 1].
InitialState read_initial_state(const Context &ctx, const Value &v) {
  InitialState s;
  if (v.node.IsMap()) {
    check_keys(ctx, v, {"p_h", "p_c"});
    s.kind = InitialKind::populations;
    double *target[] = {&s.p_h, &s.p_c};
    const char *keys[] = {"p_h", "p_c"};
    for (int i = 0; i < 2; ++i) {
      const Value p = required(ctx, v, keys[i]);
      *target[i] = read_number(ctx, p, Sign::non_negative);
      if (*target[i] > 1) fail(ctx, p, "is an excited population and must be at most 1, got " + p.node.Scalar());
    }
    return s;
  }
  const std::string &text = scalar_text(ctx, v, "thermal, ground or {p_h: ..., p_c: ...}");
  if (text == "thermal") return s;
  if (text == "ground") {
    s.kind = InitialKind::ground;
    return s;
  }
  fail(ctx, v, "must be thermal, ground or a map {p_h: ..., p_c: ...} of excited populations; got '" + text + "'");
}

SystemParameters read_system(const Context &ctx, const Value &section) {
  check_keys(ctx, section, system_keys);
  SystemParameters p;
  // N first: the lengths of g_h, g_c and Omega are checked against it.
  p.N = read_integer(ctx, required(ctx, section, "N"), 1, max_N, why_max_N);
  p.bath = read_enum(ctx, required(ctx, section, "bath"), all_baths);
  p.coupling = read_enum(ctx, required(ctx, section, "coupling"), all_couplings);
  p.omega_c = read_number(ctx, required(ctx, section, "omega_c"), Sign::positive);
  p.omega_h = read_number(ctx, required(ctx, section, "omega_h"), Sign::positive);
  p.T_h = read_number(ctx, required(ctx, section, "T_h"), Sign::positive);
  p.T_c = read_number(ctx, required(ctx, section, "T_c"), Sign::positive);
  p.g_h = read_per_qubit(ctx, required(ctx, section, "g_h"), p.N, Sign::non_negative);
  p.g_c = read_per_qubit(ctx, required(ctx, section, "g_c"), p.N, Sign::non_negative);
  p.Omega = read_omega(ctx, required(ctx, section, "Omega"), p.N, p.coupling);
  if (const Value v = entry(section, "initial_state"); v.node.IsDefined()) p.initial_state = read_initial_state(ctx, v);
  return p;
}

// The system section, with validate() as the backstop that keeps the checks here and there in step
// (everything it checks has been checked by read_system with a position).
SystemParameters read_valid_system(const Context &ctx, const Value &section) {
  SystemParameters p = read_system(ctx, section);
  try {
    p.validate();
  } catch (const std::invalid_argument &e) {
    throw ConfigError(ctx.source + ": " + e.what());
  }
  return p;
}

// The solver section and each of its keys are optional: the defaults of SolverConfig apply.
SolverConfig read_solver(const Context &ctx, const Value &section) {
  SolverConfig s;
  if (!section.node.IsDefined()) return s;
  check_keys(ctx, section, solver_keys);
  if (const Value v = entry(section, "method"); v.node.IsDefined())
    s.method = read_enum(ctx, v, std::vector{Method::automatic, Method::ksp, Method::eps, Method::sylvester});
  if (const Value v = entry(section, "space"); v.node.IsDefined())
    s.space = read_enum(ctx, v, std::vector{Space::automatic, Space::symmetric, Space::pairs, Space::balanced, Space::full});
  return s;
}

// ---- The sweep and output sections ----

// The shortest text that reads back as x.
std::string number_text(double x) {
  char text[32];
  const auto [end, err] = std::to_chars(text, text + sizeof text, x);
  return err == std::errc() ? std::string(text, end) : std::to_string(x);
}

// The indices (earlier, later) of the first value equal to an earlier one; (0, 0) when all differ.
template <class T>
std::pair<std::size_t, std::size_t> first_repeat(const std::vector<T> &values) {
  std::map<T, std::size_t> seen;
  for (std::size_t j = 0; j < values.size(); ++j) {
    const auto [it, inserted] = seen.emplace(values[j], j);
    if (!inserted) return {it->second, j};
  }
  return {0, 0};
}

// A range {start, stop, num, log}: num values from start to stop, evenly spaced or, with
// log: true, evenly spaced in the logarithm. The ends are exactly start and stop.
void read_range(const Context &ctx, const Value &v, Sign sign, Axis &axis) {
  check_keys(ctx, v, range_keys);
  const Value start_v = required(ctx, v, "start");
  const Value stop_v = required(ctx, v, "stop");
  const double start = read_number(ctx, start_v, sign);
  const double stop = read_number(ctx, stop_v, sign);
  const int num =
      read_integer(ctx, required(ctx, v, "num"), 1, max_range_num, "(values of one axis)");
  if (const Value log = entry(v, "log"); log.node.IsDefined()) axis.log = read_bool(ctx, log);
  if (axis.log && start <= 0)
    fail(ctx, start_v, "must be positive for a log range, got " + start_v.node.Scalar());
  if (axis.log && stop <= 0)
    fail(ctx, stop_v, "must be positive for a log range, got " + stop_v.node.Scalar());
  if (num == 1) {
    if (stop != start)
      fail(ctx, stop_v,
           "must equal start (" + start_v.node.Scalar() + ") when num = 1, got " +
               stop_v.node.Scalar());
    axis.values = {start};
    return;
  }
  axis.values.resize(num);
  for (int i = 0; i < num; ++i) {
    const double di = i;
    axis.values[i] = axis.log ? start * std::pow(stop / start, di / (num - 1))
                              : start + di * (stop - start) / (num - 1);
    if (!std::isfinite(axis.values[i]))
      fail(ctx, v, "value " + std::to_string(i) + " of the range is not a finite number");
  }
  axis.values.front() = start;
  axis.values.back() = stop;
}

// One axis: a non-empty list of distinct values, or for a number axis a range.
Axis read_axis(const Context &ctx, const Value &v, const std::string &name,
               const YAML::Mark &key_mark) {
  Axis axis;
  axis.name = name;
  axis.kind = axis_info(name).kind;
  axis.location = location(ctx, v.path, key_mark);
  const std::string expected = axis.kind == AxisKind::name      ? "a list of names"
                               : axis.kind == AxisKind::integer ? "a list of integers"
                                                                : "a list or a {start, stop, num} map";
  if (v.node.IsMap()) {
    if (axis.kind != AxisKind::number)
      fail(ctx, v,
           "expected " + expected + ", got a map; a {start, stop, num} range is only for " +
               "number axes");
    read_range(ctx, v, axis_info(name).sign, axis);
    if (const auto [i, j] = first_repeat(axis.values); j != 0)
      fail(ctx, v,
           "the range gives the value " + number_text(axis.values[j]) + " at both index " +
               std::to_string(i) + " and index " + std::to_string(j) +
               "; the values of an axis must be distinct");
    return axis;
  }
  if (!v.node.IsSequence()) fail(ctx, v, "expected " + expected + ", got " + describe(v.node));
  if (v.node.size() == 0) fail(ctx, v, "must have at least one value, got an empty list");
  const auto element = [&](std::size_t i) {
    return Value{v.node[i], index_path(v.path, i), v.node[i].Mark()};
  };
  for (std::size_t i = 0; i < v.node.size(); ++i) {
    if (axis.kind == AxisKind::number)
      axis.values.push_back(read_number(ctx, element(i), axis_info(name).sign));
    else if (axis.kind == AxisKind::integer)
      axis.values.push_back(read_integer(ctx, element(i), 1, max_N, why_max_N));
    else if (name == "bath")
      axis.labels.emplace_back(to_string(read_enum(ctx, element(i), all_baths)));
    else
      axis.labels.emplace_back(to_string(read_enum(ctx, element(i), all_couplings)));
  }
  // A repeated value would make selecting the points at one coordinate ambiguous.
  const auto [i, j] =
      axis.kind == AxisKind::name ? first_repeat(axis.labels) : first_repeat(axis.values);
  if (j != 0)
    fail(ctx, element(j),
         "repeats " + index_path(v.path, i) + " (" + v.node[i].Scalar() +
             "); the values of an axis must be distinct");
  return axis;
}

void read_sweep(const Context &ctx, const Value &section, SweepConfig &config) {
  check_keys(ctx, section, sweep_keys);
  const Value axes = required(ctx, section, "axes");
  check_keys(ctx, axes, axis_names(), "axis");
  if (axes.node.size() == 0) fail(ctx, axes, "must name at least one axis, got an empty map");
  std::map<std::string, YAML::Mark> key_marks;
  for (const auto &kv : axes.node) {
    const std::string &name = kv.first.Scalar();
    key_marks[name] = mark_of(kv.first);
    config.axes.push_back(read_axis(ctx, entry(axes, name), name, key_marks[name]));
  }
  // Axes that set the same parameter (axes.hpp), reported at the second of the two as written.
  for (auto second = config.axes.begin(); second != config.axes.end(); ++second) {
    const auto first = std::find_if(config.axes.begin(), second, [&](const Axis &axis) {
      return axis.name == second->info().conflicts_with;
    });
    if (first == second) continue;
    // The pair named in the table's order, whichever was written first.
    const bool table_order = &first->info() < &second->info();
    const std::string &a = table_order ? first->name : second->name;
    const std::string &b = table_order ? second->name : first->name;
    fail(ctx, child_path(axes.path, second->name), key_marks[second->name],
         "cannot be combined with the axis " + first->name + " (" + first->location + "): " + a +
             " and " + b + " set the same parameter; keep one of them");
  }
  if (const Value v = entry(section, "ranks_per_point"); v.node.IsDefined())
    config.ranks_per_point = read_integer(ctx, v, 1, INT_MAX, "(the largest int)");
}

OutputConfig read_output(const Context &ctx, const Value &section) {
  check_keys(ctx, section, output_keys);
  OutputConfig output;
  const Value path = required(ctx, section, "path");
  output.path = scalar_text(ctx, path, "a file path");
  if (output.path.empty()) fail(ctx, path, "must be a non-empty file path");
  if (const Value csv = entry(section, "csv"); csv.node.IsDefined())
    output.csv = read_bool(ctx, csv);
  return output;
}

// The system section read again for every combination of the structural axes (row-major, the
// last structural axis fastest), with each axis value in place of the key it names. An error keeps
// its position and message and adds the combination that caused it.
std::vector<SystemParameters> read_structural_bases(const Context &ctx, const Value &system,
                                                    const std::vector<Axis> &axes) {
  std::vector<const Axis *> structural;
  for (const Axis &axis : axes)
    if (axis.structural()) structural.push_back(&axis);
  std::vector<SystemParameters> bases;
  std::vector<std::size_t> index(structural.size(), 0);
  for (;;) {
    // A shallow copy holding the file's own nodes, so that their positions are kept.
    YAML::Node copy(YAML::NodeType::Map);
    for (const auto &kv : system.node) copy[kv.first] = kv.second;
    std::string with;
    for (std::size_t k = 0; k < structural.size(); ++k) {
      const Axis &axis = *structural[k];
      const std::string text = axis.kind == AxisKind::name
                                   ? axis.labels[index[k]]
                                   : std::to_string(static_cast<int>(axis.values[index[k]]));
      copy.remove(axis.name);
      copy[axis.name] = YAML::Node(text);
      with += (with.empty() ? "" : ", ") + axis.name + " = " + text + " from sweep.axes." +
              axis.name;
    }
    try {
      bases.push_back(read_valid_system(ctx, {copy, system.path, system.mark}));
    } catch (const ConfigError &e) {
      if (with.empty()) throw;
      throw ConfigError(std::string(e.what()) + " (with " + with + ")");
    }
    std::size_t k = structural.size();
    for (; k > 0; --k) {
      if (++index[k - 1] < structural[k - 1]->size()) break;
      index[k - 1] = 0;
    }
    if (k == 0) return bases;
  }
}

// Replaces (or adds) the value at a dotted key path by the YAML of an override "a.b=VALUE" and
// records the path, so that errors in it point at the override rather than at the file.
void apply_override(Context &ctx, YAML::Node &root, const std::string &text) {
  const auto bad = [&](const std::string &what) {
    throw ConfigError("--set " + text + ": " + what);
  };
  const auto eq = text.find('=');
  if (eq == std::string::npos) bad("expected KEY.PATH=VALUE (no '=')");
  const std::string path = text.substr(0, eq);
  if (path.empty()) bad("expected KEY.PATH=VALUE (empty key path)");

  std::vector<std::string> keys;
  std::stringstream in(path);
  for (std::string key; std::getline(in, key, '.');) keys.push_back(key);
  if (path.back() == '.' ||
      std::any_of(keys.begin(), keys.end(), [](const auto &k) { return k.empty(); }))
    bad("empty key in key path '" + path + "'");

  YAML::Node value;
  try {
    value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::ParserException &e) {
    bad("invalid YAML value: " + e.msg);
  }
  ctx.overridden[path] = text;
  reject_duplicate_keys(ctx, value, path);

  // Node::reset rebinds a handle; Node::operator= would overwrite the node it refers to.
  YAML::Node map;
  map.reset(root);
  std::string walked;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    walked = child_path(walked, keys[i]);
    YAML::Node child = map[keys[i]];
    if (!child.IsDefined() || child.IsNull()) child = YAML::Node(YAML::NodeType::Map);
    if (!child.IsMap())
      bad(walked + ": is " + describe(child) + ", not a section, so '" + keys[i + 1] +
          "' cannot be set in it");
    map.reset(child);
  }
  // A new key goes at the end; an existing one is replaced where it stands (the order of
  // sweep.axes is the grid's): every entry is taken out and put back in order. Assigning to the
  // existing value node instead would also change any alias of it.
  std::vector<std::pair<YAML::Node, YAML::Node>> entries;
  for (const auto &kv : map) entries.emplace_back(kv.first, kv.second);
  for (const auto &entry : entries) map.remove(entry.first);
  bool replaced = false;
  for (const auto &[key, old] : entries) {
    const bool target = key.Scalar() == keys.back();
    map[key] = target ? value : old;
    replaced = replaced || target;
  }
  if (!replaced) map[keys.back()] = value;
}

// What the caller runs: a point solves the base and only checks the sweep and output sections when
// they are there; a sweep needs them.
enum class Want { point, sweep };

// One reader for both: a point is the base of a sweep.
SweepConfig parse(const std::string &yaml_text, const std::string &source,
                  const std::vector<std::string> &overrides, Want want) {
  Context ctx{source, {}};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(yaml_text);
  } catch (const YAML::ParserException &e) {
    throw ConfigError(location(ctx, "", e.mark) + ": invalid YAML: " + e.msg);
  }
  if (documents.empty())
    throw ConfigError(source + ": the file is empty; expected a map with sections " +
                      join(top_level_keys));
  if (documents.size() > 1)
    throw ConfigError(source + ": holds " + std::to_string(documents.size()) +
                      " YAML documents, expected one");
  YAML::Node root = documents.front();
  if (!root.IsMap())
    fail(ctx, top_level_name, mark_of(root),
         "expected a map with sections " + join(top_level_keys) + ", got " + describe(root));
  // Before the overrides: a duplicate in the file must not be hidden by replacing one of its
  // copies.
  reject_duplicate_keys(ctx, root, "");

  for (const auto &text : overrides) apply_override(ctx, root, text);

  const Value top{root, "", root.Mark()};
  check_keys(ctx, top, top_level_keys);
  SweepConfig config;
  const Value system = required(ctx, top, "system");
  config.base.system = read_valid_system(ctx, system);
  config.base.solver = read_solver(ctx, entry(top, "solver"));
  config.base.source = source;
  config.base.N_location = location(ctx, "system.N", mark_of(root["system"]["N"]));
  // A point that asks for the symmetric space must have the symmetry (a sweep's axes may change
  // the bath per family: its points say so one by one).
  if (want == Want::point && config.base.solver.space == Space::symmetric)
    if (const std::string why = symmetric_ineligibility(config.base.system); !why.empty())
      fail(ctx, "solver.space", mark_of(root["solver"]["space"]),
           "symmetric does not apply: " + why + " (space: auto solves it in the balanced block)");
  if (want == Want::point && config.base.solver.space == Space::pairs)
    if (const std::string why = pairs_ineligibility(config.base.system); !why.empty())
      fail(ctx, "solver.space", mark_of(root["solver"]["space"]), "pairs does not apply: " + why);
  // An explicit qubit-basis space has a 4N-bit index of rho_mn (the symmetric space goes on).
  if ((config.base.solver.space == Space::balanced || config.base.solver.space == Space::full) &&
      config.base.system.N > qubit_basis_max_N)
    fail(ctx, "system.N", mark_of(root["system"]["N"]),
         "must be at most " + std::to_string(qubit_basis_max_N) + " in the " + to_string(config.base.solver.space) +
             " space (its index of rho_mn has 4N bits and must fit 63), got " + std::to_string(config.base.system.N) +
             "; identical qubits (uniform g and Omega, common or independent bath) go further in the symmetric space");

  const auto section = [&](const std::string &key) {
    return want == Want::sweep ? required(ctx, top, key) : entry(top, key);
  };
  if (const Value sweep = section("sweep"); sweep.node.IsDefined()) read_sweep(ctx, sweep, config);
  if (const Value output = section("output"); output.node.IsDefined())
    config.output = read_output(ctx, output);
  config.structural_bases = read_structural_bases(ctx, system, config.axes);
  config.yaml_text = yaml_text;
  config.overrides = overrides;
  return config;
}

// yaml-cpp's own exceptions should not escape (every access above is checked first); if one does,
// it is still a problem of this config and is reported as such.
SweepConfig parse_reported(const std::string &yaml_text, const std::string &source,
                           const std::vector<std::string> &overrides, Want want) {
  try {
    return parse(yaml_text, source, overrides, want);
  } catch (const YAML::Exception &e) {
    throw ConfigError(source + ": " + e.what());
  }
}

// The text of a config file, with the file's problems reported as ConfigError.
std::string read_config_file(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": is a directory, not a config file");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
  return text.str();
}

}  // namespace

PointConfig parse_point_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides) {
  return parse_reported(yaml_text, source, overrides, Want::point).base;
}

PointConfig load_point_config(const std::string &path, const std::vector<std::string> &overrides) {
  return parse_point_config(read_config_file(path), path, overrides);
}

SweepConfig parse_sweep_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides) {
  return parse_reported(yaml_text, source, overrides, Want::sweep);
}

SweepConfig load_sweep_config(const std::string &path, const std::vector<std::string> &overrides) {
  return parse_sweep_config(read_config_file(path), path, overrides);
}

SweepConfig load_config(const std::string &path, const std::vector<std::string> &overrides) {
  const std::string text = read_config_file(path);
  bool sweep = std::any_of(overrides.begin(), overrides.end(),
                           [](const std::string &o) { return o.rfind("sweep.", 0) == 0; });
  try {
    const YAML::Node root = YAML::Load(text);
    sweep = sweep || (root.IsMap() && root["sweep"].IsDefined());
  } catch (const YAML::Exception &) {
    // The parse below reports it with its position.
  }
  SweepConfig config = parse_reported(text, path, overrides, sweep ? Want::sweep : Want::point);
  config.yaml_text = text;
  if (config.structural_bases.empty()) config.structural_bases = {config.base.system};
  return config;
}

}  // namespace nessmap
