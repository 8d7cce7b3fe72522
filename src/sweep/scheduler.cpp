#include "sweep/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string_view>

#include "sweep/signals.hpp"

namespace nessmap {

namespace {

// The record of a point whose evaluation threw.
PointRecord evaluate_guarded(const PointEvaluation &evaluate, std::int64_t index) {
  try {
    return evaluate(index);
  } catch (const std::exception &e) {
    PointResult result;
    result.failure = Failure::error;
    result.reason = failure_text(Failure::error, e.what());
    return make_record(index, result);
  }
}

} // namespace

double RankHooks::steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- the chunking policy -------------------------------------------------------------------------

std::size_t next_chunk_length(const Grid &grid, std::span<const std::int64_t> left, int groups,
                              const PointTiming &timing) {
  if (left.empty()) return 0;
  const double remaining = static_cast<double>(left.size());
  const double share = std::ceil(remaining / (static_cast<double>(chunk_share_divisor) * groups));
  const double per_point = timing.points > 0 ? timing.seconds / static_cast<double>(timing.points) : 0.0;
  const double by_time = per_point > 0 ? std::floor(target_chunk_seconds / per_point) : 1.0;
  const auto n = static_cast<std::size_t>(
      std::max(1.0, std::min({share, by_time, static_cast<double>(max_chunk_points)})));
  const int family = grid.family_of_task(left.front());
  std::size_t length = 0;
  while (length < n && length < left.size() && grid.family_of_task(left[length]) == family) ++length;
  return length;
}

// ---- master --------------------------------------------------------------------------------------

Master::Master(Messenger &messenger, const Grid &grid, SweepResults &results, JournalWriter &journal,
               Progress &progress, RankHooks hooks, std::vector<std::int64_t> pending, std::vector<int> workers)
    : messenger_(messenger), grid_(grid), results_(results), journal_(journal), progress_(progress),
      hooks_(std::move(hooks)), pending_(std::move(pending)), groups_(static_cast<int>(workers.size()) + 1) {
  for (int rank : workers) {
    workers_.emplace_back();
    workers_.back().rank = rank;
  }
  // With many groups the master is busier answering than computing.
  computes_ = groups_ <= 8;
  own_flushed_ = hooks_.clock();
}

int Master::run() {
  Nap nap;
  for (;;) {
    const Step s = step();
    if (s == Step::finished) return stopped_by_;
    if (s == Step::worked) nap.reset();
    else nap();
  }
}

Step Master::step() {
  if (finished_) return Step::finished;
  bool worked = serve();
  if (!stopping_)
    if (const int signal = hooks_.stop_requested()) begin_stop(signal);
  answer_requests();
  // Not before every worker has asked for its first chunks: a worker whose request arrives just
  // after the master started a point would wait through it (at N = 4, a solver set-up and a point).
  const bool workers_started = std::all_of(workers_.begin(), workers_.end(), [](const auto &w) { return w.hello; });
  if (computes_ && !stopping_ && cursor_ < pending_.size() && workers_started) {
    compute_one();
    worked = true;
  }
  progress_.update(results_.computed, results_.failed, results_.work_done);
  const bool all_handed_out = stopping_ || cursor_ >= pending_.size();
  messenger_.progress();
  if (all_handed_out && std::all_of(workers_.begin(), workers_.end(), [](const auto &w) { return w.finished(); })) {
    messenger_.flush();
    flush_own();
    finished_ = true;
    return Step::finished;
  }
  if (stopping_) flush_own();
  return worked ? Step::worked : Step::idle;
}

void Master::begin_stop(int signal) {
  stopping_ = true;
  stopped_by_ = signal;
  progress_.message("received " + signal_name(signal) +
                    ": finishing the points in flight, then writing what is done (run again to resume)");
  hooks_.stopping(signal);
}

// Receives every report that has arrived; true when there was one.
bool Master::serve() {
  bool any = false;
  while (auto message = messenger_.poll(Tag::report)) {
    WorkerState &w = worker(message->source);
    ReportHeader h;
    if (message->bytes.size() < sizeof h)
      throw std::logic_error("a report of " + std::to_string(message->bytes.size()) + " bytes from rank " +
                             std::to_string(message->source));
    std::memcpy(&h, message->bytes.data(), sizeof h);
    w.hello = true;
    w.requests += static_cast<int>(h.requests);
    if (h.reports && !w.out.empty()) w.out.pop_front();
    const std::string_view records = std::string_view(message->bytes).substr(sizeof h);
    if (h.points > 0) {
      store_records(results_, records);
      journal_.append(records);
      add_timing(h.points, h.seconds);
    }
    if (h.stopping) {
      w.stopped = true;
      if (!stopping_) begin_stop(static_cast<int>(h.stopping));
    }
    any = true;
  }
  return any;
}

void Master::answer_requests() {
  for (auto &w : workers_) {
    while (w.requests > 0) {
      std::vector<std::int64_t> chunk;
      if (!stopping_) {
        const std::size_t n = next_chunk_length(grid_, std::span(pending_).subspan(cursor_), groups_, timing_);
        if (n > 0 && keep_for_master(w, n)) break;  // asked again at the next step
        chunk = take(n);
      }
      // Never waiting for the worker to receive it: a chunk of more than a few hundred points
      // goes by rendezvous, which would hold the master until the worker gets round to it.
      messenger_.send(w.rank, Tag::work,
                      std::string(reinterpret_cast<const char *>(chunk.data()), chunk.size() * sizeof(std::int64_t)));
      --w.requests;
      if (chunk.empty()) w.told_empty = true;
      else w.out.push_back({hooks_.clock(), static_cast<std::int64_t>(chunk.size())});
    }
  }
}

// The end of a sweep (earliest finish time): true when the master, computing on its own at the
// mean time per point, would finish every task not handed out yet no later than worker `w` would
// finish a chunk of `n` of them after what it still holds. What it holds is reckoned from when
// its oldest chunk was sent, which can only make the worker seem less busy: in doubt the chunk
// goes out. Never while the worker holds nothing (it would wait for the master's next step), nor
// when the master does not compute or nothing is timed yet.
bool Master::keep_for_master(const WorkerState &w, std::size_t n) const {
  if (!computes_ || w.out.empty() || timing_.points == 0) return false;
  const double per_point = timing_.seconds / static_cast<double>(timing_.points);
  std::int64_t held = 0;
  for (const auto &c : w.out) held += c.points;
  const double busy_for = std::max(0.0, static_cast<double>(held) * per_point - (hooks_.clock() - w.out.front().when));
  const double left = static_cast<double>(pending_.size() - cursor_);
  return left * per_point <= busy_for + static_cast<double>(n) * per_point;
}

void Master::compute_one() {
  const auto chunk = take(1);
  const double t0 = hooks_.clock();
  const PointRecord r = evaluate_guarded(hooks_.evaluate, chunk.front());
  const double seconds = hooks_.clock() - t0;
  append_record(own_records_, r);
  results_.store(r);
  add_timing(1, seconds);
  // The master's own points go to the journal in small batches: a write per point would cost
  // more than an N = 2 point takes. At most `own_flush_seconds` of its work is ever unwritten.
  if (hooks_.clock() - own_flushed_ > own_flush_seconds) flush_own();
}

void Master::add_timing(std::int64_t points, double seconds) {
  timing_.points += points;
  timing_.seconds += seconds;
  compute_seconds_.store(timing_.seconds, std::memory_order_relaxed);
}

void Master::flush_own() {
  if (!own_records_.empty()) journal_.append(own_records_);
  own_records_.clear();
  own_flushed_ = hooks_.clock();
}

// The grid indices of the next `n` tasks (fewer at the end).
std::vector<std::int64_t> Master::take(std::size_t n) {
  n = std::min(n, pending_.size() - cursor_);
  std::vector<std::int64_t> chunk(n);
  for (auto &index : chunk) index = grid_.task_index(pending_[cursor_++]);
  return chunk;
}

Master::WorkerState &Master::worker(int rank) {
  for (auto &w : workers_)
    if (w.rank == rank) return w;
  throw std::logic_error("report from rank " + std::to_string(rank) + ", which is not a group leader");
}

// ---- worker --------------------------------------------------------------------------------------

Worker::Worker(Messenger &messenger, RankHooks hooks, int master)
    : messenger_(messenger), hooks_(std::move(hooks)), master_(master) {}

void Worker::run() {
  Nap nap;
  for (;;) {
    const Step s = step();
    if (s == Step::finished) return;
    if (s == Step::worked) nap.reset();
    else nap();
  }
}

Step Worker::step() {
  if (finished_) return Step::finished;
  if (!started_) {
    ReportHeader hello;
    hello.requests = 2;
    report(hello, {});
    outstanding_ = 2;
    started_ = true;
    return Step::worked;
  }
  auto message = messenger_.poll(Tag::work, master_);
  if (!message) {
    messenger_.progress();
    return Step::idle;
  }
  std::vector<std::int64_t> chunk(message->bytes.size() / sizeof(std::int64_t));
  if (!chunk.empty()) std::memcpy(chunk.data(), message->bytes.data(), chunk.size() * sizeof(std::int64_t));
  --outstanding_;
  if (chunk.empty()) {
    if (outstanding_ == 0) finish();
    return Step::worked;
  }
  std::string records;
  ReportHeader h;
  h.reports = 1;
  const double t0 = hooks_.clock();
  for (std::int64_t index : chunk) {
    if (stopping_ == 0) stopping_ = hooks_.stop_requested();
    if (stopping_ != 0) break;
    append_record(records, evaluate_guarded(hooks_.evaluate, index));
    ++h.points;
    messenger_.progress();
  }
  h.seconds = hooks_.clock() - t0;
  h.stopping = static_cast<std::uint32_t>(stopping_);
  h.requests = stopping_ != 0 ? 0 : 1;
  outstanding_ += static_cast<int>(h.requests);
  points_ += h.points;
  report(h, records);
  if (outstanding_ == 0) finish();
  return Step::worked;
}

void Worker::report(const ReportHeader &h, const std::string &records) {
  std::string bytes(reinterpret_cast<const char *>(&h), sizeof h);
  bytes += records;
  messenger_.send(master_, Tag::report, std::move(bytes));
}

void Worker::finish() {
  messenger_.flush();
  finished_ = true;
}

} // namespace nessmap
