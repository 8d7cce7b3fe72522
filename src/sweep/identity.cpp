#include "sweep/identity.hpp"

#include <cctype>
#include <map>
#include <sstream>
#include <type_traits>
#include <vector>

#include "format/json.hpp"
#include "point/record.hpp"

namespace nessmap {

namespace {

std::string list_text(const std::vector<double> &v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json_number(v[i]);
  return s + "]";
}

std::map<std::string, std::string> identity_lines(const std::string &text, std::vector<std::string> &order) {
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq);
    if (!m.count(key)) order.push_back(key);
    m[key] = line.substr(eq + 3);
  }
  return m;
}

std::string shorten(const std::string &v) {
  if (v.empty()) return "(none)";
  return v.size() <= 72 ? v : v.substr(0, 60) + " ... (" + std::to_string(v.size()) + " characters)";
}

} // namespace

bool cosmetic_option(const std::string &name) {
  for (const char *prefix : {"log", "info", "malloc", "memory", "options_left", "on_error", "help",
                             "version", "history", "check_pointer_intensity", "fp_trap"})
    if (name.rfind(prefix, 0) == 0) return true;
  for (const char *part : {"_view", "_monitor", "_converged_reason"})
    if (name.find(part) != std::string::npos) return true;
  return false;
}

std::string result_options(const std::string &options) {
  std::istringstream in(options);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  // name -> value: the last occurrence wins, as in PETSc, and the order written does not matter.
  std::map<std::string, std::string> options_by_name;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].size() < 2 || tokens[i][0] != '-') continue;
    const std::string name = tokens[i].substr(1);
    std::string value;
    if (i + 1 < tokens.size() && (tokens[i + 1][0] != '-' || std::isdigit(static_cast<unsigned char>(tokens[i + 1][1]))))
      value = tokens[++i];
    if (!cosmetic_option(name)) options_by_name[name] = value;
  }
  std::string out;
  for (const auto &[name, value] : options_by_name)
    out += (out.empty() ? "-" : " -") + name + (value.empty() ? "" : " " + value);
  return out;
}

std::string sweep_identity(const SweepConfig &config, const std::string &solver_options) {
  std::ostringstream s;
  // A system value that an axis replaces does not change any point, so it is not part of the
  // identity (editing it must not stop a resume).
  visit_fields(config.base.system, [&](const char *key, const auto &value) {
    if (axis_replaces(config.axes, key)) return;
    using T = std::decay_t<decltype(value)>;
    s << "system." << key << " = ";
    if constexpr (std::is_same_v<T, double>) s << json_number(value);
    else if constexpr (std::is_same_v<T, std::vector<double>>) s << list_text(value);
    else if constexpr (std::is_same_v<T, std::vector<std::vector<double>>>) {
      s << "[";
      for (std::size_t a = 0; a < value.size(); ++a) s << (a ? ", " : "") << list_text(value[a]);
      s << "]";
    } else s << value;
    s << "\n";
  });
  s << "solver.method = " << to_string(config.base.solver.method) << "\n"
    << "solver.space = " << to_string(config.base.solver.space) << "\n";
  std::string names;
  for (const auto &a : config.axes) names += (names.empty() ? "" : ", ") + a.name;
  s << "sweep.axes = " << names << "\n";
  for (const auto &a : config.axes) {
    s << "sweep.axes." << a.name << " = ";
    if (a.kind == AxisKind::name) {
      std::string labels;
      for (const auto &l : a.labels) labels += (labels.empty() ? "" : ", ") + l;
      s << "[" << labels << "]\n";
    } else {
      s << list_text(a.values) << "\n";
    }
  }
  s << "solver options = " << result_options(solver_options) << "\n";
  s << "record format = " << record_format << "\n";
  return s.str();
}

std::string identity_difference(const std::string &journal, const std::string &current) {
  std::vector<std::string> order_j, order_c;
  const auto j = identity_lines(journal, order_j);
  const auto c = identity_lines(current, order_c);
  for (const auto &key : order_c) {
    const auto it = j.find(key);
    if (it == j.end()) return key + " is new (the journal has no such entry)";
    if (it->second != c.at(key))
      return key + " differs: the journal has " + shorten(it->second) + ", this run has " + shorten(c.at(key));
  }
  for (const auto &key : order_j)
    if (!c.count(key)) return key + " is in the journal but not in this run";
  return "the identities differ";
}

} // namespace nessmap
