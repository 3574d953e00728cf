// The single-threaded event loop. Events are ordered by (time, tie): `tie` is the
// sequence number unless the run explores schedules, in which case it is a seeded
// random 64-bit key, so events at one instant run in a shuffled but reproducible order
// (two equal random keys are as unlikely as a hash collision, and still ordered the
// same way on every run, because the heap operations are themselves deterministic).
//
// Two kinds of event: resuming a task that was parked (sleep, a wake-up, a timeout), and
// firing an EventTarget (message delivery, a fault, a timer of a subsystem). Every event
// that runs is counted as a step and recorded in the trace.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "engine/event_heap.h"
#include "engine/node_id.h"
#include "engine/random.h"
#include "engine/task.h"
#include "engine/time.h"
#include "engine/trace.h"
#include "engine/waiter.h"

namespace sansim {

// Something that can be fired by the event loop with a 64-bit argument.
class EventTarget {
 public:
  virtual void fire(std::uint64_t arg) = 0;

 protected:
  ~EventTarget() = default;
};

// A task that ended by an exception: a failed invariant in model code. The runner turns
// it into a reported violation; it is never swallowed.
struct TaskFailure {
  NodeId node;
  std::string task;
  std::string what;
};

class Scheduler {
 public:
  explicit Scheduler(Trace& trace);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Time now() const { return now_; }
  std::uint64_t steps() const { return steps_; }
  std::size_t pending() const { return heap_.size(); }

  // Schedule exploration: break ties at one instant by a seeded shuffle.
  void shuffle_ties(std::uint64_t seed);

  // Starts `task` as a root task owned by `node`; it first runs from the queue, at now.
  void spawn(NodeId node, Task<void> task, std::string name);

  // Destroys every root task of `node`, in spawn order. RAII in their frames runs; no
  // event of theirs runs again. REQUIRES: not called from inside a task.
  void kill_node_tasks(NodeId node);
  std::size_t live_tasks(NodeId node) const;

  // Fires target->fire(arg) at `at`. `kind` names the event in the trace.
  void schedule(Time at, NodeId node, TraceKind kind, EventTarget* target, std::uint64_t arg);

  // Awaitable: suspends the current task for `d` of virtual time (0 = yield).
  auto sleep(Duration d) {
    struct Awaiter {
      Scheduler* s;
      Duration d;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) { s->resume_at(s->now_ + (d < 0 ? 0 : d), h); }
      void await_resume() const noexcept {}
    };
    return Awaiter{this, d};
  }

  // Parks `w` (already on its lists) for the current task; with a deadline, a timeout
  // event wakes it with WaitStatus::timeout unless something else woke it first.
  void block(Waiter& w, std::coroutine_handle<> h, Time deadline);
  // Unlinks `w` from its lists and queues its resumption with `status`.
  void wake(Waiter& w, WaitStatus status, std::uint64_t tag = 0);

  // Runs events until the queue is empty or the next event is after `t`; now becomes t.
  void run_until(Time t);
  // Runs until `done()` holds (checked after each step), the queue empties, or `limit`.
  // Returns whether `done()` held.
  bool run_until(const std::function<bool()>& done, Time limit);
  // Runs one event. Returns false when the queue is empty.
  bool step();

  // The node whose task is running (kNoNode outside tasks).
  NodeId current_node() const { return current_node_; }
  bool in_task() const { return in_task_; }

  // A task failure stops the run: run_until throws it from the loop.
  void on_root_finished(std::uint32_t slot, std::exception_ptr error);

 private:
  // What an event does. Kept apart from the heap so that the heap moves only small keys.
  struct Event {
    Time at;
    void* ptr;            // coroutine address or EventTarget
    std::uint64_t arg;    // EventTarget argument, or the task generation
    std::uint32_t slot;   // task slot for resumptions
    NodeId node;
    TraceKind kind;
  };
  struct Key {
    Time at;
    std::uint64_t tie;    // the sequence number, or a seeded random key when exploring
    std::uint32_t event;  // index into events_
  };
  struct Sooner {
    bool operator()(const Key& a, const Key& b) const {
      if (a.at != b.at) return a.at < b.at;
      return a.tie < b.tie;
    }
  };
  struct Slot {
    std::coroutine_handle<> root;
    NodeId node = kNoNode;
    std::uint32_t generation = 0;
    bool live = false;
    std::string name;
    Waiter* blocked = nullptr;
    std::uint64_t wait_serial = 0;
  };

  void push(const Event& e);
  void resume_at(Time at, std::coroutine_handle<> h);
  void dispatch(const Event& e);
  void free_slot(std::uint32_t slot);
  void rethrow_failure();

  Trace& trace_;
  EventHeap<Key, Sooner> heap_;
  std::vector<Event> events_;
  std::vector<std::uint32_t> free_events_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  Time now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t wait_serial_ = 0;
  bool shuffle_ = false;
  Rng tie_rng_{0};
  NodeId current_node_ = kNoNode;
  std::uint32_t current_slot_ = 0;
  bool in_task_ = false;
  bool has_failure_ = false;
  TaskFailure failure_;
};

}  // namespace sansim
