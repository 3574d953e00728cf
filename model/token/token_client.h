// The token client of one node (§0030, §0034-0036): the tokens this node holds, with a
// reference count each. Acquiring puts a reference on a token, asking the server for it
// when it is not here at a covering level; releasing drops the reference. A cached
// token (no references) stays until the server recalls it.
//
// A recall waits until no operation on this node references the token, then performs
// what returning it requires (the owner's `before_return`: flush and/or discard cached
// pages, drop cached names, §0033) and answers with the state it protects. A
// conditional recall (§0032 EXIST) is refused while the object is in use here; the
// token is then given back of the node's own accord when the last use ends.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/sync/interrupt.h"
#include "engine/task.h"
#include "model/token/token.h"
#include "model/token/token_server.h"

namespace sansim::token {

struct Grant {
  bool ok = false;  // false: the server could not be reached or refused
  Level level = Level::none;
  GrantId id = 0;
  TokenState state;
};

class TokenClient {
 public:
  // Asks the server; `given` is the grant of the level it replaces (0: none), given back
  // with the request, and `state` what that grant protects.
  using Request = std::function<Task<Grant>(ObjectId, TokenType, Level, GrantId given, TokenState state)>;
  // Work to do before the token leaves this node (the data it protects must be safe).
  using BeforeReturn = std::function<Task<void>(ObjectId, TokenType, Level)>;
  // Sends a voluntary return (after a refused conditional recall): the grants given
  // back (EXIST's takes every token of the object with it) and their state.
  using GiveBack = std::function<Task<void>(ObjectId, TokenType, Level, Grants given, TokenState)>;

  TokenClient(Simulation& sim, NodeId self, Request request, BeforeReturn before_return, GiveBack give_back);

  // Holds `type` at a level covering `level` (write covers read and shared write).
  // Returns false if the server could not grant it, or if `interrupt` (recovery,
  // relocation) ended a wait for the token state here early (§0083-0084); nothing is
  // held then. A request already sent to the server is not cut short.
  // With `era`, nothing is asked of the server once the file system's era moved past it
  // (this node dropped its tokens meanwhile): the caller's other tokens are void.
  Task<bool> acquire(ObjectId obj, TokenType type, Level level, Interrupt* interrupt = nullptr,
                     std::optional<std::uint64_t> era = std::nullopt);
  // Bumped by server_lost: a token or a grant of an older era is no token.
  std::uint64_t era(std::uint32_t fs) const {
    auto it = era_.find(fs);
    return it == era_.end() ? 0 : it->second;
  }
  void release(ObjectId obj, TokenType type);

  // The server's recall of grant `grant`. Answers once the token is gone or
  // (conditional) refused; "absent" if that grant is not here (given back already, or
  // replaced by a newer one). With `still_asked`, checked once returning it is prepared
  // (the flush may take long): false keeps the token and answers unreachable — the server
  // that asked is no longer this node's, and its successor was told in the manifest that
  // this node holds it.
  Task<RecallAnswer> recall(ObjectId obj, TokenType type, bool conditional, GrantId grant,
                            std::function<bool()> still_asked = {});

  Level level(ObjectId obj, TokenType type) const;
  int refs(ObjectId obj, TokenType type) const;
  // State that travels with tokens this node holds (TIMES shared write, SIZE write).
  TokenState& state(ObjectId obj);
  // Drops every token of the object here without telling the server (object is gone).
  void forget(ObjectId obj);
  // The server of file system `fs` restarted and knows none of our tokens: they are all
  // gone. References of operations in flight stay counted so their releases balance.
  void server_lost(std::uint32_t fs);
  // Unmount: gives every token of file system `fs` back to the server, each once no
  // operation here uses it (EXIST takes the object's others with it; an open file keeps
  // its object), until none is left or `stop` is raised. Answers how many objects it
  // gave back. The caller keeps new operations out.
  Task<std::size_t> give_back_all(std::uint32_t fs, Interrupt* stop);
  // Every token of file system `fs` held here, for recovery's manifest (§0068-0069).
  struct Holding {
    ObjectId obj;
    TokenType type = TokenType::exist;
    Level level = Level::none;
    GrantId grant = 0;
    TokenState state;
  };
  std::vector<Holding> holdings(std::uint32_t fs) const;

 private:
  struct Slot {
    Level level = Level::none;
    GrantId grant = 0;  // the server's number for the grant of `level`
    int refs = 0;
    bool busy = false;            // a request or a return is in progress
    bool give_back_later = false;  // refused a conditional recall: return at last release
  };
  struct Object {
    explicit Object(Scheduler& s) : changed(s) {}
    std::array<Slot, kTokenTypes> slots;
    TokenState state;
    Condition changed;
  };
  Object& object(ObjectId obj);
  void observe(const char* what, ObjectId obj, TokenType type, Level level);
  Task<void> give_back(ObjectId obj, TokenType type);
  // Whether an operation here uses `type` (for EXIST: anything of the object).
  static bool in_use(const Object& o, TokenType type);
  // EXIST is on its way out: no other token of the object may be taken meanwhile.
  static bool exist_leaving(const Object& o, TokenType type);
  // Giving back EXIST gives back everything of the object (§0032 DVN_EXIST): drops every
  // other token of it here and answers the grants dropped, for the server to match.
  Grants drop_all_but_exist(ObjectId obj);
  // The grants giving `type` back hands over (with EXIST, every other one too), and the
  // slot emptied.
  Grants hand_over(ObjectId obj, TokenType type);
  // Gives `type` back if a refused conditional recall asked for it and it is no longer used.
  void give_back_if_due(ObjectId obj, Object& o, TokenType type);

  Simulation& sim_;
  NodeId self_;
  Request request_;
  BeforeReturn before_return_;
  GiveBack give_back_;
  std::map<ObjectId, std::unique_ptr<Object>> objects_;
  std::map<std::uint32_t, std::uint64_t> era_;  // per file system: bumped by server_lost
};

}  // namespace sansim::token
