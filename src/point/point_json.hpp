#pragma once
// The JSON object `nessmap point` prints: the keys are the physics' names (physics.md).
#include "point/point_config.hpp"
#include "format/json.hpp"
#include "point/point.hpp"

namespace nessmap {

JsonObject point_json(const PointConfig &config, const PointResult &result);

} // namespace nessmap
