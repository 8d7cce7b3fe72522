#pragma once
// The grid of a sweep: the Cartesian product of its axes, in the order written. A point is named
// by its flat index, row-major over the axes (the last axis varies fastest), which is also its
// position in every output array.
//
// Points are computed in a different order, the task order: grouped by family (a combination of
// the structural axes N, bath and coupling, which fix the Liouvillian's sparsity pattern), so
// that a worker going through consecutive tasks reuses its matrices and factorization; families
// with larger N come first, so that the longest solves do not trail at the end.
#include <cstdint>
#include <vector>

#include "sweep/sweep_config.hpp"

namespace nessmap {

class Grid {
public:
  explicit Grid(const SweepConfig &config);

  std::int64_t size() const { return size_; }
  const std::vector<Axis> &axes() const { return axes_; }
  std::vector<std::size_t> shape() const;
  std::vector<std::size_t> unravel(std::int64_t index) const;

  // The parameters of a point: its family's base with each value axis's AxisInfo::apply, in the
  // order of axis_table() (so T_ratio multiplies a swept T_c).
  SystemParameters parameters(std::int64_t index) const;

  // Task order: task t is computed as grid point task_index(t); family_of_task(t) increases
  // with t.
  std::int64_t task_index(std::int64_t task) const;
  int family_of_task(std::int64_t task) const { return static_cast<int>(task / family_size_); }
  int families() const { return static_cast<int>(family_order_.size()); }
  std::int64_t family_size() const { return family_size_; }

  // A point's share of the sweep's work, for the progress line's time left: n^1.5, n the
  // dimension of the space its family's base is solved in (for_point). Measured one point at a
  // time in the symmetric space of type 1 (input/scaling.yaml), time grows like n^1.25 to n^1.6
  // between N = 20 and 40; a rate in points would take the largest points, which go first, for
  // the typical ones (an ETA of 9 h for a 30 min sweep).
  double work(std::int64_t index) const { return family_work_[family_of_point(index)]; }

private:
  std::size_t family_of_point(std::int64_t index) const;  // into bases_
  std::vector<Axis> axes_;
  std::vector<SystemParameters> bases_;  // per structural combination, as in SweepConfig
  std::vector<std::size_t> structural_, values_;  // positions in axes_ of each kind
  std::vector<int> family_order_;        // task order of the structural combinations
  std::vector<double> family_work_;      // per structural combination: work() of its points
  std::int64_t size_ = 1, family_size_ = 1;
};

} // namespace nessmap
