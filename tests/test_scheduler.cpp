// The sweep's scheduler without mpirun: the master and its workers are logical ranks of one
// process talking through InProcessNetwork, stepped round-robin (deterministic) or on threads.
// Points are fake: an evaluator that returns a record made from the index, advances its rank's
// fake clock by a fixed time, and can fail, throw or raise a stop request. Expected values follow
// from the documented rules (sweep/scheduler.hpp), not from a run.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "config/config.hpp"
#include "format/journal.hpp"
#include "point/record.hpp"
#include "sweep/grid.hpp"
#include "sweep/messenger.hpp"
#include "sweep/progress.hpp"
#include "sweep/results.hpp"
#include "sweep/scheduler.hpp"
#include "sweep/signals.hpp"
#include "sweep/stop_watcher.hpp"

using namespace nessmap;

namespace {

// A grid of `values` points per family and one family per bath (1 to 3).
SweepConfig fake_config(int values, int baths) {
  const std::string bath_list = baths == 1 ? "[common]" : baths == 2 ? "[common, cascaded]" : "[common, cascaded, independent]";
  const std::string text = testing::paper_system_yaml + R"(sweep:
  axes:
    omega_ratio: {start: 0.5, stop: 2.5, num: )" + std::to_string(values) + R"(}
    bath: )" + bath_list + R"(
output:
  path: unused.h5
)";
  return parse_sweep_config(text, "scheduler.yaml");
}

// The value a fake point stores in every field: tells which point a stored record came from.
double fake_value(std::int64_t index) { return 0.5 + static_cast<double>(index); }

PointRecord fake_record(std::int64_t index) {
  PointRecord r;
  r.index = index;
  r.status = RecordStatus::ok;
  r.regime = static_cast<std::int8_t>(index % 3);
  r.values.assign(point_fields().size(), fake_value(index));
  r.populations_h = {0.25, 0.5};
  r.populations_c = {0.125, 0.0625};
  return r;
}

// A directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "nessmap-scheduler-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Every record of a journal, in the order written.
std::vector<PointRecord> journal_records(const std::string &path) {
  const auto contents = read_journal(path);
  REQUIRE(contents);
  std::vector<PointRecord> records;
  for (std::string_view frame : contents->frames) {
    PointRecord r;
    while (!frame.empty() && read_record(frame, r)) records.push_back(r);
    REQUIRE(frame.empty());  // every frame is whole records
  }
  return records;
}

// One sweep over `ranks` logical ranks (rank 0 the master, the others workers) of a fake grid,
// with every task pending.
class FakeSweep {
public:
  FakeSweep(int ranks, int values, int baths)
      : config_(fake_config(values, baths)), grid(config_), results(grid), network(ranks),
        clocks_(static_cast<std::size_t>(ranks), 0.0), evaluated_by(static_cast<std::size_t>(ranks)),
        journal_path_((dir_.path / "fake.journal").string()),
        journal_(JournalWriter::create(journal_path_, "scheduler test")), progress_(grid.size(), 0, true, 5.0) {
    for (std::int64_t t = 0; t < grid.size(); ++t) pending_.push_back(t);
    for (int r = 1; r < ranks; ++r) worker_ranks_.push_back(r);
  }

  // What a fake point does besides returning its record; may throw, may raise `stop`. Called
  // with the rank and the index, under the lock (points on threads do not overlap here).
  std::function<PointRecord(int rank, std::int64_t index)> point = [](int, std::int64_t index) {
    return fake_record(index);
  };
  double point_seconds = 1.0 / 64;  // exact in binary, so the mean time per point is exact
  std::atomic<int> stop{0};         // the stop request every rank sees
  std::vector<int> stop_only_on;    // when not empty, only these ranks see `stop`

  RankHooks hooks(int rank) {
    RankHooks h;
    h.evaluate = [this, rank](std::int64_t index) {
      std::lock_guard lock(mutex_);
      ++evaluations[index];
      evaluated_by[static_cast<std::size_t>(rank)].push_back(index);
      clocks_[static_cast<std::size_t>(rank)] += point_seconds;
      finished.insert(index);  // a point that throws has finished too
      return point(rank, index);
    };
    h.stop_requested = [this, rank] {
      if (!stop_only_on.empty() && std::find(stop_only_on.begin(), stop_only_on.end(), rank) == stop_only_on.end())
        return 0;
      return stop.load();
    };
    h.clock = [this, rank] {
      std::lock_guard lock(mutex_);
      return clocks_[static_cast<std::size_t>(rank)];
    };
    h.stopping = [this, rank](int signal) {
      std::lock_guard lock(mutex_);
      stopping_calls.push_back({rank, signal});
    };
    return h;
  }

  void make_ranks() {
    master = std::make_unique<Master>(network.messenger(0), grid, results, journal_, progress_, hooks(0), pending_,
                                      worker_ranks_);
    for (int r : worker_ranks_) workers.push_back(std::make_unique<Worker>(network.messenger(r), hooks(r)));
  }

  // The master and the workers one step each in turn until every one has finished; the stop
  // signal the master returns.
  int run_stepped() {
    make_ranks();
    for (long round = 0; round < 200'000; ++round) {  // a few thousand are enough
      bool all_finished = master->step() == Step::finished;
      for (auto &w : workers) all_finished = (w->step() == Step::finished) && all_finished;
      if (all_finished) return master->stopped_by();
    }
    FAIL("the run did not end");
    return -1;
  }

  // Each worker on its own thread, the master on this one. A run that has not ended after a
  // minute aborts the test program (its threads cannot be stopped otherwise).
  int run_threaded() {
    make_ranks();
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock lock(m);
      if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return done; })) {
        std::fprintf(stderr, "the threaded scheduler run did not end within a minute\n");
        std::abort();
      }
    });
    std::vector<std::thread> threads;
    for (auto &w : workers) threads.emplace_back([&w] { w->run(); });
    const int stopped_by = master->run();
    for (auto &t : threads) t.join();
    {
      std::lock_guard lock(m);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
    return stopped_by;
  }

  std::vector<PointRecord> journaled() { return journal_records(journal_path_); }

  // The chunks the master sent to the workers, in the order sent (empty ones included).
  std::vector<std::vector<std::int64_t>> chunks() const {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto &m : network.sent())
      if (m.tag == Tag::work) out.push_back(decode(m.bytes));
    return out;
  }

  static std::vector<std::int64_t> decode(const std::string &bytes) {
    std::vector<std::int64_t> chunk(bytes.size() / sizeof(std::int64_t));
    std::memcpy(chunk.data(), bytes.data(), chunk.size() * sizeof(std::int64_t));
    return chunk;
  }

  // The task of each grid index.
  std::map<std::int64_t, std::int64_t> task_of() const {
    std::map<std::int64_t, std::int64_t> t;
    for (std::int64_t task = 0; task < grid.size(); ++task) t[grid.task_index(task)] = task;
    return t;
  }

private:
  SweepConfig config_;
  TempDir dir_;

public:
  Grid grid;
  SweepResults results;
  InProcessNetwork network;
  std::unique_ptr<Master> master;
  std::vector<std::unique_ptr<Worker>> workers;

private:
  std::mutex mutex_;
  std::vector<double> clocks_;

public:
  std::map<std::int64_t, int> evaluations;               // index -> times evaluated
  std::vector<std::vector<std::int64_t>> evaluated_by;   // per rank, in order
  std::set<std::int64_t> finished;                       // points whose evaluation returned or threw
  std::vector<std::pair<int, int>> stopping_calls;       // (rank, signal) of each stopping hook call

private:
  std::string journal_path_;
  JournalWriter journal_;
  Progress progress_;
  std::vector<std::int64_t> pending_;
  std::vector<int> worker_ranks_;
};

// Every grid point evaluated once, stored and journaled once, with its own values.
void check_all_once(FakeSweep &s) {
  const std::int64_t n = s.grid.size();
  REQUIRE(static_cast<std::int64_t>(s.evaluations.size()) == n);
  for (const auto &[index, times] : s.evaluations) {
    INFO("index " << index);
    CHECK(times == 1);
  }
  CHECK(s.results.computed == n);
  CHECK(s.results.failed == 0);
  for (std::int64_t i = 0; i < n; ++i) {
    INFO("index " << i);
    REQUIRE(s.results.status[i] == RecordStatus::ok);
    CHECK(s.results.values[0][i] == fake_value(i));
  }
  std::map<std::int64_t, int> in_journal;
  for (const auto &r : s.journaled()) {
    ++in_journal[r.index];
    CHECK(r.values[0] == fake_value(r.index));
  }
  CHECK(static_cast<std::int64_t>(in_journal.size()) == n);
  CHECK(std::all_of(in_journal.begin(), in_journal.end(), [](const auto &e) { return e.second == 1; }));
}

// The end of a run: nothing in flight, every request answered, every worker released (its last
// answer was empty, or it reported a stop after its last answer and asked for nothing more), and
// the master sends nothing more when stepped again.
void check_clean_end(FakeSweep &s) {
  CHECK(s.network.in_flight() == 0);
  for (auto &w : s.workers) CHECK(w->step() == Step::finished);
  const auto sent = s.network.sent();
  for (int r = 1; r < s.network.ranks(); ++r) {
    INFO("worker rank " << r);
    int answers = 0, requests = 0;
    std::optional<std::size_t> last_answer, last_report;
    ReportHeader last_header;
    for (std::size_t m = 0; m < sent.size(); ++m) {
      if (sent[m].tag == Tag::work && sent[m].dest == r) {
        last_answer = m;
        ++answers;
      }
      if (sent[m].tag == Tag::report && sent[m].source == r) {
        REQUIRE(sent[m].bytes.size() >= sizeof last_header);
        std::memcpy(&last_header, sent[m].bytes.data(), sizeof last_header);
        requests += static_cast<int>(last_header.requests);
        last_report = m;
      }
    }
    CHECK(answers == requests);
    REQUIRE(last_answer);
    REQUIRE(last_report);
    const bool told_empty = sent[*last_answer].bytes.empty();
    const bool stopped = last_header.stopping != 0 && last_header.requests == 0 && *last_report > *last_answer;
    CHECK((told_empty || stopped));
  }
  const auto before = sent.size();
  CHECK(s.master->step() == Step::finished);
  CHECK(s.network.sent().size() == before);
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

} // namespace

TEST_CASE("chunk policy: guided shares of what is left, a quarter second of work, within one family",
          "[scheduler][chunks]") {
  REQUIRE(target_chunk_seconds == 0.25);  // the expectations below are worked out by hand for these
  REQUIRE(chunk_share_divisor == 4);
  const Grid grid(fake_config(500, 2));  // two families of 500 tasks
  std::vector<std::int64_t> tasks;
  for (std::int64_t t = 0; t < grid.size(); ++t) tasks.push_back(t);
  const std::span<const std::int64_t> all(tasks);
  // Mean times per point exact in binary: 1/1024 s (by time 256 points), 1/256 s (64 points).
  const PointTiming untimed{}, fine{1024, 1.0}, medium{256, 1.0}, fast_points{1000, 1e-3 / 1000};

  // Nothing timed yet: one point.
  CHECK(next_chunk_length(grid, all, 1, untimed) == 1);
  // 1/1024 s a point: 256 points would be a quarter second, but the guided share of 1000 tasks,
  // ceil(1000 / (4 x groups)), is 250 on one group, 125 on two, 84 on three.
  CHECK(next_chunk_length(grid, all, 1, fine) == 250);
  CHECK(next_chunk_length(grid, all, 2, fine) == 125);
  CHECK(next_chunk_length(grid, all, 3, fine) == 84);
  // 1/256 s a point: the quarter second (64 points) binds before the share does.
  CHECK(next_chunk_length(grid, all, 1, medium) == 64);
  CHECK(next_chunk_length(grid, all, 2, medium) == 64);
  // Coarse points are handed out one at a time: 1/8 s a point gives 2, a quarter second or more 1.
  CHECK(next_chunk_length(grid, all, 1, {8, 1.0}) == 2);
  CHECK(next_chunk_length(grid, all, 1, {4, 1.0}) == 1);
  CHECK(next_chunk_length(grid, all, 2, {40, 0.27 * 40}) == 1);
  CHECK(next_chunk_length(grid, all, 1, {2, 6.0}) == 1);
  // 1 ns a point on 1 group: 250 million would be a quarter second, the share caps it at 250; on
  // a grid of one family of 500000 (a share of 125000), max_chunk_points caps it.
  CHECK(next_chunk_length(grid, all, 1, fast_points) == 250);
  {
    const Grid big(fake_config(500000, 1));
    std::vector<std::int64_t> many(static_cast<std::size_t>(big.size()));
    for (std::size_t t = 0; t < many.size(); ++t) many[t] = static_cast<std::int64_t>(t);
    CHECK(next_chunk_length(big, many, 1, fast_points) == max_chunk_points);
    CHECK(next_chunk_length(big, many, 1, {1, 1.0 / 64}) == 16);
  }
  // The share shrinks with what is left (2 groups, 1/1024 s a point): 600 left give 75, 100
  // give 13, 9 give 2, 8 and fewer give single points.
  CHECK(next_chunk_length(grid, all.subspan(400), 2, fine) == 75);
  CHECK(next_chunk_length(grid, all.subspan(900), 2, fine) == 13);
  CHECK(next_chunk_length(grid, all.subspan(991), 2, fine) == 2);
  CHECK(next_chunk_length(grid, all.subspan(992), 2, fine) == 1);
  // From task 400 the share of 600 is 150 on one group, but the family ends at task 500.
  CHECK(next_chunk_length(grid, all.subspan(400), 1, fine) == 100);
  CHECK(next_chunk_length(grid, all.subspan(499), 1, fine) == 1);
  CHECK(next_chunk_length(grid, all.subspan(500), 1, fine) == 125);
  // The last tasks: 40 left on 2 groups gives 5; 10 left on 3 groups gives 1.
  CHECK(next_chunk_length(grid, all.subspan(960), 2, fine) == 5);
  CHECK(next_chunk_length(grid, all.subspan(990), 3, fine) == 1);
  CHECK(next_chunk_length(grid, all.subspan(1000), 1, fine) == 0);
}

TEST_CASE("scheduler computes every task exactly once and stores it, on 1, 2 and 3 ranks", "[scheduler]") {
  const int ranks = GENERATE(1, 2, 3);
  INFO(ranks << " logical ranks");
  FakeSweep s(ranks, 150, 3);
  CHECK(s.run_stepped() == 0);
  check_all_once(s);
  check_clean_end(s);
  // The work is shared: every rank computed points, and the workers' counts add up.
  std::int64_t by_workers = 0;
  for (int r = 0; r < ranks; ++r) {
    INFO("rank " << r);
    CHECK_FALSE(s.evaluated_by[static_cast<std::size_t>(r)].empty());
  }
  for (std::size_t w = 0; w < s.workers.size(); ++w) {
    CHECK(s.workers[w]->points() == static_cast<std::int64_t>(s.evaluated_by[w + 1].size()));
    by_workers += s.workers[w]->points();
  }
  CHECK(by_workers + static_cast<std::int64_t>(s.evaluated_by[0].size()) == s.grid.size());
  // The master's points are timed as well as the workers': 1/64 s each on the fake clocks.
  CHECK(s.master->compute_seconds() == static_cast<double>(s.grid.size()) / 64);
  CHECK(s.stopping_calls.empty());
}

TEST_CASE("scheduler: the master computes nothing before every worker has asked for work", "[scheduler]") {
  // Stepped with the master first, so that its first step comes before any worker's request:
  // it must not start a point then, or the workers would wait through it.
  const int ranks = GENERATE(2, 3);
  INFO(ranks << " logical ranks");
  FakeSweep s(ranks, 100, 1);
  std::optional<std::size_t> work_sent_at_first_own_point;
  s.point = [&](int rank, std::int64_t index) {
    if (rank == 0 && !work_sent_at_first_own_point) {
      std::size_t work = 0;
      for (const auto &m : s.network.sent()) work += m.tag == Tag::work;
      work_sent_at_first_own_point = work;
    }
    return fake_record(index);
  };
  CHECK(s.run_stepped() == 0);
  check_all_once(s);
  check_clean_end(s);
  // Every worker's first two requests were answered before the master's first point.
  REQUIRE(work_sent_at_first_own_point);
  CHECK(*work_sent_at_first_own_point == static_cast<std::size_t>(2 * (ranks - 1)));
}

TEST_CASE("scheduler on threads computes every task exactly once", "[scheduler]") {
  const int ranks = GENERATE(2, 3);
  INFO(ranks << " logical ranks on threads");
  FakeSweep s(ranks, 400, 3);
  CHECK(s.run_threaded() == 0);
  check_all_once(s);
  check_clean_end(s);
}

TEST_CASE("scheduler chunks follow the policy and never cross a family", "[scheduler][chunks]") {
  // 3 families of 300 tasks, 1/256 s a point, 3 groups: after the single points that answer the
  // workers' first requests (nothing is timed yet), chunks of 64 (a quarter second) while the
  // guided share ceil(left / (4 x 3)) is larger, cut at the end of each family, then smaller.
  FakeSweep s(3, 300, 3);
  s.point_seconds = 1.0 / 256;
  REQUIRE(s.run_stepped() == 0);
  check_all_once(s);
  const auto task_of = s.task_of();
  const std::int64_t total = s.grid.size(), family_size = s.grid.family_size();
  REQUIRE(family_size == 300);
  std::int64_t handed_out = 0;
  int full = 0, cut_by_family = 0, cut_by_share = 0;
  std::set<std::int64_t> own(s.evaluated_by[0].begin(), s.evaluated_by[0].end());
  std::int64_t master_point = 0;
  int answered = 0;  // non-empty chunks so far
  for (const auto &chunk : s.chunks()) {
    if (chunk.empty()) continue;
    ++answered;
    const std::int64_t first = task_of.at(chunk.front());
    // Tasks are handed out in order: the master's own points in between (one at a time) are
    // the tasks skipped since the last chunk.
    while (handed_out < first) {
      CHECK(own.count(s.grid.task_index(handed_out)) == 1);
      ++handed_out, ++master_point;
    }
    INFO("chunk from task " << first << " of " << chunk.size() << " tasks");
    REQUIRE(first == handed_out);
    for (std::size_t k = 0; k < chunk.size(); ++k) CHECK(task_of.at(chunk[k]) == first + static_cast<std::int64_t>(k));
    const std::int64_t last = first + static_cast<std::int64_t>(chunk.size()) - 1;
    CHECK(first / family_size == last / family_size);  // one family
    const std::int64_t family_left = (first / family_size + 1) * family_size - first;
    if (answered <= 2 * 2) {
      // The two workers' first two requests each, answered before the master computes anything
      // (it waits for them): nothing is timed, one point each.
      CHECK(chunk.size() == 1);
      CHECK(master_point == 0);
      handed_out = last + 1;
      continue;
    }
    // The rule, with the mean time per point exactly 1/256 s (the master has timed its first
    // point before it answers anyone again).
    const std::int64_t by_share = ceil_div(total - first, 4 * 3);
    const std::int64_t rule = std::max<std::int64_t>(1, std::min<std::int64_t>(by_share, 64));
    CHECK(static_cast<std::int64_t>(chunk.size()) == std::min(rule, family_left));
    if (family_left < rule) ++cut_by_family;
    else if (rule == 64) ++full;
    else ++cut_by_share;
    handed_out = last + 1;
  }
  CHECK(handed_out + static_cast<std::int64_t>(own.size()) - master_point == total);
  // The test saw each part of the rule at work.
  CHECK(full > 0);
  CHECK(cut_by_family > 0);
  CHECK(cut_by_share > 0);
}

TEST_CASE("scheduler: coarse points end together (the master keeps the last ones when it finishes first)",
          "[scheduler][chunks]") {
  // A quarter second a point (fake clocks): chunks of one point. Stepped in turn, each rank
  // computes one point a round, so the work balances to within one point exactly when the last
  // points go to whoever finishes them first; a worker holding a second chunk at the end would
  // leave the master idle for a point or more.
  const int ranks = GENERATE(2, 3);
  const int values = GENERATE(9, 40, 41);
  INFO(ranks << " logical ranks, " << values << " points");
  FakeSweep s(ranks, values, 1);
  s.point_seconds = 0.25;
  CHECK(s.run_stepped() == 0);
  check_all_once(s);
  check_clean_end(s);
  std::size_t most = 0, least = s.evaluated_by[0].size();
  for (const auto &points : s.evaluated_by) {
    most = std::max(most, points.size());
    least = std::min(least, points.size());
  }
  CHECK(most - least <= 1);
  for (const auto &chunk : s.chunks()) CHECK(chunk.size() <= 1);
}

TEST_CASE("scheduler stores failed points as failed and goes on", "[scheduler][failures]") {
  const int ranks = GENERATE(1, 2, 3);
  INFO(ranks << " logical ranks");
  FakeSweep s(ranks, 100, 2);
  // Every 7th index fails with a reason; every 4th (not 7th) throws.
  const auto fails = [](std::int64_t i) { return i % 7 == 3; };
  const auto throws = [&](std::int64_t i) { return i % 4 == 1 && !fails(i); };
  s.point = [&](int, std::int64_t index) {
    if (throws(index)) throw std::runtime_error("the solver exploded at " + std::to_string(index));
    if (!fails(index)) return fake_record(index);
    PointResult r;
    r.failure = Failure::not_converged;
    r.reason = "not converged";
    return make_record(index, r);
  };
  CHECK(s.run_stepped() == 0);
  check_clean_end(s);
  const std::int64_t n = s.grid.size();
  std::int64_t expected_failed = 0;
  std::set<int> threw_on;
  for (int r = 0; r < ranks; ++r)
    for (std::int64_t i : s.evaluated_by[static_cast<std::size_t>(r)])
      if (throws(i)) threw_on.insert(r);
  CHECK(static_cast<int>(threw_on.size()) == ranks);  // on the master and on every worker
  CHECK(s.results.computed == n);
  for (std::int64_t i = 0; i < n; ++i) {
    INFO("index " << i);
    if (fails(i)) {
      ++expected_failed;
      CHECK(s.results.status[i] == RecordStatus::failed);
      CHECK(s.results.failures.at(i).reason == "not converged");
      CHECK(s.results.failures.at(i).failure == Failure::not_converged);
    } else if (throws(i)) {
      ++expected_failed;
      CHECK(s.results.status[i] == RecordStatus::failed);
      CHECK(s.results.failures.at(i).reason == "error: the solver exploded at " + std::to_string(i));
      CHECK(s.results.failures.at(i).failure == Failure::error);
      CHECK(std::isnan(s.results.values[0][i]));
    } else {
      CHECK(s.results.status[i] == RecordStatus::ok);
      CHECK(s.results.values[0][i] == fake_value(i));
    }
  }
  CHECK(s.results.failed == expected_failed);
  CHECK(static_cast<std::int64_t>(s.results.failures.size()) == expected_failed);
  // The journal holds the failures with their reasons too.
  std::int64_t journaled_failed = 0;
  const auto records = s.journaled();
  CHECK(static_cast<std::int64_t>(records.size()) == n);
  for (const auto &r : records) {
    if (r.status != RecordStatus::failed) continue;
    ++journaled_failed;
    CHECK(r.reason == s.results.failures.at(r.index).reason);
    CHECK(r.failure == s.results.failures.at(r.index).failure);
  }
  CHECK(journaled_failed == expected_failed);
}

TEST_CASE("scheduler stops on request: points in flight finish, no new chunks, all journaled", "[scheduler][stop]") {
  const int ranks = GENERATE(1, 2, 3);
  const int stop_at = GENERATE(1, 40, 200);  // the evaluation during which the stop is requested
  INFO(ranks << " logical ranks, stop during evaluation " << stop_at);
  FakeSweep s(ranks, 200, 3);
  int count = 0;
  std::size_t sent_at_stop = 0;
  std::optional<std::int64_t> in_flight_at_stop;
  s.point = [&](int, std::int64_t index) {
    if (++count == stop_at) {
      s.stop = SIGTERM;
      sent_at_stop = s.network.sent().size();
      in_flight_at_stop = index;
    }
    return fake_record(index);
  };
  CHECK(s.run_stepped() == SIGTERM);
  check_clean_end(s);
  REQUIRE(in_flight_at_stop);
  // No point started after the request; the one in flight was finished and stored.
  CHECK(count == stop_at);
  CHECK(s.results.computed == stop_at);
  CHECK(s.results.computed < s.grid.size());
  CHECK(s.results.has(*in_flight_at_stop));
  // Every finished point is stored and journaled, once.
  std::set<std::int64_t> stored, journaled;
  for (std::int64_t i = 0; i < s.grid.size(); ++i)
    if (s.results.has(i)) stored.insert(i);
  for (const auto &r : s.journaled()) CHECK(journaled.insert(r.index).second);
  CHECK(stored == s.finished);
  CHECK(journaled == s.finished);
  // After the request the master only answered with empty chunks.
  const auto sent = s.network.sent();
  for (std::size_t m = sent_at_stop; m < sent.size(); ++m)
    if (sent[m].tag == Tag::work) CHECK(sent[m].bytes.empty());
  // The master told its hook once, with the signal.
  CHECK(s.stopping_calls == std::vector<std::pair<int, int>>{{0, SIGTERM}});
}

TEST_CASE("scheduler stops when a worker alone caught the signal", "[scheduler][stop]") {
  // As when SIGTERM reaches one rank only: the worker reports it, and the master stops the run
  // with that signal.
  FakeSweep s(3, 200, 3);
  s.stop_only_on = {2};
  int count = 0;
  s.point = [&](int rank, std::int64_t index) {
    if (rank == 2 && ++count == 30) s.stop = SIGUSR1;
    return fake_record(index);
  };
  CHECK(s.run_stepped() == SIGUSR1);
  check_clean_end(s);
  CHECK(s.results.computed < s.grid.size());
  std::set<std::int64_t> journaled;
  for (const auto &r : s.journaled()) journaled.insert(r.index);
  CHECK(journaled == s.finished);
  CHECK(static_cast<std::int64_t>(s.finished.size()) == s.results.computed);
  // Worker 2 computed nothing after the signal: its 30th point was its last.
  CHECK(s.evaluated_by[2].size() == 30);
  // The master's hook heard of the worker's signal, once.
  CHECK(s.stopping_calls == std::vector<std::pair<int, int>>{{0, SIGUSR1}});
}

TEST_CASE("stop watcher: acts once, on its own thread, at the first stop", "[scheduler][stop]") {
  std::mutex m;
  std::condition_variable cv;
  std::vector<int> seen;
  std::thread::id acted_on;
  auto action = [&](int signal) {
    std::lock_guard lock(m);
    seen.push_back(signal);
    acted_on = std::this_thread::get_id();
    cv.notify_all();
  };
  auto wait_for_action = [&] {
    std::unique_lock lock(m);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return !seen.empty(); });
  };
  SECTION("stop() runs the action with its signal; a second stop does not") {
    StopWatcher w(action);
    w.stop(SIGUSR1);
    REQUIRE(wait_for_action());
    w.stop(SIGTERM);
    CHECK(w.finish());
    CHECK(seen == std::vector<int>{SIGUSR1});
    CHECK(acted_on != std::this_thread::get_id());
  }
  SECTION("a stop signal caught by this process runs it while the main thread is busy") {
    const StopSignals signals;
    StopWatcher w(action, 0.005);
    std::raise(SIGUSR1);  // handled on this thread, which then keeps busy
    REQUIRE(wait_for_action());
    CHECK(w.finish());
    CHECK(seen == std::vector<int>{SIGUSR1});
    CHECK(stop_signal_caught() == SIGUSR1);
  }
  SECTION("no stop: finish() returns without running it, and nothing runs after") {
    StopWatcher w(action);
    CHECK_FALSE(w.finish());
    w.stop(SIGTERM);
    CHECK_FALSE(w.finish());
    CHECK(seen.empty());
  }
}
