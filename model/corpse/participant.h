// What recovery asks of the subsystems on a node (the celldown and recovery callouts of
// §0066-0070). The cluster file system implements it (model/cxfs/node.h); recovery
// itself knows nothing of files, only of servers, clients and their tokens.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "engine/node_id.h"
#include "engine/task.h"
#include "model/corpse/messages.h"

namespace sansim::corpse {

class Participant {
 public:
  virtual ~Participant() = default;
  // The celldown callouts for `failed` (§0066-0067): the transport stops talking to the
  // failed nodes, servers drop their tokens, and clients detarget the chandles of file
  // systems whose server is among them (waiting for messages under way to drain).
  // Answers this node's vote: whether it is fresh, what it serves, whom it targets.
  virtual Task<Reply> celldown(std::set<NodeId> failed) = 0;
  // Every token of file system `fs` this node holds (its manifest, §0068).
  virtual std::vector<Holding> manifest(std::uint32_t fs) = 0;
  // Become the server of `fs`: replay its journal from the shared disk and rebuild the
  // token server from `holdings` (§0069-0070). False when the file system could not be
  // mounted here.
  virtual Task<bool> instantiate(std::uint32_t fs, std::vector<Holding> holdings) = 0;
  // Points this node at the servers and the white-pages node recovery elected (§0070):
  // chandles retarget, and the white-pages node takes the entries (§0072).
  virtual Task<void> retarget(std::vector<ServerEntry> servers, NodeId wp) = 0;
  // The cycle completed on every member (§0073): nothing of it is under way any more.
  // Default: nothing to do.
  virtual void complete() {}
  // This node is no longer a member: whatever it caches or serves may be out of date and
  // the cluster has fenced it, so it drops all of it and starts fresh when it rejoins.
  virtual void left() = 0;
};

}  // namespace sansim::corpse
