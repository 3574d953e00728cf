// The FileAccess user processes call (the system-call layer above the vnodes): it walks
// paths one component at a time through the directory vnodes' lookup (each behavior may
// answer from its NAME cache), then runs the operation on the vnode it found. Every
// operation holds the vnode's behavior head lock shared while it runs in the chain
// (§0027, §0077). Mapped reads and writes become one page fault per page touched.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/vnode/file_access.h"
#include "model/vnode/handoff.h"
#include "model/vnode/vnode_table.h"

namespace sansim::vnode {

class VnodeAccess final : public FileAccess {
 public:
  // The file system's index once it is mounted on this node; else why not (ENOENT: no
  // such file system here, or — for a path `lookup` — unmounted; EIO: the mount did not
  // come in time).
  using MountOf = std::function<Task<xfs::Result<std::uint32_t>>(const std::string& fs, bool lookup)>;

  // With `relocations`, a call answered `migrating` is handed off to the new server
  // (handoff.h) unless the chain's first behavior does that itself (dmapi).
  VnodeAccess(VnodeTable& vnodes, MountOf mount_of, Relocations* relocations = nullptr)
      : vnodes_(vnodes), mount_of_(std::move(mount_of)), relocations_(relocations) {}

  Task<xfs::Result<Ino>> lookup(std::string fs, std::string path) override;
  Task<xfs::Result<Ino>> create(std::string fs, std::string path) override;
  Task<xfs::Result<Ino>> mkdir(std::string fs, std::string path) override;
  Task<Errno> unlink(std::string fs, std::string path) override;
  Task<Errno> rename(std::string fs, std::string from, std::string to) override;
  Task<xfs::Result<Stat>> getattr(std::string fs, std::string path) override;
  Task<Errno> setattr(std::string fs, std::string path, xfs::SetAttr attrs) override;
  Task<Errno> truncate(std::string fs, std::string path, std::uint64_t size) override;
  Task<Errno> open(std::string fs, Ino ino) override;
  Task<Errno> close(std::string fs, Ino ino) override;
  Task<Errno> read(std::string fs, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode,
                   Bytes& out) override;
  Task<Errno> write(std::string fs, Ino ino, std::uint64_t offset, Bytes data, IoMode mode) override;
  Task<Errno> fsync(std::string fs, Ino ino) override;
  Task<Errno> migrate(std::string fs, std::string path, bool release) override;

 private:
  struct Walked {
    Errno err = Errno::ok;
    Ino ino = 0;       // the object, or its directory when the leaf was asked for
    std::string leaf;  // the last component, when asked for
  };
  // Resolves `path` in file system `fs`; with `parent`, stops at the last component's
  // directory and answers the component (an empty path has none: inval).
  Task<Walked> walk(std::uint32_t fs, std::string path, bool parent);
  struct Found {
    Errno err = Errno::ok;
    Vnode* vnode = nullptr;  // the object, or with `parent` its directory; null on error
    std::string leaf;
  };
  Task<Found> find(std::string fs, std::string path, bool parent);
  // The vnode of `ino` in `fs`; null when `fs` is not mounted.
  Task<Vnode*> vnode_of(std::string fs, Ino ino);
  // Runs a file operation that takes only the vnode (open, close, fsync) in its chain.
  Task<Errno> on_file(std::string fs, Ino ino, Task<Errno> (Behavior::*op)(Vnode&));
  Task<xfs::Result<Ino>> make(std::string fs, std::string path, xfs::FileType type);
  Task<Errno> mapped_read(Vnode& v, std::uint64_t offset, std::uint64_t length, Bytes& out);
  Task<Errno> mapped_write(Vnode& v, std::uint64_t offset, const Bytes& data);

  // One operation in `v`'s chain, under the head lock the caller holds shared.
  template <class R, class Attempt>
  Task<R> in_chain(Vnode& v, Attempt attempt) {
    return hand_off<R>(v, v.first().hands_off() ? nullptr : relocations_, true, std::move(attempt));
  }

  VnodeTable& vnodes_;
  MountOf mount_of_;
  Relocations* relocations_;
};

}  // namespace sansim::vnode
