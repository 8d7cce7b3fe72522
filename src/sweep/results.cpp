#include "sweep/results.hpp"

#include <algorithm>
#include <limits>

namespace nessmap {

SweepResults::SweepResults(const Grid &grid) : grid_(&grid) {
  const auto n = static_cast<std::size_t>(grid.size());
  max_N = 0;
  for (int f = 0; f < grid.families(); ++f)
    max_N = std::max(max_N, grid.parameters(grid.task_index(f * grid.family_size())).N);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  status.assign(n, RecordStatus::not_computed);
  regime.assign(n, -1);
  values.assign(point_fields().size(), std::vector<double>(n, nan));
  populations_h.assign(n * max_N, nan);
  populations_c.assign(n * max_N, nan);
}

bool SweepResults::store(const PointRecord &r) {
  if (r.index < 0 || r.index >= size() || has(r.index) || r.status == RecordStatus::not_computed)
    return false;
  if (r.values.size() != values.size() || r.populations_h.size() > static_cast<std::size_t>(max_N) ||
      r.populations_c.size() > static_cast<std::size_t>(max_N))
    return false;
  status[r.index] = r.status;
  regime[r.index] = r.regime;
  for (std::size_t f = 0; f < values.size(); ++f) values[f][r.index] = r.values[f];
  std::copy(r.populations_h.begin(), r.populations_h.end(), populations_h.begin() + r.index * max_N);
  std::copy(r.populations_c.begin(), r.populations_c.end(), populations_c.begin() + r.index * max_N);
  ++computed;
  work_done += grid_->work(r.index);
  if (r.status == RecordStatus::failed) {
    ++failed;
    failures[r.index] = {r.failure, r.reason};
  }
  return true;
}

std::int64_t store_records(SweepResults &results, std::string_view records) {
  std::int64_t added = 0;
  PointRecord r;
  while (!records.empty() && read_record(records, r)) added += results.store(r) ? 1 : 0;
  return added;
}

} // namespace nessmap
