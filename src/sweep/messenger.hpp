#pragma once
// How the ranks of a sweep's scheduler talk: tagged byte messages between ranks, sent without
// waiting and received by polling. MpiMessenger carries them over an MPI communicator;
// InProcessNetwork gives several logical ranks of one process a Messenger each (queues in
// memory), so that the scheduler runs in unit tests without mpirun.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nessmap {

// The scheduler's two kinds of message (the values are the MPI tags).
enum class Tag : int {
  report = 101,  // group leader -> master: results of a chunk and/or requests for chunks
  work = 102,    // master -> group leader: a chunk of grid indices (empty: no more)
};

inline constexpr int any_source = -1;

struct Message {
  int source = 0;
  std::string bytes;
};

// One rank's end. Messages from one source with one tag arrive in the order sent. Errors of the
// transport are not thrown: MPI's abort the run (MPI_ERRORS_ARE_FATAL).
class Messenger {
public:
  virtual ~Messenger() = default;
  // Sends `bytes` to rank `dest` without waiting for it to be received; the messenger owns the
  // bytes until they are delivered.
  virtual void send(int dest, Tag tag, std::string bytes) = 0;
  // The first message with `tag` (from `source`, or from any rank) that has arrived, taken off
  // the queue; nullopt when there is none. Never waits.
  virtual std::optional<Message> poll(Tag tag, int source = any_source) = 0;
  // Gives sends a chance to complete in the background; call now and then (between points).
  virtual void progress() = 0;
  // Waits until every send of this rank has completed.
  virtual void flush() = 0;
};

// Over `comm` (kept by value, not freed; it must outlive the messenger). Not collective: each
// rank makes its own. send is MPI_Isend of the bytes; poll is MPI_Iprobe (twice, when the first
// finds nothing: see poll) and MPI_Recv. Call flush before destroying it, except on the way to
// MPI_Abort.
class MpiMessenger final : public Messenger {
public:
  explicit MpiMessenger(MPI_Comm comm) : comm_(comm) {}
  void send(int dest, Tag tag, std::string bytes) override;
  std::optional<Message> poll(Tag tag, int source = any_source) override;
  void progress() override;
  void flush() override;

private:
  struct Pending {
    std::string bytes;
    MPI_Request request;
  };
  MPI_Comm comm_;
  std::deque<Pending> sends_;  // in the order sent; MPI completes them in order
};

// Logical ranks 0 .. ranks-1 in one process. A message is delivered as soon as it is sent (into
// the receiver's queue), so flush never waits. Thread-safe: ranks may run on their own threads.
class InProcessNetwork {
public:
  explicit InProcessNetwork(int ranks);
  ~InProcessNetwork();
  InProcessNetwork(const InProcessNetwork &) = delete;
  InProcessNetwork &operator=(const InProcessNetwork &) = delete;

  int ranks() const { return static_cast<int>(ends_.size()); }
  // Rank `rank`'s end; kept by the network, valid as long as it. Throws std::out_of_range for a
  // rank that does not exist, and so does a send to one.
  Messenger &messenger(int rank);

  struct Sent {
    int source = 0, dest = 0;
    Tag tag = Tag::report;
    std::string bytes;
  };
  // Every message sent so far, in the order sent (over all ranks).
  std::vector<Sent> sent() const;
  // Messages sent and not yet taken by their receiver.
  std::size_t in_flight() const;

private:
  class End;
  struct Queued {
    int source;
    Tag tag;
    std::string bytes;
  };
  void deliver(int source, int dest, Tag tag, std::string bytes);
  std::optional<Message> take(int dest, Tag tag, int source);

  mutable std::mutex mutex_;
  std::vector<std::deque<Queued>> queues_;  // per receiving rank
  std::vector<Sent> log_;
  std::vector<std::unique_ptr<End>> ends_;
};

// Waiting without spinning a core: sleep a little longer each time nothing happened (50 us to
// 5 ms), so an idle rank costs almost nothing and a busy one is answered within milliseconds.
class Nap {
public:
  void operator()();
  void reset() { micros_ = 50; }

private:
  int micros_ = 50;
};

} // namespace nessmap
