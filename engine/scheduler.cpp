#include "engine/scheduler.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace sansim {

namespace detail {
void root_finished(const RootLink& link, std::exception_ptr error) {
  link.scheduler->on_root_finished(link.slot, std::move(error));
}
}  // namespace detail

Scheduler::Scheduler(Trace& trace) : trace_(trace) {
  heap_.reserve(1024);
  events_.reserve(1024);
}

Scheduler::~Scheduler() {
  // Destroy what is left in spawn order, so RAII in frames runs deterministically.
  for (std::uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].live) {
      std::coroutine_handle<> h = slots_[s].root;
      slots_[s].live = false;
      ++slots_[s].generation;
      h.destroy();
    }
  }
}

void Scheduler::shuffle_ties(std::uint64_t seed) {
  shuffle_ = true;
  tie_rng_ = Rng(seed).child("scheduler.ties");
}

void Scheduler::push(const Event& e) {
  const std::uint64_t seq = seq_++;
  std::uint32_t index;
  if (!free_events_.empty()) {
    index = free_events_.back();
    free_events_.pop_back();
    events_[index] = e;
  } else {
    index = static_cast<std::uint32_t>(events_.size());
    events_.push_back(e);
  }
  heap_.push(Key{e.at, shuffle_ ? tie_rng_.next() : seq, index});
}

void Scheduler::spawn(NodeId node, Task<void> task, std::string name) {
  Task<void>::Handle h = task.release();
  assert(h);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.root = h;
  s.node = node;
  s.live = true;
  s.name = std::move(name);
  s.blocked = nullptr;
  h.promise().root = detail::RootLink{this, slot};
  push(Event{now_, h.address(), s.generation, slot, node, TraceKind::start});
}

void Scheduler::free_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.live = false;
  ++s.generation;
  s.root = {};
  s.blocked = nullptr;
  s.name.clear();
  free_slots_.push_back(slot);
}

void Scheduler::on_root_finished(std::uint32_t slot, std::exception_ptr error) {
  Slot& s = slots_[slot];
  if (error && !has_failure_) {
    has_failure_ = true;
    failure_.node = s.node;
    failure_.task = s.name;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      failure_.what = e.what();
    } catch (...) {
      failure_.what = "unknown exception";
    }
  }
  std::coroutine_handle<> h = s.root;
  free_slot(slot);
  h.destroy();
}

void Scheduler::kill_node_tasks(NodeId node) {
  assert(!in_task_);
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    Slot& s = slots_[slot];
    if (!s.live || s.node != node) continue;
    std::coroutine_handle<> h = s.root;
    free_slot(slot);
    h.destroy();  // runs RAII; waiters unlink themselves
  }
}

std::size_t Scheduler::live_tasks(NodeId node) const {
  std::size_t n = 0;
  for (const Slot& s : slots_)
    if (s.live && s.node == node) ++n;
  return n;
}

void Scheduler::schedule(Time at, NodeId node, TraceKind kind, EventTarget* target, std::uint64_t arg) {
  assert(at >= now_);
  push(Event{at, target, arg, UINT32_MAX, node, kind});
}

void Scheduler::resume_at(Time at, std::coroutine_handle<> h) {
  assert(in_task_);
  push(Event{at, h.address(), slots_[current_slot_].generation, current_slot_, current_node_,
             TraceKind::resume});
}

void Scheduler::block(Waiter& w, std::coroutine_handle<> h, Time deadline) {
  assert(in_task_);
  w.scheduler = this;
  w.handle = h;
  w.task_slot = current_slot_;
  w.status = WaitStatus::ok;
  w.serial = ++wait_serial_;
  Slot& s = slots_[current_slot_];
  s.blocked = &w;
  s.wait_serial = w.serial;
  if (deadline != kTimeNever) {
    // A timeout event names the task and this wait; it does nothing if the wait is over.
    push(Event{std::max(deadline, now_), nullptr, w.serial, current_slot_, current_node_, TraceKind::timer});
  }
}

void Scheduler::wake(Waiter& w, WaitStatus status, std::uint64_t tag) {
  w.unlink();
  w.status = status;
  w.tag = tag;
  Slot& s = slots_[w.task_slot];
  assert(s.live && s.blocked == &w);
  s.blocked = nullptr;
  push(Event{now_, w.handle.address(), s.generation, w.task_slot, s.node, TraceKind::resume});
}

void Scheduler::dispatch(const Event& e) {
  if (e.slot != UINT32_MAX) {
    Slot& s = slots_[e.slot];
    if (e.ptr == nullptr) {
      // Timeout of a wait: only if that very wait is still in progress.
      if (!s.live || s.blocked == nullptr || s.wait_serial != e.arg) return;
      ++steps_;
      trace_.record_event(e.at, e.node, TraceKind::timer, e.slot);
      Waiter& w = *s.blocked;
      wake(w, WaitStatus::timeout);
      return;
    }
    if (!s.live || s.generation != e.arg) return;  // the task died; its wake-up is void
    ++steps_;
    trace_.record_event(e.at, e.node, e.kind, e.slot);
    current_node_ = s.node;
    current_slot_ = e.slot;
    in_task_ = true;
    std::coroutine_handle<>::from_address(e.ptr).resume();
    in_task_ = false;
    current_node_ = kNoNode;
    return;
  }
  ++steps_;
  trace_.record_event(e.at, e.node, e.kind, e.arg);
  static_cast<EventTarget*>(e.ptr)->fire(e.arg);
}

bool Scheduler::step() {
  if (heap_.empty()) return false;
  const std::uint32_t index = heap_.pop().event;
  const Event e = events_[index];
  free_events_.push_back(index);
  assert(e.at >= now_);
  now_ = e.at;
  dispatch(e);
  rethrow_failure();
  return true;
}

void Scheduler::rethrow_failure() {
  if (has_failure_) {
    has_failure_ = false;
    throw failure_;
  }
}

void Scheduler::run_until(Time t) {
  while (!heap_.empty() && heap_.top().at <= t) step();
  if (t > now_ && t != kTimeNever) now_ = t;
}

bool Scheduler::run_until(const std::function<bool()>& done, Time limit) {
  if (done()) return true;
  while (!heap_.empty() && heap_.top().at <= limit) {
    step();
    if (done()) return true;
  }
  return false;
}

}  // namespace sansim
