// dcvn: the client behavior (§0026, Fig. 4B). Every vnode operation runs on the node's
// Client: tokens from the file system's metadata server over the LAN, data straight to
// the disks. It is the last behavior of a client node's chain.
#pragma once

#include "model/cxfs/client.h"
#include "model/vnode/behavior.h"
#include "model/vnode/vnode.h"

namespace sansim::cxfs {

class Dcvn : public vnode::Behavior {
 public:
  explicit Dcvn(Client& client) : client_(client) {}
  const char* name() const override { return "dcvn"; }

  Task<xfs::Result<Ino>> lookup(vnode::Vnode& dir, std::string name) override {
    return client_.lookup(dir.fs(), dir.ino(), std::move(name));
  }
  Task<xfs::Result<Ino>> create(vnode::Vnode& dir, std::string name, xfs::FileType type) override {
    return client_.create(dir.fs(), dir.ino(), std::move(name), type);
  }
  Task<Errno> unlink(vnode::Vnode& dir, std::string name) override {
    return client_.unlink(dir.fs(), dir.ino(), std::move(name));
  }
  Task<Errno> rename(vnode::Vnode& dir, std::string name, vnode::Vnode& to_dir, std::string to_name) override {
    return client_.rename(dir.fs(), dir.ino(), std::move(name), to_dir.ino(), std::move(to_name));
  }
  Task<xfs::Result<Stat>> getattr(vnode::Vnode& v) override { return client_.getattr(v.fs(), v.ino()); }
  Task<Errno> setattr(vnode::Vnode& v, xfs::SetAttr attrs) override { return client_.setattr(v.fs(), v.ino(), attrs); }
  Task<Errno> truncate(vnode::Vnode& v, std::uint64_t size) override { return client_.truncate(v.fs(), v.ino(), size); }
  Task<Errno> open(vnode::Vnode& v) override { return client_.open(v.fs(), v.ino()); }
  Task<Errno> close(vnode::Vnode& v) override { return client_.close(v.fs(), v.ino()); }
  Task<Errno> read(vnode::Vnode& v, std::uint64_t offset, std::uint64_t length, IoMode mode, Bytes& out) override {
    return client_.read(v.fs(), v.ino(), offset, length, mode, out);
  }
  Task<Errno> write(vnode::Vnode& v, std::uint64_t offset, Bytes data, IoMode mode) override {
    return client_.write(v.fs(), v.ino(), offset, std::move(data), mode);
  }
  Task<Errno> fsync(vnode::Vnode& v) override { return client_.fsync(v.fs(), v.ino()); }
  Task<Errno> fault(vnode::Vnode& v, std::uint64_t page, bool store, std::uint64_t in_page, Bytes& data) override {
    return client_.fault(v.fs(), v.ino(), page, store, in_page, data);
  }
  Task<Errno> migrate(vnode::Vnode& v, bool release) override { return client_.migrate(v.fs(), v.ino(), release); }

 private:
  Client& client_;
};

}  // namespace sansim::cxfs
