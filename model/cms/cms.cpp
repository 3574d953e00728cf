#include "model/cms/cms.h"

#include <algorithm>
#include <tuple>

#include "model/cms/clique.h"

namespace sansim::cms {
namespace {

std::vector<std::int64_t> as_list(const std::vector<NodeId>& v) { return {v.begin(), v.end()}; }

std::string render_versions(const Simulation& sim, const std::vector<NodeVersions>& versions) {
  std::string out;
  for (const NodeVersions& v : versions) {
    if (!out.empty()) out += ';';
    out += sim.name(v.node) + ":";
    bool first = true;
    for (const auto& [k, level] : v.tags) {
      if (!first) out += ',';
      first = false;
      out += k + "=" + std::to_string(level);
    }
  }
  return out;
}

bool contains(const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); }

}  // namespace

Cms::Cms(Simulation& sim, NodeId self, bool server_capable, std::size_t configured, Options options)
    : sim_(sim),
      self_(self),
      server_capable_(server_capable),
      configured_(configured),
      options_(options),
      mutations_(options.mutations),
      boot_(sim.incarnation(self)),
      inbox_(sim.sched()),
      peers_(configured) {
  sim_.lan().bind(self_, kPort, &inbox_);
}

void Cms::start() {
  sim_.observe(self_, "cms.state", {{"state", std::string(to_string(state_))}, {"epoch", std::int64_t{0}}});
  sim_.sched().spawn(self_, heartbeat_loop(), "cms.heartbeat");
  sim_.sched().spawn(self_, receive_loop(), "cms.receive");
}

Task<void> Cms::heartbeat_loop() {
  for (;;) {
    // Dead nodes keep heartbeating (as dead): they take no part, but what they remember
    // of round numbers and the cluster's lifetime still reaches the others.
    if (state_ != State::shutdown) {
      Heartbeat hb{state_, membership_.epoch, membership_.leader, member_since_, server_capable_, boot_,
                   std::max(highest_round_, promised_), known_generation_};
      const Bytes bytes = encode(hb);
      for (NodeId n = 0; n < configured_; ++n)
        if (n != self_) sim_.lan().send(self_, n, ChannelSet::membership, kPort, bytes);
    }
    co_await sim_.sched().sleep(options_.heartbeat_interval);
  }
}

Task<void> Cms::receive_loop() {
  for (;;) {
    const Time deadline = sim_.now() + options_.heartbeat_interval / 2;
    Received<Envelope> r = co_await inbox_.recv(nullptr, deadline);
    if (r) {
      Envelope& e = *r;
      try {
        Message m = decode(e.bytes);
        if (e.bounced) bounced(e.to, m); else handle(e.from, m);
      } catch (const DecodeError& err) {
        sim_.observe(self_, "cms.bad_message", {{"from", std::int64_t(e.from)}, {"error", std::string(err.what())}});
      }
    }
    tick();
  }
}

void Cms::set_state(State s) {
  if (s == state_) return;
  state_ = s;
  sim_.observe(self_, "cms.state",
               {{"state", std::string(to_string(s))}, {"epoch", static_cast<std::int64_t>(membership_.epoch)}});
  if (listener_ && (s == State::nascent || s == State::dead || s == State::shutdown)) listener_(s, membership_);
}

void Cms::send(NodeId to, const Message& m) { sim_.lan().send(self_, to, ChannelSet::membership, kPort, encode(m)); }

bool Cms::is_member(NodeId n) const { return contains(membership_.members, n); }

std::vector<NodeId> Cms::view() const {
  std::vector<NodeId> v{self_};
  const Time now = sim_.now();
  for (NodeId n = 0; n < configured_; ++n) {
    if (n == self_) continue;
    const Peer& p = peers_[n];
    if (p.heard < 0 || now - p.heard > options_.failure_timeout) continue;
    if (p.last.state == State::dead || p.last.state == State::shutdown) continue;
    if (suspected_.count(n) != 0) continue;
    v.push_back(n);
  }
  std::sort(v.begin(), v.end());
  return v;
}

// In view and taking part in a membership (not nascent, not dead).
bool Cms::active_member(NodeId n) const {
  if (n == kNoNode || !contains(view(), n)) return false;
  if (n == self_) return membership_.epoch != 0;
  const State s = peers_[n].last.state;
  return peers_[n].last.epoch != 0 && (s == State::stable || s == State::follower || s == State::leader);
}

bool Cms::is_withdrawing(NodeId n, std::uint32_t boot) const {
  auto w = withdrawing_.find(n);
  return w != withdrawing_.end() && w->second == boot;
}

// Who may lead: the nodes in view, less those on their way out (§0056).
std::vector<NodeId> Cms::leader_candidates() const {
  std::vector<NodeId> v = view();
  std::erase_if(v, [&](NodeId n) {
    return n == self_ ? withdraw_requested_ : is_withdrawing(n, peers_[n].last.boot);
  });
  return v;
}

// §0054: the longest-standing server-capable member, then the lowest id. Members come
// before nodes that are not yet in a membership: a nascent node must not be asked to
// run the change of a membership it knows nothing of.
NodeId Cms::choose_leader(const std::vector<NodeId>& among) const {
  NodeId best = kNoNode;
  std::tuple<bool, bool, std::int64_t, NodeId> best_key{true, true, INT64_MAX, kNoNode};
  for (NodeId n : among) {
    bool capable;
    std::int64_t since;
    if (n == self_) {
      capable = server_capable_;
      since = member_since_;
    } else {
      capable = peers_[n].last.server_capable;
      since = peers_[n].last.member_since;
    }
    std::tuple<bool, bool, std::int64_t, NodeId> key{since < 0, !capable, since < 0 ? INT64_MAX : since, n};
    if (key < best_key) {
      best_key = key;
      best = n;
    }
  }
  return best;
}

void Cms::handle(NodeId from, const Message& m) {
  if (state_ == State::shutdown) return;
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Heartbeat>) on_heartbeat(from, msg);
        else if constexpr (std::is_same_v<T, Probe>) on_probe(from, msg);
        else if constexpr (std::is_same_v<T, Connectivity>) on_connectivity(from, msg);
        else if constexpr (std::is_same_v<T, Propose>) on_propose(from, msg);
        else if constexpr (std::is_same_v<T, Accept>) on_accept(from, msg);
        else if constexpr (std::is_same_v<T, Commit>) on_commit(from, msg);
        else if constexpr (std::is_same_v<T, Dead>) on_dead(from, msg);
        else if constexpr (std::is_same_v<T, JoinRequest>) on_join(from, msg);
        else if constexpr (std::is_same_v<T, ChangeRequest>) on_change(from, msg);
        else if constexpr (std::is_same_v<T, Withdraw>) on_withdraw(from, msg);
        else if constexpr (std::is_same_v<T, WithdrawAck>) on_withdraw_ack(from, msg);
        else if constexpr (std::is_same_v<T, Release>) on_release(from, msg);
      },
      m);
}

// A message this node sent could not be delivered: a "message error" (§0053, §0057).
void Cms::bounced(NodeId to, const Message&) {
  if (state_ == State::stable || state_ == State::follower || state_ == State::leader) detect_failure(to, "message error");
}

void Cms::detect_failure(NodeId peer, const char* how) {
  if (mutations_.no_failure_detection || peer == self_ || !is_member(peer) || suspected_.count(peer) != 0) return;
  if (state_ == State::dead || state_ == State::shutdown || state_ == State::nascent) return;
  suspected_.emplace(peer, sim_.now());
  sim_.observe(self_, "cms.failure_detected", {{"peer", std::int64_t(peer)}, {"how", std::string(how)}});
  next_request_ = 0;
  need_change("failure");
}

void Cms::need_change(const char* why) {
  if (round_ || state_ == State::dead || state_ == State::shutdown) return;
  const NodeId leader = choose_leader(leader_candidates());
  if (leader == kNoNode) return;  // nobody may lead yet (only withdrawing nodes in view)
  if (leader == self_) {
    start_round(false, why);
  } else if (sim_.now() >= next_request_) {
    send(leader, ChangeRequest{suspected_.empty() ? kNoNode : suspected_.begin()->first, membership_.epoch});
    next_request_ = sim_.now() + options_.join_retry;
  }
}

Connectivity Cms::my_connectivity(std::uint64_t round) const {
  return Connectivity{round, view(), member_since_, server_capable_, boot_,
                      mutations_.forget_version_tags ? VersionTags{} : sim_.version_tags(self_)};
}

void Cms::start_round(bool include_joiners, const char* why) {
  std::uint64_t number = std::max(highest_round_, membership_.epoch) + 1;
  if (mutations_.reuse_epoch && membership_.epoch > 0) number = membership_.epoch;
  highest_round_ = std::max(highest_round_, number);
  Round r;
  r.number = number;
  // A new lifetime only when this node knows of none: named by when and where it began.
  r.generation = known_generation_ != 0 ? known_generation_
                                        : (static_cast<std::uint64_t>(sim_.now()) << 12) | (self_ & 0xfff);
  r.deadline = sim_.now() + options_.round_timeout;
  r.include_joiners = include_joiners || membership_.epoch == 0;
  for (NodeId n : view()) {
    if (n == self_) continue;
    // Joins are blocked while a change caused by a failure or withdrawal is delivered.
    if (!r.include_joiners && !is_member(n)) {
      if (pending_joins_.insert(n).second) sim_.observe(self_, "cms.join_blocked", {{"node", std::int64_t(n)}});
      continue;
    }
    r.probed.push_back(n);
  }
  r.replies[self_] = my_connectivity(number);
  round_ = std::move(r);
  set_state(State::leader);
  sim_.observe(self_, "cms.round", {{"round", static_cast<std::int64_t>(number)}, {"why", std::string(why)},
                                     {"probed", as_list(round_->probed)}});
  for (NodeId n : round_->probed) send(n, Probe{number});
  if (round_->probed.empty()) evaluate_round();
}

void Cms::evaluate_round() {
  Round& r = *round_;
  auto connected_set = [&](bool with_withdrawing) {
    std::vector<NodeId> candidates;
    std::vector<std::vector<NodeId>> hears;
    for (const auto& [n, c] : r.replies) {
      if (!with_withdrawing && is_withdrawing(n, c.boot)) continue;
      candidates.push_back(n);
      hears.push_back(c.seen);
    }
    return largest_connected_set(self_, candidates, hears);
  };
  std::vector<NodeId> set = connected_set(false);
  if (!has_quorum(set.size())) {
    // An orderly withdrawal never costs the quorum: keep the withdrawing node in for
    // now; it asks again and leaves once enough nodes are back.
    std::vector<NodeId> with = connected_set(true);
    if (has_quorum(with.size()) && with.size() > set.size()) {
      sim_.observe(self_, "cms.withdraw_deferred", {{"round", static_cast<std::int64_t>(r.number)}});
      set = std::move(with);
    }
  }
  if (!has_quorum(set.size())) {
    sim_.observe(self_, "cms.no_quorum", {{"round", static_cast<std::int64_t>(r.number)},
                                          {"size", static_cast<std::int64_t>(set.size())},
                                          {"needed", static_cast<std::int64_t>(configured_ / 2 + 1)}});
    if (++no_quorum_rounds_ > options_.no_quorum_retries) {
      const std::uint64_t number = r.number;
      for (const auto& [n, c] : r.replies)
        if (n != self_) send(n, Dead{number});
      go_dead(number);
      return;
    }
    // Try again after a pause: nodes may still be arriving. Joins were blocked to keep
    // the change small (§0058), but never at the price of the quorum: the retry lets
    // waiting nodes in.
    retry_joiners_ = true;
    next_round_at_ = sim_.now() + options_.round_timeout;
    round_.reset();
    return;
  }
  no_quorum_rounds_ = 0;
  // A join the connected set cannot admit (a one-way cut: the joiner hears us, someone
  // does not hear it) would deliver a new epoch with the same members, and the joiner
  // would ask again at once: 45 recovery cycles in 15s in a 5-node cluster, ~800 epochs a
  // second once it asked back to back. Nothing changes: no epoch; the probed nodes go back
  // to the membership they had, and the joiner waits before it is considered again.
  std::vector<NodeId> now_members = membership_.members;
  std::sort(now_members.begin(), now_members.end());
  std::vector<NodeId> sorted_set = set;
  std::sort(sorted_set.begin(), sorted_set.end());
  // (A joiner that is in the set is admitted, even if it already was a member: one that
  // rebooted before anyone noticed comes back in a new epoch.)
  const bool none_admitted = !pending_joins_.empty() && std::none_of(pending_joins_.begin(), pending_joins_.end(),
                                                                     [&](NodeId n) { return contains(set, n); });
  if (r.include_joiners && membership_.epoch > 0 && sorted_set == now_members && none_admitted && is_member(self_) &&
      withdrawing_.empty()) {
    std::vector<std::int64_t> refused;
    for (NodeId n : pending_joins_) {
      if (contains(set, n)) continue;
      auto& [until, backoff] = join_refused_[n];
      backoff = backoff == 0 ? kJoinBackoff : std::min(2 * backoff, kJoinBackoffMax);
      until = sim_.now() + backoff;
      refused.push_back(n);
    }
    sim_.observe(self_, "cms.join_refused", {{"round", static_cast<std::int64_t>(r.number)}, {"nodes", refused}});
    for (NodeId n : r.probed) send(n, Release{r.number});
    round_.reset();
    set_state(State::stable);
    return;
  }
  r.members = set;
  r.versions.clear();
  for (NodeId m : set) r.versions.push_back(NodeVersions{m, r.replies[m].tags});
  r.proposing = true;
  r.deadline = sim_.now() + options_.round_timeout;
  r.accepted = {self_};
  promised_ = std::max(promised_, r.number);
  for (NodeId m : set)
    if (m != self_) send(m, Propose{r.number, r.generation, r.members, r.versions});
  if (r.accepted.size() == r.members.size()) finish_round();
}

void Cms::finish_round() {
  Round r = std::move(*round_);
  round_.reset();
  for (NodeId m : r.members) join_refused_.erase(m);  // admitted: its next refusal starts short
  for (NodeId m : r.members)
    if (m != self_) send(m, Commit{r.number});
  for (const auto& [w, boot] : withdrawing_)
    if (!contains(r.members, w)) send(w, WithdrawAck{r.number});
  for (NodeId m : r.members) pending_joins_.erase(m);
  deliver(r.generation, r.number, self_, r.members, r.versions);
}

void Cms::deliver(std::uint64_t generation, std::uint64_t round, NodeId leader, const std::vector<NodeId>& members,
                  const std::vector<NodeVersions>& versions) {
  membership_ = Membership{generation, round, leader, members, versions};
  known_generation_ = generation;
  highest_round_ = std::max(highest_round_, round);
  accepted_.reset();
  suspected_.clear();
  delivered_at_ = sim_.now();
  if (member_since_ < 0) member_since_ = sim_.now();
  sim_.observe(self_, "cms.deliver",
               {{"epoch", static_cast<std::int64_t>(round)},
                {"generation", static_cast<std::int64_t>(generation)},
                {"leader", std::int64_t(leader)},
                {"members", as_list(members)},
                {"versions", render_versions(sim_, versions)}});
  set_state(State::stable);
  if (listener_) listener_(state_, membership_);
}

void Cms::go_dead(std::uint64_t round) {
  round_.reset();
  accepted_.reset();
  sim_.observe(self_, "cms.dead", {{"round", static_cast<std::int64_t>(round)}});
  dead_since_ = sim_.now();
  set_state(State::dead);
}

void Cms::tick() {
  const Time now = sim_.now();
  if (state_ == State::dead && now - dead_since_ >= options_.dead_restart) {
    membership_ = Membership{};
    member_since_ = -1;
    suspected_.clear();
    pending_joins_.clear();
    accepted_.reset();
    no_quorum_rounds_ = 0;
    next_request_ = 0;
    set_state(State::nascent);
  }
  if (state_ == State::dead || state_ == State::shutdown) return;

  // Failure detection by missed heartbeats (§0053).
  if (membership_.epoch != 0 && state_ != State::nascent && !mutations_.no_failure_detection) {
    for (NodeId m : membership_.members) {
      if (m == self_) continue;
      const Time heard = std::max(peers_[m].heard, delivered_at_);
      if (now - heard > options_.failure_timeout) detect_failure(m, "missed heartbeats");
    }
  }

  if (round_) {
    if (now >= round_->deadline) {
      if (!round_->proposing) {
        evaluate_round();
      } else {
        // Some proposed member never accepted: start over without waiting for it.
        sim_.observe(self_, "cms.round_timeout", {{"round", static_cast<std::int64_t>(round_->number)}});
        for (NodeId m : round_->members)
          if (round_->accepted.count(m) == 0 && is_member(m)) suspected_.emplace(m, now);
        const bool joiners = round_->include_joiners;
        round_.reset();
        start_round(joiners, "accept timeout");
      }
    }
    return;
  }

  switch (state_) {
    case State::leader:
      if (now >= next_round_at_) start_round(retry_joiners_, "retry");
      break;
    case State::follower:
      if (now >= follower_deadline_) {
        // The leader went quiet mid-round.
        round_leader_ = kNoNode;
        if (withdraw_requested_) {
          // Leaving, and the round that was to let us go stalled: leave anyway. The
          // others see a silent member and re-form without us.
          sim_.observe(self_, "cms.withdrawn");
          set_state(State::shutdown);
        } else if (membership_.epoch == 0) {
          set_state(State::nascent);
        } else {
          follower_deadline_ = now + options_.follower_timeout;
          next_request_ = 0;
          need_change("leader silent");
        }
      }
      break;
    case State::nascent: {
      std::vector<NodeId> v = view();
      if (2 * v.size() <= configured_ && !mutations_.ignore_quorum) break;  // not enough nodes yet (§0054)
      // Is there a membership already? Ask its leader to let us in.
      NodeId cluster_leader = kNoNode;
      for (NodeId n : v) {
        if (n == self_) continue;
        const Heartbeat& hb = peers_[n].last;
        if (hb.epoch != 0 && (hb.state == State::stable || hb.state == State::follower || hb.state == State::leader)) {
          cluster_leader = active_member(hb.leader) ? hb.leader : n;
          break;
        }
      }
      if (cluster_leader != kNoNode) {
        if (now >= next_request_) {
          send(cluster_leader, JoinRequest{boot_});
          next_request_ = now + options_.join_retry;
        }
      } else if (choose_leader(leader_candidates()) == self_) {
        start_round(true, "formation");
      }
      break;
    }
    case State::stable: {
      const std::vector<NodeId> v = view();
      if (withdraw_requested_ && std::none_of(membership_.members.begin(), membership_.members.end(),
                                              [&](NodeId m) { return m != self_ && contains(v, m); })) {
        // Nobody of our membership is left to ask: leaving needs no one's leave.
        sim_.observe(self_, "cms.withdrawn");
        set_state(State::shutdown);
      } else if (withdraw_requested_ && now >= next_request_) {
        for (NodeId m : membership_.members)
          if (m != self_) send(m, Withdraw{boot_});
        next_request_ = now + options_.join_retry;
      } else if (!suspected_.empty()) {
        need_change("failure");
      } else if (membership_.leader == self_) {
        // Joiners that went away or got in meanwhile no longer wait.
        std::erase_if(pending_joins_, [&](NodeId n) { return is_member(n) || !contains(v, n); });
        const bool ready = std::any_of(pending_joins_.begin(), pending_joins_.end(), [&](NodeId n) {
          auto r = join_refused_.find(n);
          return r == join_refused_.end() || now >= r->second.first;
        });
        if (ready) start_round(true, "join");
      }
      break;
    }
    default:
      break;
  }
}

void Cms::on_heartbeat(NodeId from, const Heartbeat& m) {
  Peer& p = peers_[from];
  const bool restarted = p.heard >= 0 && p.last.boot != m.boot;
  p.heard = sim_.now();
  p.last = m;
  auto w = withdrawing_.find(from);
  if (w != withdrawing_.end() && w->second != m.boot) withdrawing_.erase(w);
  // A suspect heard from again for a whole failure timeout is back (it was frozen or
  // cut off, not dead): it may take part in rounds again.
  if (auto s = suspected_.find(from);
      s != suspected_.end() && !restarted && m.state != State::dead && sim_.now() - s->second >= options_.failure_timeout) {
    suspected_.erase(s);
    sim_.observe(self_, "cms.back", {{"peer", std::int64_t(from)}});
  }
  if (restarted) {
    detect_failure(from, "restarted");
    if (restart_listener_) restart_listener_(from);
  }
  if (m.state == State::dead) detect_failure(from, "went dead");
  // A member of my membership has moved on to a newer epoch without me: I was left out.
  const bool commit_coming = accepted_ && accepted_->round >= m.epoch;
  if ((state_ == State::stable || state_ == State::follower) && !round_ && !commit_coming && is_member(from) &&
      (m.epoch > membership_.epoch || m.generation != membership_.generation) && m.state == State::stable) {
    if (withdraw_requested_) {
      // The membership moved on without us while we were asking to leave: we are out.
      sim_.observe(self_, "cms.withdrawn");
      set_state(State::shutdown);
      return;
    }
    sim_.observe(self_, "cms.excluded", {{"epoch", static_cast<std::int64_t>(m.epoch)}});
    membership_ = Membership{};
    member_since_ = -1;
    suspected_.clear();
    accepted_.reset();
    next_request_ = 0;
    set_state(State::nascent);
  }
  // Round numbers are never reused, even by a node that restarted and forgot its own.
  highest_round_ = std::max({highest_round_, m.epoch, m.round});
  if (known_generation_ == 0) known_generation_ = m.generation;
}

void Cms::on_probe(NodeId from, const Probe& m) {
  if (state_ == State::dead) return;
  if (m.round <= promised_ && !(mutations_.reuse_epoch && m.round == promised_)) return;  // a stale leader
  if (round_) {
    // Two leaders: the higher round wins; at equal rounds, the better-ranked leader.
    if (round_->number > m.round) return;
    if (round_->number == m.round && choose_leader({self_, from}) == self_) return;
    round_.reset();
  }
  highest_round_ = std::max(highest_round_, m.round);
  round_leader_ = from;
  follower_deadline_ = sim_.now() + options_.follower_timeout;
  set_state(State::follower);
  send(from, my_connectivity(m.round));
}

void Cms::on_connectivity(NodeId from, const Connectivity& m) {
  if (!round_ || round_->proposing || m.round != round_->number || !contains(round_->probed, from)) return;
  round_->replies[from] = m;
  if (round_->replies.size() == round_->probed.size() + 1) evaluate_round();
}

void Cms::on_propose(NodeId from, const Propose& m) {
  if (state_ == State::dead) return;
  const bool fresh = m.round > promised_ || (mutations_.reuse_epoch && m.round >= promised_);
  if (!fresh || !contains(m.members, self_)) return;
  if (round_) {
    if (round_->number > m.round) return;
    round_.reset();
  }
  promised_ = m.round;
  highest_round_ = std::max(highest_round_, m.round);
  accepted_ = m;
  accepted_leader_ = from;
  round_leader_ = from;
  follower_deadline_ = sim_.now() + options_.follower_timeout;
  set_state(State::follower);
  send(from, Accept{m.round});
}

void Cms::on_accept(NodeId from, const Accept& m) {
  if (!round_ || !round_->proposing || m.round != round_->number || !contains(round_->members, from)) return;
  round_->accepted.insert(from);
  if (round_->accepted.size() == round_->members.size()) finish_round();
}

void Cms::on_commit(NodeId from, const Commit& m) {
  if (!accepted_ || accepted_->round != m.round || from != accepted_leader_ || state_ == State::dead) return;
  const Propose p = *accepted_;
  deliver(p.generation, p.round, from, p.members, p.versions);
}

void Cms::on_dead(NodeId from, const Dead& m) {
  if (from != round_leader_ || m.round < promised_) return;
  go_dead(m.round);
}

void Cms::on_join(NodeId from, const JoinRequest&) {
  if (state_ == State::dead) return;
  if (round_) {
    if (pending_joins_.insert(from).second) sim_.observe(self_, "cms.join_blocked", {{"node", std::int64_t(from)}});
    return;
  }
  if (state_ != State::stable) return;
  if (membership_.leader == self_) {
    pending_joins_.insert(from);
    start_round(true, "join");
  } else if (!active_member(membership_.leader)) {
    // The joiner asked us because our leader is gone: get a new leader first.
    pending_joins_.insert(from);
    next_request_ = 0;
    need_change("join while leader gone");
  }
}

void Cms::on_change(NodeId from, const ChangeRequest& m) {
  // A request about an older membership, or from a node outside mine, is stale (it may
  // have sat in a frozen channel). The suspect is not taken on trust: the round's
  // probes find out who is really there.
  if (state_ != State::stable || round_ || withdraw_requested_ || m.epoch != membership_.epoch || !is_member(from))
    return;
  start_round(false, "change request");
}

void Cms::on_withdraw(NodeId from, const Withdraw& m) {
  if (state_ == State::dead) return;
  if (!is_member(from)) {
    // Already out (it was left out while its request was on the way): say so.
    if (state_ == State::stable && membership_.leader == self_) send(from, WithdrawAck{membership_.epoch});
    return;
  }
  if (withdrawing_.emplace(from, m.boot).second)
    sim_.observe(self_, "cms.withdraw_seen", {{"node", std::int64_t(from)}});
  next_request_ = 0;
  if (!round_ && (state_ == State::stable)) need_change("withdrawal");
}

void Cms::on_release(NodeId from, const Release& m) {
  // The round we answered ended without a change: the membership we had stands.
  if (state_ != State::follower || from != round_leader_ || m.round < promised_ || membership_.epoch == 0) return;
  round_leader_ = kNoNode;
  set_state(State::stable);
}

void Cms::on_withdraw_ack(NodeId, const WithdrawAck&) {
  if (!withdraw_requested_) return;
  sim_.observe(self_, "cms.withdrawn");
  set_state(State::shutdown);
}

void Cms::request_round(const char* why) {
  if (state_ != State::stable) return;
  next_request_ = 0;
  need_change(why);
}

void Cms::withdraw() {
  if (state_ != State::stable || withdraw_requested_) return;
  withdraw_requested_ = true;
  sim_.observe(self_, "cms.withdraw_requested");
  next_request_ = 0;
}

}  // namespace sansim::cms
