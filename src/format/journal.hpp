#pragma once
// An append-only journal: a header naming what it belongs to (an identity text) followed by
// frames, each a payload with its size and CRC-32. A frame reaches the kernel with one write(2)
// as soon as it is appended, so killing the process loses nothing written; fdatasync runs at
// most every `sync_interval` seconds so that losing the node loses at most that much. A reader
// keeps every whole frame whose checksum matches and stops at the first that does not (a write
// cut short), which the writer then truncates away before appending.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nessmap {

class JournalError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

std::uint32_t crc32(std::string_view data);

struct JournalContents {
  std::string identity;
  std::vector<std::string> frames;
  std::uint64_t valid_size = 0;  // bytes up to the end of the last good frame
  std::uint64_t file_size = 0;   // larger than valid_size when the tail was cut short
};

// nullopt when there is no file at `path`; throws JournalError when the file is not a journal
// or cannot be read.
std::optional<JournalContents> read_journal(const std::string &path);

class JournalWriter {
public:
  // A new journal at `path` (an existing file is replaced) with `identity` in its header.
  static JournalWriter create(const std::string &path, const std::string &identity);
  // Continues an existing journal after its first `valid_size` bytes (see JournalContents).
  static JournalWriter resume(const std::string &path, std::uint64_t valid_size);

  JournalWriter(JournalWriter &&other) noexcept;
  JournalWriter &operator=(JournalWriter &&other) noexcept;
  JournalWriter(const JournalWriter &) = delete;
  JournalWriter &operator=(const JournalWriter &) = delete;
  ~JournalWriter();

  void append(std::string_view payload);  // one frame; throws JournalError on a failed write
  void sync();                            // fdatasync now
  const std::string &path() const { return path_; }

  double sync_interval = 5.0;  // seconds between fdatasync calls during appends

private:
  JournalWriter(std::string path, int fd);
  void write_all(std::string_view bytes);
  std::string path_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_sync_;
};

} // namespace nessmap
