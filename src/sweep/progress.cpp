#include "sweep/progress.hpp"

#include <unistd.h>

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

Progress::Progress(std::int64_t total, std::int64_t already_done, bool quiet, double interval)
    : total_(total), start_done_(already_done), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1),
      interval_(interval), start_(std::chrono::steady_clock::now()), last_print_(start_) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::rate(std::int64_t done) const {
  const double t = elapsed();
  return t > 0 ? static_cast<double>(done - start_done_) / t : 0.0;
}

std::string Progress::line(std::int64_t done, std::int64_t failed) const {
  const double r = rate(done);
  const double eta = r > 0 ? static_cast<double>(total_ - done) / r : NAN;
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

void Progress::update(std::int64_t done, std::int64_t failed) {
  if (quiet_) return;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_print_).count();
  if (since >= (tty_ ? 0.2 : interval_)) print(line(done, failed), false);
}

void Progress::finish(std::int64_t done, std::int64_t failed, const std::string &note) {
  if (quiet_) return;
  print(line(done, failed) + (note.empty() ? "" : "; " + note), true);
}

void Progress::message(const std::string &text) {
  if (tty_ && bar_drawn_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "nessmap: %s\n", text.c_str());
  std::fflush(stderr);
  bar_drawn_ = false;
}

} // namespace nessmap
