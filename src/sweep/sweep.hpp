#pragma once
// Running a sweep over MPI: rank 0 is the master; ranks form groups of ranks_per_point that each
// solve one point at a time on their own communicator. The master hands out chunks of tasks on
// request (self-scheduling, sweep/scheduler.hpp), computes points itself between requests, keeps
// the append-only journal (sweep/prepare.hpp), prints progress and writes the output files.
#include <mpi.h>

#include "sweep/identity.hpp"
#include "sweep/sweep_config.hpp"
#include "sweep/sweep_options.hpp"

namespace nessmap {

// Runs the sweep in three phases: prepare (the master takes the output lock, opens or resumes
// the journal and lists the tasks left), schedule (every group computes points), write (the
// master writes the netCDF/CSV files and the final messages). MPI-collective over `world`: call
// it on every rank. Returns the exit status, the same on every rank; errors are reported on
// stderr and in the status, not thrown (an error on the master after the start aborts `world`).
// `config` and `options` are only read during the call.
int run_sweep(MPI_Comm world, const SweepConfig &config, const SweepOptions &options);

} // namespace nessmap
