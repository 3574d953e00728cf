// Mutex with FIFO hand-off: unlock gives the lock to the longest waiter (no barging), and
// the waiter resumes from the event queue. Waits may be interrupted or time out.
#pragma once

#include <cassert>

#include "engine/sync/interrupt.h"

namespace sansim {

class Mutex {
 public:
  explicit Mutex(Scheduler& s) : s_(s) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // co_await lock(...) -> WaitStatus; the caller owns the lock iff ok.
  auto lock(Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      Mutex& m;
      Interrupt* i;
      Time deadline;
      Waiter w;
      bool await_ready() {
        if (!m.locked_) {
          m.locked_ = true;
          w.status = WaitStatus::ok;
          return true;
        }
        if (WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(m.s_, w, m.waiters_, i, deadline, h); }
      WaitStatus await_resume() const { return w.status; }
    };
    return Awaiter{*this, interrupt, deadline, {}};
  }

  bool try_lock() {
    if (locked_) return false;
    locked_ = true;
    return true;
  }

  void unlock() {
    assert(locked_);
    if (!waiters_.empty()) {
      s_.wake(*waiters_.front(), WaitStatus::ok);  // ownership passes; stays locked
    } else {
      locked_ = false;
    }
  }

  bool locked() const { return locked_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  Scheduler& s_;
  bool locked_ = false;
  WaitList waiters_;
};

}  // namespace sansim
