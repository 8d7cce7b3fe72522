#include "sweep/group.hpp"

#include <exception>

#include "sweep/messenger.hpp"

namespace nessmap {

void patient_bcast(void *data, int count, MPI_Datatype type, int root, MPI_Comm comm) {
  MPI_Request request;
  MPI_Ibcast(data, count, type, root, comm, &request);
  Nap nap;
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    nap();
  }
}

GroupEvaluator::GroupEvaluator(MPI_Comm group, const Grid &grid, SolverConfig solver)
    : group_(group), grid_(grid), solver_(solver), evaluator_(std::make_unique<PointEvaluator>(group, solver)) {
  MPI_Comm_size(group, &size_);
}

PointRecord GroupEvaluator::evaluate(std::int64_t index) {
  if (size_ > 1) patient_bcast(&index, 1, MPI_INT64_T, 0, group_);
  return evaluate_here(index);
}

void GroupEvaluator::release() {
  std::int64_t end = -1;
  if (size_ > 1) patient_bcast(&end, 1, MPI_INT64_T, 0, group_);
}

void GroupEvaluator::follow() {
  for (;;) {
    std::int64_t index = -1;
    patient_bcast(&index, 1, MPI_INT64_T, 0, group_);
    if (index < 0) return;
    try {
      evaluate_here(index);
    } catch (const std::exception &) {
      // The leader records the failure; this rank goes on with a fresh solver, as the leader does.
    }
  }
}

PointRecord GroupEvaluator::evaluate_here(std::int64_t index) {
  PointResult result;
  try {
    result = evaluator_->evaluate(grid_.parameters(index));
  } catch (const std::exception &) {
    // A solver that threw may be in any state: the next point starts from a fresh one.
    evaluator_ = std::make_unique<PointEvaluator>(group_, solver_);
    throw;
  }
  return make_record(index, result);
}

} // namespace nessmap
