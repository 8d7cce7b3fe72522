#include "sweep/grid.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "model/state_space.hpp"
#include "solver/solver_config.hpp"

namespace nessmap {

Grid::Grid(const SweepConfig &config) : axes_(config.axes), bases_(config.structural_bases) {
  std::int64_t families = 1;
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    const auto n = static_cast<std::int64_t>(axes_[a].size());
    if (n < 1) throw std::invalid_argument("sweep axis " + axes_[a].name + " has no values");
    size_ *= n;
    if (axes_[a].structural()) {
      structural_.push_back(a);
      families *= n;
    } else {
      values_.push_back(a);
      family_size_ *= n;
    }
  }
  if (static_cast<std::int64_t>(bases_.size()) != families)
    throw std::invalid_argument("sweep: " + std::to_string(bases_.size()) +
                                " structural bases for " + std::to_string(families) + " families");
  family_order_.resize(families);
  std::iota(family_order_.begin(), family_order_.end(), 0);
  std::stable_sort(family_order_.begin(), family_order_.end(),
                   [&](int a, int b) { return bases_[a].N > bases_[b].N; });
  for (const SystemParameters &base : bases_) {
    const Space space = for_point(config.base.solver, base).space;
    // (Beyond N = 15 only the symmetric space has an index; the others' sizes as doubles.)
    const double n = space == Space::symmetric || space == Space::pairs || base.N <= 15
                         ? static_cast<double>(space_dimension(space, base.N, base.coupling))
                         : std::pow(space == Space::full ? 16.0 : 8.0, base.N);
    family_work_.push_back(std::pow(n, 1.5));
  }
}

std::size_t Grid::family_of_point(std::int64_t index) const {
  const auto at = unravel(index);
  std::size_t family = 0;
  for (std::size_t a : structural_) family = family * axes_[a].size() + at[a];
  return family;
}

std::vector<std::size_t> Grid::shape() const {
  std::vector<std::size_t> s;
  for (const auto &a : axes_) s.push_back(a.size());
  return s;
}

std::vector<std::size_t> Grid::unravel(std::int64_t index) const {
  std::vector<std::size_t> at(axes_.size());
  for (std::size_t a = axes_.size(); a-- > 0;) {
    const auto n = static_cast<std::int64_t>(axes_[a].size());
    at[a] = static_cast<std::size_t>(index % n);
    index /= n;
  }
  return at;
}

std::int64_t Grid::task_index(std::int64_t task) const {
  // Split the task into (family, value-axes offset), each row-major over its own axes, and
  // interleave the two multi-indices back into the grid's row-major order.
  std::int64_t family = family_order_[task / family_size_];
  std::int64_t offset = task % family_size_;
  std::vector<std::size_t> at(axes_.size());
  for (std::size_t k = structural_.size(); k-- > 0;) {
    const auto n = static_cast<std::int64_t>(axes_[structural_[k]].size());
    at[structural_[k]] = static_cast<std::size_t>(family % n);
    family /= n;
  }
  for (std::size_t k = values_.size(); k-- > 0;) {
    const auto n = static_cast<std::int64_t>(axes_[values_[k]].size());
    at[values_[k]] = static_cast<std::size_t>(offset % n);
    offset /= n;
  }
  std::int64_t index = 0;
  for (std::size_t a = 0; a < axes_.size(); ++a)
    index = index * static_cast<std::int64_t>(axes_[a].size()) + static_cast<std::int64_t>(at[a]);
  return index;
}

SystemParameters Grid::parameters(std::int64_t index) const {
  const auto at = unravel(index);
  SystemParameters p = bases_[family_of_point(index)];

  // In the table's order (axes.hpp), whatever the order written.
  for (const AxisInfo &info : axis_table()) {
    if (!info.apply) continue;
    for (std::size_t a : values_)
      if (axes_[a].name == info.name) info.apply(p, axes_[a].values[at[a]]);
  }
  return p;
}

} // namespace nessmap
