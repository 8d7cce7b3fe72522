#pragma once
// The first stop acted on at once, even while this rank is inside a point that takes minutes: a
// thread of its own waits for a stop signal (stop_signal_caught, looked at every `poll_seconds`)
// or for stop(), and then runs an action, once. The sweep's master writes its output file there,
// from the journal: mpirun, when it is itself told to stop, sends the ranks SIGTERM and kills them
// a second later (Open MPI's odls_base_sigkill_timeout), long before a long point ends.
//
// The thread blocks the stop signals, so that they reach the main thread as before; it makes no
// MPI or PETSc calls of its own (the action must not either, except those MPI calls that are
// always thread-safe, such as MPI_Get_library_version).
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace nessmap {

class StopWatcher {
public:
  // Starts the thread. `action` runs on it at most once, with the signal; a std::exception it
  // throws is reported on stderr ("nessmap: error: ...") and otherwise ignored.
  explicit StopWatcher(std::function<void(int signal)> action, double poll_seconds = 0.02);
  // finish().
  ~StopWatcher();
  StopWatcher(const StopWatcher &) = delete;
  StopWatcher &operator=(const StopWatcher &) = delete;

  // Runs the action (on the thread) unless it has run or finish() was called: for a stop that
  // did not come as a signal to this process (a worker reported one).
  void stop(int signal);
  // Waits for the action if it is running; no action starts after it. True when the action ran.
  bool finish();

private:
  void run();

  std::function<void(int)> action_;
  double poll_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int requested_ = 0;       // the signal passed to stop(), or 0
  bool finishing_ = false;  // finish() was called
  bool ran_ = false;
  std::thread thread_;      // last: started once the members above are ready
};

} // namespace nessmap
