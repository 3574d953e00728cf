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

#include <functional>
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
#include "model/dmapi/dmapi_behavior.h"
#include "model/kore/participant.h"
#include "model/vnode/vnode_access.h"
#include "model/vnode/vnode_table.h"
#include "model/wp/white_pages.h"

namespace sansim::cxfs {

inline constexpr std::uint16_t kPort = 2;

class Node final : public corpse::Participant, public kore::Participant {
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
  void complete() override;
  // The KORE triggers (failback, balance): asks for at most one relocation; answers whether it did.
  bool judge_triggers();
  Task<void> judge_triggers_again(std::uint64_t cycle);
  // Who moves a file system (Cell wires KORE's relocate here): the triggers run at the
  // end of every recovery cycle (FsConfig::failback, balance).
  using Relocate = std::function<void(std::uint32_t fs, NodeId to)>;
  void set_relocate(Relocate r) { relocate_ = std::move(r); }
  // How often, and how far apart, a trigger whose relocation did not happen is judged
  // again after a cycle (judge_triggers_again).
  static constexpr int kTriggerAttempts = 10;
  static constexpr Duration kTriggerRecheck = 500'000'000;
  // Called at the end of a recovery cycle that left a file system this node could serve
  // without a server (every candidate failed to mount, say, on a disk error since gone):
  // only another cycle elects one, and nothing else would start it (Cell asks for one).
  void set_unserved(std::function<void()> f) { unserved_ = std::move(f); }
  bool unserved_anywhere() const {
    for (std::uint32_t fs = 0; fs < filesystems_.size(); ++fs)
      if (unserved_candidate(fs)) return true;
    return false;
  }

  // kore::Participant (relocation, model/kore).
  NodeId server_of(std::uint32_t fs) const override { return client_->target(fs); }
  std::optional<std::string> cannot_move(std::uint32_t fs, NodeId to) const override;
  Task<void> source_prepare(std::uint32_t fs) override;
  std::optional<std::string> target_prepare(std::uint32_t fs) override;
  Task<void> convert(std::uint32_t fs, bool to_server) override;
  Task<void> detarget(std::uint32_t fs) override;
  Task<kore::Bag> bag(std::uint32_t fs) override;
  Task<bool> unbag(std::uint32_t fs, kore::Bag bag) override;
  Task<void> retarget(std::uint32_t fs, NodeId server) override;
  void resume(std::uint32_t fs) override;
  void drop_server(std::uint32_t fs) override;

  // Members that left the membership since the last delivery: calls waiting on them
  // fail now (Rpc::abandon), as recovery's freeze would, even if no cycle gets that far.
  void departed(const std::set<NodeId>& gone) { rpc_.abandon(gone); }
  // The file system's index by name, if configured.
  std::optional<std::uint32_t> fs_index(const std::string& name) const;
  // The HSM daemon of `fs` on this node dies / comes back (a fault). False if none here.
  bool hsm_crash(std::uint32_t fs, bool crash);
  Server* live_server(std::uint32_t fs) { return fs < servers_.size() ? servers_[fs].get() : nullptr; }
  // This node could serve `fs` (a candidate with it mounted), is pointed at no server of
  // it (detargeted by a recovery that found no server, or by a relocation abandoned
  // since), and no recovery here is settling who serves it. (Mid-relocation, a client is
  // detargeted too: asking for a round then abandons the relocation, and recovery's
  // vote finds the one server — safe, and only an operator's remount gets here.)
  bool unserved_candidate(std::uint32_t fs) const {
    return fs < filesystems_.size() && candidate(fs) && !client_->unmounted(fs) && servers_[fs] == nullptr &&
           !client_->targeted(fs) && !settling(fs);
  }
  // Recovery is under way here, or is making this node the server of `fs`.
  bool settling(std::uint32_t fs) const { return recovering_ || instantiating_.count(fs) != 0; }

 private:
  Task<Bytes> dispatch(NodeId from, Bytes bytes);
  Task<Reply> serve_locally(Server* server, Request r);
  void retire(std::uint32_t fs);
  // Mounts `fs` here: from recovery's manifests, or (with `bag`) from a relocation's bag.
  Task<bool> instantiate_now(std::uint32_t fs, std::vector<corpse::Holding> holdings,
                             const kore::Bag* bag = nullptr);
  // The chain of a vnode of `fs` on this node, as server or as client (§0027, Fig. 4A/4B).
  std::vector<vnode::Behavior*> chain(std::uint32_t fs, bool server) const;
  bool candidate(std::uint32_t fs) const;
  // This node's white-pages entry for `fs` now names `server` (observed when it changes).
  void set_white_pages(std::uint32_t fs, NodeId server);

  Simulation& sim_;
  NodeId self_;
  std::vector<FsConfig> filesystems_;
  Mutations mutations_;
  NodeId wp_node_ = kNoNode;
  Rpc rpc_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Dcvn> dcvn_;
  std::unique_ptr<Dsvn> dsvn_;
  std::unique_ptr<dmapi::DmapiBehavior> dmapi_;
  std::set<std::uint32_t> server_chain_;  // file systems whose new vnodes get the server chain
  // Between recovery's celldown and its complete step: other members may still be
  // retargeting, so no relocation starts (relocation property seed 25: one started between
  // this node's retarget and another's, and the cycle completed naming a server that had
  // just bagged).
  bool recovering_ = false;
  std::uint64_t cycles_completed_ = 0;
  Relocate relocate_;
  std::function<void()> unserved_;
  std::unique_ptr<vnode::VnodeTable> vnodes_;
  std::unique_ptr<vnode::VnodeAccess> files_;
  std::vector<std::unique_ptr<PathRetry>> server_volumes_;
  std::vector<std::unique_ptr<Server>> servers_;  // by file-system index; null where not served
  std::vector<PathRetry*> server_volume_;         // the volume view of each live server
  // Servers whose role ended here: requests may still be running in them, so they live
  // on (answering stale) until the node goes.
  std::vector<std::unique_ptr<Server>> retired_;
  // Every node's white-pages entries (§0037: the name service's clients); the table on
  // the white-pages node is the one `wp_lookup` answers from. Recovery's retarget fills
  // them from the leader's table (§0072), a relocation's retarget moves one (§0076).
  wp::WhitePages wp_;
  std::set<NodeId> failed_;  // as of the last celldown
  bool fresh_ = true;
  std::uint64_t lefts_ = 0;  // how often this node left the membership
  std::set<std::uint32_t> instantiating_;  // file systems being mounted here by recovery
  Condition instantiated_;  // no file-system state since boot or the last reset (the vote, §0066)
};

}  // namespace sansim::cxfs
