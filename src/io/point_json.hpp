#pragma once
// The JSON object `nessmap point` prints: the keys are the physics' names (physics.md).
#include "io/config.hpp"
#include "io/json.hpp"
#include "sweep/point.hpp"

namespace nessmap {

JsonObject point_json(const PointConfig &config, const PointResult &result);

} // namespace nessmap
