#include "model/cxfs/node.h"

#include <algorithm>

namespace sansim::cxfs {

Node::Node(Simulation& sim, NodeId self, std::vector<FsConfig> filesystems, Mutations mutations)
    : sim_(sim), self_(self), filesystems_(std::move(filesystems)), mutations_(mutations), rpc_(sim, self, kPort),
      instantiated_(sim.sched()) {
  client_ = std::make_unique<Client>(sim, self, rpc_, filesystems_, mutations_);
  dcvn_ = std::make_unique<Dcvn>(*client_);
  dsvn_ = std::make_unique<Dsvn>(*client_);
  // The chain is chosen when a vnode is made. Both behaviors send through the client,
  // which sends to whatever server the file system's chandle targets (in-process when
  // it is this node), so a vnode made before recovery moved the server still works;
  // converting chains is relocation's business (§0076, model/kore).
  vnodes_ = std::make_unique<vnode::VnodeTable>(sim.sched(), [this](std::uint32_t fs) {
    return std::vector<vnode::Behavior*>{client_->serves_locally(fs) ? static_cast<vnode::Behavior*>(dsvn_.get())
                                                                     : static_cast<vnode::Behavior*>(dcvn_.get())};
  });
  files_ = std::make_unique<vnode::VnodeAccess>(
      *vnodes_, [this](const std::string& fs) { return client_->mounted_index(fs); });
  servers_.resize(filesystems_.size());
  server_volume_.resize(filesystems_.size());
  rpc_.set_handler([this](NodeId from, Bytes b) { return dispatch(from, std::move(b)); });
}

const Server* Node::server(std::uint32_t fs) const { return fs < servers_.size() ? servers_[fs].get() : nullptr; }

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
  }
  rep.boot = sim_.incarnation(self_);
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

Task<bool> Node::instantiate_now(std::uint32_t fs, std::vector<corpse::Holding> holdings) {
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
  s->install(holdings);
  servers_[fs] = std::move(server);
  server_volume_[fs] = server_volumes_.back().get();
  // dsvn: this node's token client and token server talk in-process (§0026).
  s->set_local_client([this](Request r) { return client_->handle(self_, std::move(r)); });
  client_->set_local_server(fs, [s, this](Request r) { return serve_locally(s, std::move(r)); });
  co_return true;
}

Task<void> Node::retarget(std::vector<corpse::ServerEntry> servers, NodeId wp) {
  rpc_.cut(failed_);  // a member again (after left(), every peer was cut off)
  wp_node_ = wp;
  wp_ = wp::WhitePages{};
  for (const corpse::ServerEntry& e : servers) {
    if (e.fs >= filesystems_.size()) continue;
    const FsConfig& f = filesystems_[e.fs];
    if (wp == self_) wp_.update(f.id, e.node);
    if (e.node != self_ && servers_[e.fs] != nullptr) retire(e.fs);
    if (!f.mount.empty() && std::find(f.mount.begin(), f.mount.end(), self_) == f.mount.end() && e.node != self_)
      continue;
    fresh_ = false;
    auto op = client_->retarget(e.fs, e.node);
    co_await op;
  }
}

void Node::retire(std::uint32_t fs) {
  sim_.observe(self_, "dsvn.retired", {{"fs", filesystems_[fs].id}});
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
  wp_ = wp::WhitePages{};
  wp_node_ = kNoNode;
  fresh_ = true;
}

}  // namespace sansim::cxfs
