// A cell is one node of the cluster as the model sees it: it boots the node's
// subsystems and routes operator commands to them (§0021-0023). It runs cell
// membership services and, when the cluster has file systems, the cluster file system
// (white pages, metadata servers and client, model/cxfs) with recovery (model/corpse),
// which every delivered membership drives.
#pragma once

#include <map>
#include <memory>
#include <set>

#include "engine/simulation.h"
#include "model/app/app.h"
#include "model/app/workload.h"
#include "model/cms/cms.h"
#include "model/corpse/corpse.h"
#include "model/cred/credential_cache.h"
#include "model/cxfs/config.h"
#include "model/cxfs/node.h"
#include "model/kore/kore.h"

namespace sansim {

struct CellConfig {
  bool server_capable = false;
  std::string os;  // the OS tag of a heterogeneous cluster (§0021): informational
  cms::Options cms;
  std::vector<cxfs::FsConfig> filesystems;  // every file system of the cluster
  cxfs::Mutations fs_mutations;
  // The scenario's whole workload (every node gets the same copy); the node's App keeps
  // only its own part: its calls, its generator processes, the initial files it makes.
  app::Workload workload;
  corpse::Options recovery;
};

class Cell final : public NodeProcess {
 public:
  Cell(Simulation& sim, NodeId self, CellConfig config);

  void start() override;
  // Operator commands: "withdraw"; "relocate <fs> <node>" (KORE, to node number <node>);
  // "hsm_crash <fs>" and "hsm_restart <fs>" (the HSM daemon beside fs's server);
  // "unmount <fs>" and "mount <fs>" (on this node).
  bool command(const std::string& name) override;

  const cms::Cms& membership() const { return cms_; }
  // "withdraw" on a node with file systems: relocate what it serves, then withdraw.
  Task<void> shut_down();
  // "unmount <fs>": a server relocates `fs` first (§0074), then the node's client gives
  // its tokens back. Refused (and observed) when nobody else can take the server role.
  Task<void> unmount(std::uint32_t fs);
  // A recovery cycle left a file system this node could serve without a server: ask for
  // another round after a backoff (1s, doubling to 16s while it stays so).
  Task<void> ask_for_server();
  cxfs::Node* cxfs() { return cxfs_.get(); }
  kore::Kore* kore() { return kore_.get(); }

 private:
  // Relocates `fs`, served here, to the first candidate in the membership that takes it.
  Task<bool> move_away(std::uint32_t fs);
  void unmount_refused(std::uint32_t fs, const std::string& why);

  Simulation& sim_;
  NodeId self_;
  CellConfig config_;
  cms::Cms cms_;
  cred::CredentialCache creds_;
  std::unique_ptr<cxfs::Node> cxfs_;  // when the cluster has file systems
  std::unique_ptr<corpse::Corpse> corpse_;  // recovers them on membership changes
  std::unique_ptr<kore::Kore> kore_;        // relocates their servers on request
  std::vector<NodeId> members_;             // the last membership delivered with this node in it
  std::map<std::uint32_t, std::uint64_t> mounts_;
  Duration unserved_backoff_ = 1'000'000'000;  // ask_for_server's next wait
  bool asking_for_server_ = false;  // "mount" commands so far: supersede an unmount
  std::unique_ptr<app::App> app_;     // the node's user processes, on cxfs's FileAccess
};

}  // namespace sansim
