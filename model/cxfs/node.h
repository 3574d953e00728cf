// The cluster file system on one node: its message service, the metadata client every
// node runs, the metadata servers of the file systems this node serves, the node's
// vnodes with their behavior chains ([dsvn] for a file system served here, [dcvn] for
// the others), the FileAccess user processes call, and — on the white-pages node — the
// white-pages server (§0026-0027, §0037).
//
// Mounting (§0037): once membership is stable, each candidate server of a file system
// tries to register it with white pages, in the order the configuration lists the
// candidates (a later candidate waits a little, so the first normally wins). The one
// whose registration succeeds mounts as metadata server; every mounting node then looks
// the server up and targets it.
#pragma once

#include <memory>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "model/cell/rpc.h"
#include "model/cxfs/client.h"
#include "model/cxfs/config.h"
#include "model/cxfs/dcvn.h"
#include "model/cxfs/dsvn.h"
#include "model/cxfs/path_retry.h"
#include "model/cxfs/server.h"
#include "model/vnode/vnode_access.h"
#include "model/vnode/vnode_table.h"
#include "model/wp/white_pages.h"

namespace sansim::cxfs {

inline constexpr std::uint16_t kPort = 2;

class Node {
 public:
  // `wp_node` runs the white-pages server. `ready` is polled until membership is stable.
  Node(Simulation& sim, NodeId self, std::vector<FsConfig> filesystems, Mutations mutations, NodeId wp_node,
       std::function<bool()> ready);

  void start();
  Client& client() { return *client_; }
  // What user processes on this node call.
  vnode::FileAccess& files() { return *files_; }
  vnode::VnodeTable& vnodes() { return *vnodes_; }
  const Server* server(std::uint32_t fs) const;

 private:
  Task<void> mount_all();
  Task<Bytes> dispatch(NodeId from, Bytes bytes);
  Task<std::optional<Reply>> wp_call(Request r);
  Task<Reply> serve_locally(Server* server, Request r);

  Simulation& sim_;
  NodeId self_;
  std::vector<FsConfig> filesystems_;
  Mutations mutations_;
  NodeId wp_node_;
  std::function<bool()> ready_;
  Rpc rpc_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Dcvn> dcvn_;
  std::unique_ptr<Dsvn> dsvn_;
  std::unique_ptr<vnode::VnodeTable> vnodes_;
  std::unique_ptr<vnode::VnodeAccess> files_;
  std::vector<std::unique_ptr<PathRetry>> server_volumes_;
  std::vector<std::unique_ptr<Server>> servers_;  // by file-system index; null where not served
  wp::WhitePages wp_;
  bool mounting_ = true;  // mount_all has not decided this node's server roles yet
  Condition decided_;
};

}  // namespace sansim::cxfs
