#include "sweep/sweep.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "format/journal.hpp"
#include "point/point.hpp"
#include "point/point_config.hpp"
#include "point/record.hpp"
#include "sweep/grid.hpp"
#include "sweep/prepare.hpp"
#include "sweep/progress.hpp"
#include "sweep/provenance.hpp"
#include "sweep/results.hpp"
#include "sweep/signals.hpp"
#include "sweep/sweep_output.hpp"

namespace nessmap {

namespace {

// ---- messages ------------------------------------------------------------------------------------

constexpr int tag_report = 101;  // group leader -> master: results of a chunk and/or requests
constexpr int tag_work = 102;    // master -> group leader: a chunk of grid indices (empty: none)

struct ReportHeader {
  std::uint32_t requests = 0;  // chunks asked for
  std::uint32_t reports = 0;   // 1 when the message carries the results of a chunk
  std::uint32_t stopping = 0;  // the stop signal the sender caught, or 0
  std::uint32_t points = 0;    // records that follow
  double seconds = 0;          // time spent computing them
};

// Waiting without spinning a core: probe, then sleep a little longer each time (50 us to 5 ms),
// so an idle rank costs almost nothing and a busy one is answered within milliseconds.
class Nap {
public:
  void operator()() {
    std::this_thread::sleep_for(std::chrono::microseconds(micros_));
    micros_ = std::min(micros_ * 2, 5000);
  }
  void reset() { micros_ = 50; }

private:
  int micros_ = 50;
};

// A broadcast for ranks that may wait long (a group member while its leader talks to the master,
// a worker while the master writes the file): Open MPI's blocking collectives spin a core.
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

bool probe(MPI_Comm comm, int source, int tag, MPI_Status &status) {
  int flag = 0;
  MPI_Iprobe(source, tag, comm, &flag, &status);
  return flag != 0;
}

// Sends that complete in the background; MPI is given a chance to progress them between points.
class PendingSends {
public:
  void send(MPI_Comm comm, int dest, int tag, std::string bytes) {
    items_.push_back({std::move(bytes), MPI_REQUEST_NULL});
    auto &item = items_.back();
    MPI_Isend(item.bytes.data(), static_cast<int>(item.bytes.size()), MPI_BYTE, dest, tag, comm, &item.request);
  }
  void progress() {
    while (!items_.empty()) {
      int done = 0;
      MPI_Test(&items_.front().request, &done, MPI_STATUS_IGNORE);
      if (!done) return;
      items_.pop_front();
    }
  }
  void wait_all() {
    for (auto &item : items_) MPI_Wait(&item.request, MPI_STATUS_IGNORE);
    items_.clear();
  }

private:
  struct Item {
    std::string bytes;
    MPI_Request request;
  };
  std::deque<Item> items_;
};

// ---- one group's evaluation of points ------------------------------------------------------------

// The group leader broadcasts each grid index to the group's other ranks, which follow; -1 ends.
class GroupEvaluator {
public:
  GroupEvaluator(MPI_Comm group, const Grid &grid, SolverConfig solver)
      : group_(group), grid_(grid), solver_(solver), evaluator_(std::make_unique<PointEvaluator>(group, solver)) {
    MPI_Comm_size(group, &size_);
  }

  PointRecord evaluate(std::int64_t index) {
    if (size_ > 1) patient_bcast(&index, 1, MPI_INT64_T, 0, group_);
    return evaluate_here(index);
  }

  void release() {
    std::int64_t end = -1;
    if (size_ > 1) patient_bcast(&end, 1, MPI_INT64_T, 0, group_);
  }

  void follow() {
    for (;;) {
      std::int64_t index = -1;
      patient_bcast(&index, 1, MPI_INT64_T, 0, group_);
      if (index < 0) return;
      evaluate_here(index);
    }
  }

private:
  PointRecord evaluate_here(std::int64_t index) {
    PointResult result;
    try {
      result = evaluator_->evaluate(grid_.parameters(index));
    } catch (const std::exception &e) {
      // A solver that threw may be in any state: the next point starts from a fresh one.
      result = PointResult{};
      result.reason = std::string("error: ") + e.what();
      evaluator_ = std::make_unique<PointEvaluator>(group_, solver_);
    }
    return make_record(index, result);
  }

  MPI_Comm group_;
  const Grid &grid_;
  SolverConfig solver_;
  std::unique_ptr<PointEvaluator> evaluator_;
  int size_ = 1;
};

struct WorkerState {
  int rank = 0;
  bool hello = false;      // its first message has arrived
  int requests = 0;        // asked for, not yet answered
  int chunks_out = 0;      // chunks sent, results not yet received
  bool told_empty = false; // answered with an empty chunk at least once
  bool stopped = false;    // reported that it is stopping: it asks for nothing more
  // Nothing of its is in flight: it has exited or will once it reads the empty answers sent.
  bool finished() const { return hello && (told_empty || stopped) && requests == 0 && chunks_out == 0; }
};

class Master {
public:
  Master(MPI_Comm world, const Grid &grid, SweepResults &results, JournalWriter &journal, Progress &progress,
         GroupEvaluator &group, std::vector<std::int64_t> pending, int groups, int ranks_per_point)
      : world_(world), grid_(grid), results_(results), journal_(journal), progress_(progress), group_(group),
        pending_(std::move(pending)), groups_(groups) {
    for (int g = 1; g < groups; ++g) workers_.push_back({g * ranks_per_point});
    // With many groups the master is busier answering than computing.
    computes_ = groups <= 8;
  }

  // Returns the signal that stopped the run, or 0.
  int run() {
    Nap nap;
    for (;;) {
      bool worked = serve();
      if (!stopping_ && stop_signal_caught() != 0) begin_stop(stop_signal_caught());
      answer_requests();
      if (computes_ && !stopping_ && cursor_ < pending_.size()) {
        compute_one();
        worked = true;
      }
      progress_.update(results_.computed, results_.failed);
      const bool all_handed_out = stopping_ || cursor_ >= pending_.size();
      sends_.progress();
      if (all_handed_out && std::all_of(workers_.begin(), workers_.end(), [](const auto &w) { return w.finished(); }))
        break;
      if (stopping_) flush_own();
      if (worked) nap.reset();
      else nap();
    }
    sends_.wait_all();
    return stopped_by_;
  }

private:
  void begin_stop(int signal) {
    stopping_ = true;
    stopped_by_ = signal;
    progress_.message("received " + signal_name(signal) +
                      ": finishing the points in flight, then writing what is done (run again to resume)");
  }

  // Receives every report that has arrived; true when there was one.
  bool serve() {
    bool any = false;
    MPI_Status st;
    while (probe(world_, MPI_ANY_SOURCE, tag_report, st)) {
      int bytes = 0;
      MPI_Get_count(&st, MPI_BYTE, &bytes);
      std::string buffer(static_cast<std::size_t>(bytes), '\0');
      MPI_Recv(buffer.data(), bytes, MPI_BYTE, st.MPI_SOURCE, tag_report, world_, MPI_STATUS_IGNORE);
      WorkerState &w = worker(st.MPI_SOURCE);
      ReportHeader h;
      std::memcpy(&h, buffer.data(), sizeof h);
      w.hello = true;
      w.requests += static_cast<int>(h.requests);
      if (h.reports) --w.chunks_out;
      const std::string_view records = std::string_view(buffer).substr(sizeof h);
      if (h.points > 0) {
        store_records(results_, records);
        journal_.append(records);
        account(h.points, h.seconds);
      }
      if (h.stopping) {
        w.stopped = true;
        if (!stopping_) begin_stop(static_cast<int>(h.stopping));
      }
      any = true;
    }
    return any;
  }

  void answer_requests() {
    for (auto &w : workers_) {
      while (w.requests > 0) {
        const std::vector<std::int64_t> chunk = stopping_ ? std::vector<std::int64_t>{} : take(chunk_size());
        // Non-blocking: a chunk of more than a few hundred points goes by rendezvous, which would
        // hold the master until the worker gets round to receiving it (after its current chunk).
        sends_.send(world_, w.rank, tag_work,
                    std::string(reinterpret_cast<const char *>(chunk.data()), chunk.size() * sizeof(std::int64_t)));
        --w.requests;
        if (chunk.empty()) w.told_empty = true;
        else ++w.chunks_out;
      }
    }
  }

  void compute_one() {
    const auto chunk = take(1);
    const auto t0 = std::chrono::steady_clock::now();
    const PointRecord r = group_.evaluate(chunk.front());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    append_record(own_records_, r);
    results_.store(r);
    account(1, seconds);
    // The master's own points go to the journal in small batches: a write per point would cost
    // more than an N = 2 point takes. At most `own_flush_seconds` of its work is ever unwritten.
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - own_flushed_).count() > own_flush_seconds)
      flush_own();
  }

public:
  // Seconds the groups spent evaluating this run's points, added up over the groups.
  double compute_seconds() const { return seconds_; }

  void flush_own() {
    if (!own_records_.empty()) journal_.append(own_records_);
    own_records_.clear();
    own_flushed_ = std::chrono::steady_clock::now();
  }

private:

  // Points per chunk: about one second of work, and no more than a quarter of each group's share
  // of what is left, so that the last chunks are small and finish together.
  std::size_t chunk_size() const {
    const double remaining = static_cast<double>(pending_.size() - cursor_);
    const double share = std::ceil(remaining / (4.0 * groups_));
    const double per_point = points_timed_ > 0 ? seconds_ / static_cast<double>(points_timed_) : 0.0;
    const double by_time = per_point > 0 ? std::floor(target_chunk_seconds / per_point) : 1.0;
    return static_cast<std::size_t>(std::max(1.0, std::min({share, by_time, 1e5})));
  }

  // The next tasks in order, not crossing into another family (whose solver set-up differs).
  std::vector<std::int64_t> take(std::size_t n) {
    std::vector<std::int64_t> chunk;
    if (cursor_ >= pending_.size()) return chunk;
    const int family = grid_.family_of_task(pending_[cursor_]);
    while (chunk.size() < n && cursor_ < pending_.size() && grid_.family_of_task(pending_[cursor_]) == family)
      chunk.push_back(grid_.task_index(pending_[cursor_++]));
    return chunk;
  }

  void account(std::uint32_t points, double seconds) {
    points_timed_ += points;
    seconds_ += seconds;
  }

  WorkerState &worker(int rank) {
    for (auto &w : workers_)
      if (w.rank == rank) return w;
    throw std::logic_error("report from rank " + std::to_string(rank) + ", which is not a group leader");
  }

  static constexpr double target_chunk_seconds = 1.0, own_flush_seconds = 0.2;
  std::string own_records_;
  std::chrono::steady_clock::time_point own_flushed_ = std::chrono::steady_clock::now();
  MPI_Comm world_;
  const Grid &grid_;
  SweepResults &results_;
  JournalWriter &journal_;
  Progress &progress_;
  GroupEvaluator &group_;
  std::vector<std::int64_t> pending_;  // tasks to compute, in task order
  std::size_t cursor_ = 0;             // pending_[cursor_..] are not handed out yet
  int groups_;
  std::vector<WorkerState> workers_;
  PendingSends sends_;
  bool computes_ = true, stopping_ = false;
  int stopped_by_ = 0;
  std::int64_t points_timed_ = 0;
  double seconds_ = 0;
};

// A group leader other than the master: asks for chunks (one ahead, so that it never waits while
// the master is busy), computes them and reports.
void work(MPI_Comm world, GroupEvaluator &group) {
  PendingSends sends;
  const auto report = [&](ReportHeader h, const std::string &records) {
    std::string bytes(reinterpret_cast<const char *>(&h), sizeof h);
    bytes += records;
    sends.send(world, 0, tag_report, std::move(bytes));
  };
  ReportHeader hello;
  hello.requests = 2;
  report(hello, {});
  int outstanding = 2;
  bool stopping = false;
  Nap nap;
  for (;;) {
    MPI_Status st;
    while (!probe(world, 0, tag_work, st)) {
      sends.progress();
      nap();
    }
    nap.reset();
    int bytes = 0;
    MPI_Get_count(&st, MPI_BYTE, &bytes);
    std::vector<std::int64_t> chunk(static_cast<std::size_t>(bytes) / sizeof(std::int64_t));
    MPI_Recv(chunk.data(), bytes, MPI_BYTE, 0, tag_work, world, MPI_STATUS_IGNORE);
    --outstanding;
    if (chunk.empty()) {
      if (outstanding == 0) break;
      continue;
    }
    std::string records;
    ReportHeader h;
    h.reports = 1;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t index : chunk) {
      if (stop_signal_caught() != 0) stopping = true;
      if (stopping) break;
      append_record(records, group.evaluate(index));
      ++h.points;
      sends.progress();
    }
    h.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    h.stopping = stopping ? static_cast<std::uint32_t>(stop_signal_caught()) : 0;
    h.requests = stopping ? 0 : 1;
    outstanding += static_cast<int>(h.requests);
    report(h, records);
    if (outstanding == 0) break;
  }
  sends.wait_all();
}

} // namespace

int run_sweep(MPI_Comm world, const SweepConfig &config, const SweepOptions &options) {
  int rank = 0, size = 1;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  const int K = config.ranks_per_point;
  if (size % K != 0) {
    if (rank == 0)
      std::fprintf(stderr, "nessmap: sweep.ranks_per_point = %d does not divide the %d MPI ranks; use a multiple of %d ranks\n",
                   K, size, K);
    return sweep_bad_input;
  }
  const int groups = size / K;
  MPI_Comm group_comm;
  MPI_Comm_split(world, rank / K, rank % K, &group_comm);
  struct CommFree {
    MPI_Comm &c;
    ~CommFree() { MPI_Comm_free(&c); }
  } free_group{group_comm};

  const Grid grid(config);
  SolverConfig solver = config.base.solver;
  solver.progress_seconds = options.quiet ? 0.0 : std::max(options.progress_interval, 1.0);
  GroupEvaluator group(group_comm, grid, solver);
  const std::string start = utc_now();
  const StopSignals signals;

  // The master prepares; every rank learns whether to go on.
  std::unique_ptr<SweepResults> results;
  std::optional<Preparation> prep;
  std::string error;
  int status = sweep_complete;
  if (rank == 0) {
    try {
      results = std::make_unique<SweepResults>(grid);
      prep = prepare(config, options, grid, *results, sweep_identity(config, options.solver_options));
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
  if (status != sweep_complete) return status;

  if (rank % K != 0) {
    group.follow();
  } else if (rank != 0) {
    work(world, group);
    group.release();
  } else {
    // The scope of this run is the whole grid, or its slab; a slab journal holds only its slab.
    const std::int64_t scope = grid.size() * (options.slab + 1) / options.slabs - grid.size() * options.slab / options.slabs;
    Progress progress(scope, results->computed, options.quiet, options.progress_interval);
    for (const auto &note : prep->notes) progress.message(note);
    int stopped_by = 0;
    try {
      Master master(world, grid, *results, *prep->journal, progress, group, std::move(prep->pending), groups, K);
      stopped_by = master.run();
      master.flush_own();
      group.release();
      prep->journal->sync();
      const double wall = progress.elapsed();
      const double compute = master.compute_seconds();
      const std::int64_t done_here = results->computed - prep->from_journal;
      // The share of the groups' wall time spent evaluating points: what scheduling, messages and
      // journaling leave for the physics.
      const double efficiency = wall > 0 ? compute / (groups * wall) : 0.0;
      char rate[200];
      std::snprintf(rate, sizeof rate,
                    "%lld points computed by this run in %s (%.4g points/s on %d rank%s, %.0f%% of the time computing points)",
                    static_cast<long long>(done_here), format_duration(wall).c_str(),
                    wall > 0 ? static_cast<double>(done_here) / wall : 0.0, size, size == 1 ? "" : "s",
                    100 * efficiency);
      progress.finish(results->computed, results->failed, rate);
      if (options.slabs > 1) {
        progress.message("slab " + std::to_string(options.slab) + "/" + std::to_string(options.slabs) + ": its points are in " +
                         prep->journal->path() + "; once every slab is done, run without --slab to write " +
                         config.output.path);
      } else {
        auto data = sweep_dataset(config, grid, *results,
                                  provenance(config, options, size, start, wall, compute, prep->from_journal));
        write_sweep_netcdf(config.output.path, data);
        std::string where = config.output.path;
        if (config.output.csv) {
          write_sweep_csv(csv_path(config.output.path), grid, *results);
          where += " and " + csv_path(config.output.path);
        }
        progress.message("wrote " + where + " (" + std::to_string(results->computed - results->failed) + " ok, " +
                         std::to_string(results->failed) + " failed, " +
                         std::to_string(results->size() - results->computed) + " not computed)");
      }
      if (stopped_by != 0) {
        progress.message("interrupted by " + signal_name(stopped_by) + ": " + std::to_string(results->computed) + " of " +
                         std::to_string(scope) +
                         " points are done and journaled; run the same command again to compute the rest");
        status = sweep_interrupted;
      }
    } catch (const std::exception &e) {
      std::fprintf(stderr, "nessmap: error: %s (the points done so far are in %s)\n", e.what(),
                   prep->journal->path().c_str());
      // Workers may be waiting for work that will not come.
      if (size > 1) MPI_Abort(world, sweep_error);
      status = sweep_error;
    }
  }
  patient_bcast(&status, 1, MPI_INT, 0, world);
  return status;
}

} // namespace nessmap
