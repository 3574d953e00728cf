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
};

}  // namespace sansim::vnode
