// The relocation hand-off (§0077-0081). A call that meets a metadata server being
// relocated is answered with the internal `migrating` error: a DMAPI wait woken by
// KORE's source prepare, or a request the quiescing server no longer takes. The layer
// holding the behavior head then steps out: it unlocks the head (so KORE can convert
// the vnode's chain), waits until this node has been pointed at the new server, relocks
// and calls the chain again, which now leads to the new server. The user never sees the
// error. The dmapi behavior does this for DMAPI-enabled file systems (Fig. 15B); the
// vnode layer does it for chains without one (our extension: §0083-0084 asks callers
// of interrupted token operations to be ready for "no result"; this is what ours do).
#pragma once

#include <cstdint>
#include <utility>

#include "engine/task.h"
#include "model/vnode/vnode.h"

namespace sansim::vnode {

// Where a node stands with each file system's relocations.
class Relocations {
 public:
  virtual ~Relocations() = default;
  // Moves on every time this node is (re)pointed at a file system's server.
  virtual std::uint64_t epoch(std::uint32_t fs) const = 0;
  // Returns once epoch(fs) has moved past `since`.
  virtual Task<void> wait(std::uint32_t fs, std::uint64_t since) = 0;
};

inline Errno errno_of(Errno e) { return e; }
template <class T>
Errno errno_of(const xfs::Result<T>& r) {
  return r.err;
}

// Runs `attempt(first behavior)` under the head lock the caller holds shared, handing off
// while it answers `migrating`. With `unlock` false the head stays locked while it waits
// (the hold-lock behaviour, and a mutation: KORE's conversion then waits for it).
template <class R, class Attempt>
Task<R> hand_off(Vnode& v, Relocations* relocations, bool unlock, Attempt attempt) {
  for (;;) {
    const std::uint64_t epoch = relocations != nullptr ? relocations->epoch(v.fs()) : 0;
    auto op = attempt();
    R r = co_await op;
    if (errno_of(r) != Errno::migrating || relocations == nullptr) co_return r;
    if (!unlock) {
      auto w = relocations->wait(v.fs(), epoch);
      co_await w;
      continue;
    }
    Vnode::StepOut out(v);  // unlocks the head (418)
    auto w = relocations->wait(v.fs(), epoch);
    co_await w;  // conversion and relocation complete (420)
    co_await out.relock();  // 422
  }
}

}  // namespace sansim::vnode
