#pragma once
// The sweep's self-scheduling. The master (rank 0) hands out chunks of tasks to the group
// leaders on request, computes points itself between requests (with at most 8 groups, and only
// once every worker has asked for its first chunks, so that none waits through the master's first
// point), stores every record in the results and the journal, and ends the run once every worker
// has been released. A worker asks for two chunks at first, then for one more with each report, so
// that it never waits while the master is busy; it stops asking when its rank caught a stop
// signal. At the end of a sweep the master leaves a request of a busy worker unanswered while it
// could itself compute all that is left before the worker would finish the chunk (see
// keep_for_master), so that the last points go to whoever finishes them first.
//
// The protocol: Tag::report (leader -> master) carries a ReportHeader followed by its `points`
// records (append_record); Tag::work (master -> leader) the chunk's grid indices as int64, none
// when there is no more work.
//
// Both sides are written against a Messenger (MPI, or in-process queues in the tests) and call
// out to RankHooks for the points, the stop request and the clock; nothing here calls MPI or
// PETSc itself, and nothing is collective.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "format/journal.hpp"
#include "point/record.hpp"
#include "sweep/grid.hpp"
#include "sweep/messenger.hpp"
#include "sweep/progress.hpp"
#include "sweep/results.hpp"

namespace nessmap {

// The record of the grid point `index`.
using PointEvaluation = std::function<PointRecord(std::int64_t index)>;

// What a rank of the scheduler calls out to; copied into the Master or Worker.
struct RankHooks {
  // A std::exception it throws becomes a failed record whose reason is "error: " + what().
  PointEvaluation evaluate;
  // The signal asking this rank to stop (sweep/signals.hpp), or 0; read before each point.
  std::function<int()> stop_requested = [] { return 0; };
  // Seconds on a steady clock: points are timed with it.
  std::function<double()> clock = steady_seconds;
  // The master's alone: called once, with the signal, when it begins to stop (a signal it caught,
  // or one a worker reported), before it waits for the points in flight.
  std::function<void(int signal)> stopping = [](int) {};

  static double steady_seconds();
};

// The head of a report, copied as bytes (ranks of one machine family).
struct ReportHeader {
  std::uint32_t requests = 0;  // chunks asked for
  std::uint32_t reports = 0;   // 1 when the message carries the results of a chunk
  std::uint32_t stopping = 0;  // the stop signal the sender caught, or 0
  std::uint32_t points = 0;    // records that follow
  double seconds = 0;          // time spent computing them
};

// ---- the chunking policy -------------------------------------------------------------------------

// Points evaluated so far and the seconds they took, added up over the groups.
struct PointTiming {
  std::int64_t points = 0;
  double seconds = 0;
};

inline constexpr double target_chunk_seconds = 0.25;
inline constexpr int chunk_share_divisor = 4;
inline constexpr std::size_t max_chunk_points = 100000;

// How many of the tasks not handed out yet (`left`, in task order) go into the next chunk, by
// guided self-scheduling: ceil(left.size() / (chunk_share_divisor * groups)), a share that
// shrinks with what is left, so that the last chunks are single points and the groups finish
// together; but no more than target_chunk_seconds of work at the mean time per point so far (one
// point while nothing is timed, and single points throughout once a point takes longer than
// that), at most max_chunk_points, at least one; and never past the family of left[0] (the next
// family's solver set-up differs). 0 when `left` is empty.
std::size_t next_chunk_length(const Grid &grid, std::span<const std::int64_t> left, int groups,
                              const PointTiming &timing);

// ---- the two sides -------------------------------------------------------------------------------

enum class Step {
  worked,    // something happened: step again at once
  idle,      // nothing to do until a message arrives: wait a little
  finished,  // the run is over for this rank
};

class Master {
public:
  // `pending`: the tasks to compute (Grid task order); `workers`: the ranks of the other group
  // leaders. Kept by reference, and used until the Master is destroyed: messenger, grid, results,
  // journal, progress.
  Master(Messenger &messenger, const Grid &grid, SweepResults &results, JournalWriter &journal, Progress &progress,
         RankHooks hooks, std::vector<std::int64_t> pending, std::vector<int> workers);

  // Steps, napping when idle, until the run is over: every task computed or a stop requested,
  // and every worker answered, reported and released. Returns the stop signal, or 0. Every
  // record received or computed is in the results and appended to the journal by then. Throws
  // JournalError (a failed write) and std::logic_error (a report from a rank not a worker).
  int run();
  // One round: receive the reports that have arrived, answer requests, compute one point of the
  // master's own. Never waits. Throws as run().
  Step step();

  int stopped_by() const { return stopped_by_; }
  // Seconds the groups spent evaluating this run's points, added up over the groups. May be read
  // from another thread while the master runs.
  double compute_seconds() const { return compute_seconds_.load(std::memory_order_relaxed); }

private:
  struct Sent {
    double when = 0;          // hooks_.clock() when the chunk was sent
    std::int64_t points = 0;
  };
  struct WorkerState {
    int rank = 0;
    bool hello = false;       // its first message has arrived
    int requests = 0;         // asked for, not yet answered
    std::deque<Sent> out;     // chunks sent, results not yet received, oldest first
    bool told_empty = false;  // answered with an empty chunk at least once
    bool stopped = false;     // reported that it is stopping: it asks for nothing more
    // Nothing of its is in flight: it has exited or will once it reads the empty answers sent.
    bool finished() const { return hello && (told_empty || stopped) && requests == 0 && out.empty(); }
  };

  void begin_stop(int signal);
  bool serve();
  void answer_requests();
  bool keep_for_master(const WorkerState &w, std::size_t n) const;
  void compute_one();
  void add_timing(std::int64_t points, double seconds);
  void flush_own();
  std::vector<std::int64_t> take(std::size_t n);
  WorkerState &worker(int rank);

  static constexpr double own_flush_seconds = 0.2;
  Messenger &messenger_;
  const Grid &grid_;
  SweepResults &results_;
  JournalWriter &journal_;
  Progress &progress_;
  RankHooks hooks_;
  std::vector<std::int64_t> pending_;  // tasks to compute, in task order
  std::size_t cursor_ = 0;             // pending_[cursor_..] are not handed out yet
  int groups_;
  std::vector<WorkerState> workers_;
  bool computes_ = true, stopping_ = false, finished_ = false;
  int stopped_by_ = 0;
  PointTiming timing_;
  std::atomic<double> compute_seconds_{0.0};  // timing_.seconds, for other threads
  std::string own_records_;            // the master's own records not yet journaled
  double own_flushed_ = 0;             // hooks_.clock() when they were last journaled
};

// A group leader other than the master.
class Worker {
public:
  // Kept by reference: messenger.
  Worker(Messenger &messenger, RankHooks hooks, int master = 0);

  // Steps, napping when idle, until released: every chunk asked for has been answered, and the
  // last answer was empty or a stop was requested. The group's other ranks are not its concern.
  void run();
  // One round: the first sends the requests; later ones compute and report a chunk if one has
  // arrived. Never waits, except for the points of a chunk.
  Step step();

  // Points this worker computed.
  std::int64_t points() const { return points_; }

private:
  void report(const ReportHeader &h, const std::string &records);
  void finish();

  Messenger &messenger_;
  RankHooks hooks_;
  int master_;
  bool started_ = false, finished_ = false;
  int outstanding_ = 0;   // chunks asked for, not yet received
  int stopping_ = 0;      // the stop signal seen, or 0
  std::int64_t points_ = 0;
};

} // namespace nessmap
