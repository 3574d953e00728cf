// Channel<T>: a FIFO queue between tasks of one node. Bounded (capacity > 0: senders
// wait while it is full) or unbounded (capacity 0). Receivers are served in arrival
// order; an item is reserved for the receiver it woke, so a later receiver cannot take
// it first. close() wakes everyone with WaitStatus::closed once the queue is drained.
#pragma once

#include <cassert>
#include <deque>
#include <optional>

#include "engine/sync/interrupt.h"

namespace sansim {

template <class T>
struct Received {
  WaitStatus status = WaitStatus::ok;
  std::optional<T> item;
  explicit operator bool() const { return item.has_value(); }
  T& operator*() { return *item; }
  T* operator->() { return &*item; }
};

template <class T>
class Channel {
 public:
  explicit Channel(Scheduler& s, std::size_t capacity = 0) : s_(s), capacity_(capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  std::size_t size() const { return items_.size(); }
  bool full() const { return capacity_ != 0 && items_.size() + reserved_room_ >= capacity_; }
  bool closed() const { return closed_; }

  // Non-blocking send. Returns false (item dropped) when full or closed.
  bool push(T item) {
    if (closed_ || full()) return false;
    items_.push_back(std::move(item));
    hand_to_receiver();
    return true;
  }

  // co_await send(item) -> WaitStatus; waits while full.
  auto send(T item, Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      Channel& c;
      T item;
      Interrupt* i;
      Time deadline;
      Waiter w;
      bool await_ready() {
        if (c.closed_) {
          w.status = WaitStatus::closed;
          return true;
        }
        if (!c.full()) {
          c.push(std::move(item));
          return true;
        }
        if (WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(c.s_, w, c.senders_, i, deadline, h); }
      WaitStatus await_resume() {
        if (w.status == WaitStatus::ok && w.tag == 1) {
          // Woken because room was made: the room is reserved for us.
          --c.reserved_room_;
          c.items_.push_back(std::move(item));
          c.hand_to_receiver();
        }
        return w.status;
      }
    };
    return Awaiter{*this, std::move(item), interrupt, deadline, {}};
  }

  // co_await recv(...) -> Received<T>.
  auto recv(Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      Channel& c;
      Interrupt* i;
      Time deadline;
      Waiter w;
      std::optional<T> got;
      bool await_ready() {
        if (c.items_.size() > c.reserved_items_) {
          got.emplace(c.take());
          return true;
        }
        if (c.closed_) {
          w.status = WaitStatus::closed;
          return true;
        }
        if (WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(c.s_, w, c.receivers_, i, deadline, h); }
      Received<T> await_resume() {
        if (!got && w.status == WaitStatus::ok && w.tag == 1) {
          --c.reserved_items_;
          got.emplace(c.take());
        }
        return Received<T>{got ? WaitStatus::ok : w.status, std::move(got)};
      }
    };
    return Awaiter{*this, interrupt, deadline, {}, {}};
  }

  void close() {
    closed_ = true;
    while (!senders_.empty()) s_.wake(*senders_.front(), WaitStatus::closed);
    if (items_.size() <= reserved_items_)
      while (!receivers_.empty()) s_.wake(*receivers_.front(), WaitStatus::closed);
  }

 private:
  void hand_to_receiver() {
    if (!receivers_.empty() && items_.size() > reserved_items_) {
      ++reserved_items_;
      s_.wake(*receivers_.front(), WaitStatus::ok, 1);
    }
  }
  T take() {
    T v = std::move(items_.front());
    items_.pop_front();
    if (!senders_.empty() && (capacity_ == 0 || items_.size() + reserved_room_ < capacity_)) {
      ++reserved_room_;
      s_.wake(*senders_.front(), WaitStatus::ok, 1);
    }
    return v;
  }

  Scheduler& s_;
  std::size_t capacity_;
  bool closed_ = false;
  std::deque<T> items_;
  std::size_t reserved_items_ = 0;  // items promised to woken receivers
  std::size_t reserved_room_ = 0;   // slots promised to woken senders
  WaitList receivers_;
  WaitList senders_;
};

}  // namespace sansim
