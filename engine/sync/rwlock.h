// RwLock: the multi-reader barrier lock of a chandle and of a vnode's behavior head.
// Many shared holders or one exclusive holder. FIFO: once a writer waits, later readers
// queue behind it, which is what makes it a barrier (detarget takes it exclusively to
// stop new holds while the holds already taken drain, §0065-0066).
#pragma once

#include <cassert>
#include <cstdint>

#include "engine/sync/interrupt.h"

namespace sansim {

class RwLock {
 public:
  explicit RwLock(Scheduler& s) : s_(s) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  auto lock_shared(Interrupt* i = nullptr, Time deadline = kTimeNever) { return Acquire{*this, i, deadline, false, {}}; }
  auto lock(Interrupt* i = nullptr, Time deadline = kTimeNever) { return Acquire{*this, i, deadline, true, {}}; }

  void unlock_shared() {
    assert(readers_ > 0 && !writer_);
    --readers_;
    grant();
  }
  void unlock() {
    assert(writer_);
    writer_ = false;
    grant();
  }

  std::uint32_t readers() const { return readers_; }
  bool writer() const { return writer_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Acquire {
    RwLock& l;
    Interrupt* i;
    Time deadline;
    bool exclusive;
    Waiter w;
    bool await_ready() {
      if (l.waiters_.empty() && l.admits(exclusive)) {
        l.take(exclusive);
        w.status = WaitStatus::ok;
        return true;
      }
      if (WaitSetup::raised(i)) {
        w.status = WaitStatus::early;
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) {
      w.tag = exclusive ? 1 : 0;
      WaitSetup::park(l.s_, w, l.waiters_, i, deadline, h);
    }
    WaitStatus await_resume() const { return w.status; }
  };

  bool admits(bool exclusive) const { return exclusive ? (!writer_ && readers_ == 0) : !writer_; }
  void take(bool exclusive) {
    if (exclusive) writer_ = true; else ++readers_;
  }
  // Grants to the head of the queue: one writer, or every reader up to the next writer.
  void grant() {
    while (!waiters_.empty()) {
      Waiter* w = waiters_.front();
      const bool exclusive = w->tag == 1;
      if (!admits(exclusive)) return;
      take(exclusive);
      s_.wake(*w, WaitStatus::ok, w->tag);
      if (exclusive) return;
    }
  }

  Scheduler& s_;
  std::uint32_t readers_ = 0;
  bool writer_ = false;
  WaitList waiters_;
};

}  // namespace sansim
