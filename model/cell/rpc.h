// Request/reply messages between cells over the general channel set (§0023, §0057).
//
// A call sends the request and waits for the reply. It answers nullopt when the request
// or its reply could not be delivered (the LAN reported a message error: the peer is
// down, partitioned, or not serving this port), so a caller never waits on a peer that
// is known to be gone. Each incoming request runs in a task of its own on the receiving
// node, so a handler may itself wait (for token recalls, disk I/O) without holding up
// other requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "engine/simulation.h"
#include "engine/sync/channel.h"
#include "engine/sync/future.h"
#include "engine/task.h"
#include "engine/wire.h"

namespace sansim {

class Rpc {
 public:
  // The handler answers a request with the reply's bytes.
  using Handler = std::function<Task<Bytes>(NodeId from, Bytes request)>;

  Rpc(Simulation& sim, NodeId self, std::uint16_t port);
  Rpc(const Rpc&) = delete;
  Rpc& operator=(const Rpc&) = delete;

  void set_handler(Handler h) { handler_ = std::move(h); }
  // Binds the port and spawns the receive loop.
  void start();

  Task<std::optional<Bytes>> call(NodeId to, Bytes request);

  std::uint64_t calls() const { return next_id_ - 1; }

  // Recovery's freeze of the general channels to failed nodes (§0057, §0062, §0068):
  // from now on, calls to `peers` answer nullopt ("cell down") at once — those already
  // waiting too — and requests from them are not served. Replaces the previous set, so
  // a node that rejoined is talked to again. A request from a cut peer is refused (the
  // peer's call answers nullopt), not served. Freezing and later thawing with errors for
  // the waiters, as the reference does, ends the same way; cutting at once is simpler
  // and leaves no held message to deliver late.
  void cut(const std::set<NodeId>& peers);
  // Calls waiting on `peers` answer nullopt now; later calls go through. For peers that
  // left the membership: a peer that crashed after sending its reply took the reply
  // with it (the LAN drops a dead node's messages), and only membership tells the
  // caller (fs property seed 680: a rejoin within one aborted cycle left a call, and
  // the chandle hold under it, waiting for ever).
  void abandon(const std::set<NodeId>& peers);

 private:
  Task<void> receive_loop();
  Task<void> serve(NodeId from, std::uint64_t id, Bytes request);

  Simulation& sim_;
  NodeId self_;
  std::uint16_t port_;
  Port inbox_;
  Handler handler_;
  std::uint64_t next_id_ = 1;
  struct Pending {
    NodeId to;
    Promise<std::optional<Bytes>> reply;
  };
  std::map<std::uint64_t, Pending> pending_;
  std::set<NodeId> cut_;
};

}  // namespace sansim
