#include "format/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nessmap {

namespace {

constexpr std::string_view magic = "NESSMAPJ";
constexpr std::uint32_t version = 1;
constexpr std::uint32_t max_frame = 1u << 30;

std::array<std::uint32_t, 256> crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

void put_u32(std::string &out, std::uint32_t v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof v);
}

bool get_u32(std::string_view data, std::size_t at, std::uint32_t &v) {
  if (data.size() < at || data.size() - at < sizeof v) return false;
  std::memcpy(&v, data.data() + at, sizeof v);
  return true;
}

std::string frame(std::string_view payload) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  put_u32(out, crc32(payload));
  return out;
}

[[noreturn]] void fail_errno(const std::string &path, const std::string &what) {
  throw JournalError(path + ": " + what + ": " + std::strerror(errno));
}

} // namespace

std::uint32_t crc32(std::string_view data) {
  static const auto table = crc_table();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::optional<JournalContents> read_journal(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno(path, "cannot open journal");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail_errno(path, "cannot read journal");
  const std::string data = buffer.str();
  const std::string_view view = data;

  JournalContents j;
  j.file_size = data.size();
  std::uint32_t file_version = 0, id_size = 0, id_crc = 0;
  if (!view.starts_with(magic) || !get_u32(view, magic.size(), file_version))
    throw JournalError(path + ": not a nessmap journal");
  if (file_version != version)
    throw JournalError(path + ": journal format version " + std::to_string(file_version) +
                       ", this nessmap reads version " + std::to_string(version));
  std::size_t at = magic.size() + 4;
  if (!get_u32(view, at, id_size) || !get_u32(view, at + 4 + std::size_t{id_size}, id_crc))
    throw JournalError(path + ": journal header is cut short");
  j.identity.assign(view.substr(at + 4, id_size));
  if (crc32(j.identity) != id_crc) throw JournalError(path + ": journal header is corrupt");
  at += 4 + std::size_t{id_size} + 4;
  j.valid_size = at;

  for (;;) {
    std::uint32_t size = 0, crc = 0;
    if (!get_u32(view, at, size) || size > max_frame || !get_u32(view, at + 4 + std::size_t{size}, crc))
      break;
    const std::string_view payload = view.substr(at + 4, size);
    if (crc32(payload) != crc) break;
    j.frames.emplace_back(payload);
    at += 4 + std::size_t{size} + 4;
    j.valid_size = at;
  }
  return j;
}

JournalWriter::JournalWriter(std::string path, int fd)
    : path_(std::move(path)), fd_(fd), last_sync_(std::chrono::steady_clock::now()) {}

JournalWriter::JournalWriter(JournalWriter &&o) noexcept
    : sync_interval(o.sync_interval), path_(std::move(o.path_)), fd_(o.fd_), last_sync_(o.last_sync_) {
  o.fd_ = -1;
}

JournalWriter &JournalWriter::operator=(JournalWriter &&o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    sync_interval = o.sync_interval;
    last_sync_ = o.last_sync_;
    o.fd_ = -1;
  }
  return *this;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

JournalWriter JournalWriter::create(const std::string &path, const std::string &identity) {
  // Written whole under a temporary name first, so that a journal with the real name always has
  // a complete header.
  const std::string tmp = path + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno(tmp, "cannot create journal");
  JournalWriter w(tmp, fd);
  std::string header(magic);
  put_u32(header, version);
  put_u32(header, static_cast<std::uint32_t>(identity.size()));
  header += identity;
  put_u32(header, crc32(identity));
  w.write_all(header);
  w.sync();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail_errno(path, "cannot rename journal into place");
  w.path_ = path;
  return w;
}

JournalWriter JournalWriter::resume(const std::string &path, std::uint64_t valid_size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail_errno(path, "cannot open journal for appending");
  JournalWriter w(path, fd);
  if (::ftruncate(fd, static_cast<off_t>(valid_size)) != 0) fail_errno(path, "cannot truncate journal");
  if (::lseek(fd, 0, SEEK_END) < 0) fail_errno(path, "cannot seek in journal");
  return w;
}

void JournalWriter::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path_, "cannot write journal");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void JournalWriter::append(std::string_view payload) {
  write_all(frame(payload));
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_sync_).count() >= sync_interval) sync();
}

void JournalWriter::sync() {
  if (::fdatasync(fd_) != 0) fail_errno(path_, "cannot sync journal");
  last_sync_ = std::chrono::steady_clock::now();
}

} // namespace nessmap
