#include "sweep/sweep_output.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <type_traits>

#include "format/json.hpp"
#include "observables/thermodynamics.hpp"

namespace nessmap {

namespace {

std::vector<netcdf::Attribute> name_and_units(const char *long_name, const char *units) {
  std::vector<netcdf::Attribute> a{{"long_name", std::string(long_name)}};
  if (units && *units) a.push_back({"units", std::string(units)});
  return a;
}

// The system values no axis replaces, as global attributes (what the whole file shares).
void fixed_parameters(const SweepConfig &config, std::vector<netcdf::Attribute> &out) {
  visit_fields(config.base.system, [&](const char *key, const auto &value) {
    if (axis_varies(config.axes, key)) return;
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<T, int>) out.push_back({key, std::int64_t{value}});
    else if constexpr (std::is_same_v<T, const char *>) out.push_back({key, std::string(value)});
    else if constexpr (std::is_same_v<T, std::vector<std::vector<double>>>) {
      netcdf::Doubles flat;  // row-major
      for (const auto &row : value) flat.insert(flat.end(), row.begin(), row.end());
      out.push_back({key, std::move(flat)});
    } else out.push_back({key, value});
  });
  out.push_back({"method", std::string(to_string(config.base.solver.method))});
  out.push_back({"space", std::string(to_string(config.base.solver.space))});
}

void replace_atomically(const std::string &tmp, const std::string &path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename " + tmp + " into place: " + why);
  }
}

} // namespace

netcdf::Dataset sweep_dataset(const SweepConfig &config, const Grid &grid, const SweepResults &results,
                              std::vector<netcdf::Attribute> attributes) {
  netcdf::Dataset d;
  std::vector<std::string> axis_names;
  for (const auto &axis : grid.axes()) {
    netcdf::Dimension dim;
    dim.name = axis.name;
    dim.size = axis.size();
    if (axis.kind == AxisKind::name) dim.coordinate = netcdf::Strings(axis.labels);
    else if (axis.kind == AxisKind::integer)
      dim.coordinate = netcdf::Int64s(axis.values.begin(), axis.values.end());
    else dim.coordinate = netcdf::Doubles(axis.values);
    const AxisInfo &info = axis.info();
    dim.attributes = name_and_units(info.long_name, info.units);
    dim.attributes.push_back({"plot_label", std::string(info.plot_label)});
    d.dimensions.push_back(std::move(dim));
    axis_names.push_back(axis.name);
  }
  d.dimensions.push_back({"qubit", static_cast<std::size_t>(results.max_N), std::monostate{}, {}});

  netcdf::Int8s status(results.status.size());
  for (std::size_t i = 0; i < status.size(); ++i) status[i] = static_cast<std::int8_t>(results.status[i]);
  d.variables.push_back({"status", axis_names, std::move(status),
                         {{"long_name", std::string("status of the point")},
                          {"flag_values", netcdf::Int8s{0, 1, 2}},
                          {"flag_meanings", std::string("ok failed not_computed")}}});
  d.variables.push_back({"regime", axis_names, netcdf::Int8s(results.regime),
                         {{"long_name", std::string("operating regime")},
                          {"flag_values", netcdf::Int8s{-1, 0, 1, 2, 3, 4}},
                          {"flag_meanings",
                           std::string("not_available none engine refrigerator accelerator heater")}}});
  const auto &fields = point_fields();
  for (std::size_t f = 0; f < fields.size(); ++f) {
    auto attrs = name_and_units(fields[f].long_name, fields[f].units);
    attrs.insert(attrs.begin(), {"_FillValue", std::nan("")});
    d.variables.push_back({fields[f].name, axis_names, netcdf::Doubles(results.values[f]), attrs});
  }
  auto with_qubit = axis_names;
  with_qubit.push_back("qubit");
  for (const auto *which : {"h", "c"}) {
    const bool hot = which[0] == 'h';
    d.variables.push_back({std::string("populations_") + which, with_qubit,
                           netcdf::Doubles(hot ? results.populations_h : results.populations_c),
                           {{"_FillValue", std::nan("")},
                            {"long_name", std::string("excited-state population of each ") +
                                              (hot ? "hot" : "cold") + " qubit"},
                            {"units", std::string("1")}}});
  }
  if (!results.failures.empty()) {
    netcdf::Int64s index;
    netcdf::Int8s kind;
    netcdf::Strings reason;
    for (const auto &[i, f] : results.failures) {
      index.push_back(i);
      kind.push_back(static_cast<std::int8_t>(f.failure));
      reason.push_back(f.reason);
    }
    d.dimensions.push_back({"failure", index.size(), std::monostate{}, {}});
    d.variables.push_back({"failure_index", {"failure"}, std::move(index),
                           {{"long_name", std::string("flat index of a failed point, row-major over the axes")}}});
    netcdf::Int8s codes;
    std::string meanings;
    for (int k = 0; k < failure_kinds; ++k) {
      codes.push_back(static_cast<std::int8_t>(k));
      meanings += (k ? " " : "") + std::string(to_string(static_cast<Failure>(k)));
    }
    d.variables.push_back({"failure_kind", {"failure"}, std::move(kind),
                           {{"long_name", std::string("kind of failure of a failed point")},
                            {"flag_values", std::move(codes)},
                            {"flag_meanings", std::move(meanings)}}});
    d.variables.push_back({"failure_reason", {"failure"}, std::move(reason),
                           {{"long_name", std::string("why the point failed")}}});
  }

  d.attributes.push_back({"Conventions", std::string("CF-1.8")});
  d.attributes.push_back({"title", std::string("nessmap sweep: non-equilibrium steady states of two qubit ensembles")});
  d.attributes.push_back({"points_total", std::int64_t{results.size()}});
  d.attributes.push_back({"points_ok", std::int64_t{results.computed - results.failed}});
  d.attributes.push_back({"points_failed", std::int64_t{results.failed}});
  d.attributes.push_back({"points_not_computed", std::int64_t{results.size() - results.computed}});
  fixed_parameters(config, d.attributes);
  for (auto &a : attributes) d.attributes.push_back(std::move(a));
  return d;
}

void write_sweep_netcdf(const std::string &path, const netcdf::Dataset &data) {
  const std::string tmp = path + ".tmp";
  netcdf::write(tmp, data);
  replace_atomically(tmp, path);
}

std::string csv_path(const std::string &netcdf_path) {
  return std::filesystem::path(netcdf_path).replace_extension(".csv").string();
}

void write_sweep_csv(const std::string &path, const Grid &grid, const SweepResults &results) {
  const std::string tmp = path + ".tmp";
  std::FILE *f = std::fopen(tmp.c_str(), "w");
  if (!f) throw std::runtime_error(tmp + ": cannot create: " + std::strerror(errno));
  const auto csv_text = [](const std::string &s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  const auto number = [](double v) { return std::isfinite(v) ? json_number(v) : std::string(); };
  const auto &axes = grid.axes();
  std::string head = "index";
  for (const auto &a : axes) head += "," + a.name;
  head += ",status,regime";
  for (const auto &field : point_fields()) head += std::string(",") + field.name;
  for (const char *which : {"h", "c"})
    for (int q = 1; q <= results.max_N; ++q) head += std::string(",populations_") + which + "_" + std::to_string(q);
  head += ",reason\n";
  std::fputs(head.c_str(), f);
  std::string row;
  for (std::int64_t i = 0; i < results.size(); ++i) {
    const auto at = grid.unravel(i);
    row = std::to_string(i);
    for (std::size_t a = 0; a < axes.size(); ++a)
      row += "," + (axes[a].kind == AxisKind::name ? axes[a].labels[at[a]] : json_number(axes[a].values[at[a]]));
    row += std::string(",") + to_string(results.status[i]) + ",";
    if (results.regime[i] >= 0) row += to_string(static_cast<Regime>(results.regime[i]));
    for (const auto &column : results.values) row += "," + number(column[i]);
    for (const auto *pops : {&results.populations_h, &results.populations_c})
      for (int q = 0; q < results.max_N; ++q) row += "," + number((*pops)[i * results.max_N + q]);
    const auto failed = results.failures.find(i);
    row += "," + (failed == results.failures.end() ? std::string() : csv_text(failed->second.reason)) + "\n";
    std::fputs(row.c_str(), f);
  }
  const bool ok = std::fflush(f) == 0 && !std::ferror(f);
  std::fclose(f);
  if (!ok) throw std::runtime_error(tmp + ": cannot write: " + std::strerror(errno));
  replace_atomically(tmp, path);
}

} // namespace nessmap
