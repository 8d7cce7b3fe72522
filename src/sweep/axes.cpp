#include "sweep/axes.hpp"

#include <algorithm>
#include <stdexcept>

namespace nessmap {

namespace {

void set_all(std::vector<double> &v, double x) { std::fill(v.begin(), v.end(), x); }
void scale_all(std::vector<double> &v, double x) {
  for (double &e : v) e *= x;
}

} // namespace

const std::vector<AxisInfo> &axis_table() {
  using enum AxisKind;
  using S = AxisSign;
  static const std::vector<AxisInfo> table = {
      {"omega_ratio", number, S::positive, false, {"omega_h"}, {"omega_h"}, "",
       "omega_h/omega_c", "1", R"($\omega_h/\omega_c$)",
       [](SystemParameters &p, double x) { p.omega_h = x * p.omega_c; }},
      {"Omega", number, S::any, false, {"Omega"}, {"Omega"}, "Omega_scale",
       "ensemble coupling Omega", "omega_c", R"($\Omega$ [$\omega_c$])",
       [](SystemParameters &p, double x) {
         for (auto [a, b] : p.coupled_pairs()) p.Omega[a][b] = x;
       }},
      {"Omega_scale", number, S::any, false, {}, {"Omega"}, "Omega",
       "factor on the configured Omega", "1", R"($\Omega/\Omega_0$)",
       [](SystemParameters &p, double x) {
         for (auto [a, b] : p.coupled_pairs()) p.Omega[a][b] *= x;
       }},
      {"g", number, S::non_negative, false, {"g_h", "g_c"}, {"g_h", "g_c"}, "g_scale",
       "system-bath coupling g (g_h and g_c)", "sqrt(omega_c)", R"($g$ [$\sqrt{\omega_c}$])",
       [](SystemParameters &p, double x) {
         set_all(p.g_h, x);
         set_all(p.g_c, x);
       }},
      {"g_scale", number, S::non_negative, false, {}, {"g_h", "g_c"}, "g",
       "factor on the configured g_h and g_c", "1", R"($g/g_0$)",
       [](SystemParameters &p, double x) {
         scale_all(p.g_h, x);
         scale_all(p.g_c, x);
       }},
      {"T_h", number, S::positive, false, {"T_h"}, {"T_h"}, "T_ratio",
       "hot bath temperature T_h", "omega_c", R"($T_h$ [$\omega_c$])",
       [](SystemParameters &p, double x) { p.T_h = x; }},
      // Before T_ratio in this table: T_h = r T_c uses the swept T_c.
      {"T_c", number, S::positive, false, {"T_c"}, {"T_c"}, "",
       "cold bath temperature T_c", "omega_c", R"($T_c$ [$\omega_c$])",
       [](SystemParameters &p, double x) { p.T_c = x; }},
      {"T_ratio", number, S::positive, false, {"T_h"}, {"T_h"}, "T_h",
       "T_h/T_c", "1", R"($T_h/T_c$)",
       [](SystemParameters &p, double x) { p.T_h = x * p.T_c; }},
      {"bath", name, S::any, true, {"bath"}, {"bath"}, "",
       "bath model", "", "bath", nullptr},
      {"coupling", name, S::any, true, {"coupling"}, {"coupling", "Omega"}, "",
       "ensemble coupling (pairwise = type 2, all_to_all = type 1)", "", "coupling", nullptr},
      {"N", integer, S::any, true, {"N"}, {"N", "g_h", "g_c", "Omega"}, "",
       "qubits per ensemble N", "1", R"($N$ (qubits per ensemble))", nullptr},
  };
  return table;
}

const AxisInfo &axis_info(std::string_view name) {
  for (const auto &info : axis_table())
    if (name == info.name) return info;
  throw std::invalid_argument("no sweep axis is called '" + std::string(name) + "'");
}

std::vector<std::string> axis_names() {
  std::vector<std::string> names;
  for (const auto &info : axis_table()) names.emplace_back(info.name);
  return names;
}

namespace {
bool any_axis(const std::vector<Axis> &axes, std::string_view key,
              std::vector<std::string_view> AxisInfo::*list) {
  for (const auto &axis : axes) {
    const auto &keys = axis.info().*list;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) return true;
  }
  return false;
}
} // namespace

bool axis_replaces(const std::vector<Axis> &axes, std::string_view key) {
  return any_axis(axes, key, &AxisInfo::replaces);
}
bool axis_varies(const std::vector<Axis> &axes, std::string_view key) {
  return any_axis(axes, key, &AxisInfo::varies);
}

} // namespace nessmap
