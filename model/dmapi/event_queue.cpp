#include "model/dmapi/event_queue.h"

namespace sansim::dmapi {

std::uint64_t EventQueue::post(QueuedEvent e) {
  if (closed_) return 0;
  e.id = ++next_id_;
  queue_.push_back(e);
  waiting_.emplace(e.id, std::nullopt);
  work_.notify_all();
  return e.id;
}

Task<xfs::Errno> EventQueue::answer(std::uint64_t id) {
  for (;;) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) co_return xfs::Errno::io;  // never posted (closed)
    if (it->second) {
      const xfs::Errno result = *it->second;
      waiting_.erase(it);
      if (waiting_.empty()) drained_.notify_all();
      co_return result;
    }
    co_await answered_.wait();
  }
}

Task<std::optional<QueuedEvent>> EventQueue::next() {
  while (queue_.empty() && !closed_) co_await work_.wait();
  if (closed_) co_return std::nullopt;
  QueuedEvent e = queue_.front();
  queue_.pop_front();
  co_return e;
}

void EventQueue::respond(std::uint64_t id, xfs::Errno result) {
  auto it = waiting_.find(id);
  if (it == waiting_.end() || it->second) return;
  it->second = result;
  answered_.notify_all();
}

Task<void> EventQueue::drained() {
  while (!waiting_.empty()) co_await drained_.wait();
}

std::size_t EventQueue::wake_migrating() {
  std::size_t woken = 0;
  for (auto& [id, answer] : waiting_) {
    if (answer) continue;
    answer = xfs::Errno::migrating;
    ++woken;
  }
  queue_.clear();
  answered_.notify_all();
  return woken;
}

void EventQueue::close() {
  closed_ = true;
  for (auto& [id, answer] : waiting_)
    if (!answer) answer = xfs::Errno::io;
  queue_.clear();
  answered_.notify_all();
  work_.notify_all();
}

}  // namespace sansim::dmapi
