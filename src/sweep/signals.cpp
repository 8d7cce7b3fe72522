#include "sweep/signals.hpp"

#include <csignal>

namespace nessmap {

namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int s) {
  if (stop_signal == 0) stop_signal = s;
  // A second Ctrl-C should still kill at once; the journal is safe either way.
  if (s == SIGINT) std::signal(SIGINT, SIG_DFL);
}

constexpr int stop_signals[3] = {SIGTERM, SIGUSR1, SIGINT};
struct sigaction previous[3] {};

} // namespace

StopSignals::StopSignals() {
  stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(stop_signals[i], &sa, &previous[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) sigaction(stop_signals[i], &previous[i], nullptr);
}

int stop_signal_caught() { return stop_signal; }

std::string signal_name(int s) {
  switch (s) {
  case SIGTERM: return "SIGTERM";
  case SIGUSR1: return "SIGUSR1";
  case SIGINT: return "SIGINT";
  default: return "signal " + std::to_string(s);
  }
}

} // namespace nessmap
