// Condition: waiters sleep until notified. Used as in §0084: a thread waiting for token
// state to settle first asks whether it may wait (the `may_wait` check), then sleeps;
// recovery wakes everyone with notify_all, and each re-checks. A caller that may not
// wait gets WaitStatus::early without sleeping.
#pragma once

#include <functional>

#include "engine/sync/interrupt.h"

namespace sansim {

class Condition {
 public:
  explicit Condition(Scheduler& s) : s_(s) {}
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  void notify_one() {
    if (!waiters_.empty()) s_.wake(*waiters_.front(), WaitStatus::ok);
  }
  void notify_all() {
    while (!waiters_.empty()) s_.wake(*waiters_.front(), WaitStatus::ok);
  }
  std::size_t waiting() const { return waiters_.size(); }

  // `may_wait` may be empty (always may). It is called before sleeping, not after.
  auto wait(std::function<bool()> may_wait = {}, Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      Condition& c;
      std::function<bool()> may_wait;
      Interrupt* i;
      Time deadline;
      Waiter w;
      bool await_ready() {
        if ((may_wait && !may_wait()) || WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(c.s_, w, c.waiters_, i, deadline, h); }
      WaitStatus await_resume() const { return w.status; }
    };
    return Awaiter{*this, std::move(may_wait), interrupt, deadline, {}};
  }

 private:
  Scheduler& s_;
  WaitList waiters_;
};

}  // namespace sansim
