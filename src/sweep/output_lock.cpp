#include "sweep/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "point/point_config.hpp"

namespace nessmap {

OutputLock::OutputLock(const std::string &output) : path_(output + ".lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw ConfigError(path_ + ": cannot create the lock file: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      // A file system without locks (some NFS or Lustre mounts): go on unprotected, and say so.
      std::fprintf(stderr, "nessmap: warning: cannot lock %s (%s); make sure no other run writes %s\n",
                   path_.c_str(), std::strerror(errno), output.c_str());
      return;
    }
    char holder[256] = "";
    const auto n = ::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    throw ConfigError(output + ": another nessmap run is writing this output (" +
                      (n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("unknown process")) +
                      "); wait for it to end or stop it");
  }
  char host[128] = "";
  gethostname(host, sizeof host - 1);
  const std::string me = "pid " + std::to_string(::getpid()) + " on " + host;
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
    // The holder's name is only for the message above.
  }
}

OutputLock::~OutputLock() {
  ::unlink(path_.c_str());
  ::close(fd_);
}

} // namespace nessmap
