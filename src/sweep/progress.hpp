#pragma once
// Progress of a sweep on stderr: points done/total, failures, points per second and the time
// left. On a terminal a bar redrawn in place a few times a second; otherwise (a SLURM log, a
// pipe) one line every `interval` seconds. Nothing when quiet.
//
// The time left is the work left over the rate of work done by this run (points weighted by
// Grid::work, their size), not the points left over the rate of points: the largest points go
// first, and at N = 40 a rate in points foretold 9 h for a sweep of 30 min.
//
// Between updates (the master rank solving a point of minutes itself) a thread of its own prints
// the line when due, from the counts of the last update; it makes no MPI calls.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace nessmap {

class Progress {
public:
  // `total_work`: the work of every point in scope; `work_done`: of those done before this run.
  Progress(std::int64_t total, std::int64_t already_done, bool quiet, double interval_seconds, double total_work = 0,
           double work_done = 0);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;
  // Call as often as convenient; prints only when due. `work_done`: of every point done so far
  // (without a total work the time left goes by points).
  void update(std::int64_t done, std::int64_t failed, double work_done = 0);
  // The final line, always printed unless quiet; the thread prints no more lines after it.
  void finish(std::int64_t done, std::int64_t failed, const std::string &note);
  // The time left in seconds (NaN before any work is done): by work where there is a total work,
  // else by points.
  double seconds_left(std::int64_t done, double work_done) const;
  // A message that does not garble the bar.
  void message(const std::string &text);
  double elapsed() const;
  // Points computed by this run per second (points loaded from a journal do not count).
  double rate(std::int64_t done) const;

private:
  std::string line(std::int64_t done, std::int64_t failed, double work_done) const;
  void print(const std::string &text, bool final);  // with mutex_ held
  bool due() const;                                  // with mutex_ held
  void heartbeat();
  std::int64_t total_, start_done_;
  double total_work_, start_work_;
  bool quiet_, tty_;
  double interval_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;  // guards what follows
  std::chrono::steady_clock::time_point last_print_;
  bool bar_drawn_ = false;
  std::int64_t last_done_, last_failed_ = 0;  // as of the last update()
  double last_work_;
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread thread_;  // last: started once the rest is set
};

std::string format_duration(double seconds);

} // namespace nessmap
