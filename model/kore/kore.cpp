#include "model/kore/kore.h"

#include <algorithm>

#include "engine/sync/condition.h"

namespace sansim::kore {

namespace {
constexpr Duration kRetry = 50'000'000;  // a member that has not seen the membership yet is asked again
}

struct Kore::Broadcast {
  Broadcast(Scheduler& s, RelocationId i) : id(i), done(s) {}
  RelocationId id;
  std::size_t pending = 0;
  std::size_t ok = 0;
  Condition done;
};

Kore::Kore(Simulation& sim, NodeId self, Participant& participant)
    : sim_(sim), self_(self), participant_(participant), rpc_(sim, self, kPort) {
  rpc_.set_handler([this](NodeId from, Bytes b) { return serve(from, std::move(b)); });
}

void Kore::start() { rpc_.start(); }

void Kore::observe(const char* what, const RelocationId& id, std::uint32_t fs, std::vector<Field> more) {
  std::vector<Field> f{{"id", to_string(id)}, {"fs", std::int64_t(fs)}};
  f.insert(f.end(), more.begin(), more.end());
  sim_.observe(self_, what, std::move(f));
}

bool Kore::current(const RelocationId& id) const {
  return member_ && id.generation == membership_.generation && id.epoch == membership_.epoch;
}

void Kore::membership(cms::State state, const cms::Membership& m) {
  const bool member = state == cms::State::stable && std::find(m.members.begin(), m.members.end(), self_) != m.members.end();
  if (member && member_ && m.generation == membership_.generation && m.epoch == membership_.epoch) return;
  // Every membership change ends every relocation (recovery's pass 1 sorts out who
  // serves, §0063, §0074). A source that has not bagged serves again.
  for (const auto& [fs, id] : sourcing_) participant_.resume(fs);
  sourcing_.clear();
  targeting_.clear();
  // Every relocation of the old membership is over: no call of one may go on waiting.
  std::set<NodeId> others;
  for (NodeId n = 0; n < sim_.node_count(); ++n)
    if (n != self_) others.insert(n);
  rpc_.abandon(others);
  member_ = member;
  if (member) {
    membership_ = m;
    std::set<NodeId> out;
    for (NodeId n = 0; n < sim_.node_count(); ++n)
      if (std::find(m.members.begin(), m.members.end(), n) == m.members.end()) out.insert(n);
    rpc_.cut(out);  // a caller must not wait for a node that is gone
  }
}

void Kore::relocate(std::uint32_t fs, NodeId to) {
  if (!member_) {
    sim_.observe(self_, "kore.refused", {{"fs", std::int64_t(fs)}, {"reason", std::string("not a member")}});
    return;
  }
  if (participant_.server_of(fs) != self_) {
    sim_.sched().spawn(self_, forward(fs, to), "kore.forward");
    return;
  }
  RelocationId id{membership_.generation, membership_.epoch, self_, ++next_};
  sim_.sched().spawn(self_, lead(id, fs, to, membership_.members), "kore.lead");
}

Task<bool> Kore::move(std::uint32_t fs, NodeId to) {
  if (!member_ || participant_.server_of(fs) != self_) co_return false;
  RelocationId id{membership_.generation, membership_.epoch, self_, ++next_};
  auto op = lead_to_end(id, fs, to, membership_.members);
  co_return co_await op;
}

Task<bool> Kore::lead_to_end(RelocationId id, std::uint32_t fs, NodeId to, std::vector<NodeId> members) {
  const std::uint64_t before = finished_;
  auto op = lead(id, fs, to, std::move(members));
  co_await op;
  co_return finished_ != before && participant_.server_of(fs) == to;
}

Task<void> Kore::forward(std::uint32_t fs, NodeId to) {
  const NodeId server = participant_.server_of(fs);
  Request r;
  r.phase = Phase::request;
  r.fs = fs;
  r.to = to;
  r.id = RelocationId{membership_.generation, membership_.epoch, self_, 0};
  if (server == kNoNode) {
    sim_.observe(self_, "kore.refused", {{"fs", std::int64_t(fs)}, {"reason", std::string("no server")}});
    co_return;
  }
  auto call = rpc_.call(server, encode(r));
  std::optional<Bytes> b = co_await call;
  // No answer is no outcome: the server may have taken the request and will report how
  // its relocation ended (kore.phase end, kore.abort, kore.refused), or never have seen
  // it. One request has one outcome, the server's; here only that the answer is missing
  // (once this said "refused" while the source went on and aborted the same request).
  if (!b)
    sim_.observe(self_, "kore.forward_unanswered", {{"fs", std::int64_t(fs)}, {"to", std::int64_t(to)},
                                                    {"server", std::int64_t(server)}});
}

Task<std::optional<Reply>> Kore::ask(RelocationId id, NodeId to, Request r) {
  r.id = id;
  for (;;) {
    if (!current(id)) co_return std::nullopt;
    std::optional<Reply> rep;
    if (to == self_) {
      auto op = step(self_, r);
      rep = co_await op;
    } else {
      auto call = rpc_.call(to, encode(r));
      std::optional<Bytes> bytes = co_await call;
      if (bytes) {
        try {
          rep = decode_reply(*bytes);
        } catch (const DecodeError& e) {
          sim_.observe(self_, "kore.bad_message", {{"from", std::int64_t(to)}, {"error", std::string(e.what())}});
        }
      }
    }
    // Stale: the member has not seen this membership yet, or has left it (then so will
    // we, and the relocation ends). No answer: it is gone; the next membership says so.
    if (rep && rep->status != Status::stale) co_return rep;
    co_await sim_.sched().sleep(kRetry);
  }
}

Task<void> Kore::ask_one(std::shared_ptr<Broadcast> b, NodeId to, Request r) {
  auto op = ask(b->id, to, std::move(r));
  std::optional<Reply> rep = co_await op;
  if (rep && rep->status == Status::ok) ++b->ok;
  --b->pending;
  b->done.notify_all();
}

Task<bool> Kore::ask_all(RelocationId id, Request r, const std::vector<NodeId>& to) {
  auto b = std::make_shared<Broadcast>(sim_.sched(), id);
  b->pending = to.size();
  for (NodeId n : to) sim_.sched().spawn(self_, ask_one(b, n, r), "kore.ask");
  while (b->pending != 0) co_await b->done.wait();
  co_return current(id) && b->ok == to.size();
}

Task<void> Kore::back_out(RelocationId id, std::uint32_t fs, const std::vector<NodeId>& members, const char* why) {
  observe("kore.abort", id, fs, {{"reason", std::string(why)}});
  participant_.resume(fs);
  sourcing_.erase(fs);
  auto conv = participant_.convert(fs, true);
  co_await conv;
  // Calls handed off wait for their node to be pointed at a server again: point every
  // member back at this one.
  Request rt;
  rt.phase = Phase::retarget;
  rt.fs = fs;
  rt.to = self_;
  auto all = ask_all(id, rt, members);
  co_await all;
}

Task<void> Kore::lead(RelocationId id, std::uint32_t fs, NodeId to, std::vector<NodeId> members) {
  observe("kore.phase", id, fs, {{"phase", std::string("request")}, {"source", std::int64_t(self_)}, {"target", std::int64_t(to)}});
  if (std::optional<std::string> why = participant_.cannot_move(fs, to)) {
    observe("kore.refused", id, fs, {{"reason", *why}});
    co_return;
  }
  if (std::find(members.begin(), members.end(), to) == members.end() || to == self_) {
    observe("kore.refused", id, fs, {{"reason", std::string("the target is not another member")}});
    co_return;
  }
  sourcing_[fs] = id;
  // Where the file system is served at the end: the target, or this node again if the
  // target could not mount the bag. The phases report it (checkers judge the end by it).
  NodeId server = to;
  const auto phase = [&](Phase p) {
    observe("kore.phase", id, fs, {{"phase", std::string(to_string(p))}, {"source", std::int64_t(self_)},
                                   {"target", std::int64_t(server)}});
  };

  phase(Phase::source_prepare);
  const auto abandoned = [&] {
    observe("kore.abort", id, fs, {{"reason", std::string("the membership changed (recovery decides who serves)")}});
  };
  auto prep = participant_.source_prepare(fs);
  co_await prep;
  if (!current(id)) co_return abandoned();

  phase(Phase::target_prepare);
  Request tp;
  tp.phase = Phase::target_prepare;
  tp.fs = fs;
  tp.to = to;
  auto asked = ask(id, to, tp);
  std::optional<Reply> t = co_await asked;
  if (!t) co_return abandoned();
  if (t->status != Status::ok) {
    auto op = back_out(id, fs, members, t->reason.empty() ? "the target refused" : t->reason.c_str());
    co_await op;
    co_return;
  }

  phase(Phase::convert);
  auto conv = participant_.convert(fs, false);
  co_await conv;
  if (!current(id)) co_return abandoned();

  phase(Phase::detarget);
  Request dt;
  dt.phase = Phase::detarget;
  dt.fs = fs;
  dt.to = to;
  auto detargeted = ask_all(id, dt, members);
  if (!co_await detargeted) co_return abandoned();

  phase(Phase::bag);
  auto bagging = participant_.bag(fs);
  Bag bag = co_await bagging;
  sourcing_.erase(fs);  // bagged: this node serves it no more, whatever happens now
  observe("kore.bagged", id, fs, {{"tokens", std::int64_t(bag.tokens.size())}, {"events", std::int64_t(bag.events.size())},
                                  {"grants", std::int64_t(bag.grants)}});
  Request bg;
  bg.phase = Phase::bag;
  bg.fs = fs;
  bg.to = to;
  bg.bag = bag;
  auto unbagged = ask(id, to, bg);
  std::optional<Reply> u = co_await unbagged;
  if (!u) co_return abandoned();  // recovery elects a server and rebuilds it from manifests
  if (u->status != Status::ok) {
    // The target could not mount: the source takes its own bag back.
    observe("kore.abort", id, fs, {{"reason", u->reason}});
    auto back = participant_.unbag(fs, bag);
    if (!co_await back) {
      observe("kore.abort", id, fs, {{"reason", std::string("the source could not take its bag back either")}});
      co_return;
    }
    server = self_;
  }

  phase(Phase::retarget);
  Request rt;
  rt.phase = Phase::retarget;
  rt.fs = fs;
  rt.to = server;
  auto retargeted = ask_all(id, rt, members);
  if (!co_await retargeted) co_return abandoned();
  phase(Phase::end);
  ++finished_;
}

Task<Bytes> Kore::serve(NodeId from, Bytes bytes) {
  Request r;
  try {
    r = decode_request(bytes);
  } catch (const DecodeError& e) {
    sim_.observe(self_, "kore.bad_message", {{"from", std::int64_t(from)}, {"error", std::string(e.what())}});
    Reply bad;
    bad.status = Status::refused;
    bad.reason = e.what();
    co_return encode(bad);
  }
  auto op = step(from, std::move(r));
  const Reply rep = co_await op;
  co_return encode(rep);
}

Task<Reply> Kore::step(NodeId, Request r) {
  Reply rep;
  const bool same_membership =
      member_ && r.id.generation == membership_.generation && r.id.epoch == membership_.epoch;
  if (!same_membership) {
    rep.status = Status::stale;
    co_return rep;
  }
  switch (r.phase) {
    case Phase::request:
      relocate(r.fs, r.to);
      break;
    case Phase::target_prepare: {
      if (busy(r.fs)) {
        rep.status = Status::refused;
        rep.reason = "a relocation of this file system is under way here";
        break;
      }
      if (std::optional<std::string> why = participant_.target_prepare(r.fs)) {
        rep.status = Status::refused;
        rep.reason = *why;
        break;
      }
      targeting_[r.fs] = r.id;
      break;
    }
    case Phase::detarget: {
      auto op = participant_.detarget(r.fs);
      co_await op;
      if (!current(r.id)) rep.status = Status::stale;
      break;
    }
    case Phase::bag: {
      auto t = targeting_.find(r.fs);
      if (t == targeting_.end() || t->second != r.id || !current(r.id)) {
        rep.status = Status::stale;  // abandoned: recovery decides who serves
        break;
      }
      auto op = participant_.unbag(r.fs, r.bag);
      const bool ok = co_await op;
      if (ok && !current(r.id)) {
        // The membership changed while the file system mounted: recovery decides.
        participant_.drop_server(r.fs);
        rep.status = Status::stale;
        break;
      }
      targeting_.erase(r.fs);
      if (!ok) {
        rep.status = Status::failed;
        rep.reason = "the target could not mount the file system";
        break;
      }
      observe("kore.unbagged", r.id, r.fs, {{"tokens", std::int64_t(r.bag.tokens.size())}});
      break;
    }
    case Phase::retarget: {
      if (!current(r.id)) {
        rep.status = Status::stale;
        break;
      }
      auto op = participant_.retarget(r.fs, r.to);
      co_await op;
      break;
    }
    default:
      rep.status = Status::refused;
      rep.reason = std::string("unexpected phase ") + to_string(r.phase);
      break;
  }
  co_return rep;
}

}  // namespace sansim::kore
