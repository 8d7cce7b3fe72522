#pragma once
// L x through the Liouvillian's own rows (liouvillian_row), for tests of the preconditioners that
// must invert (a part of) it: no matrix is assembled.
#include <cmath>
#include <vector>

#include "liouvillian/liouvillian.hpp"

namespace nessmap::testing {

inline std::vector<Complex> multiply(const StateSpace &space, const MasterEquation &me, const std::vector<Complex> &x) {
  std::vector<Complex> y(x.size());
  RowEntries row;
  for (std::int64_t i = 0; i < space.dimension(); ++i) {
    liouvillian_row(space, me, i, row);
    Complex s = 0;
    for (std::size_t k = 0; k < row.cols.size(); ++k) s += row.values[k] * x[row.cols[k]];
    y[i] = s;
  }
  return y;
}

inline double norm(const std::vector<Complex> &x) {
  double s = 0;
  for (Complex c : x) s += std::norm(c);
  return std::sqrt(s);
}

} // namespace nessmap::testing
