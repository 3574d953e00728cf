// The HSM's DMAPI file access on the metadata server's node (dmapi::FileIo): invisible
// reads and writes go through the node's Client like any other I/O there (so tokens
// keep every cache coherent), without raising events or touching timestamps; masks are
// the Server's.
#pragma once

#include "model/cxfs/client.h"
#include "model/cxfs/server.h"
#include "model/dmapi/hsm/hsm.h"

namespace sansim::cxfs {

class HsmIo final : public dmapi::FileIo {
 public:
  HsmIo(Client& client, Server& server, std::uint32_t fs) : client_(client), server_(server), fs_(fs) {}

  Task<Errno> read_invisible(Ino ino, Bytes& out) override {
    out.clear();
    auto st = client_.getattr(fs_, ino);
    const xfs::Result<Stat> s = co_await st;
    if (!s.ok()) co_return s.err;
    auto o = client_.open(fs_, ino);
    const Errno opened = co_await o;
    if (opened != Errno::ok) co_return opened;
    auto rd = client_.read(fs_, ino, 0, s.value.size, IoMode::direct, out, true);
    const Errno e = co_await rd;
    auto c = client_.close(fs_, ino);
    co_await c;
    co_return e;
  }
  Task<Errno> write_invisible(Ino ino, Bytes data) override {
    auto o = client_.open(fs_, ino);
    const Errno opened = co_await o;
    if (opened != Errno::ok) co_return opened;
    auto wr = client_.write(fs_, ino, 0, std::move(data), IoMode::direct, true);
    const Errno e = co_await wr;
    auto c = client_.close(fs_, ino);
    co_await c;
    co_return e;
  }
  Task<Errno> punch(Ino ino) override {
    auto o = client_.open(fs_, ino);
    const Errno opened = co_await o;
    if (opened != Errno::ok) co_return opened;
    auto p = client_.punch(fs_, ino);
    const Errno e = co_await p;
    auto c = client_.close(fs_, ino);
    co_await c;
    co_return e;
  }
  Task<Errno> set_events(Ino ino, dmapi::EventMask mask) override { return server_.set_events(ino, mask); }
  dmapi::EventMask events(Ino ino) const override { return server_.events(ino); }

 private:
  Client& client_;
  Server& server_;
  const std::uint32_t fs_;
};

}  // namespace sansim::cxfs
