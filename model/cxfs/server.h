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
  // Reconstruction on the new server (§0069): every surviving client's tokens, as its
  // manifest reported them. Call after mount().
  void install(const std::vector<corpse::Holding>& holdings);
  // The server role ended here (this node left the membership): every request from
  // now on is answered `stale`, so clients ask recovery's choice instead.
  void retire() {
    retired_ = true;
    tokens_.shut_down();
  }
  bool retired() const { return retired_; }

 private:
  token::ObjectId obj(Ino ino) const { return {index_, ino}; }
  Stat stat_of(Ino ino) const;
  static token::RecallAnswer recall_answer(const Reply& rep);
  Task<token::RecallAnswer> recall(NodeId holder, token::ObjectId o, token::TokenType t, bool conditional,
                                   token::GrantId grant);
  void merge(token::ObjectId o, token::TokenType t, const token::TokenState& st, bool persist_later = true);
  Task<void> persist(Ino ino);
  Task<Reply> token_request(NodeId from, const Request& r);
  Task<void> remove_when_unused(Ino ino);
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
  bool retired_ = false;
};

}  // namespace sansim::cxfs
