#pragma once
// The result of one grid point as flat data: what travels from a worker to the master, what the
// journal stores, and what the output files hold. The field table names every per-point number
// once, so the JSON of `nessmap point`, the HDF5 variables and the CSV columns agree.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "point/point.hpp"

namespace nessmap {

// A float64 observable of a point; NaN when the point failed or the quantity is undefined
// (a figure of merit outside its regime).
struct Field {
  const char *name;       // as in JSON, HDF5 and CSV
  const char *long_name;  // for plots and the HDF5 attribute
  const char *units;      // hbar = k_B = 1; energies in units of omega_c as configured
  double (*get)(const PointResult &);
  // A health measure of the solution (kept for failed points: it tells why); the others are
  // physics, NaN in the files wherever a point failed.
  bool diagnostic = false;
  // What a file or the point's JSON reports: get(r), or NaN for a physics field of a failed point
  // (its observables, where they were computed, did not pass the point's checks).
  double reported(const PointResult &r) const;
};
const std::vector<Field> &point_fields();

// Status of a grid point in the output; not_computed only appears in a file written by an
// interrupted run.
enum class RecordStatus : std::int8_t { ok = 0, failed = 1, not_computed = 2 };
const char *to_string(RecordStatus s);

struct PointRecord {
  std::int64_t index = 0;  // flat grid index, row-major over the axes as written
  RecordStatus status = RecordStatus::not_computed;
  std::int8_t regime = -1;           // Regime as its integer; -1 when the point failed
  Failure failure = Failure::none;   // none unless status is failed
  std::vector<double> values;        // point_fields() order
  std::vector<double> populations_h, populations_c;  // excited population of each qubit (N)
  std::string reason;                // why the point failed; empty when ok
};

PointRecord make_record(std::int64_t index, const PointResult &r);

// The version of the binary form below; a journal written with another cannot be read back, so it
// is part of a sweep's identity (a resume then names the difference instead of losing the points).
// 2: the failure kind after the regime; 3: steady_state_dimension, excitation_current_error and
// current_error among the values; 4: solved_space, population_h and population_c.
inline constexpr int record_format = 4;

// Binary form (native endianness: the journal is read back on the machine family that wrote
// it). `append_record` adds one record to `out`; `read_record` takes one from the front of `in`
// and returns false, leaving `in` alone, when `in` does not start with a whole record.
void append_record(std::string &out, const PointRecord &r);
bool read_record(std::string_view &in, PointRecord &r);

} // namespace nessmap
