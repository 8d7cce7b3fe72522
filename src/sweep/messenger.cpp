#include "sweep/messenger.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace nessmap {

// ---- MPI -----------------------------------------------------------------------------------------

void MpiMessenger::send(int dest, Tag tag, std::string bytes) {
  sends_.push_back({std::move(bytes), MPI_REQUEST_NULL});
  auto &item = sends_.back();
  MPI_Isend(item.bytes.data(), static_cast<int>(item.bytes.size()), MPI_BYTE, dest, static_cast<int>(tag), comm_,
            &item.request);
}

std::optional<Message> MpiMessenger::poll(Tag tag, int source) {
  int flag = 0;
  MPI_Status status;
  // Open MPI's MPI_Iprobe looks for a matching message before it lets the transport progress, so
  // a message that arrived since the last MPI call is found only by the next probe. Probing twice
  // finds it now: else a master between two long points of its own would see a worker's report
  // (and answer its request) only after the next one, while the worker waits.
  for (int probe = 0; probe < 2 && !flag; ++probe)
    MPI_Iprobe(source == any_source ? MPI_ANY_SOURCE : source, static_cast<int>(tag), comm_, &flag, &status);
  if (!flag) return std::nullopt;
  int bytes = 0;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  Message m;
  m.source = status.MPI_SOURCE;
  m.bytes.resize(static_cast<std::size_t>(bytes));
  MPI_Recv(m.bytes.data(), bytes, MPI_BYTE, status.MPI_SOURCE, static_cast<int>(tag), comm_, MPI_STATUS_IGNORE);
  return m;
}

void MpiMessenger::progress() {
  while (!sends_.empty()) {
    int done = 0;
    MPI_Test(&sends_.front().request, &done, MPI_STATUS_IGNORE);
    if (!done) return;
    sends_.pop_front();
  }
}

void MpiMessenger::flush() {
  for (auto &item : sends_) MPI_Wait(&item.request, MPI_STATUS_IGNORE);
  sends_.clear();
}

// ---- in process ----------------------------------------------------------------------------------

class InProcessNetwork::End final : public Messenger {
public:
  End(InProcessNetwork &network, int rank) : network_(network), rank_(rank) {}
  void send(int dest, Tag tag, std::string bytes) override { network_.deliver(rank_, dest, tag, std::move(bytes)); }
  std::optional<Message> poll(Tag tag, int source) override { return network_.take(rank_, tag, source); }
  void progress() override {}
  void flush() override {}

private:
  InProcessNetwork &network_;
  int rank_;
};

InProcessNetwork::InProcessNetwork(int ranks) : queues_(static_cast<std::size_t>(ranks)) {
  for (int r = 0; r < ranks; ++r) ends_.push_back(std::make_unique<End>(*this, r));
}

InProcessNetwork::~InProcessNetwork() = default;

Messenger &InProcessNetwork::messenger(int rank) { return *ends_.at(static_cast<std::size_t>(rank)); }

void InProcessNetwork::deliver(int source, int dest, Tag tag, std::string bytes) {
  std::lock_guard lock(mutex_);
  if (dest < 0 || dest >= ranks()) throw std::out_of_range("message to rank " + std::to_string(dest) + ", which does not exist");
  log_.push_back({source, dest, tag, bytes});
  queues_[static_cast<std::size_t>(dest)].push_back({source, tag, std::move(bytes)});
}

std::optional<Message> InProcessNetwork::take(int dest, Tag tag, int source) {
  std::lock_guard lock(mutex_);
  auto &queue = queues_[static_cast<std::size_t>(dest)];
  const auto it = std::find_if(queue.begin(), queue.end(), [&](const Queued &q) {
    return q.tag == tag && (source == any_source || q.source == source);
  });
  if (it == queue.end()) return std::nullopt;
  Message m{it->source, std::move(it->bytes)};
  queue.erase(it);
  return m;
}

std::vector<InProcessNetwork::Sent> InProcessNetwork::sent() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::size_t InProcessNetwork::in_flight() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto &q : queues_) n += q.size();
  return n;
}

// ---- waiting -------------------------------------------------------------------------------------

void Nap::operator()() {
  std::this_thread::sleep_for(std::chrono::microseconds(micros_));
  micros_ = std::min(micros_ * 2, 5000);
}

} // namespace nessmap
