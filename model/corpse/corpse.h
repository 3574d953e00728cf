// CORPSE, cell recovery (§0061-0073), on one node.
//
// Every delivered membership starts a recovery cycle, led by the membership's leader
// (the longest-standing server-capable member, §0054 — which is also the node §0064
// elects to lead recovery, and the "oldest server-capable node" white pages goes to).
// If the leader fails, the next delivery names another leader, which starts over: that
// is the re-election of §0064. A cycle:
//
//   fence      every configured node outside the membership is fenced from the fabric
//              (or reset through the reset line) before anything of its moves (§0021)
//   freeze     every member flushes its credential cache for the failed nodes
//              (§0061-0062), runs the celldown callouts and answers its vote (§0066-0067)
//   unfence    members that rejoined fresh get their fabric access back
//   pass 2     white pages: the leader becomes the white-pages node; entries are rebuilt
//              from the votes, one per file system (§0072)
//   pass 3     file systems: a file system whose server survived keeps it; one whose
//              server is gone elects its first surviving candidate (§0063), gathers every
//              member's manifest (§0068), commits, and instantiates the new server, which
//              replays the journal and rebuilds its tokens (§0069-0070)
//   retarget   every member points its chandles at the elected servers (§0070)
//   complete   (§0073)
//
// The first delivery of a cluster runs the same cycle with nothing failed: it mounts
// every file system (election of the first candidate, empty manifests). A join runs it
// with nothing to rebuild: the joiner is retargeted. Pass 1 (relocations interrupted by
// the failure, §0074) arrives with KORE.
//
// A member can miss a membership that excluded it: frozen long enough to be declared
// failed, it thaws and is taken into the next membership without ever noticing it was
// out (it never went nascent, so it never dropped its state). Its state is that of a
// fenced zombie. Each vote names the membership of the last cycle whose retarget the
// member applied (its state is current as of that cycle, its "mark"), and the nodes it
// saw declared failed at a freeze it applied, with the membership that did. A member
// declared failed in a membership newer than its mark was out of a cycle that acted
// on it (servers dropped its tokens at that freeze, even if the cycle went no further),
// and is evicted: it drops everything as a node that left does (§0063: a failed node
// comes back only as a new node). The mark moves only at retarget, after that cycle's
// evictions, so aborted cycles (a membership that churns) cannot wash it out; a member
// from an earlier cluster lifetime (another generation) is evicted too.
//
// A further membership change during a cycle aborts it: members answer the old cycle's
// messages `stale`, and the new leader starts from the fence. An instantiation that
// already happened is not undone: its server votes that it serves the file system and
// keeps it (§0071's "finish the pass, then roll back to the freeze" — the rollback
// re-runs celldown for the nodes that failed since, which is what it is for).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <set>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "model/cell/rpc.h"
#include "model/cms/cms.h"
#include "model/corpse/messages.h"
#include "model/corpse/participant.h"
#include "model/cred/credential_cache.h"

namespace sansim::corpse {

inline constexpr std::uint16_t kPort = 3;

enum class Fencing : std::uint8_t {
  fabric,  // the fabric refuses the node's I/O (its switch ports are disabled)
  reset,   // the reset line power-cycles the node (§0021's serial port multiplexer)
};
const char* to_string(Fencing f);

struct Options {
  Fencing fencing = Fencing::fabric;
  Duration fence_latency = 20'000'000;   // how long fencing one node takes
  Duration reset_reboot = 2'000'000'000;  // a reset node boots again after this long
  Duration retry = 50'000'000;            // a member not answering is asked again after this
  // Deliberate recovery bugs, to show the checkers catch them (`mutations:` in a
  // scenario). Never set in a real run.
  struct Mutations {
    bool skip_fencing = false;
    bool skip_gather = false;                 // the last member's manifest is left out
    bool retarget_before_instantiate = false;
  } mutations;
};

struct Config {
  std::size_t nodes = 0;                         // configured nodes
  std::vector<std::vector<NodeId>> candidates;   // per file system, in election order
  Options options;
};

class Corpse {
 public:
  Corpse(Simulation& sim, NodeId self, Config config, Participant& participant, cred::CredentialCache& creds);
  Corpse(const Corpse&) = delete;
  Corpse& operator=(const Corpse&) = delete;

  void start();
  // The membership listener (cms::Cms::set_listener).
  void membership(cms::State state, const cms::Membership& m);

 private:
  struct Broadcast;
  Task<void> lead(CycleId id, std::vector<NodeId> members);
  Task<bool> fence(NodeId n, CycleId id);
  // Asks every member in `to` and collects their replies; false if the cycle ended first.
  Task<bool> ask_all(CycleId id, Request r, std::vector<NodeId> to, std::map<NodeId, Reply>& replies);
  Task<void> ask_one(std::shared_ptr<Broadcast> b, NodeId to, Request r);
  Task<std::optional<Reply>> ask(CycleId id, NodeId to, Request r);
  Task<Bytes> serve(NodeId from, Bytes bytes);
  Task<Reply> step(NodeId from, Request r);
  bool current(CycleId id) const { return id == cycle_; }
  void observe(const char* what, CycleId id, std::vector<Field> more = {});

  Simulation& sim_;
  const NodeId self_;
  const Config config_;
  Participant& participant_;
  cred::CredentialCache& creds_;
  Rpc rpc_;
  cms::Membership membership_;   // the latest delivered, while a member
  bool member_ = false;
  // The membership of the last cycle whose retarget this node applied (see above).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> previous_;  // generation, epoch
  // Nodes this node saw declared failed at a freeze it applied: node -> (generation, epoch).
  std::map<NodeId, std::pair<std::uint64_t, std::uint64_t>> declared_;
  CycleId cycle_;                // the cycle this node leads or follows now
};

}  // namespace sansim::corpse
