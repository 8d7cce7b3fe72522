#include "sweep/sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/journal.hpp"
#include "point/point_config.hpp"
#include "sweep/grid.hpp"
#include "sweep/group.hpp"
#include "sweep/messenger.hpp"
#include "sweep/prepare.hpp"
#include "sweep/progress.hpp"
#include "sweep/provenance.hpp"
#include "sweep/results.hpp"
#include "sweep/scheduler.hpp"
#include "sweep/signals.hpp"
#include "sweep/stop_watcher.hpp"
#include "sweep/sweep_output.hpp"

namespace nessmap {

namespace {

// This rank's place in the run: groups of ranks_per_point consecutive ranks, each led by its
// first; rank 0 (the master) leads group 0.
struct Layout {
  int rank = 0, size = 1, ranks_per_point = 1;
  bool master() const { return rank == 0; }
  bool leader() const { return rank % ranks_per_point == 0; }
  int groups() const { return size / ranks_per_point; }
  std::vector<int> workers() const {  // the leaders other than the master
    std::vector<int> w;
    for (int g = 1; g < groups(); ++g) w.push_back(g * ranks_per_point);
    return w;
  }
};

// The group's communicator, freed at the end of the run.
struct GroupComm {
  MPI_Comm comm;
  GroupComm(MPI_Comm world, const Layout &l) {
    MPI_Comm_split(world, l.rank / l.ranks_per_point, l.rank % l.ranks_per_point, &comm);
  }
  ~GroupComm() { MPI_Comm_free(&comm); }
  GroupComm(const GroupComm &) = delete;
  GroupComm &operator=(const GroupComm &) = delete;
};

// What the master holds from the start to the end of a run.
struct Prepared {
  explicit Prepared(const Grid &grid) : results(grid) {}
  SweepResults results;
  Preparation prep;
};

// What the schedule phase leaves for the write phase.
struct Scheduled {
  int stopped_by = 0;            // the stop signal, or 0
  double compute_seconds = 0;    // added up over the groups
};

RankHooks hooks_for(GroupEvaluator &group) {
  RankHooks hooks;
  hooks.evaluate = [&group](std::int64_t index) { return group.evaluate(index); };
  hooks.stop_requested = stop_signal_caught;
  return hooks;
}

// ---- phase 1: prepare ----------------------------------------------------------------------------

// Collective over `world`: the master takes the lock, reads or creates the journal and lists the
// tasks left (into `prepared`), reporting a refusal on stderr; every rank returns its status,
// sweep_complete to go on.
int prepare_sweep(MPI_Comm world, const Layout &layout, const SweepConfig &config, const SweepOptions &options,
                  const Grid &grid, std::unique_ptr<Prepared> &prepared) {
  std::string error;
  int status = sweep_complete;
  if (layout.master()) {
    try {
      prepared = std::make_unique<Prepared>(grid);
      prepared->prep = prepare(config, options, grid, prepared->results, sweep_identity(config, options.solver_options));
    } catch (const ConfigError &e) {
      error = e.what();
      status = sweep_bad_input;
    } catch (const JournalError &e) {
      error = std::string(e.what()) + " (move it away, or run with --restart to replace it)";
      status = sweep_bad_input;
    } catch (const std::exception &e) {
      error = e.what();
      status = sweep_error;
    }
    if (!error.empty()) std::fprintf(stderr, "nessmap: %s\n", error.c_str());
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, world);
  return status;
}

// ---- phase 2: schedule ---------------------------------------------------------------------------

// What the master needs to write the output file.
struct WriteContext {
  const SweepConfig &config;
  const SweepOptions &options;
  const Layout &layout;
  const Grid &grid;
  const std::string &start;  // utc_now() at the start of the run
};

// "N ok, F failed, M not computed"
std::string counts(const SweepResults &results) {
  return std::to_string(results.computed - results.failed) + " ok, " + std::to_string(results.failed) + " failed, " +
         std::to_string(results.size() - results.computed) + " not computed";
}

// The output file at the first stop, on the StopWatcher's thread, while the master may still be
// solving a point: written from the journal, which holds every point finished so far (all but the
// master's own last fraction of a second at most), so that a SIGKILL soon after (mpirun's, a
// second after it passes SIGTERM on) loses only the points in flight. The run goes on finishing
// those and, unless it is killed first, writes the file again with them. Touches nothing the main
// thread changes, except through the journal file and Master::compute_seconds (atomic).
void write_at_stop(int signal, const WriteContext &w, const Prepared &prepared, const Master &master,
                   const Progress &progress) {
  const double t0 = RankHooks::steady_seconds();
  SweepResults done(w.grid);
  if (const auto contents = read_journal(prepared.prep.journal->path()))
    for (const auto &frame : contents->frames) store_records(done, frame);
  auto data = sweep_dataset(w.config, w.grid, done,
                            provenance(w.config, w.options, w.layout.size, w.start, progress.elapsed(),
                                       master.compute_seconds(), prepared.prep.from_journal));
  write_sweep_netcdf(w.config.output.path, data);
  std::string where = w.config.output.path;
  if (w.config.output.csv) {
    write_sweep_csv(csv_path(w.config.output.path), w.grid, done);
    where += " and " + csv_path(w.config.output.path);
  }
  // Not through Progress, which the main thread owns: one fprintf, so the line stays whole.
  char took[32];
  std::snprintf(took, sizeof took, "%.2f s", RankHooks::steady_seconds() - t0);
  const std::string text = signal_name(signal) + ": wrote " + where + " in " + took + " with the points done so far (" +
                           counts(done) +
                           "); the points in flight go on and the file is written again once they are done (if the "
                           "run is killed before, only they are lost: run the same command again to compute them)";
  std::fprintf(stderr, "%snessmap: %s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", text.c_str());
  std::fflush(stderr);
}

// The master's part: hands out the pending tasks and computes points until all are done or a
// stop signal came; then releases its group and syncs the journal. On the first stop it writes
// the output file at once (write_at_stop), without --slab. Throws what Master::run throws.
Scheduled schedule_on_master(MPI_Comm world, const WriteContext &w, GroupEvaluator &group, Prepared &prepared,
                             Progress &progress) {
  MpiMessenger messenger(world);
  StopWatcher *watcher = nullptr;  // set below; the master's stopping hook passes a worker's stop on
  RankHooks hooks = hooks_for(group);
  hooks.stopping = [&watcher](int signal) {
    if (watcher) watcher->stop(signal);
  };
  Master master(messenger, w.grid, prepared.results, *prepared.prep.journal, progress, std::move(hooks),
                std::move(prepared.prep.pending), w.layout.workers());
  // Declared after the master, so destroyed (its thread joined) before it.
  std::optional<StopWatcher> at_stop;
  if (w.options.slabs == 1) {
    at_stop.emplace([&](int signal) { write_at_stop(signal, w, prepared, master, progress); });
    watcher = &*at_stop;
  }
  const int stopped_by = master.run();
  if (at_stop) at_stop->finish();  // before the write phase writes the same files
  group.release();
  prepared.prep.journal->sync();
  return {stopped_by, master.compute_seconds()};
}

// Every other rank's part: a group leader asks the master for chunks and computes them with its
// group; the group's other ranks follow their leader.
void schedule_elsewhere(MPI_Comm world, const Layout &layout, GroupEvaluator &group) {
  if (!layout.leader()) {
    group.follow();
    return;
  }
  MpiMessenger messenger(world);
  Worker(messenger, hooks_for(group)).run();
  group.release();
}

// ---- phase 3: write ------------------------------------------------------------------------------

// The master's last line, the netCDF and CSV files (or a slab's note), and the final messages;
// the exit status. Throws what writing the files throws.
int write_sweep(const SweepConfig &config, const SweepOptions &options, const Layout &layout, const Grid &grid,
                const Prepared &prepared, const Scheduled &scheduled, std::int64_t scope, Progress &progress,
                const std::string &start) {
  const SweepResults &results = prepared.results;
  const double wall = progress.elapsed();
  const double compute = scheduled.compute_seconds;
  const std::int64_t done_here = results.computed - prepared.prep.from_journal;
  // The share of the groups' wall time spent evaluating points: what scheduling, messages and
  // journaling leave for the physics.
  const double efficiency = wall > 0 ? compute / (layout.groups() * wall) : 0.0;
  char rate[200];
  std::snprintf(rate, sizeof rate,
                "%lld points computed by this run in %s (%.4g points/s on %d rank%s, %.0f%% of the time computing points)",
                static_cast<long long>(done_here), format_duration(wall).c_str(),
                wall > 0 ? static_cast<double>(done_here) / wall : 0.0, layout.size, layout.size == 1 ? "" : "s",
                100 * efficiency);
  progress.finish(results.computed, results.failed, rate);
  if (options.slabs > 1) {
    progress.message("slab " + std::to_string(options.slab) + "/" + std::to_string(options.slabs) + ": its points are in " +
                     prepared.prep.journal->path() + "; once every slab is done, run without --slab to write " +
                     config.output.path);
  } else {
    auto data = sweep_dataset(config, grid, results,
                              provenance(config, options, layout.size, start, wall, compute, prepared.prep.from_journal));
    write_sweep_netcdf(config.output.path, data);
    std::string where = config.output.path;
    if (config.output.csv) {
      write_sweep_csv(csv_path(config.output.path), grid, results);
      where += " and " + csv_path(config.output.path);
    }
    progress.message("wrote " + where + " (" + counts(results) + ")");
  }
  if (scheduled.stopped_by == 0) return sweep_complete;
  progress.message("interrupted by " + signal_name(scheduled.stopped_by) + ": " + std::to_string(results.computed) +
                   " of " + std::to_string(scope) +
                   " points are done and journaled; run the same command again to compute the rest");
  return sweep_interrupted;
}

} // namespace

int run_sweep(MPI_Comm world, const SweepConfig &config, const SweepOptions &options) {
  Layout layout;
  MPI_Comm_rank(world, &layout.rank);
  MPI_Comm_size(world, &layout.size);
  layout.ranks_per_point = config.ranks_per_point;
  if (layout.size % layout.ranks_per_point != 0) {
    if (layout.master())
      std::fprintf(stderr, "nessmap: sweep.ranks_per_point = %d does not divide the %d MPI ranks; use a multiple of %d ranks\n",
                   layout.ranks_per_point, layout.size, layout.ranks_per_point);
    return sweep_bad_input;
  }
  const GroupComm group_comm(world, layout);
  const Grid grid(config);
  SolverConfig solver = config.base.solver;
  solver.progress_seconds = options.quiet ? 0.0 : std::max(options.progress_interval, 1.0);
  GroupEvaluator group(group_comm.comm, grid, solver);
  const std::string start = utc_now();
  const StopSignals signals;

  std::unique_ptr<Prepared> prepared;
  int status = prepare_sweep(world, layout, config, options, grid, prepared);
  if (status != sweep_complete) return status;

  if (!layout.master()) {
    schedule_elsewhere(world, layout, group);
  } else {
    // The scope of this run is the whole grid, or its slab; a slab journal holds only its slab.
    const std::int64_t scope = slab_end(grid.size(), options) - slab_begin(grid.size(), options);
    double scope_work = 0;
    for (std::int64_t t = slab_begin(grid.size(), options); t < slab_end(grid.size(), options); ++t)
      scope_work += grid.work(grid.task_index(t));
    Progress progress(scope, prepared->results.computed, options.quiet, options.progress_interval, scope_work,
                      prepared->results.work_done);
    for (const auto &note : prepared->prep.notes) progress.message(note);
    try {
      const WriteContext context{config, options, layout, grid, start};
      const Scheduled scheduled = schedule_on_master(world, context, group, *prepared, progress);
      status = write_sweep(config, options, layout, grid, *prepared, scheduled, scope, progress, start);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "nessmap: error: %s (the points done so far are in %s)\n", e.what(),
                   prepared->prep.journal->path().c_str());
      // Workers may be waiting for work that will not come.
      if (layout.size > 1) MPI_Abort(world, sweep_error);
      status = sweep_error;
    }
  }
  patient_bcast(&status, 1, MPI_INT, 0, world);
  return status;
}

} // namespace nessmap
