// What KORE relocation asks of the subsystems on a node (§0074-0076). The cluster file
// system implements it (model/cxfs/node.h); KORE itself knows nothing of files, only of
// servers, clients, their chandles and the bag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/node_id.h"
#include "engine/task.h"
#include "model/kore/messages.h"

namespace sansim::kore {

class Participant {
 public:
  virtual ~Participant() = default;
  // The server this node targets for `fs` (kNoNode if none): where a request goes.
  virtual NodeId server_of(std::uint32_t fs) const = 0;
  // On the source: why `fs` cannot move to `to` now (not served here, recovery or a
  // relocation under way), or nullopt.
  virtual std::optional<std::string> cannot_move(std::uint32_t fs, NodeId to) const = 0;
  // Source prepare (§0075, §0080): quiesce the server; wake DMAPI waiters with migrating.
  virtual Task<void> source_prepare(std::uint32_t fs) = 0;
  // Target prepare (§0075, Fig. 14B): why this node cannot become the server, or nullopt.
  virtual std::optional<std::string> target_prepare(std::uint32_t fs) = 0;
  // Converts this node's vnodes of `fs` (§0076): to the server chain or the client chain.
  virtual Task<void> convert(std::uint32_t fs, bool to_server) = 0;
  // Detargets the chandle of `fs` (Fig. 14D); calls wait for the retarget.
  virtual Task<void> detarget(std::uint32_t fs) = 0;
  // On the source: drains the server, bags it and ends its role here (§0076).
  virtual Task<Bag> bag(std::uint32_t fs) = 0;
  // On the target (or the source taking its own bag back): mounts `fs` from the shared
  // disk and installs the bag; false if the file system could not be mounted.
  virtual Task<bool> unbag(std::uint32_t fs, Bag bag) = 0;
  // Retargets the chandle of `fs` at `server` and updates white pages (Fig. 14F).
  virtual Task<void> retarget(std::uint32_t fs, NodeId server) = 0;
  // On the source, before bagging: the relocation did not happen; serve again.
  virtual void resume(std::uint32_t fs) = 0;
  // A server made by an abandoned relocation (the membership changed while it mounted)
  // ends its role at once: recovery decides who serves.
  virtual void drop_server(std::uint32_t fs) = 0;
};

}  // namespace sansim::kore
