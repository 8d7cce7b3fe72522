#include "point/point_json.hpp"

#include <limits>

#include "point/record.hpp"

namespace nessmap {

JsonObject point_json(const PointConfig &config, const PointResult &r) {
  const auto &p = config.system;
  const auto &ss = r.steady_state;
  JsonObject system;
  visit_fields(p, [&](const char *key, const auto &value) { system.add(key, value); });

  JsonObject j;
  j.add("status", r.ok() ? "ok" : "failed");
  if (r.ok()) j.add_null("reason").add_null("failure");
  else j.add("reason", r.reason).add("failure", to_string(r.failure));
  j.add("method", to_string(config.solver.method))
      .add("space", to_string(r.space))
      .add("solver", ss.solver)
      .add("dimension", static_cast<long long>(r.dimension))
      .add("nnz", static_cast<long long>(r.nnz))
      .add("iterations", ss.iterations)
      .add("solve_seconds", ss.seconds)
      .add("system", system);

  // Every per-point number under the name it has in the sweep files (sweep/record.hpp); NaN
  // (a failed point's physics, or a figure of merit outside its regime) is written as null.
  for (const auto &field : point_fields()) j.add(field.name, field.reported(r));
  if (r.observables && r.ok()) {
    j.add("regime", to_string(r.observables->regime))
        .add("populations_h", r.observables->populations_h)
        .add("populations_c", r.observables->populations_c);
  } else {
    j.add_null("regime").add("populations_h", std::vector<double>{}).add("populations_c", std::vector<double>{});
  }
  return j;
}

} // namespace nessmap
