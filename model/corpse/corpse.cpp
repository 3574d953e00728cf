#include "model/corpse/corpse.h"

#include <algorithm>
#include <tuple>

namespace sansim::corpse {
namespace {

std::vector<std::int64_t> as_list(const std::vector<NodeId>& v) { return {v.begin(), v.end()}; }
bool contains(const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); }

}  // namespace

const char* to_string(Fencing f) { return f == Fencing::fabric ? "fabric" : "reset"; }

// The replies of one step, filled in by one task per member.
struct Corpse::Broadcast {
  explicit Broadcast(Scheduler& s, CycleId id) : id(id), done(s) {}
  CycleId id;
  std::map<NodeId, Reply> replies;
  std::size_t pending = 0;
  Condition done;
};

Corpse::Corpse(Simulation& sim, NodeId self, Config config, Participant& participant, cred::CredentialCache& creds)
    : sim_(sim), self_(self), config_(std::move(config)), participant_(participant), creds_(creds),
      rpc_(sim, self, kPort) {
  rpc_.set_handler([this](NodeId from, Bytes b) { return serve(from, std::move(b)); });
}

void Corpse::start() { rpc_.start(); }

void Corpse::observe(const char* what, CycleId id, std::vector<Field> more) {
  std::vector<Field> f{{"cycle", to_string(id)}};
  for (Field& x : more) f.push_back(std::move(x));
  sim_.observe(self_, what, std::move(f));
}

void Corpse::membership(cms::State state, const cms::Membership& m) {
  if (state != cms::State::stable || !contains(m.members, self_)) {
    if (!member_) return;
    // Out of the membership (excluded, no quorum, withdrawn): the cluster fences this
    // node and recovers without it; nothing it caches or serves can be trusted.
    member_ = false;
    previous_.reset();
    cycle_ = CycleId{};
    sim_.observe(self_, "corpse.left", {{"state", std::string(cms::to_string(state))}});
    participant_.left();
    return;
  }
  member_ = true;
  membership_ = m;
  cycle_ = CycleId{m.generation, m.epoch, 0};
  if (m.leader == self_) sim_.sched().spawn(self_, lead(cycle_, m.members), "corpse.lead");
}

Task<bool> Corpse::fence(NodeId n, CycleId id) {
  Fabric& fabric = sim_.storage().fabric();
  if (fabric.fenced(n) || config_.options.mutations.skip_fencing) co_return true;
  co_await sim_.sched().sleep(config_.options.fence_latency);
  if (!current(id)) co_return false;
  Fencing how = config_.options.fencing;
  if (how == Fencing::fabric && fabric.fencing_broken(n)) {
    // The switch would not fence it: pull the reset line instead (§0021).
    observe("corpse.fence_failed", id, {{"node", std::int64_t(n)}, {"how", std::string(to_string(how))}});
    how = Fencing::reset;
  }
  if (how == Fencing::reset) {
    // The reset line power-cycles the node: whatever it was writing never lands, and it
    // boots fresh, with nothing to write until recovery readmits it.
    if (sim_.up(n)) sim_.reset(n, config_.options.reset_reboot);
  }
  if (!fabric.fenced(n) && !fabric.fencing_broken(n)) fabric.fence(n);
  observe("corpse.fenced", id, {{"node", std::int64_t(n)}, {"how", std::string(to_string(how))}});
  co_return true;
}

Task<std::optional<Reply>> Corpse::ask(CycleId id, NodeId to, Request r) {
  r.cycle = id;
  for (;;) {
    if (!current(id)) co_return std::nullopt;
    std::optional<Reply> rep;
    if (to == self_) {
      auto op = step(self_, r);
      rep = co_await op;
    } else {
      std::optional<Bytes> bytes = co_await rpc_.call(to, encode(r));
      if (bytes) {
        try {
          rep = decode_reply(*bytes);
        } catch (const DecodeError& e) {
          sim_.observe(self_, "corpse.bad_message", {{"from", std::int64_t(to)}, {"error", std::string(e.what())}});
        }
      }
    }
    // A member that has not seen this membership delivered yet answers stale; one that
    // is gone does not answer (the next membership will not have it). Ask again.
    if (rep && rep->status != Status::stale) co_return rep;
    co_await sim_.sched().sleep(config_.options.retry);
  }
}

Task<void> Corpse::ask_one(std::shared_ptr<Broadcast> b, NodeId to, Request r) {
  auto op = ask(b->id, to, std::move(r));
  std::optional<Reply> rep = co_await op;
  if (rep) b->replies.emplace(to, std::move(*rep));
  --b->pending;
  b->done.notify_all();
}

Task<bool> Corpse::ask_all(CycleId id, Request r, std::vector<NodeId> to, std::map<NodeId, Reply>& replies) {
  auto b = std::make_shared<Broadcast>(sim_.sched(), id);
  b->pending = to.size();
  for (NodeId n : to) sim_.sched().spawn(self_, ask_one(b, n, r), "corpse.ask");
  while (b->pending != 0) co_await b->done.wait();
  replies = std::move(b->replies);
  co_return current(id) && replies.size() == to.size();
}

Task<void> Corpse::lead(CycleId id, std::vector<NodeId> members) {
  const Time began = sim_.now();
  std::vector<NodeId> failed;
  for (NodeId n = 0; n < config_.nodes; ++n)
    if (!contains(members, n)) failed.push_back(n);
  observe("corpse.start", id, {{"members", as_list(members)}, {"failed", as_list(failed)}});
  const auto aborted = [&]() -> bool {
    if (current(id)) return false;
    observe("corpse.abort", id);
    return true;
  };

  for (NodeId n : failed) {
    const bool fenced = co_await fence(n, id);
    if (!fenced) break;
  }
  if (aborted()) co_return;
  // From here on the survivors act on the failure: the failed nodes must not write.
  observe("corpse.declared", id, {{"failed", as_list(failed)}});

  Request freeze;
  freeze.step = Step::freeze;
  freeze.failed = failed;
  std::map<NodeId, Reply> votes;
  if (!co_await ask_all(id, freeze, members, votes)) {
    (void)aborted();
    co_return;
  }
  // Members that missed a cycle that acted on them (see the header) are evicted.
  std::map<NodeId, std::uint64_t> declared_at;
  for (const auto& [m, v] : votes)
    for (const Declared& d : v.declared) declared_at[d.node] = std::max(declared_at[d.node], d.epoch);
  for (auto& [m, v] : votes) {
    if (!v.has_previous) continue;  // fresh: nothing to drop
    auto d = declared_at.find(m);
    const bool stale =
        v.previous_generation != id.generation || (d != declared_at.end() && v.previous_epoch < d->second);
    if (!stale) continue;
    observe("corpse.evict", id, {{"node", std::int64_t(m)}, {"previous_epoch", std::int64_t(v.previous_epoch)}});
    Request evict;
    evict.step = Step::evict;
    auto op = ask(id, m, evict);
    std::optional<Reply> rep = co_await op;
    if (!rep) {
      (void)aborted();
      co_return;
    }
    v = *rep;
  }
  Fabric& fabric = sim_.storage().fabric();
  for (NodeId m : members) {
    if (!votes[m].fresh) continue;
    // A member with no state (new, rebooted, or reset when it left) may write again.
    if (fabric.fenced(m)) fabric.unfence(m);
    observe("corpse.readmitted", id, {{"node", std::int64_t(m)}});
  }

  // Pass 2, white pages (§0072): one entry per file system, from what the members say
  // they serve; two claiming one file system (a server that survived a partition
  // unfenced, say) resolve to the first in election order, the other is told to stop.
  std::vector<ServerEntry> servers;
  std::vector<std::uint32_t> orphans;
  for (std::uint32_t fs = 0; fs < config_.candidates.size(); ++fs) {
    NodeId server = kNoNode;
    for (NodeId c : config_.candidates[fs]) {
      auto v = votes.find(c);
      if (v == votes.end()) continue;
      const auto& serving = v->second.serving;
      if (std::find(serving.begin(), serving.end(), fs) != serving.end()) {
        server = c;
        break;
      }
    }
    if (server != kNoNode) servers.push_back({fs, server});
    else orphans.push_back(fs);
  }
  observe("corpse.wp", id, {{"node", std::int64_t(self_)}, {"entries", std::int64_t(servers.size())}});

  // Pass 3, file systems whose server is gone: election, gather, instantiate (§0068-0070).
  for (std::uint32_t fs : orphans) {
    for (NodeId c : config_.candidates[fs]) {
      if (!contains(members, c)) continue;
      observe("corpse.elected", id, {{"fs", std::int64_t(fs)}, {"server", std::int64_t(c)}});
      if (config_.options.mutations.retarget_before_instantiate) {
        Request rt;
        rt.step = Step::retarget;
        rt.servers = {ServerEntry{fs, c}};
        rt.wp = self_;
        std::map<NodeId, Reply> ignored;
        if (!co_await ask_all(id, rt, members, ignored)) break;
      }
      Request gather;
      gather.step = Step::gather;
      gather.fs = fs;
      std::vector<NodeId> from = members;
      if (config_.options.mutations.skip_gather && from.size() > 1) from.pop_back();
      std::map<NodeId, Reply> manifests;
      if (!co_await ask_all(id, gather, from, manifests)) break;
      Request inst;
      inst.step = Step::instantiate;
      inst.fs = fs;
      for (auto& [node, rep] : manifests)
        for (Holding& h : rep.holdings)
          if (h.holder == node && h.fs == fs) inst.holdings.push_back(h);  // a member speaks for itself only
      observe("corpse.instantiate_commit", id,
              {{"fs", std::int64_t(fs)}, {"server", std::int64_t(c)}, {"tokens", std::int64_t(inst.holdings.size())}});
      auto op = ask(id, c, inst);
      std::optional<Reply> done = co_await op;
      if (!done) break;
      if (done->status == Status::ok) {
        servers.push_back({fs, c});
        break;
      }
      observe("corpse.instantiate_failed", id, {{"fs", std::int64_t(fs)}, {"server", std::int64_t(c)}});
    }
    if (aborted()) co_return;
  }
  std::sort(servers.begin(), servers.end(), [](const ServerEntry& a, const ServerEntry& b) { return a.fs < b.fs; });

  std::vector<std::int64_t> flat;
  for (const ServerEntry& e : servers) {
    flat.push_back(e.fs);
    flat.push_back(e.node);
  }
  observe("corpse.retarget_commit", id, {{"servers", flat}, {"wp", std::int64_t(self_)}});
  Request rt;
  rt.step = Step::retarget;
  rt.servers = servers;
  rt.wp = self_;
  std::map<NodeId, Reply> acks;
  if (!co_await ask_all(id, rt, members, acks)) {
    (void)aborted();
    co_return;
  }
  Request complete;
  complete.step = Step::complete;
  if (!co_await ask_all(id, complete, members, acks)) {
    (void)aborted();
    co_return;
  }
  observe("corpse.complete", id, {{"servers", flat}, {"took", std::int64_t(sim_.now() - began)}});
}

Task<Bytes> Corpse::serve(NodeId from, Bytes bytes) {
  Request r;
  try {
    r = decode_request(bytes);
  } catch (const DecodeError& e) {
    sim_.observe(self_, "corpse.bad_message", {{"from", std::int64_t(from)}, {"error", std::string(e.what())}});
    Reply bad;
    bad.status = Status::stale;
    co_return encode(bad);
  }
  auto op = step(from, std::move(r));
  Reply rep = co_await op;
  co_return encode(rep);
}

// One step of the cycle on a member. Only the leader of this node's current membership
// may drive it, and only in this membership's cycle.
Task<Reply> Corpse::step(NodeId from, Request r) {
  Reply rep;
  if (!member_ || r.cycle != cycle_ || from != membership_.leader) {
    rep.status = Status::stale;
    co_return rep;
  }
  switch (r.step) {
    case Step::freeze: {
      const std::set<NodeId> failed(r.failed.begin(), r.failed.end());
      creds_.flush(failed);  // before any object is recovered (§0062)
      for (NodeId n : failed) declared_[n] = std::make_pair(r.cycle.generation, r.cycle.epoch);
      auto op = participant_.celldown(failed);
      rep = co_await op;
      rep.has_previous = previous_.has_value();
      if (previous_) std::tie(rep.previous_generation, rep.previous_epoch) = *previous_;
      for (const auto& [n, when] : declared_)
        if (when.first == r.cycle.generation) rep.declared.push_back({n, when.second});
      break;
    }
    case Step::evict:
      sim_.observe(self_, "corpse.evicted", {{"cycle", to_string(r.cycle)}});
      participant_.left();
      previous_.reset();
      rep.fresh = true;
      break;
    case Step::gather:
      rep.holdings = participant_.manifest(r.fs);
      break;
    case Step::instantiate: {
      auto op = participant_.instantiate(r.fs, std::move(r.holdings));
      const bool ok = co_await op;
      rep.status = ok ? Status::ok : Status::failed;
      break;
    }
    case Step::retarget: {
      auto op = participant_.retarget(std::move(r.servers), r.wp);
      co_await op;
      previous_ = std::make_pair(r.cycle.generation, r.cycle.epoch);
      break;
    }
    case Step::complete:
      participant_.complete();
      observe("corpse.done", r.cycle);
      break;
  }
  // The membership may have moved on while this step waited: its answer belongs to a
  // cycle that is over, and the leader must not take it for the new one.
  if (r.cycle != cycle_) rep.status = Status::stale;
  co_return rep;
}

}  // namespace sansim::corpse
