#include "point/record.hpp"

#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

namespace nessmap {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double observed(const PointResult &r, double Observables::*member) {
  return r.observables ? (*r.observables).*member : nan;
}
double current(const PointResult &r, double Currents::*member) {
  return r.observables ? r.observables->currents.*member : nan;
}
double coherence(const PointResult &r, double Coherences::*member) {
  return r.observables ? r.observables->coherences.*member : nan;
}
double merit(const PointResult &r, std::optional<double> Observables::*member) {
  return r.observables ? ((*r.observables).*member).value_or(nan) : nan;
}

const char *const power = "omega_c^2";  // energy per time with hbar = 1
const char *const unitless = "1";

// The mean excited population of an ensemble's qubits (each qubit's own is in populations_h/_c; in
// the symmetric space, and with uniform couplings, they are all equal).
double mean_population(const PointResult &r, std::vector<double> Observables::*which) {
  if (!r.observables) return std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> &p = (*r.observables).*which;
  if (p.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double x : p) sum += x;
  return sum / static_cast<double>(p.size());
}

} // namespace

double Field::reported(const PointResult &r) const { return r.ok() || diagnostic ? get(r) : nan; }

const std::vector<Field> &point_fields() {
  // clang-format off
  static const std::vector<Field> fields = {
    {"Q_h", "heat current from the hot bath", power, [](const PointResult &r) { return current(r, &Currents::Q_h); }},
    {"Q_c", "heat current from the cold bath", power, [](const PointResult &r) { return current(r, &Currents::Q_c); }},
    {"W", "work current (power done on the system)", power, [](const PointResult &r) { return current(r, &Currents::W); }},
    {"Q_h_loc", "local part of Q_h", power, [](const PointResult &r) { return current(r, &Currents::Q_h_loc); }},
    {"Q_h_nonloc", "non-local part of Q_h", power, [](const PointResult &r) { return current(r, &Currents::Q_h_nonloc); }},
    {"Q_c_loc", "local part of Q_c", power, [](const PointResult &r) { return current(r, &Currents::Q_c_loc); }},
    {"Q_c_nonloc", "non-local part of Q_c", power, [](const PointResult &r) { return current(r, &Currents::Q_c_nonloc); }},
    {"W_loc", "local part of W", power, [](const PointResult &r) { return current(r, &Currents::W_loc); }},
    {"W_nonloc", "non-local part of W", power, [](const PointResult &r) { return current(r, &Currents::W_nonloc); }},
    {"C_loc", "local coherence driving W_loc", unitless, [](const PointResult &r) { return coherence(r, &Coherences::C_loc); }},
    {"C_nonloc", "non-local coherence driving W_nonloc", unitless, [](const PointResult &r) { return coherence(r, &Coherences::C_nonloc); }},
    {"C_nonloc_factorized", "C_nonloc with <sz X> factorized as <sz><X>", unitless, [](const PointResult &r) { return coherence(r, &Coherences::C_nonloc_factorized); }},
    {"excitation_current", "excitations entering from the hot bath", "omega_c", [](const PointResult &r) { return current(r, &Currents::excitation_current); }},
    {"entropy_production", "entropy production rate -Q_h/T_h - Q_c/T_c", "omega_c", [](const PointResult &r) { return observed(r, &Observables::entropy_production); }},
    {"efficiency", "engine efficiency -W/Q_hot (Q_hot: heat from the hotter bath)", unitless, [](const PointResult &r) { return merit(r, &Observables::efficiency); }},
    {"eta_carnot", "Carnot efficiency 1 - T_cold/T_hot", unitless, [](const PointResult &r) { return merit(r, &Observables::eta_carnot); }},
    {"cop_refrigerator", "refrigerator COP Q_cold/W", unitless, [](const PointResult &r) { return merit(r, &Observables::cop_refrigerator); }},
    {"cop_accelerator", "accelerator COP Q_hot/W", unitless, [](const PointResult &r) { return merit(r, &Observables::cop_accelerator); }},
    {"population_h", "mean excited population of the hot qubits", unitless, [](const PointResult &r) { return mean_population(r, &Observables::populations_h); }},
    {"population_c", "mean excited population of the cold qubits", unitless, [](const PointResult &r) { return mean_population(r, &Observables::populations_c); }},
    {"purity", "purity Tr rho^2", unitless, [](const PointResult &r) { return observed(r, &Observables::purity); }},
    {"l1_coherence", "l1-norm of coherence of rho", unitless, [](const PointResult &r) { return observed(r, &Observables::l1_coherence); }},
    {"trace_error", "|Tr rho - 1|", unitless, [](const PointResult &r) { return r.steady_state.converged ? r.steady_state.trace_error : nan; }, true},
    {"hermiticity_error", "max |rho - rho^dagger|", unitless, [](const PointResult &r) { return observed(r, &Observables::hermiticity_error); }, true},
    {"residual_norm", "||L rho||", "omega_c", [](const PointResult &r) { return r.steady_state.converged ? r.steady_state.residual_norm : nan; }, true},
    {"first_law_residual", "|Q_h + Q_c + W| relative to the largest", unitless, [](const PointResult &r) { return observed(r, &Observables::first_law_residual); }, true},
    {"min_eigenvalue", "smallest eigenvalue of rho", unitless, [](const PointResult &r) { return observed(r, &Observables::min_eigenvalue); }, true},
    {"solved_space", "space that solved the point: 0 balanced block, 1 full space, 2 symmetric space, 3 independent pairs", unitless, [](const PointResult &r) { return r.failure == Failure::error && r.dimension == 0 ? nan : static_cast<double>(r.space); }, true},
    {"steady_state_dimension", "dimension of the Liouvillian's null space (1: a unique steady state)", unitless, [](const PointResult &r) { return r.steady_state.steady_state_dimension > 0 ? r.steady_state.steady_state_dimension : nan; }, true},
    {"excitation_current_error", "estimated error of the excitation current", "omega_c", [](const PointResult &r) { return observed(r, &Observables::excitation_current_error); }, true},
    {"current_error", "estimated relative error of Q_h, Q_c and W", unitless, [](const PointResult &r) { return r.observables ? r.current_error : nan; }, true},
  };
  // clang-format on
  return fields;
}

const char *to_string(RecordStatus s) {
  switch (s) {
  case RecordStatus::ok: return "ok";
  case RecordStatus::failed: return "failed";
  case RecordStatus::not_computed: return "not_computed";
  }
  return "?";
}

PointRecord make_record(std::int64_t index, const PointResult &r) {
  PointRecord rec;
  rec.index = index;
  const bool ok = r.ok();
  rec.status = ok ? RecordStatus::ok : RecordStatus::failed;
  rec.regime = ok && r.observables ? static_cast<std::int8_t>(r.observables->regime) : -1;
  for (const auto &f : point_fields()) rec.values.push_back(f.reported(r));
  if (r.observables && ok) {
    rec.populations_h = r.observables->populations_h;
    rec.populations_c = r.observables->populations_c;
  }
  rec.failure = r.failure;
  rec.reason = r.reason;
  return rec;
}

namespace {

template <class T> void put(std::string &out, const T &v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof v);
}
void put_doubles(std::string &out, const std::vector<double> &v) {
  put(out, static_cast<std::uint32_t>(v.size()));
  out.append(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(double));
}

// Reads from a cursor that knows how much is left; every read is bounds-checked.
struct Cursor {
  std::string_view data;
  std::size_t at = 0;
  bool ok = true;
  template <class T> T get() {
    T v{};
    if (!take(&v, sizeof v)) return T{};
    return v;
  }
  bool take(void *dst, std::size_t n) {
    if (!ok || data.size() - at < n) return ok = false;
    std::memcpy(dst, data.data() + at, n);
    at += n;
    return true;
  }
  std::vector<double> doubles(std::size_t limit) {
    const auto n = get<std::uint32_t>();
    if (!ok || n > limit) {
      ok = false;
      return {};
    }
    std::vector<double> v(n);
    take(v.data(), n * sizeof(double));
    return v;
  }
};

} // namespace

// Layout: u32 body size | i64 index | i8 status | i8 regime | i8 failure | doubles values | doubles pop_h |
// doubles pop_c | u32 reason size | reason bytes. The size prefix lets a reader skip or reject a
// record as a whole.
void append_record(std::string &out, const PointRecord &r) {
  std::string body;
  put(body, r.index);
  put(body, static_cast<std::int8_t>(r.status));
  put(body, r.regime);
  put(body, static_cast<std::int8_t>(r.failure));
  put_doubles(body, r.values);
  put_doubles(body, r.populations_h);
  put_doubles(body, r.populations_c);
  put(body, static_cast<std::uint32_t>(r.reason.size()));
  body += r.reason;
  put(out, static_cast<std::uint32_t>(body.size()));
  out += body;
}

bool read_record(std::string_view &in, PointRecord &r) {
  Cursor head{in};
  const auto size = head.get<std::uint32_t>();
  if (!head.ok || in.size() - head.at < size) return false;
  Cursor c{in.substr(head.at, size)};
  PointRecord out;
  out.index = c.get<std::int64_t>();
  const auto status = c.get<std::int8_t>();
  out.regime = c.get<std::int8_t>();
  const auto failure = c.get<std::int8_t>();
  constexpr std::size_t limit = 1u << 20;
  out.values = c.doubles(limit);
  out.populations_h = c.doubles(limit);
  out.populations_c = c.doubles(limit);
  const auto reason_size = c.get<std::uint32_t>();
  if (!c.ok || reason_size != size - c.at || status < 0 || status > 2 || failure < 0 ||
      failure >= failure_kinds)
    return false;
  out.failure = static_cast<Failure>(failure);
  out.reason.assign(c.data.substr(c.at));
  out.status = static_cast<RecordStatus>(status);
  r = std::move(out);
  in.remove_prefix(head.at + size);
  return true;
}

} // namespace nessmap
