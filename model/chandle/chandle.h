// A chandle, the client handle (§0065-0067): where a client-side object's server is —
// the service (which subsystem), the server node, and a locator the subsystem defines
// (how to find the object on that node) — behind a multi-reader barrier lock.
//
// Every message to the server is sent under a hold: the hold takes the lock shared and
// reads the target. Detarget (recovery's celldown callout, KORE's detarget phase) takes
// the lock exclusively: it waits for the holds already taken to drain and then keeps
// every new hold waiting, so no message goes to a server that is gone or moving.
// Retarget points the chandle at the new server and releases the waiters, which then
// send there. A hold waits with an interrupt and a deadline, so recovery can turn a
// wait that would never end into an error (§0062, §0068: "cell down").
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>

#include "engine/node_id.h"
#include "engine/sync/condition.h"
#include "engine/sync/rwlock.h"
#include "engine/task.h"

namespace sansim::chandle {

// Which subsystem the chandle belongs to (§0065).
enum class Service : std::uint8_t { file_system, vnode, name_service };

const char* to_string(Service s);

struct Target {
  NodeId node = kNoNode;
  std::uint64_t locator = 0;  // subsystem-defined: where the object is on `node`
  bool operator==(const Target&) const = default;
};

class Chandle {
 public:
  Chandle(Scheduler& sched, Service service, Target target)
      : service_(service), target_(target), lock_(sched), settled_(sched) {}
  Chandle(const Chandle&) = delete;
  Chandle& operator=(const Chandle&) = delete;

  // While a Hold lives, the chandle cannot be detargeted: messages sent under it go to
  // `target()`. Movable, not copyable; releases the barrier lock when destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& o) noexcept : c_(o.c_), target_(o.target_) { o.c_ = nullptr; }
    Hold& operator=(Hold&& o) noexcept {
      if (this != &o) {
        release();
        c_ = o.c_;
        target_ = o.target_;
        o.c_ = nullptr;
      }
      return *this;
    }
    ~Hold() { release(); }
    explicit operator bool() const { return c_ != nullptr; }
    const Target& target() const { return target_; }
    void release() {
      if (c_ != nullptr) c_->lock_.unlock_shared();
      c_ = nullptr;
    }

   private:
    friend class Chandle;
    Hold(Chandle* c, Target t) : c_(c), target_(t) {}
    Chandle* c_ = nullptr;
    Target target_;
  };

  // Takes a hold; waits while the chandle is detargeted. An empty Hold when `interrupt`
  // was raised or `deadline` passed first (the caller answers an error).
  Task<Hold> hold(Interrupt* interrupt = nullptr, Time deadline = kTimeNever);

  // Stops new holds and waits for those taken to drain. A detarget while another is
  // draining waits for that one; one on a detargeted chandle does nothing (recovery may
  // detarget for a failure and for the node's own reset at once).
  Task<void> detarget();
  // Points the chandle at `target` and lets waiting holds through. REQUIRES: detargeted.
  void retarget(Target target);

  // Points a targeted chandle elsewhere at once, without draining: only for a node that
  // reset, whose holds in flight are void anyway (they keep the old target and fail).
  void repoint(Target target) {
    assert(targeted());
    target_ = target;
  }
  bool targeted() const { return !detargeted_ && !detargeting_; }
  bool detargeting() const { return detargeting_; }
  Service service() const { return service_; }
  // The current target (the old one while detargeted: what recovery looks at, §0067).
  const Target& target() const { return target_; }
  std::uint32_t holds() const { return lock_.readers(); }

 private:
  const Service service_;
  Target target_;
  RwLock lock_;
  Condition settled_;  // a detarget finished draining
  bool detargeted_ = false;
  bool detargeting_ = false;
};

}  // namespace sansim::chandle
