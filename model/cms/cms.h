// Cell membership services: heartbeats, failure detection and the membership protocol
// of Fig. 10 (§0053-0060).
//
// Every node heartbeats on the membership channels. A node that needs a membership (it
// is nascent with enough nodes around, or it detected a failure, a join or a withdrawal)
// works out who should lead: the longest-standing server-capable node it hears, then the
// lowest id (§0054). The leader runs a round: probe every node, collect whom each hears,
// propose the largest fully connected set (§0055), and deliver it once every proposed
// member accepted. Without a quorum (more than half the configured nodes) the nodes that
// answered go dead. Rounds are numbered; a node accepts at most one proposal per round
// and never an older one, so two leaders can never both deliver the same epoch.
//
// Joins wait while a membership change triggered by a failure or withdrawal is being
// delivered (§0058): such rounds probe only the current members.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/channel.h"
#include "engine/task.h"
#include "model/cms/messages.h"
#include "model/cms/state.h"

namespace sansim::cms {

constexpr std::uint16_t kPort = 1;

struct Options {
  Duration heartbeat_interval = 100'000'000;  // 100ms
  Duration failure_timeout = 500'000'000;     // a member silent this long has failed
  Duration round_timeout = 300'000'000;       // leader's wait for replies and accepts
  Duration follower_timeout = 1'000'000'000;  // follower's wait for the leader
  Duration join_retry = 500'000'000;
  int no_quorum_retries = 2;                  // rounds without quorum before going dead
  // A dead node's CMS starts over as nascent after this long, so a cluster that lost
  // quorum re-forms by itself once enough nodes are back (the reference leaves what
  // follows the dead state open; we restart the membership service, not the node).
  Duration dead_restart = 2'000'000'000;

  // Deliberate protocol bugs, for showing that the checkers catch them. Never set in a
  // real run; scenarios may set them under `mutations:`.
  struct Mutations {
    bool ignore_quorum = false;         // deliver a membership without a quorum
    bool reuse_epoch = false;           // number a new round like the last delivered one
    bool no_failure_detection = false;  // never notice a silent member
    bool forget_version_tags = false;   // send no version tags with connectivity
  } mutations;
};

// A membership is named by (generation, epoch). Epochs count up within one cluster
// lifetime; a lifetime begins when a membership forms among nodes none of which
// remembers an earlier one (all that did crashed: nodes keep no state across a crash),
// and gets a fresh generation, so a reused epoch number never names two memberships.
struct Membership {
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  NodeId leader = kNoNode;
  std::vector<NodeId> members;
  std::vector<NodeVersions> versions;
};

class Cms {
 public:
  Cms(Simulation& sim, NodeId self, bool server_capable, std::size_t configured, Options options);
  Cms(const Cms&) = delete;
  Cms& operator=(const Cms&) = delete;

  void start();
  // Orderly withdrawal (§0056). Ignored unless stable.
  void withdraw();
  // Asks for a new membership round though nobody failed or joined (the leader runs it,
  // or is asked to): a file system left without a server gained a member that can serve
  // it, and only a recovery cycle elects a server (model/cell). Ignored unless stable.
  void request_round(const char* why);

  State state() const { return state_; }
  const Membership& membership() const { return membership_; }

  // Told of every delivered membership, and of every move to nascent, dead or shutdown
  // (the node is then no member of anything): recovery starts from these (§0057, §0063).
  using Listener = std::function<void(State, const Membership&)>;
  void set_listener(Listener l) { listener_ = std::move(l); }
  // Told when a peer's heartbeat shows a new incarnation: it crashed and booted again,
  // perhaps before anyone declared it failed, and what it was doing for us is gone.
  void set_restart_listener(std::function<void(NodeId)> f) { restart_listener_ = std::move(f); }

 private:
  struct Peer {
    Time heard = -1;
    Heartbeat last;
  };
  struct Round {
    std::uint64_t number = 0;
    std::uint64_t generation = 0;
    bool proposing = false;
    Time deadline = 0;
    std::vector<NodeId> probed;
    std::map<NodeId, Connectivity> replies;
    std::vector<NodeId> members;
    std::vector<NodeVersions> versions;
    std::set<NodeId> accepted;
    bool include_joiners = true;
  };

  Task<void> heartbeat_loop();
  Task<void> receive_loop();
  void handle(NodeId from, const Message& m);
  void bounced(NodeId to, const Message& m);
  void tick();

  void set_state(State s);
  void send(NodeId to, const Message& m);
  std::vector<NodeId> view() const;  // nodes heard recently, self included, sorted
  std::vector<NodeId> leader_candidates() const;
  bool is_withdrawing(NodeId n, std::uint32_t boot) const;
  bool active_member(NodeId n) const;
  NodeId choose_leader(const std::vector<NodeId>& among) const;
  bool has_quorum(std::size_t n) const { return mutations_.ignore_quorum || 2 * n > configured_; }
  bool is_member(NodeId n) const;
  void detect_failure(NodeId peer, const char* how);
  void need_change(const char* why);
  void start_round(bool include_joiners, const char* why);
  void evaluate_round();
  void finish_round();
  void deliver(std::uint64_t generation, std::uint64_t round, NodeId leader, const std::vector<NodeId>& members,
               const std::vector<NodeVersions>& versions);
  void go_dead(std::uint64_t round);
  Connectivity my_connectivity(std::uint64_t round) const;

  void on_heartbeat(NodeId from, const Heartbeat& m);
  void on_probe(NodeId from, const Probe& m);
  void on_connectivity(NodeId from, const Connectivity& m);
  void on_propose(NodeId from, const Propose& m);
  void on_accept(NodeId from, const Accept& m);
  void on_commit(NodeId from, const Commit& m);
  void on_dead(NodeId from, const Dead& m);
  void on_join(NodeId from, const JoinRequest& m);
  void on_change(NodeId from, const ChangeRequest& m);
  void on_withdraw(NodeId from, const Withdraw& m);
  void on_withdraw_ack(NodeId from, const WithdrawAck& m);
  void on_release(NodeId from, const Release& m);

  Simulation& sim_;
  const NodeId self_;
  const bool server_capable_;
  const std::size_t configured_;
  const Options options_;
  const Options::Mutations mutations_;
  const std::uint32_t boot_;
  Port inbox_;
  Listener listener_;
  std::function<void(NodeId)> restart_listener_;

  State state_ = State::nascent;
  Membership membership_;
  std::int64_t member_since_ = -1;
  std::vector<Peer> peers_;
  std::uint64_t highest_round_ = 0;   // highest round number seen anywhere
  std::uint64_t known_generation_ = 0;  // the cluster lifetime this node knows of
  std::uint64_t promised_ = 0;        // highest round whose proposal this node accepted
  NodeId round_leader_ = kNoNode;     // leader of the round this node follows
  std::optional<Propose> accepted_;   // proposal accepted, awaiting commit
  NodeId accepted_leader_ = kNoNode;  // who proposed it
  Time delivered_at_ = 0;
  Time dead_since_ = 0;
  Time next_round_at_ = 0;           // leader retrying after a round without quorum
  bool retry_joiners_ = true;
  Time follower_deadline_ = 0;
  std::optional<Round> round_;        // when leading
  int no_quorum_rounds_ = 0;
  std::map<NodeId, Time> suspected_;  // members detected failed since the last delivery, and when
  std::set<NodeId> pending_joins_;    // joins deferred while a change is delivered
  // Joiners a join round could not admit (the connected set was the membership as it
  // was): not asked about again before this, doubling per refusal (kJoinBackoff..Max).
  std::map<NodeId, std::pair<Time, Duration>> join_refused_;
  static constexpr Duration kJoinBackoff = 500'000'000, kJoinBackoffMax = 8'000'000'000;
  std::map<NodeId, std::uint32_t> withdrawing_;  // node -> boot that asked to withdraw
  bool withdraw_requested_ = false;
  Time next_request_ = 0;             // retry time for join/withdraw/change requests
};

}  // namespace sansim::cms
