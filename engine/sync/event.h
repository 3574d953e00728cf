// Event: a manual-reset flag. wait() returns at once while set; set() wakes every waiter.
#pragma once

#include "engine/sync/interrupt.h"

namespace sansim {

class Event {
 public:
  explicit Event(Scheduler& s) : s_(s) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() {
    set_ = true;
    while (!waiters_.empty()) s_.wake(*waiters_.front(), WaitStatus::ok);
  }
  void reset() { set_ = false; }
  bool is_set() const { return set_; }

  auto wait(Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      Event& e;
      Interrupt* i;
      Time deadline;
      Waiter w;
      bool await_ready() {
        if (e.set_) return true;
        if (WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(e.s_, w, e.waiters_, i, deadline, h); }
      WaitStatus await_resume() const { return w.status; }
    };
    return Awaiter{*this, interrupt, deadline, {}};
  }

 private:
  Scheduler& s_;
  bool set_ = false;
  WaitList waiters_;
};

}  // namespace sansim
