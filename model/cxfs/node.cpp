#include "model/cxfs/node.h"

#include <algorithm>

#include "model/cxfs/hsm_io.h"

namespace sansim::cxfs {

Node::Node(Simulation& sim, NodeId self, std::vector<FsConfig> filesystems, Mutations mutations)
    : sim_(sim), self_(self), filesystems_(std::move(filesystems)), mutations_(mutations), rpc_(sim, self, kPort),
      instantiated_(sim.sched()) {
  client_ = std::make_unique<Client>(sim, self, rpc_, filesystems_, mutations_);
  dcvn_ = std::make_unique<Dcvn>(*client_);
  dsvn_ = std::make_unique<Dsvn>(*client_);
  dmapi_ = std::make_unique<dmapi::DmapiBehavior>(
      *client_, dmapi::HandOffMutations{mutations_.keep_head_locked, mutations_.surface_migrating});
  // The chain is chosen when a vnode is made. Both behaviors send through the client,
  // which sends to whatever server the file system's chandle targets (in-process when
  // it is this node), so a vnode made before recovery moved the server still works;
  // converting chains is relocation's business (§0076, model/kore).
  vnodes_ = std::make_unique<vnode::VnodeTable>(
      sim.sched(), [this](std::uint32_t fs) { return chain(fs, server_chain_.count(fs) != 0); });
  files_ = std::make_unique<vnode::VnodeAccess>(
      *vnodes_, [this](const std::string& fs, bool lookup) { return client_->mounted_index(fs, lookup); }, client_.get());
  servers_.resize(filesystems_.size());
  server_volume_.resize(filesystems_.size());
  rpc_.set_handler([this](NodeId from, Bytes b) { return dispatch(from, std::move(b)); });
}

const Server* Node::server(std::uint32_t fs) const { return fs < servers_.size() ? servers_[fs].get() : nullptr; }

std::vector<vnode::Behavior*> Node::chain(std::uint32_t fs, bool server) const {
  std::vector<vnode::Behavior*> c;
  if (fs < filesystems_.size() && filesystems_[fs].dmapi) c.push_back(dmapi_.get());  // Fig. 4A/4B
  c.push_back(server ? static_cast<vnode::Behavior*>(dsvn_.get()) : static_cast<vnode::Behavior*>(dcvn_.get()));
  return c;
}

bool Node::candidate(std::uint32_t fs) const {
  const std::vector<NodeId>& c = filesystems_[fs].servers;
  return std::find(c.begin(), c.end(), self_) != c.end();
}

std::optional<std::uint32_t> Node::fs_index(const std::string& name) const {
  for (std::uint32_t i = 0; i < filesystems_.size(); ++i)
    if (filesystems_[i].id == name) return i;
  return std::nullopt;
}

void Node::start() { rpc_.start(); }

Task<Bytes> Node::dispatch(NodeId from, Bytes bytes) {
  Request r;
  try {
    r = decode_request(bytes);
  } catch (const DecodeError& e) {
    sim_.observe(self_, "cxfs.bad_message", {{"from", std::int64_t(from)}, {"error", std::string(e.what())}});
    Reply bad;
    bad.err = Errno::inval;
    co_return encode(bad);
  }
  Reply rep;
  if (r.kind == Kind::wp_lookup) {
    if (self_ != wp_node_) {
      rep.err = Errno::stale;
    } else {
      rep.node = wp_.lookup(r.fs_name);
      if (rep.node == kNoNode) rep.err = Errno::noent;
    }
  } else if (r.kind == Kind::recall || r.kind == Kind::ioexcl_off) {
    rep = co_await client_->handle(from, r);
  } else if (r.fs < servers_.size() && servers_[r.fs] != nullptr) {
    rep = co_await servers_[r.fs]->handle(from, r);
  } else {
    rep.err = Errno::stale;  // not the server of that file system (any more, or yet)
    if (r.kind == Kind::dmapi_event && r.fs < filesystems_.size())
      sim_.observe(self_, "dmapi.stale", {{"fs", filesystems_[r.fs].id}, {"ino", std::int64_t(r.ino)},
                                          {"event", std::string(dmapi::to_string(static_cast<dmapi::Event>(r.event)))},
                                          {"from", std::int64_t(from)}});
  }
  rep.boot = sim_.incarnation(self_);
  rep.session = client_->session();
  if (sim_.wants("cxfs.handled"))
    sim_.observe(self_, "cxfs.handled", {{"kind", std::string(to_string(r.kind))}, {"from", std::int64_t(from)}});
  co_return encode(rep);
}

Task<Reply> Node::serve_locally(Server* server, Request r) {
  auto op = server->handle(self_, std::move(r));
  Reply rep = co_await op;
  rep.boot = sim_.incarnation(self_);
  co_return rep;
}

Task<corpse::Reply> Node::celldown(std::set<NodeId> failed) {
  failed_ = failed;
  recovering_ = true;
  rpc_.cut(failed);
  for (auto& s : servers_)
    if (s != nullptr) s->celldown(failed);
  corpse::Reply vote;
  for (std::uint32_t fs = 0; fs < filesystems_.size(); ++fs) {
    const NodeId target = client_->target(fs);
    if (target != kNoNode && failed.count(target) != 0) {
      auto op = client_->detarget(fs);
      co_await op;
    }
    if (servers_[fs] != nullptr) vote.serving.push_back(fs);
    if (target != kNoNode) vote.targets.push_back({fs, target});
  }
  vote.fresh = fresh_;
  co_return vote;
}

std::vector<corpse::Holding> Node::manifest(std::uint32_t fs) { return client_->manifest(fs); }

Task<bool> Node::instantiate(std::uint32_t fs, std::vector<corpse::Holding> holdings) {
  if (fs >= filesystems_.size()) co_return false;
  if (client_->unmounted(fs)) co_return false;  // the operator unmounted it here: the next candidate
  // One instantiation per file system at a time: a newer cycle's waits for an aborted
  // cycle's still mounting and takes its result (fs property seed 326: two servers
  // mounted at once, the second replacing the first under its running requests).
  while (instantiating_.count(fs) != 0) co_await instantiated_.wait();
  if (servers_[fs] != nullptr) co_return true;  // instantiated by an aborted cycle already
  instantiating_.insert(fs);
  auto op = instantiate_now(fs, std::move(holdings));
  const bool ok = co_await op;
  instantiating_.erase(fs);
  instantiated_.notify_all();
  co_return ok;
}

Task<bool> Node::instantiate_now(std::uint32_t fs, std::vector<corpse::Holding> holdings, const kore::Bag* bag) {
  fresh_ = false;
  const FsConfig& f = filesystems_[fs];
  server_volumes_.push_back(std::make_unique<PathRetry>(sim_.sched(), *sim_.storage().volume(f.volume)));
  auto server = std::make_unique<Server>(sim_, self_, fs, f, rpc_, *server_volumes_.back(), mutations_);
  Server* s = server.get();
  // The journal is replayed before anything is served (§0024-0025).
  const std::uint64_t lefts = lefts_;
  const Errno e = co_await s->mount();
  if (e == Errno::ok && lefts != lefts_) {
    // This node left the membership while it mounted: it serves nothing now.
    s->retire();
    server_volumes_.back()->close();
    retired_.push_back(std::move(server));
    co_return false;
  }
  if (e != Errno::ok) {
    retired_.push_back(std::move(server));
    co_return false;
  }
  if (bag != nullptr) s->unbag(*bag);
  else s->install(holdings);
  servers_[fs] = std::move(server);
  server_volume_[fs] = server_volumes_.back().get();
  // dsvn: this node's token client and token server talk in-process (§0026).
  s->set_local_client([this](Request r) { return client_->handle(self_, std::move(r)); });
  client_->set_local_server(fs, [s, this](Request r) { return serve_locally(s, std::move(r)); });
  server_chain_.insert(fs);
  // The HSM runs beside the server (§0038). After a failover its masks come from its
  // catalog; a relocation brought them in the bag.
  if (f.dmapi && sim_.storage().tape() != nullptr)
    s->attach_hsm(std::make_unique<HsmIo>(*client_, *s, fs), *sim_.storage().tape(), bag == nullptr);
  co_return true;
}

Task<void> Node::retarget(std::vector<corpse::ServerEntry> servers, NodeId wp) {
  rpc_.cut(failed_);  // a member again (after left(), every peer was cut off)
  wp_node_ = wp;
  // The leader's table replaces this node's entries whole: a file system nobody serves
  // has no entry.
  for (std::uint32_t fs = 0; fs < filesystems_.size(); ++fs)
    if (std::none_of(servers.begin(), servers.end(), [fs](const corpse::ServerEntry& e) { return e.fs == fs; }))
      set_white_pages(fs, kNoNode);
  for (const corpse::ServerEntry& e : servers) {
    if (e.fs >= filesystems_.size()) continue;
    const FsConfig& f = filesystems_[e.fs];
    set_white_pages(e.fs, e.node);
    if (e.node != self_ && servers_[e.fs] != nullptr) retire(e.fs);
    if (!f.mount.empty() && std::find(f.mount.begin(), f.mount.end(), self_) == f.mount.end() && e.node != self_)
      continue;
    fresh_ = false;
    auto op = client_->retarget(e.fs, e.node);
    co_await op;
  }
}

void Node::set_white_pages(std::uint32_t fs, NodeId server) {
  const std::string& id = filesystems_[fs].id;
  if (wp_.lookup(id) == server) return;
  if (server == kNoNode) wp_.remove(id);
  else wp_.update(id, server);
  sim_.observe(self_, "wp.entry", {{"fs", std::int64_t(fs)}, {"server", std::int64_t(server)}});
}

void Node::retire(std::uint32_t fs) {
  sim_.observe(self_, "dsvn.retired", {{"fs", filesystems_[fs].id}});
  server_chain_.erase(fs);
  servers_[fs]->retire();
  server_volume_[fs]->close();
  client_->clear_local_server(fs);
  retired_.push_back(std::move(servers_[fs]));
}

void Node::left() {
  ++lefts_;
  // Nothing this node asked before is worth an answer: calls in flight fail at once (and
  // drop their chandle holds, so the detargets below drain).
  std::set<NodeId> everyone;
  for (NodeId n = 0; n < sim_.node_count(); ++n)
    if (n != self_) everyone.insert(n);
  rpc_.cut(everyone);
  for (std::uint32_t fs = 0; fs < servers_.size(); ++fs)
    if (servers_[fs] != nullptr) retire(fs);
  client_->reset();
  for (std::uint32_t fs = 0; fs < filesystems_.size(); ++fs) set_white_pages(fs, kNoNode);
  wp_node_ = kNoNode;
  fresh_ = true;
}

}  // namespace sansim::cxfs

namespace sansim::cxfs {

std::optional<std::string> Node::cannot_move(std::uint32_t fs, NodeId to) const {
  if (fs >= filesystems_.size()) return "no such file system";
  if (servers_[fs] == nullptr) return "this node does not serve the file system";
  if (servers_[fs]->relocating()) return "a relocation of the file system is under way";
  if (recovering_) return "recovery is under way";
  const std::vector<NodeId>& c = filesystems_[fs].servers;
  if (std::find(c.begin(), c.end(), to) == c.end()) return "the target is not a candidate server of the file system";
  return std::nullopt;
}

Task<void> Node::source_prepare(std::uint32_t fs) {
  if (servers_[fs] == nullptr) co_return;
  auto op = servers_[fs]->prepare_relocation();
  co_await op;
}

std::optional<std::string> Node::target_prepare(std::uint32_t fs) {
  if (fs >= filesystems_.size()) return "no such file system";
  if (!candidate(fs)) return "not a candidate server of the file system";
  if (client_->unmounted(fs)) return "the file system is unmounted here";
  if (servers_[fs] != nullptr) return "already serves the file system";
  if (instantiating_.count(fs) != 0) return "already mounting the file system";
  if (recovering_) return "recovery is under way";
  return std::nullopt;
}

// §0076-0081: every vnode of the file system changes chain under its behavior head
// lock, held exclusively: operations inside finish first, or step out (the DMAPI
// hand-off) — with `hold_lock`, a DMAPI waiter keeps the conversion waiting.
Task<void> Node::convert(std::uint32_t fs, bool to_server) {
  if (to_server) server_chain_.insert(fs);
  else server_chain_.erase(fs);
  const Time began = sim_.now();
  const std::vector<vnode::Vnode*> vs = vnodes_->of_fs(fs);
  for (vnode::Vnode* v : vs) {
    co_await v->head().lock();
    v->convert(chain(fs, to_server));
    v->head().unlock();
  }
  sim_.observe(self_, "vnode.converted", {{"fs", std::int64_t(fs)}, {"vnodes", std::int64_t(vs.size())},
                                          {"to", std::string(to_server ? "server" : "client")},
                                          {"waited", std::int64_t(sim_.now() - began)}});
}

Task<void> Node::detarget(std::uint32_t fs) {
  auto op = client_->detarget_for_relocation(fs);
  co_await op;
}

Task<kore::Bag> Node::bag(std::uint32_t fs) {
  Server* s = servers_[fs].get();
  if (s == nullptr) co_return kore::Bag{};
  auto op = s->bag();
  kore::Bag b = co_await op;
  if (servers_[fs].get() == s) retire(fs);
  co_return b;
}

Task<bool> Node::unbag(std::uint32_t fs, kore::Bag bag) {
  while (instantiating_.count(fs) != 0) co_await instantiated_.wait();
  if (servers_[fs] != nullptr) co_return false;
  instantiating_.insert(fs);
  auto op = instantiate_now(fs, {}, &bag);
  const bool ok = co_await op;
  instantiating_.erase(fs);
  instantiated_.notify_all();
  if (!ok) co_return false;
  auto conv = convert(fs, true);
  co_await conv;
  // This node serves now: its own client points here at once, not at the retarget phase.
  // Until then it answered `migrating` (still detargeted for the relocation) to the new
  // server's own work — an HSM dmput's invisible I/O — which failed `migrating` back to a
  // caller already repointed here, and that caller waited for a repoint that never came
  // (relocation property, CI seed, found by calls_complete).
  auto self = client_->retarget(fs, self_);
  co_await self;
  co_return true;
}

Task<void> Node::retarget(std::uint32_t fs, NodeId server) {
  if (fs >= filesystems_.size()) co_return;
  // §0076: the new server has every node update its white-pages entry for the file system.
  if (!mutations_.stale_white_pages) set_white_pages(fs, server);
  if (server != self_ && servers_[fs] != nullptr) retire(fs);
  auto op = client_->retarget(fs, server);
  co_await op;
}

void Node::resume(std::uint32_t fs) {
  if (fs < servers_.size() && servers_[fs] != nullptr) servers_[fs]->resume();
}

void Node::drop_server(std::uint32_t fs) {
  if (fs < servers_.size() && servers_[fs] != nullptr) retire(fs);
}

// §0074's other triggers, on the server once recovery is over: return to a previously
// failed node (a more preferred candidate is a member again) and load shifting (this
// node serves several file systems while a candidate of one serves none).
void Node::complete() {
  recovering_ = false;
  ++cycles_completed_;
  if (unserved_ && unserved_anywhere()) unserved_();
  if (!relocate_) return;
  if (judge_triggers())
    sim_.sched().spawn(self_, judge_triggers_again(cycles_completed_), "cxfs.triggers");
}

bool Node::judge_triggers() {
  const auto member = [this](NodeId n) { return failed_.count(n) == 0; };
  std::map<NodeId, int> load;
  for (std::uint32_t fs = 0; fs < filesystems_.size(); ++fs) {
    const NodeId at = fs < servers_.size() && servers_[fs] != nullptr ? self_ : client_->target(fs);
    if (at != kNoNode) ++load[at];
  }
  for (std::uint32_t fs = 0; fs < servers_.size(); ++fs) {
    if (servers_[fs] == nullptr || servers_[fs]->relocating()) continue;
    const FsConfig& f = filesystems_[fs];
    if (f.failback) {
      for (NodeId c : f.servers) {
        if (c == self_) break;  // nobody more preferred is a member
        if (member(c)) {
          sim_.observe(self_, "kore.trigger", {{"fs", f.id}, {"why", std::string("failback")}, {"to", std::int64_t(c)}});
          relocate_(fs, c);
          return true;  // one at a time: judged again once it is over
        }
      }
    }
    if (f.balance && load[self_] > 1) {
      for (NodeId c : f.servers)
        if (c != self_ && member(c) && load[c] == 0) {
          sim_.observe(self_, "kore.trigger", {{"fs", f.id}, {"why", std::string("balance")}, {"to", std::int64_t(c)}});
          relocate_(fs, c);
          return true;
        }
    }
  }
  return false;
}

// A relocation a trigger asked for can be refused or abandoned through no fault of the
// condition that asked for it: the target was still finishing the same recovery cycle
// ("recovery is under way") when this node, done first, asked. Judged again a little
// later, as long as no newer cycle started (that one judges on its own), a bounded
// number of times: a failback the configuration asks for is not silently dropped.
Task<void> Node::judge_triggers_again(std::uint64_t cycle) {
  for (int attempt = 0; attempt < kTriggerAttempts; ++attempt) {
    co_await sim_.sched().sleep(kTriggerRecheck);
    if (recovering_ || cycles_completed_ != cycle) co_return;
    bool busy = false;
    for (const auto& s : servers_) busy = busy || (s != nullptr && s->relocating());
    if (busy) continue;  // still under way: look again once it is over
    if (!judge_triggers()) co_return;  // done (this node no longer serves it), or nothing asks
  }
}

bool Node::hsm_crash(std::uint32_t fs, bool crash) {
  if (fs >= servers_.size() || servers_[fs] == nullptr || servers_[fs]->hsm() == nullptr) return false;
  if (crash) servers_[fs]->hsm()->crash();
  else servers_[fs]->hsm()->restart();
  return true;
}

}  // namespace sansim::cxfs
