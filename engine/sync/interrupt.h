// Interrupt: the means by which recovery and relocation wake blocked threads (§0083-0084).
// A wait that names an Interrupt returns WaitStatus::early when the interrupt is raised
// while it waits, or at once if it is already raised. It stays raised until cleared, so
// a thread that loops back to wait again learns at once that it may not wait.
#pragma once

#include "engine/scheduler.h"
#include "engine/waiter.h"

namespace sansim {

class Interrupt {
 public:
  explicit Interrupt(Scheduler& s) : s_(s) {}
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

  void raise() {
    raised_ = true;
    while (!waiters_.empty()) s_.wake(*waiters_.front(), WaitStatus::early);
  }
  void clear() { raised_ = false; }
  bool raised() const { return raised_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  friend struct WaitSetup;
  Scheduler& s_;
  bool raised_ = false;
  WaitList waiters_;
};

// Shared by the primitives: checks an interrupt before parking and links the waiter to it.
struct WaitSetup {
  static bool raised(const Interrupt* i) { return i != nullptr && i->raised_; }
  static void park(Scheduler& s, Waiter& w, WaitList& list, Interrupt* i, Time deadline, std::coroutine_handle<> h) {
    list.push_back(&w);
    if (i != nullptr) i->waiters_.push_back_interrupt(&w);
    s.block(w, h, deadline);
  }
};

}  // namespace sansim
