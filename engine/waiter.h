// The one way a task blocks: it parks a Waiter on a WaitList (and optionally on an
// Interrupt) and suspends. Whoever wakes it goes through Scheduler::wake, which unlinks
// the waiter everywhere and queues the resumption: a primitive never resumes a waiter
// inline, so the order of wake-ups is a function of the event queue alone.
//
// A Waiter lives in the blocked coroutine's frame (inside an awaiter). If the frame is
// destroyed while blocked (its node crashed), the Waiter's destructor unlinks it, so no
// list ever holds a dangling waiter.
#pragma once

#include <coroutine>
#include <cstdint>

#include "engine/time.h"

namespace sansim {

class Scheduler;
class WaitList;

enum class WaitStatus : std::uint8_t {
  ok,       // the thing waited for happened
  early,    // interrupted (§0083-0084): give up and return partial results
  timeout,  // the deadline passed first
  closed,   // the object waited on went away (closed channel, broken promise)
};

const char* to_string(WaitStatus s);

struct Waiter {
  Scheduler* scheduler = nullptr;
  std::coroutine_handle<> handle;
  std::uint32_t task_slot = 0;
  WaitStatus status = WaitStatus::ok;
  std::uint64_t serial = 0;  // identifies this wait for its timeout event

  // Primary list (the primitive) and secondary list (an Interrupt).
  WaitList* list = nullptr;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  WaitList* ilist = nullptr;
  Waiter* iprev = nullptr;
  Waiter* inext = nullptr;

  // Payload a waker may leave for the woken (e.g. shared vs exclusive grant).
  std::uint64_t tag = 0;

  Waiter() = default;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  ~Waiter();
  void unlink();
};

// An intrusive FIFO of waiters. Constant-time append, remove and pop.
class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;
  ~WaitList();

  bool empty() const { return head_ == nullptr; }
  Waiter* front() const { return head_; }
  std::size_t size() const { return size_; }

  void push_back(Waiter* w);
  void remove(Waiter* w);
  void push_back_interrupt(Waiter* w);
  void remove_interrupt(Waiter* w);

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sansim
