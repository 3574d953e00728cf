// KORE, the kernel object relocation engine (§0074-0076, Fig. 13, Fig. 14A-14H), on one
// node: moves the metadata server of a file system to another node on purpose, with
// every client and the node itself still using the file system.
//
// The source server drives it; each phase is one request per node it concerns:
//
//   request         someone asks (an administrator, a trigger); a node that is not
//                   the server forwards the request to the server it targets
//   source_prepare  the source quiesces: new requests answer `migrating`, token waits
//                   end early (§0083-0084), DMAPI waiters are woken with `migrating`
//                   (§0080), so nothing waits on a tape while the server moves
//   target_prepare  the target checks it can serve (a member and a candidate, not busy)
//   convert         the source converts its vnodes to the client chain (dsvn -> dcvn)
//   detarget        every member detargets the source's chandle and drains it
//   bag             the source drains, bags its token table and DMAPI masks and ends its
//                   role; the target mounts (replaying the journal), unbags, converts its
//                   vnodes to the server chain and serves (Fig. 14E)
//   retarget        every member retargets the target; the white-pages node updates
//                   its entry (Fig. 14F, §0076)
//   end             the source is a client now, the target's token client part of the
//                   server (Fig. 14G-H)
//
// A relocation belongs to the membership it started in. Any membership change aborts
// every relocation on every node (recovery's pass 1, §0063, §0074): the source, if it
// has not bagged yet, serves again; a target that has unbagged keeps serving; a bag not
// yet unbagged is refused. Recovery's vote then finds exactly one server or none (it
// elects one and rebuilds it from the manifests). A relocation refused by the target
// (or a target that cannot mount) ends with the source serving again and every member
// pointed back at it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "engine/simulation.h"
#include "model/cell/rpc.h"
#include "model/cms/cms.h"
#include "model/kore/messages.h"
#include "model/kore/participant.h"

namespace sansim::kore {

inline constexpr std::uint16_t kPort = 4;

class Kore {
 public:
  Kore(Simulation& sim, NodeId self, Participant& participant);
  Kore(const Kore&) = delete;
  Kore& operator=(const Kore&) = delete;

  void start();
  // The membership listener (beside recovery's).
  void membership(cms::State state, const cms::Membership& m);
  // An administrator's request: move `fs` to `to` (forwarded to its server if need be).
  void relocate(std::uint32_t fs, NodeId to);
  // This node, serving `fs`, moves it to `to` and answers once the relocation ended:
  // true if `to` serves it now. For triggers on the server itself (orderly shutdown).
  Task<bool> move(std::uint32_t fs, NodeId to);
  bool busy(std::uint32_t fs) const { return sourcing_.count(fs) != 0 || targeting_.count(fs) != 0; }

 private:
  struct Broadcast;
  Task<void> forward(std::uint32_t fs, NodeId to);
  Task<void> lead(RelocationId id, std::uint32_t fs, NodeId to, std::vector<NodeId> members);
  // `lead`, answering whether the relocation ended with `to` serving.
  Task<bool> lead_to_end(RelocationId id, std::uint32_t fs, NodeId to, std::vector<NodeId> members);
  Task<std::optional<Reply>> ask(RelocationId id, NodeId to, Request r);
  Task<bool> ask_all(RelocationId id, Request r, const std::vector<NodeId>& to);
  Task<void> ask_one(std::shared_ptr<Broadcast> b, NodeId to, Request r);
  Task<Bytes> serve(NodeId from, Bytes bytes);
  Task<Reply> step(NodeId from, Request r);
  bool current(const RelocationId& id) const;
  void observe(const char* what, const RelocationId& id, std::uint32_t fs, std::vector<Field> more = {});
  // Back out of a relocation that will not happen, with the source still serving.
  Task<void> back_out(RelocationId id, std::uint32_t fs, const std::vector<NodeId>& members, const char* why);

  Simulation& sim_;
  const NodeId self_;
  Participant& participant_;
  Rpc rpc_;
  bool member_ = false;
  cms::Membership membership_;
  std::uint32_t next_ = 0;
  std::map<std::uint32_t, RelocationId> sourcing_;     // fs -> the relocation this node leads
  std::map<std::uint32_t, RelocationId> targeting_;    // fs -> the relocation moving it here
  std::uint64_t finished_ = 0;
};

}  // namespace sansim::kore
