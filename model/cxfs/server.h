// dsvn: the metadata server of one file system (§0026). It owns the local file system
// on the shared volume (model/xfs, the only writer of metadata) and the token server,
// and answers the requests of metadata clients, its own node's included.
#pragma once

#include <functional>

#include <map>
#include <memory>
#include <set>

#include "engine/sim/volume.h"
#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/sync/event.h"
#include "model/cell/rpc.h"
#include "model/cxfs/config.h"
#include "model/corpse/messages.h"
#include "model/cxfs/messages.h"
#include "model/dmapi/event_queue.h"
#include "model/dmapi/hsm/hsm.h"
#include "model/kore/messages.h"
#include "model/token/token_server.h"
#include "model/xfs/file_system.h"

namespace sansim::cxfs {

class Server {
 public:
  Server(Simulation& sim, NodeId self, std::uint32_t fs_index, const FsConfig& config, Rpc& rpc, Volume& volume,
         const Mutations& mutations);

  // Mounts the file system (replaying its journal), formatting the volume first if it
  // holds no file system. Requests wait until this finished.
  Task<Errno> mount();
  Task<Reply> handle(NodeId from, Request r);
  // This node's own token client (the dsvn's, §0026) is recalled in-process.
  using LocalClient = std::function<Task<Reply>(Request)>;
  void set_local_client(LocalClient c) { local_client_ = std::move(c); }

  const xfs::FileSystem* file_system() const { return fs_.get(); }

  // Recovery (model/corpse). Celldown: the failed nodes' tokens and I/O-exclusive states
  // go (§0067); their requests still being served get nothing.
  void celldown(const std::set<NodeId>& failed);
  // A message of `from`'s session (Client::session): a newer one than before means the
  // node lost its tokens without recovery telling this server, and they go. False for an
  // older session than already heard: a message from before the node reset.
  bool heard_from(NodeId from, std::uint64_t session);
  // Reconstruction on the new server (§0069): every surviving client's tokens, as its
  // manifest reported them. Call after mount().
  void install(const std::vector<corpse::Holding>& holdings);
  // The server role ended here (this node left the membership, or relocation moved it):
  // every request from now on is answered `stale`, so clients ask recovery's choice
  // instead. The HSM stops and DMAPI waiters answer EIO (a relocation woke them before).
  void retire() {
    retired_ = true;
    tokens_.shut_down();
    queue_.close();
    if (hsm_) hsm_->stop();
  }
  bool retired() const { return retired_; }

  // DMAPI (§0038-0042). The HSM runs beside this server (attached once mounted); the
  // event masks are this server's, rebuilt from the HSM's catalog after a failover and
  // carried in the bag by a relocation.
  void attach_hsm(std::unique_ptr<dmapi::FileIo> io, TapeLibrary& tape, bool rebuild_events);
  dmapi::Hsm* hsm() { return hsm_.get(); }
  dmapi::EventMask events(Ino ino) const {
    auto it = events_.find(ino);
    return it == events_.end() ? dmapi::kNoEvents : it->second;
  }
  // Growing a mask recalls every client's DMAPI read first (§0039).
  Task<Errno> set_events(Ino ino, dmapi::EventMask mask);

  // KORE relocation, on the source (§0075-0076). Prepare quiesces: requests from now on
  // answer `migrating` (token returns still land), waits for the token state answer
  // early (§0083-0084), and the DMAPI waiters are woken with `migrating` (§0080) — or,
  // with `hold_lock`, prepare first waits until no DMAPI event is outstanding.
  Task<void> prepare_relocation();
  // A relocation that did not happen: serve again.
  void resume();
  bool relocating() const { return relocating_; }
  // Waits until no request is being served and nothing of the server's own runs, then
  // writes out the state returned with tokens and answers the bag: the token table and
  // the server objects' state (§0076). The server retires.
  Task<kore::Bag> bag();
  // On the target, after mount(): the bag's tokens and state become this server's.
  void unbag(const kore::Bag& bag);

 private:
  token::ObjectId obj(Ino ino) const { return {index_, ino}; }
  Stat stat_of(Ino ino) const;
  static token::RecallAnswer recall_answer(const Reply& rep);
  Task<token::RecallAnswer> recall(NodeId holder, token::ObjectId o, token::TokenType t, bool conditional,
                                   token::GrantId grant);
  void merge(token::ObjectId o, token::TokenType t, const token::TokenState& st, bool persist_later = true);
  Task<void> persist(Ino ino);
  Task<Reply> token_request(NodeId from, const Request& r);
  // Tells the client whose I/O-exclusive state is true for `ino`, unless it is `except`,
  // that it no longer is (§0032 DVN_IOEXCL), and forgets it.
  Task<void> end_exclusive(Ino ino, NodeId except);
  Task<void> remove_when_unused(Ino ino);
  // Frees the blocks past the end of each file in `candidates` that nobody holds SIZE
  // write on (sizes lost with a failed writer or server).
  void trim_lost_sizes(const std::set<Ino>& candidates);
  Task<void> trim_past_eof(Ino ino);
  Task<void> remove_now(Ino ino);
  Task<void> persist_then_end(Ino ino);
  Task<Reply> name_op(NodeId from, const Request& r);
  Task<Reply> data_op(NodeId from, const Request& r);
  void observe_call(NodeId from, const Request& r, Errno err);
  // `cxfs.request` when a fault trigger waits for one (the recovery matrix test).
  void observe_request(Kind k, NodeId to);

  Simulation& sim_;
  NodeId self_;
  std::uint32_t index_;
  FsConfig config_;
  Rpc& rpc_;
  Volume& volume_;
  Mutations mutations_;
  LocalClient local_client_;
  token::TokenServer tokens_;
  std::unique_ptr<xfs::FileSystem> fs_;
  Event ready_;
  // Values returned with TIMES shared write and SIZE write tokens: newer than the inode
  // until persisted (largest timestamp wins, §0029; the size grows only).
  std::map<Ino, token::TokenState> returned_;
  std::set<Ino> unlinked_;                 // orphans waiting for the last EXIST (§0032)
  std::map<Ino, NodeId> exclusive_;        // the client told its I/O-exclusive state is true
  // Directories a name operation is changing: lookups in them wait until it finished,
  // so nobody sees a name before the operation that made it has been journaled.
  std::map<Ino, int> changing_;
  Condition changed_;
  // Inodes whose I/O-exclusive client is being told it no longer is alone: a grant of
  // IOEXCL waits until it has been (end_exclusive).
  std::set<Ino> ending_exclusive_;
  Condition exclusive_ended_;
  bool retired_ = false;
  // Each client's session as its messages say (Request::session, a recall's Reply::session).
  std::map<NodeId, std::uint64_t> client_session_;
  // DMAPI.
  dmapi::EventQueue queue_;
  std::map<Ino, dmapi::EventMask> events_;
  std::unique_ptr<dmapi::FileIo> hsm_io_;
  std::unique_ptr<dmapi::Hsm> hsm_;
  // Relocation: quiescing; the interrupt that ends token waits (§0084); requests and
  // background tasks running, and the condition that says they all ended.
  bool relocating_ = false;
  Interrupt moving_;
  std::uint32_t active_ = 0;
  Condition idle_;
  Condition relocated_or_done_;  // a dmput finished, or a relocation began
  Task<Reply> serve(NodeId from, Request r);
  Task<void> migrate_into(Ino ino, bool release, std::shared_ptr<std::optional<Errno>> done);
  Task<Reply> dmapi_op(NodeId from, const Request& r);
  // A token the server's own operation needs; false when relocation ended the wait.
  Task<bool> hold(token::ObjectId o, token::TokenType t, token::Level l,
                  token::TokenServer::AcquireOptions opt = {});
  token::TokenServer::AcquireOptions waits(token::TokenServer::AcquireOptions opt = {});
  void begin() { ++active_; }
  void end() {
    if (--active_ == 0) idle_.notify_all();
  }
};

}  // namespace sansim::cxfs
