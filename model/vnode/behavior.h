// A behavior: one layer of a vnode's chain (§0027, Fig. 4A/4B). The vnode's operations
// enter the chain at its first behavior; a behavior does its part and calls the next
// one (Vnode::next) or answers itself. On a client node the chain is [dcvn]; on the
// metadata server [dsvn]; a DMAPI-enabled file system puts dmapi first (issue 5). KORE
// relocation converts one chain into the other under the behavior head lock (§0076).
//
// Operations on a directory vnode take the name they act on; operations on a file take
// the file's vnode. None throws for protocol or I/O failures: they answer an Errno.
#pragma once

#include <cstdint>
#include <string>

#include "engine/task.h"
#include "engine/wire.h"
#include "model/vnode/file_access.h"

namespace sansim::vnode {

class Vnode;

class Behavior {
 public:
  virtual ~Behavior() = default;
  // The reference's name of the layer ("dcvn", "dsvn", "dmapi"), for traces.
  virtual const char* name() const = 0;
  // Whether this behavior hands calls answered `migrating` off to the new server itself
  // (the dmapi behavior, §0080); the vnode layer does it for chains that start otherwise.
  virtual bool hands_off() const { return false; }

  // Directory operations: `dir` is the directory's vnode.
  virtual Task<xfs::Result<Ino>> lookup(Vnode& dir, std::string name) = 0;
  virtual Task<xfs::Result<Ino>> create(Vnode& dir, std::string name, xfs::FileType type) = 0;
  virtual Task<Errno> unlink(Vnode& dir, std::string name) = 0;
  virtual Task<Errno> rename(Vnode& dir, std::string name, Vnode& to_dir, std::string to_name) = 0;

  // Object operations.
  virtual Task<xfs::Result<Stat>> getattr(Vnode& v) = 0;
  virtual Task<Errno> setattr(Vnode& v, xfs::SetAttr attrs) = 0;
  virtual Task<Errno> truncate(Vnode& v, std::uint64_t size) = 0;
  virtual Task<Errno> open(Vnode& v) = 0;
  virtual Task<Errno> close(Vnode& v) = 0;
  // read/write with mode buffered or direct (mapped access is `fault`).
  virtual Task<Errno> read(Vnode& v, std::uint64_t offset, std::uint64_t length, IoMode mode, Bytes& out) = 0;
  virtual Task<Errno> write(Vnode& v, std::uint64_t offset, Bytes data, IoMode mode) = 0;
  virtual Task<Errno> fsync(Vnode& v) = 0;
  // A page fault on a mapped file (the mapped token set of §0033): a load brings page
  // `page` in and answers its bytes in `data` (short or empty past the end of file); a
  // store writes `data` over the page from byte `in_page` and dirties it.
  virtual Task<Errno> fault(Vnode& v, std::uint64_t page, bool store, std::uint64_t in_page, Bytes& data) = 0;
  // dmput: the file system's HSM copies the file to tape; `release` leaves it offline
  // (its blocks freed, §0041). EINVAL where the file system is not DMAPI-enabled.
  virtual Task<Errno> migrate(Vnode& v, bool release) = 0;
};

}  // namespace sansim::vnode
