#pragma once
// Running a sweep over MPI: rank 0 is the master; ranks form groups of ranks_per_point that each
// solve one point at a time on their own communicator. The master hands out chunks of tasks on
// request (self-scheduling), computes points itself between requests, keeps the append-only
// journal (sweep/prepare.hpp), prints progress and writes the output files.
#include <mpi.h>

#include "sweep/identity.hpp"
#include "sweep/sweep_config.hpp"
#include "sweep/sweep_options.hpp"

namespace nessmap {

// Runs the sweep on every rank of `world`; returns the exit status (the same on every rank).
int run_sweep(MPI_Comm world, const SweepConfig &config, const SweepOptions &options);

} // namespace nessmap
