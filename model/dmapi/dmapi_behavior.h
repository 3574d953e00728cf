// The dmapi behavior (dmapi_bnc, §0078-0081, Fig. 4A/4B and 15B): first in the chain of
// every vnode of a DMAPI-enabled file system, on the server node and on client nodes.
// Every operation calls the next behavior (dsvn or dcvn, which raise the DMAPI event,
// Fig. 7) and, when that answers the internal `migrating` error because KORE is moving
// the file system's server, hands the call off: unlocks the behavior head, waits for the
// conversion and relocation to finish, relocks and calls the next behavior again — now
// the one leading to the new server (handoff.h). The caller never sees the error.
#pragma once

#include "model/vnode/behavior.h"
#include "model/vnode/handoff.h"
#include "model/vnode/vnode.h"

namespace sansim::dmapi {

using vnode::Errno;
using vnode::Ino;
using vnode::IoMode;
using vnode::Stat;

// Deliberate hand-off bugs, for showing the checkers catch them (scenario `mutations:`).
struct HandOffMutations {
  bool keep_head_locked = false;   // wait out the relocation with the head still locked
  bool surface_migrating = false;  // return `migrating` to the caller instead
};

class DmapiBehavior final : public vnode::Behavior {
 public:
  DmapiBehavior(vnode::Relocations& relocations, HandOffMutations mutations)
      : relocations_(relocations), mutations_(mutations) {}
  const char* name() const override { return "dmapi"; }
  bool hands_off() const override { return true; }

  Task<xfs::Result<Ino>> lookup(vnode::Vnode& dir, std::string name) override;
  Task<xfs::Result<Ino>> create(vnode::Vnode& dir, std::string name, xfs::FileType type) override;
  Task<Errno> unlink(vnode::Vnode& dir, std::string name) override;
  Task<Errno> rename(vnode::Vnode& dir, std::string name, vnode::Vnode& to_dir, std::string to_name) override;
  Task<xfs::Result<Stat>> getattr(vnode::Vnode& v) override;
  Task<Errno> setattr(vnode::Vnode& v, xfs::SetAttr attrs) override;
  Task<Errno> truncate(vnode::Vnode& v, std::uint64_t size) override;
  Task<Errno> open(vnode::Vnode& v) override;
  Task<Errno> close(vnode::Vnode& v) override;
  Task<Errno> read(vnode::Vnode& v, std::uint64_t offset, std::uint64_t length, IoMode mode, Bytes& out) override;
  Task<Errno> write(vnode::Vnode& v, std::uint64_t offset, Bytes data, IoMode mode) override;
  Task<Errno> fsync(vnode::Vnode& v) override;
  Task<Errno> fault(vnode::Vnode& v, std::uint64_t page, bool store, std::uint64_t in_page, Bytes& data) override;
  Task<Errno> migrate(vnode::Vnode& v, bool release) override;

 private:
  // The next behavior of `v`'s chain as it is now (after a conversion, another one).
  vnode::Behavior& next(vnode::Vnode& v) const { return *v.next(*this); }
  template <class R, class Attempt>
  Task<R> handed(vnode::Vnode& v, Attempt attempt) {
    // surface_migrating (a mutation): no hand-off, the error goes up to the user.
    vnode::Relocations* r = mutations_.surface_migrating ? nullptr : &relocations_;
    return vnode::hand_off<R>(v, r, !mutations_.keep_head_locked, std::move(attempt));
  }

  vnode::Relocations& relocations_;
  const HandOffMutations mutations_;
};

}  // namespace sansim::dmapi
