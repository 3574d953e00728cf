// The vnode (§0026-0027): one file or directory as the node's operating system sees it,
// independent of which file system or role serves it. It holds the head of its behavior
// chain and the behavior head lock: every operation holds the head lock shared while it
// runs in the chain; converting the chain (KORE, §0076) holds it exclusively, so it
// waits for the operations inside to finish or to step out (the DMAPI hand-off of
// §0077-0081 unlocks the head while it waits for relocation).
#pragma once

#include <cassert>
#include <cstdint>
#include <vector>

#include "engine/sync/rwlock.h"
#include "engine/task.h"
#include "model/vnode/behavior.h"

namespace sansim::vnode {

class Vnode {
 public:
  Vnode(Scheduler& sched, std::uint32_t fs, Ino ino, std::vector<Behavior*> chain)
      : fs_(fs), ino_(ino), head_(sched), chain_(std::move(chain)) {
    assert(!chain_.empty());
  }
  Vnode(const Vnode&) = delete;
  Vnode& operator=(const Vnode&) = delete;

  std::uint32_t fs() const { return fs_; }
  Ino ino() const { return ino_; }
  // The behavior head lock.
  RwLock& head() { return head_; }
  // Where operations enter the chain.
  Behavior& first() const { return *chain_.front(); }
  // The behavior after `b` in the chain, or nullptr when `b` is the last.
  Behavior* next(const Behavior& b) const {
    for (std::size_t i = 0; i + 1 < chain_.size(); ++i)
      if (chain_[i] == &b) return chain_[i + 1];
    return nullptr;
  }
  const std::vector<Behavior*>& chain() const { return chain_; }
  // A behavior that steps out of the head lock its operation holds shared (the DMAPI
  // hand-off, §0080) and back in. Should the operation's task be destroyed while out (its
  // node crashed), the hold it stepped out of is marked so that the caller's release
  // does not unlock it a second time.
  class StepOut {
   public:
    explicit StepOut(Vnode& v) : v_(v) { v_.head_.unlock_shared(); }
    ~StepOut() {
      if (out_) ++v_.stepped_out_;
    }
    StepOut(const StepOut&) = delete;
    StepOut& operator=(const StepOut&) = delete;
    Task<void> relock() {
      co_await v_.head_.lock_shared();
      out_ = false;
    }

   private:
    Vnode& v_;
    bool out_ = true;
  };
  // Releases an operation's shared hold, unless it was stepped out of (StepOut).
  void release_shared() {
    if (stepped_out_ > 0) {
      --stepped_out_;
      return;
    }
    head_.unlock_shared();
  }

  // Replaces the chain. REQUIRES: the head lock held exclusively (§0076).
  void convert(std::vector<Behavior*> chain) {
    assert(!chain.empty());
    chain_ = std::move(chain);
  }

 private:
  const std::uint32_t fs_;
  const Ino ino_;
  RwLock head_;
  std::vector<Behavior*> chain_;  // GUARDED_BY(head_) for changes
  std::uint32_t stepped_out_ = 0;  // holds whose operation died stepped out (StepOut)
};

}  // namespace sansim::vnode
