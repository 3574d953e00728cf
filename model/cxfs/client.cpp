#include "model/cxfs/client.h"

#include <algorithm>
#include <cassert>

#include "engine/sim/volume.h"
#include "model/cxfs/token_sets.h"
#include "model/xfs/layout.h"

namespace sansim::cxfs {

using token::Level;
using token::ObjectId;
using token::TokenType;

// Tokens held for one call, acquired in TokenType order and released in reverse. The
// era of the file system when the first was taken: if this node drops every token of it
// meanwhile (it left the membership, or the server restarted unnoticed), the call's
// tokens are void and it must not act on them (`voided`).
struct Client::Held {
  std::vector<std::pair<ObjectId, TokenType>> tokens;
  bool started = false;
  std::uint64_t era = 0;
};

Task<bool> Client::acquire_set(Held& h, ObjectId o, std::vector<std::pair<TokenType, Level>> want) {
  if (!h.started) {
    h.started = true;
    h.era = tokens_.era(o.fs);
  }
  for (const auto& [t, l] : want) {
    // Checked before each acquire too: a token taken for a call whose others were voided
    // would stay cached here without the EXIST it depends on (fs property seed 258).
    if (voided(h, o)) co_return false;
    if (!co_await tokens_.acquire(o, t, l, moving_interrupt(o.fs), h.era)) co_return false;
    h.tokens.emplace_back(o, t);
    if (voided(h, o)) co_return false;
  }
  co_return true;
}

bool Client::voided(const Held& h, ObjectId o) const {
  return h.started && tokens_.era(o.fs) != h.era;
}

void Client::release_set(Held& h) {
  for (auto it = h.tokens.rbegin(); it != h.tokens.rend(); ++it) tokens_.release(it->first, it->second);
  h.tokens.clear();
}

Client::Client(Simulation& sim, NodeId self, Rpc& rpc, const std::vector<FsConfig>& filesystems,
               const Mutations& mutations)
    : sim_(sim), self_(self), rpc_(rpc), filesystems_(filesystems), mutations_(mutations),
      mounted_(sim.sched()),
      tokens_(
          sim, self,
          [this](ObjectId o, TokenType t, Level l, token::GrantId given, token::TokenState st) {
            return request_token(o, t, l, given, st);
          },
          [this](ObjectId o, TokenType t, Level l) { return before_return(o, t, l); },
          [this](ObjectId o, TokenType t, Level l, token::Grants given, token::TokenState st) {
            return give_back(o, t, l, given, st);
          }),
      repointed_(sim.sched()) {
  for (const FsConfig& f : filesystems_)
    volumes_.push_back(std::make_unique<PathRetry>(sim.sched(), *sim.storage().volume(f.volume)));
}

namespace {

// Requests the server may see twice with no harm: a retry after the server failed
// (the reply never came) does what the first attempt did or nothing more. Name
// operations are not: a create that took effect before the server died would answer
// EEXIST the second time, so a lost reply to one is reported as EIO (outcome unknown),
// as NFS does without a reply cache. See model/corpse/README.md.
bool retry_safe(Kind k) {
  switch (k) {
    case Kind::create:
    case Kind::unlink:
    case Kind::rename:
      return false;
    default:
      return true;
  }
}

constexpr Duration kRetry = 50'000'000;  // 50ms between attempts while the server is unreachable

}  // namespace

Task<void> Client::retarget(std::uint32_t fs, NodeId server) {
  auto op = retarget_now(fs, server);
  co_await op;
  repointed(fs);
}

Task<void> Client::retarget_now(std::uint32_t fs, NodeId server) {
  auto it = chandles_.find(fs);
  if (it == chandles_.end()) {
    chandles_.emplace(fs, std::make_unique<chandle::Chandle>(sim_.sched(), chandle::Service::file_system,
                                                             chandle::Target{server, fs}));
    sim_.observe(self_, "cxfs.mounted",
                 {{"fs", filesystems_[fs].id}, {"role", std::string("client")}, {"server", std::int64_t(server)}});
    mounted_.notify_all();
    co_return;
  }
  chandle::Chandle& c = *it->second;
  // Whichever incarnation of the server recovery (or a relocation) points us at has this
  // node's tokens from its manifest or the bag: its boot is no restart to act on, even
  // when it is the node we pointed at before (fs property seed 1215: the server crashed,
  // rebooted and was elected again; the first reply of its new incarnation made this
  // node drop every token the new server had just installed for it, silently, and a
  // recall of them then waited kReturnLost).
  server_boot_.erase(fs);
  if (c.targeted() && void_targets_.erase(fs) != 0) {
    // This node reset: what it sent before is void, so no need to wait for it.
    ++pointed_[fs];
    c.repoint(chandle::Target{server, fs});
    sim_.observe(self_, "cxfs.retargeted", {{"fs", std::int64_t(fs)}, {"server", std::int64_t(server)}});
    co_return;
  }
  if (c.targeted() && c.target().node == server) co_return;
  // Recovery moved a server this node did not see fail (two claimed one file system),
  // or a detarget (this node's reset) is still draining: detarget first, or wait.
  auto op = detarget(fs);
  co_await op;
  if (c.targeted()) co_return;  // someone else retargeted meanwhile
  ++pointed_[fs];
  c.retarget(chandle::Target{server, fs});
  sim_.observe(self_, "cxfs.retargeted", {{"fs", std::int64_t(fs)}, {"server", std::int64_t(server)}});
}

Task<void> Client::detarget(std::uint32_t fs) {
  auto it = chandles_.find(fs);
  if (it == chandles_.end()) co_return;
  if (it->second->targeted())
    sim_.observe(self_, "cxfs.detarget", {{"fs", std::int64_t(fs)}, {"server", std::int64_t(it->second->target().node)}});
  co_await it->second->detarget();
}

NodeId Client::target(std::uint32_t fs) const {
  auto it = chandles_.find(fs);
  return it == chandles_.end() ? kNoNode : it->second->target().node;
}

bool Client::targeted(std::uint32_t fs) const {
  auto it = chandles_.find(fs);
  return it != chandles_.end() && it->second->targeted() && it->second->target().node != kNoNode;
}

std::vector<corpse::Holding> Client::manifest(std::uint32_t fs) const {
  std::vector<corpse::Holding> out;
  for (const token::TokenClient::Holding& h : tokens_.holdings(fs)) {
    corpse::Holding m;
    m.holder = self_;
    m.fs = fs;
    m.ino = h.obj.ino;
    m.type = h.type;
    m.level = h.level;
    m.grant = h.grant;
    m.state = h.state;
    m.exclusive = h.type == TokenType::ioexcl && exclusive_.count(h.obj) != 0;
    out.push_back(m);
  }
  return out;
}

void Client::reset() {
  ++resets_;
  sim_.observe(self_, "cxfs.reset");
  for (auto& [fs, c] : chandles_) {
    ++pointed_[fs];
    void_targets_.insert(fs);
    tokens_.server_lost(fs);
    drop_cached(fs);
  }
  local_.clear();
  server_boot_.clear();
}

Task<xfs::Result<std::uint32_t>> Client::mounted_index(const std::string& name, bool lookup) {
  using R = xfs::Result<std::uint32_t>;
  std::optional<std::uint32_t> index;
  for (std::uint32_t i = 0; i < filesystems_.size(); ++i)
    if (filesystems_[i].id == name) index = i;
  const auto refused = [&] { return !index || (lookup && unmounted_.count(*index) != 0); };
  if (refused()) co_return R{Errno::noent, 0};
  const Time deadline = sim_.now() + kMountWait;
  while (chandles_.count(*index) == 0) {
    const WaitStatus st = co_await mounted_.wait({}, nullptr, deadline);
    if (st == WaitStatus::timeout) co_return R{Errno::io, 0};
    if (refused()) co_return R{Errno::noent, 0};
  }
  co_return R{Errno::ok, *index};
}

void Client::begin_unmount(std::uint32_t fs) {
  unmounted_.insert(fs);
  mounted_.notify_all();  // calls waiting for the first mount give up too
  sim_.observe(self_, "cxfs.unmount", {{"fs", std::int64_t(fs)}, {"step", std::string("begin")}});
}

Task<void> Client::finish_unmount(std::uint32_t fs) {
  auto& stop = remounted_[fs];
  if (!stop) stop = std::make_unique<Interrupt>(sim_.sched());
  stop->clear();
  auto op = tokens_.give_back_all(fs, stop.get());
  const std::size_t objects = co_await op;
  if (stop->raised()) {
    sim_.observe(self_, "cxfs.unmount", {{"fs", std::int64_t(fs)}, {"step", std::string("cancelled")},
                                         {"objects", std::int64_t(objects)}});
    co_return;  // mounted again before the last open file closed: keep the rest
  }
  drop_cached(fs);
  sim_.observe(self_, "cxfs.unmount",
               {{"fs", std::int64_t(fs)}, {"step", std::string("done")}, {"objects", std::int64_t(objects)}});
}

void Client::remount(std::uint32_t fs) {
  if (unmounted_.erase(fs) == 0) return;
  if (auto it = remounted_.find(fs); it != remounted_.end()) it->second->raise();
  sim_.observe(self_, "cxfs.unmount", {{"fs", std::int64_t(fs)}, {"step", std::string("remounted")}});
  mounted_.notify_all();
}

// Every message to a server goes under a hold on the file system's chandle (§0065), so
// recovery's detarget waits for it and later ones wait for the retarget. A request the
// server could not answer (it failed: the transport cut it off) is sent again to the
// server recovery elects, if it is safe to send twice (retry_safe); a `stale` answer
// (the node does not serve the file system) means nothing was done: always sent again.
Task<std::optional<Reply>> Client::call(std::uint32_t fs, Request r, std::optional<std::uint64_t> era) {
  r.fs = fs;
  auto it = chandles_.find(fs);
  if (it == chandles_.end()) co_return std::nullopt;
  chandle::Chandle& c = *it->second;
  const Time deadline = sim_.now() + kMountWait;
  Reply migrating;
  migrating.err = Errno::migrating;
  for (;;) {
    if (relocating_.count(fs) != 0) {
      // The file system's server is being relocated (KORE detargeted this node). A return
      // waits and goes to the new server; anything else is handed back as `migrating`
      // for the caller to hand off (model/vnode/handoff.h).
      if (r.kind != Kind::token_return) co_return migrating;
      co_await wait(fs, epoch(fs));
      continue;
    }
    chandle::Chandle::Hold h = co_await c.hold(moving_interrupt(fs), deadline);
    if (!h && relocating_.count(fs) != 0) continue;
    if (!h) co_return std::nullopt;  // no server for this long: "cell down" (§0068)
    // A token request of an era that ended while it waited here: its grant would be
    // dropped on arrival (TokenClient::acquire) while the server recorded it, and a recall
    // of it later waits on this node for ever (library fs-second-failure-before-commit,
    // found by calls_complete: a create crossed the node's reset, its NAME grant of the
    // root directory was dropped, and every later name operation waited on its recall).
    if (era && tokens_.era(fs) != *era) co_return std::nullopt;
    r.session = session();  // as of this sending: the node may have reset since the last
    NodeId to = h.target().node;
    if (mutations_.reissue_to_old_server && r.kind == Kind::dmapi_event) {
      auto old = migrated_from_.find(fs);
      if (old != migrated_from_.end()) to = old->second;  // a stale server handle, on purpose
    }
    std::optional<Reply> rep;
    auto local = local_.find(fs);
    if (to == self_ && local != local_.end()) {
      // dsvn: the token client and the token server are on this node (§0026).
      auto op = local->second(r);
      rep = co_await op;
    } else {
      if (sim_.wants("cxfs.request"))
        sim_.observe(self_, "cxfs.request", {{"kind", std::string(to_string(r.kind))}, {"to", std::int64_t(to)}});
      std::optional<Bytes> bytes = co_await rpc_.call(to, encode(r));
      if (bytes) {
        try {
          rep = decode_reply(*bytes);
        } catch (const DecodeError&) {
          rep.reset();
        }
      }
    }
    h.release();
    if (rep && rep->err == Errno::migrating) {
      migrating_seen_[fs] = epoch(fs);
      migrated_from_[fs] = to;
      if (r.kind == Kind::token_return) {
        co_await wait(fs, epoch(fs));
        continue;
      }
      co_return rep;
    }
    if (rep && rep->err != Errno::stale) {
      if (to != self_) {
        auto [b, fresh] = server_boot_.try_emplace(fs, rep->boot);
        if (!fresh && b->second != rep->boot) {
          b->second = rep->boot;
          server_restarted(fs);
        }
      }
      co_return rep;
    }
    if (!rep && !retry_safe(r.kind)) co_return std::nullopt;
    if (sim_.now() >= deadline) co_return std::nullopt;
    co_await sim_.sched().sleep(kRetry);
  }
}

// The server restarted without recovery noticing (it came back before anyone declared
// it failed) and knows none of our tokens. This node cannot prove its cached state is
// still current, so it drops every token and cache of that file system, modified pages
// included: data written but not fsync'd is lost, as after a crash.
void Client::server_restarted(std::uint32_t fs) {
  sim_.observe(self_, "cxfs.server_restarted", {{"fs", std::int64_t(fs)}});
  tokens_.server_lost(fs);
  drop_cached(fs);
}

void Client::observe_exclusive(ObjectId o, bool exclusive) {
  sim_.observe(self_, "cxfs.ioexcl",
               {{"fs", std::int64_t(o.fs)}, {"ino", std::int64_t(o.ino)}, {"exclusive", std::int64_t(exclusive ? 1 : 0)}});
}

void Client::set_exclusive(ObjectId o, bool exclusive) {
  const bool changed = exclusive ? exclusive_.insert(o).second : exclusive_.erase(o) != 0;
  if (changed) observe_exclusive(o, exclusive);
}

void Client::drop_cached(std::uint32_t fs) {
  const auto of_fs = [fs](const auto& entry) { return entry.first.fs == fs; };
  std::erase_if(extents_, of_fs);
  std::erase_if(names_, of_fs);
  std::erase_if(attrs_, of_fs);
  for (auto it = exclusive_.begin(); it != exclusive_.end();)
    it = it->fs == fs ? (observe_exclusive(*it, false), exclusive_.erase(it)) : std::next(it);
  std::erase_if(events_, of_fs);
  pages_.discard_fs(fs);
}

Task<token::Grant> Client::request_token(ObjectId o, TokenType t, Level l, token::GrantId given,
                                         token::TokenState st) {
  Request r;
  r.kind = Kind::token_request;
  r.ino = o.ino;
  r.type = t;
  r.level = l;
  r.given[static_cast<std::size_t>(t)] = given;
  r.state = st;
  token::Grant g;
  if (relocating_.count(o.fs) != 0) {
    // Not sent: the chandle is detargeted for a relocation. The level given up goes back
    // to the new server on its own (the caller hands off and asks again there).
    if (given != 0) sim_.sched().spawn(self_, return_later(o, t, given, st), "cxfs.return_later");
    co_return g;
  }
  // An ioexcl_off may overtake the reply to this request (both on the LAN at once): it
  // then concerns this grant, which must not make the node alone (fs property seed 2036,
  // io_exclusive). False is always safe: it only makes the client cache less.
  if (t == TokenType::ioexcl) ++ioexcl_asking_[o];
  std::optional<Reply> rep = co_await call(o.fs, r, tokens_.era(o.fs));
  if (t == TokenType::exist) {  // why an open could not take it (Client::open)
    if (!rep || rep->err != Errno::ok) exist_refused_[o] = rep ? rep->err : Errno::io;
    else exist_refused_.erase(o);
  }
  bool told_off = false;
  if (t == TokenType::ioexcl) {
    told_off = told_off_.count(o) != 0;
    if (--ioexcl_asking_[o] == 0) {
      ioexcl_asking_.erase(o);
      told_off_.erase(o);
    }
  }
  if (!rep || rep->err != Errno::ok) co_return g;
  if (told_off) rep->ioexcl = false;
  g.ok = true;
  g.level = rep->level;
  g.id = rep->grant;
  g.state = rep->state;
  // Each token protects its own part of the attributes (§0032 ATTR, TIMES, SIZE); a
  // reply updates only that part. Replies to this node's concurrent requests arrive in
  // any order, and an older picture of the whole inode must not overwrite a newer part
  // (a SIZE reply carrying timestamps from before a TIMES merge: fs property seed 6).
  Stat& a = attrs_[o];
  if (t == TokenType::attr || a.ino == 0) {
    const Stat keep = a;
    a = rep->stat;
    if (keep.ino != 0) {
      a.size = keep.size;
      a.atime = keep.atime;
      a.mtime = keep.mtime;
      a.ctime = keep.ctime;
    }
  }
  if (t == TokenType::times) {
    a.atime = rep->stat.atime;
    a.mtime = rep->stat.mtime;
    a.ctime = rep->stat.ctime;
  }
  if (t == TokenType::size) a.size = rep->stat.size;
  if (t == TokenType::extent) extents_[o] = rep->extents;
  if (t == TokenType::dmapi) events_[o] = rep->events;  // the mask travels with the token (§0039)
  if (t == TokenType::ioexcl) set_exclusive(o, rep->ioexcl);
  co_return g;
}

// Fig. 7 and 8: the DMAPI token at read level (its grant brings the file's event mask,
// §0039), then — if the mask has the event — the event to the metadata server, which
// answers once the HSM has processed it (§0040-0042). The token stays held to the end of
// the call. `migrating` (a relocation woke the event) goes up to the dmapi behavior.
Task<Errno> Client::raise_event(Held& dm, ObjectId o, dmapi::Event e) {
  if (!filesystems_[o.fs].dmapi) co_return Errno::ok;
  std::vector<std::pair<TokenType, Level>> want{{TokenType::dmapi, Level::read}};
  if (!co_await acquire_set(dm, o, want)) co_return failed(o.fs);
  auto m = events_.find(o);
  if (m == events_.end() || !dmapi::has(m->second, e)) co_return Errno::ok;
  Request r;
  r.kind = Kind::dmapi_event;
  r.ino = o.ino;
  r.event = static_cast<std::uint8_t>(e);
  const std::int64_t seq = static_cast<std::int64_t>(++events_sent_);
  sim_.observe(self_, "dmapi.sent", {{"fs", std::int64_t(o.fs)}, {"ino", std::int64_t(o.ino)},
                                     {"event", std::string(dmapi::to_string(e))}, {"seq", seq}});
  std::optional<Reply> rep = co_await call(o.fs, r);
  const Errno result = rep ? rep->err : Errno::io;
  sim_.observe(self_, "dmapi.reply", {{"fs", std::int64_t(o.fs)}, {"ino", std::int64_t(o.ino)}, {"seq", seq},
                                      {"result", std::string(xfs::to_string(result))}});
  if (result != Errno::ok) co_return result;
  if (tokens_.level(o, TokenType::dmapi) != Level::none) events_[o] = rep->events;
  co_return Errno::ok;
}

Errno Client::failed(std::uint32_t fs) const { return moving(fs) ? Errno::migrating : Errno::io; }

bool Client::moving(std::uint32_t fs) const {
  if (relocating_.count(fs) != 0) return true;
  auto it = migrating_seen_.find(fs);
  return it != migrating_seen_.end() && it->second == epoch(fs);
}

Interrupt* Client::moving_interrupt(std::uint32_t fs) {
  auto& i = moving_[fs];
  if (!i) i = std::make_unique<Interrupt>(sim_.sched());
  return i.get();
}

std::uint64_t Client::epoch(std::uint32_t fs) const {
  auto it = epochs_.find(fs);
  return it == epochs_.end() ? 0 : it->second;
}

Task<void> Client::wait(std::uint32_t fs, std::uint64_t since) {
  while (epoch(fs) <= since) co_await repointed_.wait();
}

void Client::repointed(std::uint32_t fs) {
  ++epochs_[fs];
  relocating_.erase(fs);
  moving_interrupt(fs)->clear();
  repointed_.notify_all();
}

Task<void> Client::detarget_for_relocation(std::uint32_t fs) {
  relocating_.insert(fs);
  // Calls waiting for a token here or for the chandle give up (`migrating`) and drop
  // what they hold: nothing of this node may wait on the relocation while holding a
  // token the old server may still recall (§0083-0084).
  moving_interrupt(fs)->raise();
  auto op = detarget(fs);
  co_await op;
}

Task<void> Client::return_later(ObjectId o, TokenType t, token::GrantId grant, token::TokenState st) {
  // A level given up with a request the relocating server never saw: once this node
  // targets the new server (which has the grant from the bag), it goes back there.
  const std::uint64_t since = epoch(o.fs);
  co_await wait(o.fs, since);
  Request r;
  r.kind = Kind::token_return;
  r.ino = o.ino;
  r.type = t;
  r.given[static_cast<std::size_t>(t)] = grant;
  r.state = st;
  co_await call(o.fs, r);
}

// Modified data must reach the disk before the token that lets this node hold it goes
// back (§0033). A failed flush (a fabric path down, a disk error) keeps the token here
// and retries, so readers elsewhere wait rather than read stale data; after
// kFlushGiveUp the data is reported lost and the token goes back anyway.
Task<void> Client::flush_for_return(ObjectId o) {
  const Time give_up = sim_.now() + kFlushGiveUp;
  for (;;) {
    const Errno e = co_await flush(o);
    if (e == Errno::ok) co_return;
    if (sim_.now() >= give_up) {
      sim_.observe(self_, "cache.flush_failed",
                   {{"fs", std::int64_t(o.fs)}, {"ino", std::int64_t(o.ino)},
                    {"blocks", std::int64_t(pages_.dirty_blocks(o).size())}});
      co_return;
    }
    co_await sim_.sched().sleep(kFlushRetry);
  }
}

// What giving a token back requires (§0033, §0032).
Task<void> Client::before_return(ObjectId o, TokenType t, Level l) {
  switch (t) {
    case TokenType::page_dirty:
      if (l == Level::write) {
        if (!mutations_.skip_flush_on_dirty_return) co_await flush_for_return(o);
        pages_.discard(o);
      }
      break;
    case TokenType::page_clean:
      // §0033: returning PAGE_CLEAN write flushes. Without any PAGE_CLEAN left this node
      // may hold no unmodified data either, so clean pages go too, at either level (a
      // page cached under PAGE_CLEAN write after PAGE_DIRTY went back was read stale
      // later: found by the fs property test).
      if (l == Level::write) co_await flush_for_return(o);
      if (!mutations_.keep_pages_on_clean_return) pages_.discard_clean(o);
      break;
    case TokenType::extent:
      // Flushing needs the extent map: modified pages go out before it does.
      co_await flush_for_return(o);
      extents_.erase(o);
      break;
    case TokenType::name:
      names_.erase(o);
      ++name_changes_[o];
      break;
    case TokenType::attr: break;  // its part of attrs_ is read only under it, renewed with it
    case TokenType::ioexcl: set_exclusive(o, false); break;
    case TokenType::dmapi: events_.erase(o); break;
    case TokenType::exist:
      // Everything of the file goes back with its existence token (§0032 DVN_EXIST).
      co_await flush_for_return(o);
      pages_.discard(o);
      extents_.erase(o);
      attrs_.erase(o);
      set_exclusive(o, false);
      break;  // the token client hands every other token of the object over with EXIST
    default: break;
  }
}

Task<void> Client::give_back(ObjectId o, TokenType t, Level l, token::Grants given, token::TokenState st) {
  Request r;
  r.kind = Kind::token_return;
  r.ino = o.ino;
  r.type = t;
  r.level = l;
  r.given = given;
  r.state = st;
  co_await call(o.fs, r);
}

Task<Reply> Client::handle(NodeId from, Request r) {
  Reply rep;
  const ObjectId o{r.fs, r.ino};
  if (r.kind == Kind::recall && chandles_.count(r.fs) != 0 &&
      (target(r.fs) != from || !(targeted(r.fs) || relocating_.count(r.fs) != 0))) {
    // Only the server this node points at may take its tokens: a zombie (a server that
    // froze, was replaced and has not yet learnt it) must not (fs property seed 1216,
    // found by calls_complete: the old server recalled IO write from the new server's
    // own client, which gave it up; the new server still recorded it, and its next
    // recall waited kReturnLost). The caller takes this as unreachable and asks again.
    // Nor may the server it pointed at while recovery has it detargeted (the chandle
    // still names the old target then): that server may be a zombie that the cycle
    // replaces, even by a new instance on the same node (fs property seed 3017).
    rep.err = Errno::stale;
    co_return rep;
  }
  if (r.kind == Kind::recall) {
    // The flush before a return can outlast the server that asked (a path failure holds
    // it back while recovery replaces the server, fs property seed 2004, calls_complete):
    // its answer would go to the failed server while the new one, told by the manifest
    // that this node holds the token, recalls it in vain ("none here") for kReturnLost.
    // A relocation's source is still asking while this node is detargeted for it.
    // And the token goes only to the server instance that asked: a retarget since (even to
    // the same node, a new server elected there) means the answer would go to a dead call,
    // while the new server records the token from the manifest (fs property seed 3017: the
    // zombie's recall waited on a read, then handed IO write over to nobody, and every
    // later acquirer waited kReturnLost).
    const std::uint64_t pointed = pointed_[r.fs];
    const auto still_asked = [this, fs = r.fs, from, pointed] {
      return target(fs) == from && (targeted(fs) || relocating_.count(fs) != 0) && pointed_[fs] == pointed;
    };
    token::RecallAnswer a = co_await tokens_.recall(o, r.type, r.conditional, r.grant, still_asked);
    if (a.unreachable) {
      rep.err = Errno::stale;
      co_return rep;
    }
    rep.returned = a.returned;
    rep.absent = a.absent;
    rep.given = a.given;
    rep.state = a.state;
  } else if (r.kind == Kind::ioexcl_off) {
    set_exclusive(o, false);
    if (ioexcl_asking_.count(o) != 0) told_off_.insert(o);  // about the grant on its way here
  } else {
    rep.err = Errno::inval;
  }
  co_return rep;
}

std::optional<std::uint64_t> Client::volume_block(ObjectId o, std::uint64_t block) const {
  auto it = extents_.find(o);
  if (it == extents_.end()) return std::nullopt;
  for (const xfs::Extent& e : it->second)
    if (block >= e.file_block && block < e.file_block + e.count) return e.volume_block + (block - e.file_block);
  return std::nullopt;
}

Task<Errno> Client::read_block(ObjectId o, std::uint64_t block, Bytes& out) {
  out.assign(kBlockSize, 0);
  const std::optional<std::uint64_t> vb = volume_block(o, block);
  if (!vb) co_return Errno::ok;  // a hole reads as zeros
  const IoStatus st = co_await volumes_[o.fs]->read(self_, *vb, std::span<std::uint8_t>(out));
  co_return st == IoStatus::ok ? Errno::ok : Errno::io;
}

Task<Errno> Client::write_block(ObjectId o, std::uint64_t block, const Bytes& data) {
  const std::optional<std::uint64_t> vb = volume_block(o, block);
  if (!vb) co_return Errno::io;  // allocation always precedes a write: a missing map is a bug
  const IoStatus st = co_await volumes_[o.fs]->write(self_, *vb, std::span<const std::uint8_t>(data));
  co_return st == IoStatus::ok ? Errno::ok : Errno::io;
}

// Writes this node's modified pages of the file to disk (§0033, §0036).
Task<Errno> Client::flush(ObjectId o) {
  // One flush of a file at a time: two writing the same page could land out of order
  // (the older copy last), e.g. when a path failure holds the first one back.
  std::unique_ptr<Mutex>& m = flushing_[o];
  if (!m) m = std::make_unique<Mutex>(sim_.sched());
  Mutex* mu = m.get();
  co_await mu->lock();
  Errno result = Errno::ok;
  // A page changed while its flush was in flight is still dirty: pass again.
  for (int pass = 0; pass < kFlushPasses && result == Errno::ok; ++pass) {
    const std::vector<std::uint64_t> dirty = pages_.dirty_blocks(o);
    if (dirty.empty()) break;
    for (std::uint64_t b : dirty) {
      Page* p = pages_.find(o, b);
      if (p == nullptr || !p->dirty) continue;
      const std::uint64_t version = p->version;
      const Bytes copy = p->data;
      const Errno e = co_await write_block(o, b, copy);
      sim_.observe(self_, "cache.flush",
                   {{"fs", std::int64_t(o.fs)}, {"ino", std::int64_t(o.ino)}, {"block", std::int64_t(b)},
                    {"result", std::string(xfs::to_string(e))}});
      if (e != Errno::ok) {
        result = e;
        continue;
      }
      Page* q = pages_.find(o, b);
      if (q != nullptr && q->version == version) q->dirty = false;
    }
  }
  if (result == Errno::ok && !pages_.dirty_blocks(o).empty()) result = Errno::io;  // kept changing
  mu->unlock();
  co_return result;
}

// Holds EXTENT read with every block of the range allocated. Allocation is the
// server's: this node lends its EXTENT read for it (§0032 DVN_EXTENT), unreferenced while
// it waits, so two allocating writers never wait on each other's reference.
Task<Errno> Client::hold_allocated(Held& h, ObjectId o, std::uint64_t first, std::uint64_t count) {
  for (int attempt = 0;; ++attempt) {
    std::vector<std::pair<TokenType, Level>> extent{{TokenType::extent, Level::read}};
    if (!co_await acquire_set(h, o, extent)) co_return failed(o.fs);
    bool holes = false;
    for (std::uint64_t b = first; b < first + count && !holes; ++b) holes = !volume_block(o, b);
    if (!holes) co_return Errno::ok;
    tokens_.release(o, TokenType::extent);
    h.tokens.pop_back();
    if (attempt == kAllocateAttempts) co_return Errno::io;
    Request r;
    r.kind = Kind::allocate;
    r.ino = o.ino;
    r.block = first;
    r.count = count;
    std::optional<Reply> rep = co_await call(o.fs, r);
    if (!rep) co_return Errno::io;
    if (rep->err == Errno::migrating) co_return rep->err;  // nothing done; no map
    // The map comes back whatever the outcome: an allocation that ran out of space
    // committed the pieces it got, which other nodes then see and write through; our lent
    // copy must not stay older (found by the fs property test, seed 21: a read here found
    // a hole where another node wrote). After a failed commit the server shut down and
    // sends no map (seed 1211): an empty map never replaces a larger one.
    // While this node holds EXTENT read the map only grows (shrinking it takes EXTENT
    // write, which recalls ours and drops the map): of two allocation replies that cross,
    // the later may arrive first, so the larger map is the newer (relocation property
    // seed 40: an older map overwrote a newer one and a dirty page had nowhere to go).
    if (tokens_.level(o, TokenType::extent) != Level::none) {
      const auto blocks = [](const std::vector<xfs::Extent>& m) {
        std::uint64_t n = 0;
        for (const xfs::Extent& e : m) n += e.count;
        return n;
      };
      auto cur = extents_.find(o);
      if (cur == extents_.end() || blocks(rep->extents) >= blocks(cur->second)) extents_[o] = rep->extents;
    }
    if (rep->err != Errno::ok) co_return rep->err;
  }
}

// The answer to a lookup or create of `name` in directory `d`. Still holding NAME read
// means nobody changed the directory since the request: the name goes in the cache.
// A name operation of this node on the directory that finished while the request was
// on its way may have changed what the answer says: then it is not cached (fs
// property seed 308: a lookup answered before this node's own rename of the name, whose
// NAME read was lent and so never recalled, cached the old name after the rename had
// cleared it).
xfs::Result<Ino> Client::named(ObjectId d, const std::string& name, const std::optional<Reply>& rep,
                               std::uint64_t since) {
  if (!rep) return xfs::Result<Ino>{Errno::io, 0};
  if (rep->err == Errno::ok && tokens_.level(d, TokenType::name) != Level::none && name_changes_[d] == since)
    names_[d][name] = rep->ino;
  return xfs::Result<Ino>{rep->err, rep->ino};
}

Task<xfs::Result<Ino>> Client::lookup(std::uint32_t fs, Ino dir, std::string name) {
  // A name the file system cannot hold is answered here: it is not sent (a message
  // carrying it could exceed what the receiver decodes).
  if (name.size() > xfs::kMaxNameLength) co_return xfs::Result<Ino>{Errno::nametoolong, 0};
  const ObjectId d{fs, dir};
  if (!co_await tokens_.acquire(d, TokenType::name, Level::read, moving_interrupt(d.fs)))
    co_return xfs::Result<Ino>{failed(d.fs), 0};
  // Under NAME read, a cached lookup is still true (§0032 DVN_NAME).
  auto it = names_.find(d);
  if (it != names_.end()) {
    auto n = it->second.find(name);
    if (n != it->second.end()) {
      const Ino ino = n->second;
      tokens_.release(d, TokenType::name);
      co_return xfs::Result<Ino>{Errno::ok, ino};
    }
  }
  Request r;
  r.kind = Kind::lookup;
  r.ino = dir;
  r.name = name;
  const std::uint64_t since = name_changes_[d];
  std::optional<Reply> rep = co_await call(fs, r);
  const xfs::Result<Ino> res = named(d, name, rep, since);
  tokens_.release(d, TokenType::name);
  co_return res;
}

Task<xfs::Result<Ino>> Client::create(std::uint32_t f, Ino dir, std::string leaf, xfs::FileType type) {
  if (leaf.size() > xfs::kMaxNameLength) co_return xfs::Result<Ino>{Errno::nametoolong, 0};
  const ObjectId d{f, dir};
  // Our NAME read is lent to the server for the operation (§0031): it stays here, but
  // unreferenced while we wait, so a concurrent operation elsewhere can recall it
  // (holding it referenced across the request would deadlock two creators).
  if (!co_await tokens_.acquire(d, TokenType::name, Level::read, moving_interrupt(d.fs)))
    co_return xfs::Result<Ino>{failed(d.fs), 0};
  tokens_.release(d, TokenType::name);
  Request r;
  r.kind = Kind::create;
  r.ino = dir;
  r.name = leaf;
  r.file_type = type;
  const std::uint64_t since = name_changes_[d];
  std::optional<Reply> rep = co_await call(f, r);
  co_return named(d, leaf, rep, since);
}



Task<Errno> Client::unlink(std::uint32_t f, Ino dir, std::string leaf) {
  if (leaf.size() > xfs::kMaxNameLength) co_return Errno::nametoolong;
  const ObjectId d{f, dir};
  if (!co_await tokens_.acquire(d, TokenType::name, Level::read, moving_interrupt(d.fs))) co_return failed(d.fs);
  tokens_.release(d, TokenType::name);  // lent, unreferenced (see make)
  Request r;
  r.kind = Kind::unlink;
  r.ino = dir;
  r.name = leaf;
  std::optional<Reply> rep = co_await call(f, r);
  ++name_changes_[d];
  auto it = names_.find(d);
  if (it != names_.end()) it->second.erase(leaf);
  co_return rep ? rep->err : Errno::io;
}

Task<Errno> Client::rename(std::uint32_t f, Ino from_dir, std::string from, Ino to_dir, std::string to) {
  if (from.size() > xfs::kMaxNameLength || to.size() > xfs::kMaxNameLength) co_return Errno::nametoolong;
  Request r;
  r.kind = Kind::rename;
  r.ino = from_dir;
  r.name = from;
  r.dir2 = to_dir;
  r.name2 = to;
  std::optional<Reply> rep = co_await call(f, r);
  // Our own cached names of both directories may be wrong now.
  names_.erase(ObjectId{f, from_dir});
  names_.erase(ObjectId{f, to_dir});
  ++name_changes_[ObjectId{f, from_dir}];
  ++name_changes_[ObjectId{f, to_dir}];
  co_return rep ? rep->err : Errno::io;
}

Task<xfs::Result<Stat>> Client::getattr(std::uint32_t f, Ino ino) {
  const ObjectId o{f, ino};
  // Reading timestamps and size brings back every shared-write copy (merged, largest
  // wins) and any size held for write (§0029, §0032).
  Held h;
  // EXIST is referenced for the call, as while a file is open: everything of the file
  // goes back with EXIST, which must not happen under a call that holds other tokens.
  std::vector<std::pair<TokenType, Level>> want{{TokenType::exist, Level::read},
                                                {TokenType::attr, Level::read},
                                                {TokenType::times, Level::read},
                                                {TokenType::size, Level::read}};
  if (!co_await acquire_set(h, o, want)) {
    release_set(h);
    co_return xfs::Result<Stat>{failed(f), {}};
  }
  Stat s = attrs_[o];
  const token::TokenState& local = tokens_.state(o);
  if (tokens_.level(o, TokenType::size) == Level::write) s.size = std::max(s.size, local.size);
  if (tokens_.level(o, TokenType::times) == Level::write) s.mtime = std::max(s.mtime, local.mtime);
  release_set(h);
  co_return xfs::Result<Stat>{Errno::ok, s};
}

Task<Errno> Client::setattr(std::uint32_t f, Ino ino, xfs::SetAttr attrs) {
  Request r;
  r.kind = Kind::setattr;
  r.ino = ino;
  r.attrs = attrs;
  std::optional<Reply> rep = co_await call(f, r);
  co_return rep ? rep->err : Errno::io;
}

Task<Errno> Client::truncate(std::uint32_t f, Ino ino, std::uint64_t size) {
  const ObjectId o{f, ino};
  Held dm;
  if (filesystems_[f].dmapi) {
    // A truncate needs the file held while it raises its event (EXIST), as an open would.
    Held e;
    std::vector<std::pair<TokenType, Level>> exist{{TokenType::exist, Level::read}};
    Errno err = co_await acquire_set(e, o, exist) ? Errno::ok : failed(f);
    if (err == Errno::ok) err = co_await raise_event(dm, o, dmapi::Event::truncate);
    release_set(e);
    if (err != Errno::ok) {
      release_set(dm);
      co_return err;
    }
  }
  // Every node's cached pages of the file come back (flushed) before blocks are freed.
  Held h;
  Errno err = Errno::ok;
  std::vector<std::pair<TokenType, Level>> want{{TokenType::exist, Level::read},
                                                {TokenType::io, Level::write},
                                                {TokenType::page_dirty, Level::write},
                                                {TokenType::page_clean, Level::write}};
  if (!co_await acquire_set(h, o, want)) err = failed(f);
  if (err == Errno::ok) {
    err = co_await flush(o);
    if (voided(h, o)) err = Errno::io;
  }
  if (err == Errno::ok) {
    pages_.discard(o, (size + kBlockSize - 1) / kBlockSize);
    if (size % kBlockSize != 0) pages_.discard(o, size / kBlockSize);
    Request r;
    r.kind = Kind::truncate;
    r.ino = ino;
    r.size = size;
    std::optional<Reply> rep = co_await call(f, r);
    err = rep ? rep->err : Errno::io;
  }
  release_set(h);
  release_set(dm);
  co_return err;
}

Task<Errno> Client::open(std::uint32_t f, Ino ino) {
  // The existence token stays referenced while the file is open here (§0032 DVN_EXIST).
  const ObjectId o{f, ino};
  exist_refused_.erase(o);
  auto op = tokens_.acquire(o, TokenType::exist, Level::read);
  const bool held = co_await op;
  if (held) co_return Errno::ok;
  // Why not, as the caller can act on it: the server is being relocated (the layer
  // holding the behavior head hands the open off, §0080); the file is gone (ENOENT);
  // anything else is an I/O error of the file system (a lost server, a shut-down file
  // system). It once answered ESTALE for all of them, which no user should see
  // (kore-back-and-forth-under-load at seeds 4 and 5).
  auto why = exist_refused_.find(o);
  const Errno e = why == exist_refused_.end() ? Errno::io : why->second;
  if (why != exist_refused_.end()) exist_refused_.erase(why);
  if (moving(f) || e == Errno::migrating) co_return Errno::migrating;
  co_return e == Errno::noent ? Errno::noent : Errno::io;
}

Task<Errno> Client::close(std::uint32_t f, Ino ino) {
  const ObjectId o{f, ino};
  if (tokens_.refs(o, TokenType::exist) == 0) co_return Errno::inval;
  tokens_.release(o, TokenType::exist);
  co_return Errno::ok;
}

Task<Errno> Client::read(std::uint32_t f, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode,
                         Bytes& out, bool invisible) {
  out.clear();
  const ObjectId o{f, ino};
  if (tokens_.refs(o, TokenType::exist) == 0) co_return Errno::inval;  // not open
  // Open before this node reset: the EXIST token the open stood on is gone, and no other
  // token may be held on a file without it (a removal recalls EXIST holders only).
  if (tokens_.level(o, TokenType::exist) == Level::none) co_return Errno::io;
  Held dm;  // the DMAPI token, held to the end of the call (§0042)
  if (!invisible) {
    const Errno e = co_await raise_event(dm, o, dmapi::Event::read);
    if (e != Errno::ok) {
      release_set(dm);
      co_return e;
    }
  }
  const TokenSet want = io_token_set(IoCall::read, mode, false);
  Held h;
  Errno err = co_await acquire_set(h, o, want) ? Errno::ok : failed(f);
  if (err == Errno::ok) {
    std::uint64_t size = attrs_[o].size;
    if (tokens_.level(o, TokenType::size) == Level::write) size = std::max(size, tokens_.state(o).size);
    const std::uint64_t end = std::min(size, offset + length);
    for (std::uint64_t pos = offset; pos < end && err == Errno::ok;) {
      const std::uint64_t b = pos / kBlockSize;
      const std::uint64_t in = pos % kBlockSize;
      const std::uint64_t n = std::min<std::uint64_t>(kBlockSize - in, end - pos);
      Bytes block;
      Page* p = mode == IoMode::direct ? nullptr : pages_.find(o, b);
      if (p != nullptr) {
        block = p->data;
      } else {
        err = co_await read_block(o, b, block);
        if (err == Errno::ok && mode != IoMode::direct && pages_.find(o, b) == nullptr)
          pages_.put(o, b, block, false);
      }
      if (err == Errno::ok) out.insert(out.end(), block.begin() + in, block.begin() + in + n);
      pos += n;
    }
  }
  if (err == Errno::ok && voided(h, o)) err = Errno::io;  // what it read may be stale
  release_set(h);
  release_set(dm);
  co_return err;
}

Task<Errno> Client::write(std::uint32_t f, Ino ino, std::uint64_t offset, Bytes data, IoMode mode,
                          bool invisible) {
  const ObjectId o{f, ino};
  if (tokens_.refs(o, TokenType::exist) == 0) co_return Errno::inval;  // not open
  // Open before this node reset: the EXIST token the open stood on is gone, and no other
  // token may be held on a file without it (a removal recalls EXIST holders only).
  if (tokens_.level(o, TokenType::exist) == Level::none) co_return Errno::io;
  if (data.empty()) co_return Errno::ok;
  Held dm;
  if (!invisible) {
    const Errno e = co_await raise_event(dm, o, dmapi::Event::write);
    if (e != Errno::ok) {
      release_set(dm);
      co_return e;
    }
  }
  Held h;
  // SIZE for write only while I/O-exclusive (§0032 DVN_SIZE), known once IOEXCL is here:
  // the set without SIZE first, then SIZE at the level the state allows.
  TokenSet want = io_token_set(IoCall::write, mode, false);
  std::erase_if(want, [](const auto& t) { return t.first == TokenType::size; });
  Errno err = co_await acquire_set(h, o, want) ? Errno::ok : failed(f);
  const bool alone = exclusive_.count(o) != 0;
  TokenSet then;
  for (const auto& t : io_token_set(IoCall::write, mode, alone))
    if (t.first == TokenType::size) then.push_back(t);
  if (err == Errno::ok && !co_await acquire_set(h, o, then)) err = failed(f);
  const std::uint64_t end = offset + data.size();
  const std::uint64_t first = offset / kBlockSize;
  const std::uint64_t last = (end - 1) / kBlockSize;
  if (err == Errno::ok) err = co_await hold_allocated(h, o, first, last - first + 1);
  for (std::uint64_t b = first; b <= last && err == Errno::ok; ++b) {
    const std::uint64_t bstart = b * kBlockSize;
    const std::uint64_t from = std::max(offset, bstart);
    const std::uint64_t to = std::min(end, bstart + kBlockSize);
    Bytes block;
    Page* p = mode == IoMode::direct ? nullptr : pages_.find(o, b);
    if (p != nullptr) {
      block = p->data;
    } else if (from != bstart || to != bstart + kBlockSize) {
      err = co_await read_block(o, b, block);  // a partial block: read-modify-write
      if (err != Errno::ok) break;
    } else {
      block.assign(kBlockSize, 0);
    }
    std::copy(data.begin() + static_cast<std::ptrdiff_t>(from - offset),
              data.begin() + static_cast<std::ptrdiff_t>(to - offset), block.begin() + static_cast<std::ptrdiff_t>(from - bstart));
    if (voided(h, o)) {
      err = Errno::io;
      break;
    }
    if (mode == IoMode::direct) {
      err = co_await write_block(o, b, block);
    } else {
      pages_.put(o, b, std::move(block), true);
    }
  }
  bool tell_server = false;
  if (err == Errno::ok && voided(h, o)) err = Errno::io;
  if (err == Errno::ok) {
    token::TokenState& st = tokens_.state(o);
    // Shared write: a local update (§0029). Invisible I/O (the HSM's) changes no time.
    if (!invisible) st.mtime = std::max<std::int64_t>(st.mtime, sim_.now());
    std::uint64_t size = attrs_[o].size;
    if (tokens_.level(o, TokenType::size) == Level::write) size = std::max(size, st.size);
    if (end > size) {
      if (tokens_.level(o, TokenType::size) == Level::write) st.size = end;
      else tell_server = true;
    }
  }
  release_set(h);
  if (tell_server) {
    // Without SIZE write the server extends the size; our SIZE read is lent, not
    // referenced, while it does (see make).
    Request r;
    r.kind = Kind::size_update;
    r.ino = ino;
    r.size = end;
    std::optional<Reply> rep = co_await call(f, r);
    if (!rep) err = Errno::io;
    else if (rep->err != Errno::ok) err = rep->err;
    else attrs_[o].size = std::max(attrs_[o].size, end);
  }
  release_set(dm);
  co_return err;
}

Task<Errno> Client::fsync(std::uint32_t f, Ino ino) {
  const ObjectId o{f, ino};
  const Errno e = co_await flush(o);
  if (e != Errno::ok) co_return e;
  const IoStatus st = co_await volumes_[f]->flush(self_);
  if (st != IoStatus::ok) co_return Errno::io;
  // A size this node holds under SIZE write is metadata fsync must make durable too.
  if (tokens_.level(o, TokenType::size) == Level::write && tokens_.state(o).size > attrs_[o].size) {
    Request r;
    r.kind = Kind::size_update;
    r.ino = ino;
    r.size = tokens_.state(o).size;
    std::optional<Reply> rep = co_await call(f, r);
    if (!rep) co_return Errno::io;
    if (rep->err != Errno::ok) co_return rep->err;
    attrs_[o].size = std::max(attrs_[o].size, r.size);
  }
  co_return Errno::ok;
}

Task<Errno> Client::punch(std::uint32_t f, Ino ino) {
  const ObjectId o{f, ino};
  Held h;
  std::vector<std::pair<TokenType, Level>> want{{TokenType::exist, Level::read},
                                                {TokenType::io, Level::write},
                                                {TokenType::page_dirty, Level::write},
                                                {TokenType::page_clean, Level::write}};
  Errno err = co_await acquire_set(h, o, want) ? Errno::ok : failed(f);
  if (err == Errno::ok) {
    err = co_await flush(o);
    if (voided(h, o)) err = Errno::io;
  }
  if (err == Errno::ok) {
    pages_.discard(o);
    Request r;
    r.kind = Kind::punch;
    r.ino = ino;
    std::optional<Reply> rep = co_await call(f, r);
    err = rep ? rep->err : Errno::io;
  }
  release_set(h);
  co_return err;
}

Task<Errno> Client::migrate(std::uint32_t f, Ino ino, bool release) {
  Request r;
  r.kind = Kind::migrate;
  r.ino = ino;
  r.release = release;
  std::optional<Reply> rep = co_await call(f, r);
  co_return rep ? rep->err : Errno::io;
}

// A page fault on a mapped file: the mapped token set of §0033 (as buffered, without
// IO) for one page.
Task<Errno> Client::fault(std::uint32_t f, Ino ino, std::uint64_t page, bool store, std::uint64_t in_page,
                          Bytes& data) {
  if (store) {
    auto op = write(f, ino, page * kBlockSize + in_page, data, IoMode::mapped);
    const Errno e = co_await op;
    co_return e;
  }
  auto op = read(f, ino, page * kBlockSize, kBlockSize, IoMode::mapped, data);
  const Errno e = co_await op;
  co_return e;
}

}  // namespace sansim::cxfs
