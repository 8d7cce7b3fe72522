#pragma once
// One group's evaluation of points: the ranks_per_point ranks of a group solve each point
// together on their own communicator. The group's leader (rank 0 of the group) takes part in
// the scheduler and broadcasts each grid index to the others, which follow until released.
#include <mpi.h>

#include <cstdint>
#include <memory>

#include "point/point.hpp"
#include "point/record.hpp"
#include "sweep/grid.hpp"

namespace nessmap {

class GroupEvaluator {
public:
  // On every rank of `group` (the PointEvaluator's set-up is collective over it). Keeps `grid`
  // by reference and `group` by value: both must outlive the evaluator.
  GroupEvaluator(MPI_Comm group, const Grid &grid, SolverConfig solver);

  // The leader's call, collective with follow() on the other ranks: the record of the point at
  // grid index `index`. Throws what the solver throws (std::exception), after replacing the
  // solver with a fresh one (it may be in any state).
  PointRecord evaluate(std::int64_t index);
  // The leader's call: the other ranks return from follow().
  void release();
  // The other ranks' call: evaluates with the leader until released.
  void follow();

private:
  PointRecord evaluate_here(std::int64_t index);

  MPI_Comm group_;
  const Grid &grid_;
  SolverConfig solver_;
  std::unique_ptr<PointEvaluator> evaluator_;
  int size_ = 1;
};

// MPI_Bcast for ranks that may wait long (a group member while its leader talks to the master,
// a worker while the master writes the file): Open MPI's blocking collectives spin a core, so
// this tests a non-blocking broadcast with naps (see Nap). Collective over `comm`.
void patient_bcast(void *data, int count, MPI_Datatype type, int root, MPI_Comm comm);

} // namespace nessmap
