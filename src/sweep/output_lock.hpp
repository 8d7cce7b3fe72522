#pragma once
// One run at a time per output: a second run (a resubmitted job while the first still runs, or
// ranks orphaned by a killed mpirun) must not append to the same journal. The lock is an flock on
// "<path>.lock", released by the kernel when the process ends however it ends. Taken by the
// master alone (not MPI-collective).
#include <string>

namespace nessmap {

class OutputLock {
public:
  // Takes the lock on "<path>.lock" and writes "pid P on HOST" into it. Throws ConfigError when
  // the lock file cannot be created or another process holds the lock (naming it). On a file
  // system without locks it warns on stderr and goes on unprotected.
  explicit OutputLock(const std::string &path);
  // Removes the lock file and releases the lock.
  ~OutputLock();
  OutputLock(const OutputLock &) = delete;
  OutputLock &operator=(const OutputLock &) = delete;

private:
  std::string path_;
  int fd_ = -1;
};

} // namespace nessmap
