#include "io/point_json.hpp"

#include <limits>

namespace nessmap {

JsonObject point_json(const PointConfig &config, const PointResult &r) {
  const auto &p = config.system;
  const auto &ss = r.steady_state;
  JsonObject system;
  system.add("N", p.N)
      .add("bath", to_string(p.bath))
      .add("coupling", to_string(p.coupling))
      .add("omega_h", p.omega_h)
      .add("omega_c", p.omega_c)
      .add("T_h", p.T_h)
      .add("T_c", p.T_c)
      .add("g_h", p.g_h)
      .add("g_c", p.g_c)
      .add("Omega", p.Omega);

  JsonObject j;
  j.add("status", to_string(r.status));
  if (r.status == PointStatus::ok) j.add_null("reason");
  else j.add("reason", r.reason);
  j.add("method", to_string(config.solver.method))
      .add("space", to_string(config.solver.space))
      .add("solver", ss.solver)
      .add("dimension", static_cast<long long>(r.dimension))
      .add("nnz", static_cast<long long>(r.nnz))
      .add("iterations", ss.iterations)
      .add("solve_seconds", ss.seconds)
      .add("system", system);

  const Observables none{};
  const Observables &o = r.observables ? *r.observables : none;
  const bool have = r.observables.has_value();
  auto val = [have](double v) { return have ? v : std::numeric_limits<double>::quiet_NaN(); };
  const auto &c = o.currents;
  j.add("Q_h", val(c.Q_h)).add("Q_c", val(c.Q_c)).add("W", val(c.W));
  j.add("Q_h_loc", val(c.Q_h_loc)).add("Q_h_nonloc", val(c.Q_h_nonloc));
  j.add("Q_c_loc", val(c.Q_c_loc)).add("Q_c_nonloc", val(c.Q_c_nonloc));
  j.add("W_loc", val(c.W_loc)).add("W_nonloc", val(c.W_nonloc));
  j.add("C_loc", val(o.coherences.C_loc))
      .add("C_nonloc", val(o.coherences.C_nonloc))
      .add("C_nonloc_factorized", val(o.coherences.C_nonloc_factorized));
  j.add("excitation_current", val(c.excitation_current))
      .add("entropy_production", val(o.entropy_production));
  if (have) j.add("regime", to_string(o.regime));
  else j.add_null("regime");
  j.add("efficiency", o.efficiency)
      .add("eta_carnot", o.eta_carnot)
      .add("cop_refrigerator", o.cop_refrigerator)
      .add("cop_accelerator", o.cop_accelerator);
  j.add("populations_h", o.populations_h).add("populations_c", o.populations_c);
  j.add("purity", val(o.purity)).add("l1_coherence", val(o.l1_coherence));
  const bool solved = ss.converged;
  j.add("trace_error", solved ? ss.trace_error : std::numeric_limits<double>::quiet_NaN())
      .add("hermiticity_error", val(o.hermiticity_error))
      .add("residual_norm", solved ? ss.residual_norm : std::numeric_limits<double>::quiet_NaN())
      .add("first_law_residual", val(o.first_law_residual))
      .add("min_eigenvalue", val(o.min_eigenvalue));
  return j;
}

} // namespace nessmap
