#include "sweep/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace nessmap {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<long long>(std::llround(s));
  char buf[64];
  if (t >= 86400)
    std::snprintf(buf, sizeof buf, "%lldd %02lldh%02lldm", t / 86400, t % 86400 / 3600, t % 3600 / 60);
  else if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", t / 3600, t % 3600 / 60, t % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

Progress::Progress(std::int64_t total, std::int64_t already_done, bool quiet, double interval, double total_work,
                   double work_done)
    : total_(total), start_done_(already_done), total_work_(total_work), start_work_(work_done), quiet_(quiet),
      tty_(::isatty(STDERR_FILENO) == 1), interval_(interval), start_(std::chrono::steady_clock::now()),
      last_print_(start_), last_done_(already_done), last_work_(work_done) {
  if (!quiet_) thread_ = std::thread([this] { heartbeat(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Progress::heartbeat() {
  std::unique_lock lock(mutex_);
  const auto period = std::chrono::duration<double>(tty_ ? 0.5 : std::max(interval_, 0.1));
  while (!wake_.wait_for(lock, period, [this] { return stop_; }))
    if (due()) print(line(last_done_, last_failed_, last_work_), false);
}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::rate(std::int64_t done) const {
  const double t = elapsed();
  return t > 0 ? static_cast<double>(done - start_done_) / t : 0.0;
}

double Progress::seconds_left(std::int64_t done, double work_done) const {
  if (total_work_ > 0) {
    const double done_here = work_done - start_work_;
    return done_here > 0 ? (total_work_ - work_done) / done_here * elapsed() : NAN;
  }
  const double r = rate(done);
  return r > 0 ? static_cast<double>(total_ - done) / r : NAN;
}

std::string Progress::line(std::int64_t done, std::int64_t failed, double work_done) const {
  const double r = rate(done);
  const double eta = seconds_left(done, work_done);
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld/%lld points (%.1f%%), %lld failed, %.4g points/s, elapsed %s, ETA %s",
                static_cast<long long>(done), static_cast<long long>(total_), percent,
                static_cast<long long>(failed), r, format_duration(elapsed()).c_str(),
                done >= total_ ? "0s" : format_duration(eta).c_str());
  if (!tty_) return std::string("nessmap sweep: ") + buf;
  constexpr int width = 28;
  const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + buf;
}

void Progress::print(const std::string &text, bool final) {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", text.c_str(), final ? "\n" : "");
    bar_drawn_ = !final;
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
  last_print_ = std::chrono::steady_clock::now();
}

bool Progress::due() const {
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_print_).count();
  return !stop_ && since >= (tty_ ? 0.2 : interval_);
}

void Progress::update(std::int64_t done, std::int64_t failed, double work_done) {
  std::lock_guard lock(mutex_);
  last_done_ = done;
  last_failed_ = failed;
  last_work_ = work_done;
  if (!quiet_ && due()) print(line(done, failed, work_done), false);
}

void Progress::finish(std::int64_t done, std::int64_t failed, const std::string &note) {
  std::lock_guard lock(mutex_);
  stop_ = true;  // the heartbeat prints no more lines
  if (quiet_) return;
  print(line(done, failed, last_work_) + (note.empty() ? "" : "; " + note), true);
}

void Progress::message(const std::string &text) {
  std::lock_guard lock(mutex_);
  if (tty_ && bar_drawn_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "nessmap: %s\n", text.c_str());
  std::fflush(stderr);
  bar_drawn_ = false;
}

} // namespace nessmap
