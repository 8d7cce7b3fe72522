#pragma once
// Running a sweep over MPI: rank 0 is the master; ranks form groups of ranks_per_point that each
// solve one point at a time on their own communicator. The master hands out chunks of tasks on
// request (self-scheduling), computes points itself between requests, keeps the append-only
// journal, prints progress and writes the output files.
#include <mpi.h>

#include <string>

#include "sweep/sweep_config.hpp"

namespace nessmap {

struct SweepOptions {
  bool resume = false;    // --resume: an existing journal is required
  bool restart = false;   // --restart: an existing journal is discarded
  bool quiet = false;     // no progress lines
  double progress_interval = 5.0;   // seconds between progress lines when stderr is not a terminal
  int slab = 0, slabs = 1;          // --slab I/K: only the I-th of K slices of the tasks
  std::string command_line;         // provenance
  std::string solver_options;       // the PETSc/SLEPc options in force (part of the identity)
};

// Exit statuses of `nessmap sweep`.
inline constexpr int sweep_complete = 0;      // every point computed (some may have failed)
inline constexpr int sweep_error = 1;         // an I/O or internal error; the journal is kept
inline constexpr int sweep_bad_input = 2;     // config, options or journal refused
inline constexpr int sweep_interrupted = 3;   // stopped by a signal; run again to resume

// Runs the sweep on every rank of `world`; returns the exit status (the same on every rank).
int run_sweep(MPI_Comm world, const SweepConfig &config, const SweepOptions &options);

// The text that identifies a sweep's results: everything that changes a point's value. A journal
// is only resumed by a run with the same identity.
std::string sweep_identity(const SweepConfig &config, const std::string &solver_options);

// Why two identities differ: the first key whose value changed, with both values shortened.
std::string identity_difference(const std::string &journal, const std::string &current);

} // namespace nessmap
