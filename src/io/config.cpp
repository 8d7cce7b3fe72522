#include "io/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace nessmap {

const char *to_string(Method m) { return m == Method::ksp ? "ksp" : "eps"; }

namespace {

// The keys each level accepts. The top-level set is one constant so that a sweep config, which
// adds its own sections, can extend it in one place.
const std::vector<std::string> top_level_keys = {"system", "solver"};
const std::vector<std::string> system_keys = {"N",   "bath", "coupling", "omega_c", "omega_h",
                                              "T_h", "T_c",  "g_h",      "g_c",     "Omega"};
const std::vector<std::string> solver_keys = {"method", "space"};
// Stands for the key path of the document itself in messages.
const std::string top_level_name = "(top level)";

// 2N qubits are the bits of a 32-bit basis state (see monomial.hpp); whether a given N fits in
// memory is decided later, against the machine.
constexpr int max_N = 15;

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
void check_keys(const Context &ctx, const Value &section, const std::vector<std::string> &allowed) {
  if (!section.node.IsMap()) fail(ctx, section, "expected a map, got " + describe(section.node));
  for (const auto &kv : section.node) {
    const std::string &key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      fail(ctx, child_path(section.path, key), mark_of(kv.first),
           "unknown key; allowed keys are " + join(allowed));
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

enum class Sign { any, non_negative, positive };

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

SystemParameters read_system(const Context &ctx, const Value &section) {
  check_keys(ctx, section, system_keys);
  SystemParameters p;
  // N first: the lengths of g_h, g_c and Omega are checked against it.
  p.N = read_integer(ctx, required(ctx, section, "N"), 1, max_N,
                     "(2N qubits are stored as bits of a 32-bit word)");
  p.bath = read_enum(ctx, required(ctx, section, "bath"),
                     std::vector{Bath::common, Bath::cascaded, Bath::independent});
  p.coupling = read_enum(ctx, required(ctx, section, "coupling"),
                         std::vector{Coupling::pairwise, Coupling::all_to_all});
  p.omega_c = read_number(ctx, required(ctx, section, "omega_c"), Sign::positive);
  p.omega_h = read_number(ctx, required(ctx, section, "omega_h"), Sign::positive);
  p.T_h = read_number(ctx, required(ctx, section, "T_h"), Sign::positive);
  p.T_c = read_number(ctx, required(ctx, section, "T_c"), Sign::positive);
  p.g_h = read_per_qubit(ctx, required(ctx, section, "g_h"), p.N, Sign::non_negative);
  p.g_c = read_per_qubit(ctx, required(ctx, section, "g_c"), p.N, Sign::non_negative);
  p.Omega = read_omega(ctx, required(ctx, section, "Omega"), p.N, p.coupling);
  return p;
}

// The solver section and each of its keys are optional: the defaults of SolverConfig apply.
SolverConfig read_solver(const Context &ctx, const Value &section) {
  SolverConfig s;
  if (!section.node.IsDefined()) return s;
  check_keys(ctx, section, solver_keys);
  if (const Value v = entry(section, "method"); v.node.IsDefined())
    s.method = read_enum(ctx, v, std::vector{Method::ksp, Method::eps});
  if (const Value v = entry(section, "space"); v.node.IsDefined())
    s.space = read_enum(ctx, v, std::vector{Space::balanced, Space::full});
  return s;
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
  // Remove, then insert: assigning to the existing node would also change any alias of it.
  map.remove(keys.back());
  map[keys.back()] = value;
}

PointConfig parse(const std::string &yaml_text, const std::string &source,
                  const std::vector<std::string> &overrides) {
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
  PointConfig config;
  config.system = read_system(ctx, required(ctx, top, "system"));
  config.solver = read_solver(ctx, entry(top, "solver"));
  config.source = source;
  const YAML::Node N = root["system"]["N"];
  config.N_location = location(ctx, "system.N", mark_of(N));

  // Everything validate() checks has been checked above with a position; this is the backstop
  // that keeps the two in step.
  try {
    config.system.validate();
  } catch (const std::invalid_argument &e) {
    throw ConfigError(source + ": " + e.what());
  }
  return config;
}

}  // namespace

PointConfig parse_point_config(const std::string &yaml_text, const std::string &source,
                               const std::vector<std::string> &overrides) {
  // yaml-cpp's own exceptions should not escape (every access above is checked first); if one
  // does, it is still a problem of this config and is reported as such.
  try {
    return parse(yaml_text, source, overrides);
  } catch (const YAML::Exception &e) {
    throw ConfigError(source + ": " + e.what());
  }
}

PointConfig load_point_config(const std::string &path, const std::vector<std::string> &overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": is a directory, not a config file");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
  return parse_point_config(text.str(), path, overrides);
}

}  // namespace nessmap
