#pragma once
// Two solves of one point held equal field by field (every number the JSON and the files carry,
// point/record.hpp), and per qubit in the populations: the check of a solver or space against a
// reference. Fields that estimate errors or measure rounding differ between two correct solves,
// and the null space's dimension is counted in the space solved, so those are left out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "point/point.hpp"
#include "point/record.hpp"

namespace nessmap::testing {

inline bool compared_field(const std::string &name) {
  return name != "trace_error" && name != "hermiticity_error" && name != "residual_norm" &&
         name != "first_law_residual" && name != "excitation_current_error" && name != "current_error" &&
         name != "steady_state_dimension" && name != "solved_space";
}

// Each compared field to 1e-10 (relative above 1, absolute below) plus 1e-10 |Q_h| of the reference.
inline void check_same_observables(const nessmap::PointResult &reference, const nessmap::PointResult &other) {
  const double scale = std::abs(reference.observables->currents.Q_h);
  for (const auto &f : nessmap::point_fields()) {
    if (!compared_field(f.name)) continue;
    const double x = f.get(reference), y = f.get(other);
    INFO(f.name << ": reference " << x << ", other " << y);
    if (std::isnan(x)) CHECK(std::isnan(y));
    else CHECK(std::abs(x - y) <= 1e-10 * std::max(1.0, std::abs(x)) + 1e-10 * scale);
  }
  for (auto which : {&nessmap::Observables::populations_h, &nessmap::Observables::populations_c}) {
    const auto &pa = reference.observables.value().*which, &ps = other.observables.value().*which;
    REQUIRE(pa.size() == ps.size());
    for (std::size_t k = 0; k < pa.size(); ++k) CHECK(std::abs(pa[k] - ps[k]) <= 1e-10);
  }
}

} // namespace nessmap::testing
