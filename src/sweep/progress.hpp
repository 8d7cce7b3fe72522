#pragma once
// Progress of a sweep on stderr: points done/total, failures, points per second and the time
// left. On a terminal a bar redrawn in place a few times a second; otherwise (a SLURM log, a
// pipe) one line every `interval` seconds. Nothing when quiet.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace nessmap {

class Progress {
public:
  Progress(std::int64_t total, std::int64_t already_done, bool quiet, double interval_seconds);
  // Call as often as convenient; prints only when due.
  void update(std::int64_t done, std::int64_t failed);
  // The final line, always printed unless quiet.
  void finish(std::int64_t done, std::int64_t failed, const std::string &note);
  // A message that does not garble the bar.
  void message(const std::string &text);
  double elapsed() const;
  // Points computed by this run per second (points loaded from a journal do not count).
  double rate(std::int64_t done) const;

private:
  std::string line(std::int64_t done, std::int64_t failed) const;
  void print(const std::string &text, bool final);
  std::int64_t total_, start_done_;
  bool quiet_, tty_;
  double interval_;
  std::chrono::steady_clock::time_point start_, last_print_;
  bool bar_drawn_ = false;
};

std::string format_duration(double seconds);

} // namespace nessmap
