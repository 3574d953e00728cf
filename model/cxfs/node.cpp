#include "model/cxfs/node.h"

#include <algorithm>

namespace sansim::cxfs {
namespace {
constexpr Duration kPoll = 100'000'000;              // 100ms
constexpr Duration kCandidateStagger = 300'000'000;  // later candidates register later
}  // namespace

Node::Node(Simulation& sim, NodeId self, std::vector<FsConfig> filesystems, Mutations mutations, NodeId wp_node,
           std::function<bool()> ready)
    : sim_(sim), self_(self), filesystems_(std::move(filesystems)), mutations_(mutations), wp_node_(wp_node),
      ready_(std::move(ready)), rpc_(sim, self, kPort), decided_(sim.sched()) {
  client_ = std::make_unique<Client>(sim, self, rpc_, filesystems_, mutations_);
  dcvn_ = std::make_unique<Dcvn>(*client_);
  dsvn_ = std::make_unique<Dsvn>(*client_);
  vnodes_ = std::make_unique<vnode::VnodeTable>(sim.sched(), [this](std::uint32_t fs) {
    return std::vector<vnode::Behavior*>{client_->serves_locally(fs) ? static_cast<vnode::Behavior*>(dsvn_.get())
                                                                     : static_cast<vnode::Behavior*>(dcvn_.get())};
  });
  files_ = std::make_unique<vnode::VnodeAccess>(
      *vnodes_, [this](const std::string& fs) { return client_->mounted_index(fs); });
  servers_.resize(filesystems_.size());
  rpc_.set_handler([this](NodeId from, Bytes b) { return dispatch(from, std::move(b)); });
}

const Server* Node::server(std::uint32_t fs) const { return fs < servers_.size() ? servers_[fs].get() : nullptr; }

void Node::start() {
  rpc_.start();
  if (!filesystems_.empty()) sim_.sched().spawn(self_, mount_all(), "cxfs.mount");
}

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
  if (r.kind == Kind::wp_register || r.kind == Kind::wp_lookup) {
    if (self_ != wp_node_) {
      rep.err = Errno::inval;
    } else {
      rep.node = r.kind == Kind::wp_register ? wp_.register_fs(r.fs_name, r.node) : wp_.lookup(r.fs_name);
      if (rep.node == kNoNode) rep.err = Errno::noent;
    }
  } else if (r.kind == Kind::recall || r.kind == Kind::ioexcl_off) {
    rep = co_await client_->handle(from, r);
  } else if (r.fs < servers_.size()) {
    // A candidate server that (re)booted answers once it knows whether it serves.
    const auto& cand = filesystems_[r.fs].servers;
    const Time deadline = sim_.now() + kMountWait;
    while (mounting_ && servers_[r.fs] == nullptr && std::find(cand.begin(), cand.end(), self_) != cand.end())
      if (co_await decided_.wait({}, nullptr, deadline) == WaitStatus::timeout) break;
    if (servers_[r.fs] != nullptr) rep = co_await servers_[r.fs]->handle(from, r);
    else rep.err = Errno::stale;
  } else {
    rep.err = Errno::stale;  // not the server of that file system (any more)
  }
  rep.boot = sim_.incarnation(self_);
  co_return encode(rep);
}

Task<Reply> Node::serve_locally(Server* server, Request r) {
  auto op = server->handle(self_, std::move(r));
  Reply rep = co_await op;
  rep.boot = sim_.incarnation(self_);
  co_return rep;
}

Task<std::optional<Reply>> Node::wp_call(Request r) {
  std::optional<Bytes> b = co_await rpc_.call(wp_node_, encode(r));
  if (!b) co_return std::nullopt;
  try {
    co_return decode_reply(*b);
  } catch (const DecodeError&) {
    co_return std::nullopt;
  }
}

Task<void> Node::mount_all() {
  while (!ready_()) co_await sim_.sched().sleep(kPoll);
  for (std::uint32_t i = 0; i < filesystems_.size(); ++i) {
    const FsConfig& f = filesystems_[i];
    const auto rank = std::find(f.servers.begin(), f.servers.end(), self_);
    if (rank == f.servers.end()) continue;
    co_await sim_.sched().sleep(kCandidateStagger * (rank - f.servers.begin()));
    Request reg;
    reg.kind = Kind::wp_register;
    reg.fs_name = f.id;
    reg.node = self_;
    std::optional<Reply> rep;
    while (!(rep = co_await wp_call(reg))) co_await sim_.sched().sleep(kPoll);
    if (rep->node != self_) continue;  // someone registered first: we are a client (§0037)
    server_volumes_.push_back(std::make_unique<PathRetry>(sim_.sched(), *sim_.storage().volume(f.volume)));
    servers_[i] = std::make_unique<Server>(sim_, self_, i, f, rpc_, *server_volumes_.back(), mutations_);
    // dsvn: this node's token client and token server talk in-process (§0026).
    Server* server = servers_[i].get();
    server->set_local_client([this](Request r) { return client_->handle(self_, std::move(r)); });
    client_->set_local_server(i, [server, this](Request r) { return serve_locally(server, std::move(r)); });
    decided_.notify_all();  // requests wait in the server until its mount finished
    const Errno e = co_await servers_[i]->mount();
    if (e != Errno::ok)
      sim_.observe(self_, "cxfs.mount_failed", {{"fs", f.id}, {"error", std::string(xfs::to_string(e))}});
  }
  mounting_ = false;
  decided_.notify_all();
  for (std::uint32_t i = 0; i < filesystems_.size(); ++i) {
    const FsConfig& f = filesystems_[i];
    if (!f.mount.empty() && std::find(f.mount.begin(), f.mount.end(), self_) == f.mount.end()) continue;
    Request look;
    look.kind = Kind::wp_lookup;
    look.fs_name = f.id;
    for (;;) {
      std::optional<Reply> rep = co_await wp_call(look);
      if (rep && rep->err == Errno::ok) {
        client_->set_server(i, rep->node);
        sim_.observe(self_, "cxfs.mounted",
                     {{"fs", f.id}, {"role", std::string("client")}, {"server", std::int64_t(rep->node)}});
        break;
      }
      co_await sim_.sched().sleep(kPoll);
    }
  }
}

}  // namespace sansim::cxfs
