#include "model/cxfs/server.h"

#include <algorithm>

namespace sansim::cxfs {

using token::kServerHolder;
using token::Level;
using token::TokenType;

Server::Server(Simulation& sim, NodeId self, std::uint32_t fs_index, const FsConfig& config, Rpc& rpc,
               Volume& volume, const Mutations& mutations)
    : sim_(sim), self_(self), index_(fs_index), config_(config), rpc_(rpc), volume_(volume), mutations_(mutations),
      tokens_(
          sim, self,
          [this](NodeId h, token::ObjectId o, TokenType t, bool c, token::GrantId g) { return recall(h, o, t, c, g); },
          [this](token::ObjectId o, TokenType t, NodeId, const token::TokenState& st) { merge(o, t, st); },
          token::ServerMutations{mutations.grant_without_recall, mutations.read_shares_with_shared_write}),
      ready_(sim.sched()),
      changed_(sim.sched()),
      exclusive_ended_(sim.sched()),
      queue_(sim.sched()),
      moving_(sim.sched()),
      idle_(sim.sched()),
      relocated_or_done_(sim.sched()) {}

token::TokenServer::AcquireOptions Server::waits(token::TokenServer::AcquireOptions opt) {
  opt.interrupt = &moving_;
  return opt;
}

Task<bool> Server::hold(token::ObjectId o, TokenType t, Level l, token::TokenServer::AcquireOptions opt) {
  auto op = tokens_.acquire(kServerHolder, o, t, l, waits(opt));
  co_return co_await op != 0;
}

Task<Errno> Server::mount() {
  xfs::MountResult m = co_await xfs::FileSystem::mount(sim_.sched(), volume_, self_);
  if (m.err != Errno::ok && m.unformatted) {
    // No file system here yet (a fresh volume): format it. Anything else (a disk error
    // on the way) is reported: formatting then would wipe a file system recovery is
    // about to take over.
    xfs::MkfsOptions o;
    o.inodes = config_.inodes;
    o.log_blocks = config_.log_blocks;
    o.uuid = sim_.rng("cxfs.mkfs", index_).next();
    const Errno made = co_await xfs::FileSystem::mkfs(volume_, self_, o);
    if (made != Errno::ok) co_return made;
    m = co_await xfs::FileSystem::mount(sim_.sched(), volume_, self_);
  }
  if (m.err != Errno::ok) {
    sim_.observe(self_, "cxfs.mount_failed", {{"fs", config_.id}, {"error", m.detail}});
    co_return m.err;
  }
  fs_ = std::move(m.fs);
  sim_.observe(self_, "cxfs.mounted",
               {{"fs", config_.id}, {"role", std::string("server")}, {"replayed", std::int64_t(m.replayed)}});
  ready_.set();
  co_return Errno::ok;
}

Stat Server::stat_of(Ino ino) const {
  Stat s;
  const xfs::Inode* in = fs_->inode(ino);
  if (in == nullptr) return s;
  s.ino = ino;
  s.type = in->type;
  s.nlink = in->nlink;
  s.size = in->size;
  s.atime = in->atime;
  s.mtime = in->mtime;
  s.ctime = in->ctime;
  s.mode = in->mode;
  s.uid = in->uid;
  auto it = returned_.find(ino);
  if (it != returned_.end()) {
    s.size = std::max(s.size, it->second.size);
    s.mtime = std::max(s.mtime, it->second.mtime);
    s.atime = std::max(s.atime, it->second.atime);
    s.ctime = std::max(s.ctime, it->second.ctime);
  }
  return s;
}

token::RecallAnswer Server::recall_answer(const Reply& rep) {
  token::RecallAnswer a;
  if (rep.err != Errno::ok) {
    a.unreachable = true;  // the holder does not take this node for its server (Client::handle)
    return a;
  }
  a.returned = rep.returned;
  a.absent = rep.absent;
  a.given = rep.given;
  a.state = rep.state;
  return a;
}

Task<token::RecallAnswer> Server::recall(NodeId holder, token::ObjectId o, TokenType t, bool conditional,
                                         token::GrantId grant) {
  Request r;
  r.kind = Kind::recall;
  r.grant = grant;
  r.fs = index_;
  r.ino = o.ino;
  r.type = t;
  r.conditional = conditional;
  token::RecallAnswer a;
  if (holder == self_ && local_client_) {
    auto op = local_client_(r);
    const Reply rep = co_await op;
    co_return recall_answer(rep);
  }
  observe_request(r.kind, holder);
  std::optional<Bytes> reply = co_await rpc_.call(holder, encode(r));
  if (!reply) {
    a.unreachable = true;
    co_return a;
  }
  try {
    const Reply rep = decode_reply(*reply);
    (void)heard_from(holder, rep.session);
    a = recall_answer(rep);
  } catch (const DecodeError&) {
    a.unreachable = true;  // a holder that answers garbage is treated as gone
  }
  co_return a;
}

void Server::merge(token::ObjectId o, TokenType t, const token::TokenState& st, bool persist_later) {
  if (t != TokenType::times && t != TokenType::size) return;
  token::TokenState& m = returned_[o.ino];
  if (t == TokenType::times) {  // shared write copies merge: the largest wins (§0029)
    m.atime = std::max(m.atime, st.atime);
    m.mtime = std::max(m.mtime, st.mtime);
    m.ctime = std::max(m.ctime, st.ctime);
  } else {
    m.size = std::max(m.size, st.size);
  }
  if (persist_later) {
    begin();
    sim_.sched().spawn(self_, persist_then_end(o.ino), "dsvn.persist");
  }
}

Task<void> Server::persist_then_end(Ino ino) {
  co_await persist(ino);
  end();
}

// Writes returned timestamps and sizes into the inode (one journal transaction).
Task<void> Server::persist(Ino ino) {
  auto it = returned_.find(ino);
  if (it == returned_.end() || fs_ == nullptr) co_return;
  const xfs::Inode* in = fs_->inode(ino);
  if (in == nullptr) co_return;
  xfs::SetAttr a;
  if (it->second.size > in->size) a.size = it->second.size;
  if (it->second.mtime > in->mtime) a.mtime = it->second.mtime;
  if (it->second.atime > in->atime) a.atime = it->second.atime;
  if (it->second.ctime > in->ctime) a.ctime = it->second.ctime;
  if (!a.size && !a.mtime && !a.atime && !a.ctime) co_return;
  co_await fs_->setattr(ino, a);
}

void Server::observe_call(NodeId from, const Request& r, Errno err) {
  sim_.observe(self_, "dsvn.op",
               {{"fs", std::int64_t(index_)},
                {"op", std::string(to_string(r.kind))},
                {"client", std::int64_t(from)},
                {"ino", std::int64_t(r.ino)},
                {"result", std::string(xfs::to_string(err))}});
}

void Server::observe_request(Kind k, NodeId to) {
  if (sim_.wants("cxfs.request"))
    sim_.observe(self_, "cxfs.request", {{"kind", std::string(to_string(k))}, {"to", std::int64_t(to)}});
}

// A writer holding SIZE write grows the file in its own memory (§0032 DVN_SIZE); lost
// with it, the size on disk stays short of blocks it had allocated and written. Those
// blocks past the end of file are freed once nobody holds SIZE write on the file, or a
// later extension of the file would expose their old bytes where POSIX promises zeros
// (fs property seeds 4005 and 4006, linearizable: a read of a block returned zeros, a
// later one the lost writer's data, with no write between).
void Server::trim_lost_sizes(const std::set<Ino>& candidates) {
  for (Ino ino : candidates) {
    if (fs_->inode(ino) == nullptr) continue;
    sim_.sched().spawn(self_, trim_past_eof(ino), "dsvn.trim");
  }
}

Task<void> Server::trim_past_eof(Ino ino) {
  // As a truncate to the file's own size: SIZE and EXTENT write for the server's
  // operation, so a writer that took SIZE write since gives its size back first.
  begin();
  const token::ObjectId o = obj(ino);
  if (co_await hold(o, TokenType::size, Level::write)) {
    if (co_await hold(o, TokenType::extent, Level::write)) {
      co_await persist(ino);  // the sizes the recalls brought back, before judging the end of file
      const xfs::Inode* in = fs_->inode(ino);
      const std::uint64_t keep = in == nullptr ? 0 : (in->size + kBlockSize - 1) / kBlockSize;
      const bool past = in != nullptr && std::any_of(in->extents.begin(), in->extents.end(), [keep](const xfs::Extent& e) {
                          return e.file_block + e.count > keep;
                        });
      if (past) {
        const Errno e = co_await fs_->truncate(ino, in->size);
        sim_.observe(self_, "dsvn.trimmed", {{"fs", std::int64_t(index_)}, {"ino", std::int64_t(ino)},
                                             {"result", std::string(xfs::to_string(e))}});
      }
      tokens_.release(kServerHolder, o, TokenType::extent);
    }
    tokens_.release(kServerHolder, o, TokenType::size);
  }
  end();
}

void Server::celldown(const std::set<NodeId>& failed) {
  std::set<Ino> lost_sizes;
  for (const token::TokenServer::Granted& g : tokens_.granted())
    if (g.type == TokenType::size && g.level == Level::write && failed.count(g.holder) != 0)
      lost_sizes.insert(g.obj.ino);
  const std::size_t dropped = mutations_.keep_dead_tokens ? 0 : tokens_.celldown(failed);
  std::erase_if(exclusive_, [&failed](const auto& e) { return failed.count(e.second) != 0; });
  sim_.observe(self_, "dsvn.celldown", {{"fs", config_.id}, {"dropped", std::int64_t(dropped)}});
  if (!mutations_.keep_dead_tokens) trim_lost_sizes(lost_sizes);
}

// A node can drop every token it holds without this server learning it from recovery:
// it crashed and booted again between two failure checks, so it was never declared
// failed and celldown never dropped what its old incarnation held (fs property seed
// 1213); or recovery evicted it after this server had granted to it (seed 1212: granted
// between the freeze that lifted its quarantine and its eviction). Its tokens then stay
// recorded here, a recall it answers "none here" waits kReturnLost (30s) for a return
// that never comes, and everyone needing that token waits too (both found by
// calls_complete). Its next message carries a newer session: drop them then.
bool Server::heard_from(NodeId from, std::uint64_t session) {
  if (from == self_ || session == 0) return true;
  auto [it, first] = client_session_.try_emplace(from, session);
  if (first || session == it->second) return true;
  if (session < it->second) return false;  // sent before the node reset: nobody waits for it
  it->second = session;
  std::set<Ino> lost_sizes;
  for (const token::TokenServer::Granted& g : tokens_.granted())
    if (g.type == TokenType::size && g.level == Level::write && g.holder == from) lost_sizes.insert(g.obj.ino);
  const std::size_t dropped = tokens_.restarted(from);
  std::erase_if(exclusive_, [from](const auto& e) { return e.second == from; });
  sim_.observe(self_, "dsvn.client_restarted", {{"fs", config_.id}, {"client", std::int64_t(from)},
                                                {"dropped", std::int64_t(dropped)}});
  trim_lost_sizes(lost_sizes);
  return true;
}

void Server::install(const std::vector<corpse::Holding>& holdings) {
  // Grant numbers must never repeat across servers: a grant a client gave up with a
  // request the old server never saw is in no manifest, and its late return must not
  // match a new grant (relocation property seed 57: grant 136 handed out twice, the late
  // return released the second). A new server numbers from the instant in nanoseconds,
  // which no earlier server's count can have reached (that would take more than one
  // grant per nanosecond since it started).
  tokens_.continue_after(static_cast<token::GrantId>(sim_.now()));
  for (const corpse::Holding& h : holdings) {
    tokens_.install(h.holder, obj(h.ino), h.type, h.level, h.grant);
    if (h.type == TokenType::ioexcl && h.exclusive) exclusive_[h.ino] = h.holder;
  }
  // Reconcile the journal's picture with the tokens (§0069-0070): a file unlinked while
  // open is an orphan on disk; it goes once the last node holding it lets go — now, if
  // nobody does (its holders failed with the old server's knowledge of them).
  const std::vector<Ino> orphans = fs_->orphans();
  for (Ino ino : orphans) {
    unlinked_.insert(ino);
    sim_.sched().spawn(self_, remove_when_unused(ino), "dsvn.remove");
  }
  // Sizes lost with the old server or a failed writer (see trim_lost_sizes): blocks past
  // the end of a file nobody holds SIZE write on now.
  const std::vector<Ino> long_files = fs_->past_eof();
  trim_lost_sizes(std::set<Ino>(long_files.begin(), long_files.end()));
  sim_.observe(self_, "dsvn.reconstructed", {{"fs", config_.id},
                                             {"tokens", std::int64_t(holdings.size())},
                                             {"orphans", std::int64_t(orphans.size())}});
}

Task<Reply> Server::handle(NodeId from, Request r) {
  if (!ready_.is_set()) co_await ready_.wait();
  begin();
  auto op = serve(from, std::move(r));
  Reply rep = co_await op;
  end();
  // To a client, `stale` means "not the server: ask again" (Client::call). From a live
  // server it can only mean the inode is gone (xfs's ESTALE), which asking again for the
  // mount wait (30s) does not change (fs property seed 1212, found by calls_complete: a
  // stat raced an unlink and waited 30s).
  if (rep.err == Errno::stale && !retired_) rep.err = Errno::noent;
  co_return rep;
}

Task<Reply> Server::serve(NodeId from, Request r) {
  Reply rep;
  if (retired_) {
    rep.err = Errno::stale;
    co_return rep;
  }
  if (!heard_from(from, r.session)) {
    rep.err = Errno::stale;
    co_return rep;
  }
  if (relocating_ && r.kind != Kind::token_return) {
    // Quiesced for a relocation (§0075): nothing new starts here. The grant a request
    // gives up with it still lands (the bag must not record it as held); the caller
    // hands the call off to the new server.
    if (r.kind == Kind::token_request) tokens_.give(from, obj(r.ino), r.given, r.state);
    rep.err = Errno::migrating;
    co_return rep;
  }
  if (fs_->shut_down() && r.kind != Kind::token_return) {
    // The file system shut down (a journal write failed): what memory holds may never
    // reach the disk, so none of it goes out — every request answers EIO, as XFS does
    // after a forced shutdown (fs property seed 1211: an allocation that did not commit
    // went out in extent maps, clients wrote through it, and the next server, which
    // replayed the journal without it, gave the block to another file).
    if (r.kind == Kind::token_request) tokens_.give(from, obj(r.ino), r.given, r.state);
    rep.err = Errno::io;
    co_return rep;
  }
  switch (r.kind) {
    case Kind::dmapi_event:
    case Kind::migrate:
    case Kind::punch: {
      Reply d = co_await dmapi_op(from, r);
      co_return d;
    }
    case Kind::token_request: {
      Reply t = co_await token_request(from, r);
      co_return t;
    }
    case Kind::token_return: {
      tokens_.give(from, obj(r.ino), r.given, r.state);  // with EXIST comes everything (§0032)
      if (r.type == TokenType::exist && unlinked_.count(r.ino) != 0 &&
          tokens_.client_holders(obj(r.ino), TokenType::exist).empty())
        sim_.sched().spawn(self_, remove_when_unused(r.ino), "dsvn.remove");
      co_return rep;
    }
    case Kind::lookup: {
      while (changing_.count(r.ino) != 0) co_await changed_.wait();
      xfs::Result<Ino> res = fs_->lookup(r.ino, r.name);
      rep.err = res.err;
      rep.ino = res.value;
      if (res.ok()) rep.stat = stat_of(res.value);
      co_return rep;
    }
    case Kind::create:
    case Kind::unlink:
    case Kind::rename: {
      Reply n = co_await name_op(from, r);
      co_return n;
    }
    default: {
      Reply d = co_await data_op(from, r);
      co_return d;
    }
  }
}

Task<void> Server::end_exclusive(Ino ino, NodeId except) {
  // Another grant is telling the client already: this one goes out only once it is told
  // (kore-fig14-relocation seed 1: the server's own client was granted while the message
  // to the client that was alone was still on its way).
  while (ending_exclusive_.count(ino) != 0) co_await exclusive_ended_.wait();
  auto ex = exclusive_.find(ino);
  if (ex == exclusive_.end() || ex->second == except) co_return;
  const NodeId was = ex->second;
  exclusive_.erase(ex);
  if (mutations_.lose_ioexcl_reset) co_return;  // broken on purpose: the first client is never told
  Request off;
  off.kind = Kind::ioexcl_off;
  off.fs = index_;
  off.ino = ino;
  ending_exclusive_.insert(ino);
  if (was == self_ && local_client_) {
    auto op = local_client_(off);
    co_await op;
  } else {
    // As a recall: a client we cannot reach may be alive behind a partition, still
    // believing it is alone; ask again until it answers, or no longer holds IOEXCL (it
    // gave it back, or recovery took it with celldown). Lost once, it was granted over
    // (recovery matrix, "ioexcl_off: lose the request", io_exclusive).
    const token::ObjectId o = obj(ino);
    for (;;) {
      observe_request(off.kind, was);
      if (co_await rpc_.call(was, encode(off))) break;
      const auto holders = tokens_.client_holders(o, TokenType::ioexcl);
      if (fs_->shut_down() || std::find(holders.begin(), holders.end(), was) == holders.end()) break;
      co_await sim_.sched().sleep(token::kReturnRecheck);
    }
  }
  ending_exclusive_.erase(ino);
  exclusive_ended_.notify_all();
}

Task<Reply> Server::token_request(NodeId from, const Request& r) {
  Reply rep;
  if (fs_->inode(r.ino) == nullptr) {
    rep.err = Errno::noent;  // gone (unlinked and removed): no such file, not "ask again"
    co_return rep;
  }
  const token::ObjectId o = obj(r.ino);
  // A client asking for another level has given its old one up already (it did what
  // returning requires before asking); the grant and its state travel with the request.
  tokens_.give(from, o, r.given, r.state);
  const token::GrantId granted = co_await tokens_.acquire(from, o, r.type, r.level, waits());
  if (granted == 0) {
    rep.err = relocating_ ? Errno::migrating : Errno::io;
    co_return rep;
  }
  if (fs_->inode(r.ino) == nullptr) {  // removed while we waited
    tokens_.release(from, o, r.type);
    rep.err = Errno::noent;
    co_return rep;
  }
  if (auto s = client_session_.find(from); r.session != 0 && s != client_session_.end() && s->second != r.session) {
    // The node reset while this request waited here (the reset failed its call, so the
    // grant would be dropped on arrival and stay recorded here for a recall to wait on
    // kReturnLost: fs property seed 2030, calls_complete).
    tokens_.release(from, o, r.type);
    rep.err = Errno::stale;
    co_return rep;
  }
  rep.level = r.level;
  rep.grant = granted;
  rep.stat = stat_of(r.ino);
  rep.state = token::TokenState{rep.stat.atime, rep.stat.mtime, rep.stat.ctime, rep.stat.size};
  if (r.type == TokenType::extent) {
    const auto map = fs_->extent_map(r.ino);
    rep.extents.assign(map.begin(), map.end());
  }
  if (r.type == TokenType::ioexcl) {
    // Before a second copy goes out, the one client that believed it was alone is told
    // that it no longer is (§0032 DVN_IOEXCL). Told once this grant is recorded, not
    // before it was asked for: a client that became alone while this request waited
    // would otherwise never hear of it (kore-fig14-relocation seed 1, io_exclusive).
    co_await end_exclusive(r.ino, from);
    rep.ioexcl = tokens_.client_holders(o, TokenType::ioexcl, from).empty();
    if (rep.ioexcl) exclusive_[r.ino] = from;
  }
  if (r.type == TokenType::dmapi) rep.events = events(r.ino);  // the mask travels with the token (§0039)
  co_return rep;
}

// Frees an unlinked file once no node holds it any more (§0032 DVN_EXIST).
Task<void> Server::remove_when_unused(Ino ino) {
  begin();
  auto op = remove_now(ino);
  co_await op;
  end();
}

Task<void> Server::remove_now(Ino ino) {
  if (unlinked_.count(ino) == 0 || relocating_) co_return;  // relocating: the target reconciles it
  const auto conditional = token::TokenServer::AcquireOptions::conditional_recall();
  auto recall_all = tokens_.acquire(kServerHolder, obj(ino), TokenType::exist, Level::write, waits(conditional));
  const bool all_back = co_await recall_all != 0;
  if (!all_back) co_return;  // someone still uses it; their last close gives it back
  if (unlinked_.erase(ino) == 0) {
    tokens_.release(kServerHolder, obj(ino), TokenType::exist);
    co_return;
  }
  events_.erase(ino);
  if (hsm_) hsm_->forget(ino);
  returned_.erase(ino);
  exclusive_.erase(ino);
  // EXIST write stays with the server until the inode is gone, so no node is granted
  // the existence of a file being freed (requests that waited then find it stale).
  const Errno e = co_await fs_->release(ino);
  tokens_.release(kServerHolder, obj(ino), TokenType::exist);
  tokens_.forget(obj(ino));
  sim_.observe(self_, "dsvn.removed",
               {{"fs", std::int64_t(index_)}, {"ino", std::int64_t(ino)}, {"result", std::string(xfs::to_string(e))}});
}

Task<Reply> Server::name_op(NodeId from, const Request& r) {
  Reply rep;
  const auto lend = token::TokenServer::AcquireOptions::lent_by(from);  // the caller lends its NAME read (§0031)
  std::vector<Ino> dirs{r.ino};
  if (r.kind == Kind::rename && r.dir2 != r.ino) dirs.push_back(r.dir2);
  std::sort(dirs.begin(), dirs.end());
  const bool recall_names = !(r.kind == Kind::rename && mutations_.keep_names_on_rename);
  std::vector<Ino> held;
  for (Ino d : dirs) {
    if (fs_->inode(d) == nullptr) {
      rep.err = Errno::noent;
      break;
    }
    if (!recall_names) continue;
    if (!co_await hold(obj(d), TokenType::name, Level::write, lend)) {
      rep.err = Errno::migrating;  // relocation ended the wait: nothing done, ask the new server
      break;
    }
    held.push_back(d);
  }
  for (Ino d : dirs) ++changing_[d];
  Ino gone = xfs::kNoIno;
  if (rep.err == Errno::ok) {
    const Time now = sim_.now();
    if (r.kind == Kind::create) {
      const xfs::Times times{now, now, now};
      auto op = fs_->create(r.ino, r.name, r.file_type, times);
      xfs::Result<Ino> c = co_await op;
      rep.err = c.err;
      rep.ino = c.value;
      if (c.ok()) rep.stat = stat_of(c.value);
      if (c.value != xfs::kNoIno) {
        // The moment a (possibly reused) inode number names a new file: histories start
        // new registers for it here, since other nodes may open it before our caller
        // hears back. A create whose commit failed (EIO, the file system shuts down)
        // still made the file in memory, where lookups find it (fs property seed 21).
        // A retired server's creations reach nobody (its volume is closed).
        if (!retired_)
          sim_.observe(self_, "dsvn.created", {{"fs", std::int64_t(index_)}, {"ino", std::int64_t(c.value)}});
      }
    } else if (r.kind == Kind::unlink) {
      xfs::Result<Ino> u = co_await fs_->unlink(r.ino, r.name);
      rep.err = u.err;
      rep.ino = u.value;
      if (u.ok()) {
        const xfs::Inode* in = fs_->inode(u.value);
        if (in != nullptr && in->nlink == 0) gone = u.value;
      }
    } else {
      xfs::Result<Ino> m = co_await fs_->rename(r.ino, r.name, r.dir2, r.name2);
      rep.err = m.err;
      if (m.ok() && m.value != xfs::kNoIno) {
        const xfs::Inode* in = fs_->inode(m.value);
        if (in != nullptr && in->nlink == 0) gone = m.value;
      }
    }
  }
  for (Ino d : dirs)
    if (--changing_[d] == 0) changing_.erase(d);
  changed_.notify_all();
  for (Ino d : held) tokens_.release(kServerHolder, obj(d), TokenType::name);
  observe_call(from, r, rep.err);
  if (gone != xfs::kNoIno) {
    // The name is gone; the file goes when every node has let go of it. Conditional
    // recall of EXIST: nodes that have it open refuse (§0032).
    unlinked_.insert(gone);
    sim_.sched().spawn(self_, remove_when_unused(gone), "dsvn.remove");
  }
  co_return rep;
}

Task<Reply> Server::data_op(NodeId from, const Request& r) {
  Reply rep;
  const token::ObjectId o = obj(r.ino);
  if (fs_->inode(r.ino) == nullptr) {
    rep.err = Errno::noent;  // gone (unlinked and removed): no such file, not "ask again"
    co_return rep;
  }
  const auto lend = token::TokenServer::AcquireOptions::lent_by(from);
  switch (r.kind) {
    case Kind::setattr: {
      // Explicit timestamps take TIMES at write level here: every shared-write copy comes
      // back (merged), then the explicit value replaces them (§0032 DVN_TIMES).
      const bool times = r.attrs.atime || r.attrs.mtime || r.attrs.ctime;
      const bool attrs = r.attrs.mode || r.attrs.uid;
      const bool got_times = !times || co_await hold(o, TokenType::times, Level::write);
      const bool got_attrs = got_times && (!attrs || co_await hold(o, TokenType::attr, Level::write));
      if (!got_times || !got_attrs) {
        if (times && got_times) tokens_.release(kServerHolder, o, TokenType::times);
        rep.err = Errno::migrating;
        break;
      }
      xfs::SetAttr a = r.attrs;
      a.size.reset();
      auto it = returned_.find(r.ino);
      if (it != returned_.end()) {
        if (a.atime) it->second.atime = *a.atime;
        if (a.mtime) it->second.mtime = *a.mtime;
        if (a.ctime) it->second.ctime = *a.ctime;
      }
      rep.err = co_await fs_->setattr(r.ino, a);
      if (attrs) tokens_.release(kServerHolder, o, TokenType::attr);
      if (times) tokens_.release(kServerHolder, o, TokenType::times);
      break;
    }
    case Kind::allocate: {
      // The client lends its EXTENT read; other clients' extent maps are recalled.
      if (!co_await hold(o, TokenType::extent, Level::write, lend)) {
        rep.err = Errno::migrating;
        co_return rep;  // no map: the caller keeps its own
      }
      xfs::Result<std::vector<xfs::Extent>> a = co_await fs_->allocate(r.ino, r.block, r.count);
      rep.err = a.err;
      // The map as committed: after ENOSPC, with the pieces that did commit; after a
      // failed commit (the file system shut down) the old map is all the caller keeps.
      if (!fs_->shut_down()) {
        const auto map = fs_->extent_map(r.ino);
        rep.extents.assign(map.begin(), map.end());
      }
      tokens_.release(kServerHolder, o, TokenType::extent);
      break;
    }
    case Kind::truncate: {
      if (!co_await hold(o, TokenType::size, Level::write)) {
        rep.err = Errno::migrating;
        break;
      }
      if (!co_await hold(o, TokenType::extent, Level::write)) {
        tokens_.release(kServerHolder, o, TokenType::size);
        rep.err = Errno::migrating;
        break;
      }
      auto it = returned_.find(r.ino);
      if (it != returned_.end()) it->second.size = 0;  // an explicit size replaces reported ones
      rep.err = co_await fs_->truncate(r.ino, r.size);
      tokens_.release(kServerHolder, o, TokenType::extent);
      tokens_.release(kServerHolder, o, TokenType::size);
      break;
    }
    case Kind::size_update: {
      if (!co_await hold(o, TokenType::size, Level::write, lend)) {
        rep.err = Errno::migrating;
        break;
      }
      token::TokenState st;
      st.size = r.size;
      merge(o, TokenType::size, st, false);
      co_await persist(r.ino);  // journaled before the answer: fsync relies on it
      tokens_.release(kServerHolder, o, TokenType::size);
      break;
    }
    default:
      rep.err = Errno::inval;
      break;
  }
  rep.stat = stat_of(r.ino);
  observe_call(from, r, rep.err);
  co_return rep;
}

}  // namespace sansim::cxfs

namespace sansim::cxfs {

Task<Reply> Server::dmapi_op(NodeId from, const Request& r) {
  Reply rep;
  if (fs_->inode(r.ino) == nullptr) {
    rep.err = Errno::noent;  // gone (unlinked and removed): no such file, not "ask again"
    co_return rep;
  }
  if (!config_.dmapi || !hsm_) {
    rep.err = Errno::inval;  // not a DMAPI-enabled file system, or no tape library
    co_return rep;
  }
  const token::ObjectId o = obj(r.ino);
  switch (r.kind) {
    case Kind::dmapi_event: {
      const dmapi::Event e = static_cast<dmapi::Event>(r.event);
      if (dmapi::has(events(r.ino), e)) {
        // Send DMAPI Event: queue it for the HSM and wait (§0040, Fig. 7).
        dmapi::QueuedEvent q;
        q.ino = r.ino;
        q.event = e;
        q.from = from;
        const std::uint64_t id = queue_.post(q);
        sim_.observe(self_, "dmapi.queued", {{"fs", config_.id}, {"id", std::int64_t(id)}, {"ino", std::int64_t(r.ino)},
                                             {"event", std::string(dmapi::to_string(e))}, {"from", std::int64_t(from)}});
        auto op = queue_.answer(id);
        rep.err = co_await op;
        sim_.observe(self_, "dmapi.answered", {{"fs", config_.id}, {"id", std::int64_t(id)},
                                               {"result", std::string(xfs::to_string(rep.err))}});
      }
      rep.events = events(r.ino);
      break;
    }
    case Kind::migrate: {
      // dmput takes a tape's time: it runs on its own, and a relocation does not wait for
      // it (§0080 in spirit): the caller is answered `migrating` and asks the new server.
      auto done = std::make_shared<std::optional<Errno>>();
      sim_.sched().spawn(self_, migrate_into(r.ino, r.release, done), "dsvn.migrate");
      while (!*done && !relocating_) co_await relocated_or_done_.wait();
      rep.err = *done ? **done : Errno::migrating;
      break;
    }
    case Kind::punch: {
      if (!co_await hold(o, TokenType::extent, Level::write)) {
        rep.err = Errno::migrating;
        break;
      }
      rep.err = co_await fs_->punch(r.ino);
      tokens_.release(kServerHolder, o, TokenType::extent);
      break;
    }
    default: rep.err = Errno::inval; break;
  }
  observe_call(from, r, rep.err);
  co_return rep;
}

Task<void> Server::migrate_into(Ino ino, bool release, std::shared_ptr<std::optional<Errno>> done) {
  auto op = hsm_->migrate(ino, release);
  *done = co_await op;
  relocated_or_done_.notify_all();
}

Task<Errno> Server::set_events(Ino ino, dmapi::EventMask mask) {
  const dmapi::EventMask old = events(ino);
  const token::ObjectId o = obj(ino);
  const bool grows = (mask & ~old) != 0;
  // Growing: every client's copy of the old mask comes back first (§0039).
  if (grows && !co_await hold(o, TokenType::dmapi, Level::write)) co_return Errno::migrating;
  if (mask == dmapi::kNoEvents) events_.erase(ino);
  else events_[ino] = mask;
  if (grows) tokens_.release(kServerHolder, o, TokenType::dmapi);
  sim_.observe(self_, "dmapi.events", {{"fs", config_.id}, {"ino", std::int64_t(ino)},
                                       {"events", std::string(dmapi::describe(mask))}});
  co_return Errno::ok;
}

void Server::attach_hsm(std::unique_ptr<dmapi::FileIo> io, TapeLibrary& tape, bool rebuild_events) {
  hsm_io_ = std::move(io);
  hsm_ = std::make_unique<dmapi::Hsm>(sim_, self_, config_.id, tape, queue_, *hsm_io_);
  if (rebuild_events)
    for (const auto& [ino, mask] : hsm_->catalog())
      if (fs_->inode(ino) != nullptr && mask != dmapi::kNoEvents) events_[ino] = mask;
  hsm_->start();
}

Task<void> Server::prepare_relocation() {
  // Without the hand-off, a DMAPI waiter keeps the behavior head locked until its event
  // is answered, and the relocation cannot begin before (§0079).
  if (config_.hold_lock) {
    auto drained = queue_.drained();  // a retirement closes the queue, which drains it too
    co_await drained;
  }
  relocating_ = true;
  moving_.raise();  // §0084: token waits end early
  relocated_or_done_.notify_all();
  const std::size_t woken = queue_.wake_migrating();  // §0080
  sim_.observe(self_, "dmapi.woken", {{"fs", config_.id}, {"count", std::int64_t(woken)}});
}

void Server::resume() {
  relocating_ = false;
  moving_.clear();
}

Task<kore::Bag> Server::bag() {
  while (active_ > 0) co_await idle_.wait();
  // What came back with tokens goes to disk (the target replays the journal), so the
  // bag needs only the token table and the DMAPI masks.
  std::vector<Ino> returned;
  for (const auto& [ino, st] : returned_) returned.push_back(ino);
  for (Ino ino : returned) {
    auto op = persist(ino);
    co_await op;
  }
  kore::Bag b;
  for (const token::TokenServer::Granted& g : tokens_.granted()) {
    if (mutations_.lose_tokens_in_bag && g.holder != self_) continue;
    corpse::Holding h;
    h.holder = g.holder;
    h.fs = index_;
    h.ino = g.obj.ino;
    h.type = g.type;
    h.level = g.level;
    h.grant = g.grant;
    auto ex = exclusive_.find(h.ino);
    h.exclusive = h.type == TokenType::ioexcl && ex != exclusive_.end() && ex->second == h.holder;
    b.tokens.push_back(h);
  }
  if (!mutations_.lose_events_in_bag)
    for (const auto& [ino, mask] : events_) b.events.emplace_back(ino, mask);
  b.grants = tokens_.last_grant();
  co_return b;
}

void Server::unbag(const kore::Bag& b) {
  tokens_.continue_after(b.grants);
  install(b.tokens);
  for (const auto& [ino, mask] : b.events)
    if (fs_->inode(ino) != nullptr && mask != dmapi::kNoEvents) events_[ino] = mask;
}

}  // namespace sansim::cxfs
