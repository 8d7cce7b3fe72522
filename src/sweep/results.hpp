#pragma once
// Every point's record of a sweep, held by the master in grid order: what the output files are
// written from. Columns, not records, so that each output variable is one contiguous array.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/grid.hpp"
#include "point/record.hpp"

namespace nessmap {

class SweepResults {
public:
  explicit SweepResults(const Grid &grid);

  // Stores a record; false (and nothing stored) when its point already has one or its index is
  // outside the grid.
  bool store(const PointRecord &r);
  bool has(std::int64_t index) const { return status[index] != RecordStatus::not_computed; }

  std::int64_t size() const { return static_cast<std::int64_t>(status.size()); }
  std::int64_t computed = 0, failed = 0;
  double work_done = 0;  // Grid::work() of the points stored
  int max_N = 0;  // qubits per ensemble, the largest of the grid: length of the qubit dimension

  std::vector<RecordStatus> status;
  std::vector<std::int8_t> regime;            // -1 where failed or not computed
  std::vector<std::vector<double>> values;    // per point_fields() entry, one value per point
  std::vector<double> populations_h, populations_c;  // size() x max_N, NaN padded
  struct FailedPoint {
    Failure failure = Failure::error;
    std::string reason;
  };
  std::map<std::int64_t, FailedPoint> failures;      // failed points only, by flat index

private:
  const Grid *grid_;  // outlives the results (the sweep's)
};

// Stores the records of `records` (concatenated by append_record: a journal frame, a report's
// body) up to the first that is not whole; the number of new ones stored.
std::int64_t store_records(SweepResults &results, std::string_view records);

} // namespace nessmap
