#include "sweep/stop_watcher.hpp"

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>

#include "sweep/signals.hpp"

namespace nessmap {

StopWatcher::StopWatcher(std::function<void(int signal)> action, double poll_seconds)
    : action_(std::move(action)), poll_seconds_(poll_seconds), thread_([this] { run(); }) {}

StopWatcher::~StopWatcher() { finish(); }

void StopWatcher::stop(int signal) {
  {
    std::lock_guard lock(mutex_);
    if (requested_ == 0) requested_ = signal;
  }
  wake_.notify_all();
}

bool StopWatcher::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return ran_;
}

void StopWatcher::run() {
  sigset_t block;
  sigemptyset(&block);
  for (int s : {SIGTERM, SIGUSR1, SIGINT}) sigaddset(&block, s);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);

  const auto poll = std::chrono::duration<double>(poll_seconds_);
  std::unique_lock lock(mutex_);
  for (;;) {
    if (finishing_) return;
    const int signal = requested_ != 0 ? requested_ : stop_signal_caught();
    if (signal != 0) {
      lock.unlock();
      try {
        action_(signal);
      } catch (const std::exception &e) {
        std::fprintf(stderr, "nessmap: error: %s\n", e.what());
      }
      lock.lock();
      ran_ = true;
      return;
    }
    wake_.wait_for(lock, poll);
  }
}

} // namespace nessmap
