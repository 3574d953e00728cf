// The DMAPI event queue of one file system, on its metadata server (§0040, Fig. 7): Send
// DMAPI Event queues an event for the HSM and sleeps until the HSM answers it (Process
// DMAPI Event). KORE's source prepare wakes every sleeper with the internal `migrating`
// error instead (§0079-0080), so a relocation never waits for a tape; the caller then
// reissues the operation to the new server, whose own queue takes it again.
//
// An event the HSM has taken but not yet answered is still slept on: it is woken too,
// and the HSM's answer to it, when it comes, finds nobody waiting and is dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "engine/node_id.h"
#include "engine/scheduler.h"
#include "engine/sync/condition.h"
#include "engine/task.h"
#include "model/dmapi/events.h"
#include "model/xfs/types.h"

namespace sansim::dmapi {

struct QueuedEvent {
  std::uint64_t id = 0;  // numbered per queue
  xfs::Ino ino = 0;
  Event event = Event::read;
  NodeId from = kNoNode;  // the node whose operation raised it
};

class EventQueue {
 public:
  explicit EventQueue(Scheduler& s) : work_(s), answered_(s), drained_(s) {}
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Send DMAPI Event: queues `e` and answers its id (0: the queue is closed)...
  std::uint64_t post(QueuedEvent e);
  // ...then waits for its answer: the HSM's, or `migrating` when a relocation woke it,
  // or `io` when the queue was closed.
  Task<xfs::Errno> answer(std::uint64_t id);
  // The HSM: the next event to process, in queue order; nullopt once closed.
  Task<std::optional<QueuedEvent>> next();
  // The HSM died while processing `e`: it goes back to the head of the queue, if its
  // caller still waits.
  void requeue(const QueuedEvent& e) {
    auto it = waiting_.find(e.id);
    if (it == waiting_.end() || it->second || closed_) return;
    queue_.push_front(e);
    work_.notify_all();
  }
  // The HSM's answer to event `id`. Ignored when nobody waits for it any more.
  void respond(std::uint64_t id, xfs::Errno result);
  // KORE source prepare (§0080): every event still waited for answers `migrating`, and
  // queued ones are dropped before the HSM reaches them. Answers how many were woken.
  std::size_t wake_migrating();
  // The queue's server role ended: waiters answer `io`, the HSM's next() ends.
  void close();
  bool closed() const { return closed_; }

  // Returns once no caller waits for an answer (hold-lock's source prepare, §0079).
  Task<void> drained();

  std::size_t queued() const { return queue_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  Condition work_;      // an event was queued, or the queue closed
  Condition answered_;  // some waiter's answer is in
  Condition drained_;   // the last waiter took its answer
  std::deque<QueuedEvent> queue_;
  std::map<std::uint64_t, std::optional<xfs::Errno>> waiting_;  // id -> answer once known
  std::uint64_t next_id_ = 0;
  bool closed_ = false;
};

}  // namespace sansim::dmapi
