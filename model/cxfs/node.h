// The cluster file system on one node: its message service, the metadata client every
// node runs, the metadata servers of the file systems this node serves, the node's
// vnodes with their behavior chains ([dsvn] for a file system served here, [dcvn] for
// the others), the FileAccess user processes call, and — on the white-pages node — the
// white-pages table (§0026-0027, §0037).
//
// Who serves what is recovery's decision (model/corpse), made on every membership
// change; the node carries it out through the Participant callouts: the first cycle of
// a cluster elects each file system's first candidate, which mounts it (§0037), and a
// later one moves a failed server's file systems to the next surviving candidate.
#pragma once

#include <memory>
#include <set>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "model/cell/rpc.h"
#include "model/corpse/participant.h"
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

class Node final : public corpse::Participant {
 public:
  Node(Simulation& sim, NodeId self, std::vector<FsConfig> filesystems, Mutations mutations);

  void start();
  Client& client() { return *client_; }
  // What user processes on this node call.
  vnode::FileAccess& files() { return *files_; }
  vnode::VnodeTable& vnodes() { return *vnodes_; }
  // The live server of `fs` on this node, or null.
  const Server* server(std::uint32_t fs) const;
  NodeId wp_node() const { return wp_node_; }
  const wp::WhitePages& white_pages() const { return wp_; }

  // corpse::Participant
  Task<corpse::Reply> celldown(std::set<NodeId> failed) override;
  std::vector<corpse::Holding> manifest(std::uint32_t fs) override;
  Task<bool> instantiate(std::uint32_t fs, std::vector<corpse::Holding> holdings) override;
  Task<void> retarget(std::vector<corpse::ServerEntry> servers, NodeId wp) override;
  void left() override;

 private:
  Task<Bytes> dispatch(NodeId from, Bytes bytes);
  Task<Reply> serve_locally(Server* server, Request r);
  void retire(std::uint32_t fs);
  Task<bool> instantiate_now(std::uint32_t fs, std::vector<corpse::Holding> holdings);

  Simulation& sim_;
  NodeId self_;
  std::vector<FsConfig> filesystems_;
  Mutations mutations_;
  NodeId wp_node_ = kNoNode;
  Rpc rpc_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Dcvn> dcvn_;
  std::unique_ptr<Dsvn> dsvn_;
  std::unique_ptr<vnode::VnodeTable> vnodes_;
  std::unique_ptr<vnode::VnodeAccess> files_;
  std::vector<std::unique_ptr<PathRetry>> server_volumes_;
  std::vector<std::unique_ptr<Server>> servers_;  // by file-system index; null where not served
  std::vector<PathRetry*> server_volume_;         // the volume view of each live server
  // Servers whose role ended here: requests may still be running in them, so they live
  // on (answering stale) until the node goes.
  std::vector<std::unique_ptr<Server>> retired_;
  wp::WhitePages wp_;
  std::set<NodeId> failed_;  // as of the last celldown
  bool fresh_ = true;
  std::uint64_t lefts_ = 0;  // how often this node left the membership
  std::set<std::uint32_t> instantiating_;  // file systems being mounted here by recovery
  Condition instantiated_;  // no file-system state since boot or the last reset (the vote, §0066)
};

}  // namespace sansim::cxfs
