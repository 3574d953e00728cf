// Promise/Future: a single value handed from one task to others on the same node.
// A promise destroyed without a value (its task's node crashed, or it was dropped)
// breaks the future: waiters return WaitStatus::closed.
#pragma once

#include <cassert>
#include <memory>
#include <optional>

#include "engine/sync/interrupt.h"

namespace sansim {

template <class T>
class Future;

namespace detail {
template <class T>
struct FutureState {
  explicit FutureState(Scheduler& s) : s(s) {}
  ~FutureState() { assert(waiters.empty()); }
  Scheduler& s;
  std::optional<T> value;
  bool broken = false;
  WaitList waiters;
  void finish() {
    while (!waiters.empty()) s.wake(*waiters.front(), value ? WaitStatus::ok : WaitStatus::closed);
  }
};
}  // namespace detail

template <class T>
class Promise {
 public:
  explicit Promise(Scheduler& s) : st_(std::make_shared<detail::FutureState<T>>(s)) {}
  Promise(Promise&&) noexcept = default;
  Promise& operator=(Promise&&) noexcept = default;
  ~Promise() {
    if (st_ && !st_->value && !st_->broken) {
      st_->broken = true;
      st_->finish();
    }
  }

  Future<T> future() const { return Future<T>(st_); }
  bool fulfilled() const { return st_->value.has_value(); }

  void set_value(T v) {
    assert(!st_->value && !st_->broken);
    st_->value.emplace(std::move(v));
    st_->finish();
  }

 private:
  std::shared_ptr<detail::FutureState<T>> st_;
};

template <class T>
class Future {
 public:
  Future() = default;

  bool ready() const { return st_ && (st_->value || st_->broken); }
  bool has_value() const { return st_ && st_->value.has_value(); }
  // REQUIRES: has_value().
  const T& value() const { return *st_->value; }

  // co_await wait(...) -> WaitStatus: ok (value present), closed (promise broken),
  // early (interrupted) or timeout.
  auto wait(Interrupt* interrupt = nullptr, Time deadline = kTimeNever) {
    struct Awaiter {
      std::shared_ptr<detail::FutureState<T>> st;
      Interrupt* i;
      Time deadline;
      Waiter w;
      bool await_ready() {
        if (st->value) return true;
        if (st->broken) {
          w.status = WaitStatus::closed;
          return true;
        }
        if (WaitSetup::raised(i)) {
          w.status = WaitStatus::early;
          return true;
        }
        return false;
      }
      void await_suspend(std::coroutine_handle<> h) { WaitSetup::park(st->s, w, st->waiters, i, deadline, h); }
      WaitStatus await_resume() const { return w.status; }
    };
    assert(st_);
    return Awaiter{st_, interrupt, deadline, {}};
  }

 private:
  friend class Promise<T>;
  explicit Future(std::shared_ptr<detail::FutureState<T>> st) : st_(std::move(st)) {}
  std::shared_ptr<detail::FutureState<T>> st_;
};

}  // namespace sansim
