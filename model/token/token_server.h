// The token server of one file system, on its metadata server (§0026, §0030-0035).
//
// It knows, per object and token type, which holders have which level. A request that
// conflicts with other holders recalls their tokens first (§0028): one recall per
// holder at a time, other requesters of the same token wait on the object's condition.
// The server's own operations hold tokens too (holder kServerHolder), e.g. NAME write
// while it changes a directory; a client that asked for such an operation may lend its
// read copy for the duration instead of having it recalled (§0031): the `lender` is not
// counted as a conflicting holder.
//
// A recall is a call to the holder that answers once the holder has done what giving
// the token back requires (flush, discard) — or refused, when the recall was
// conditional (§0032 EXIST). A holder that cannot be reached gives nothing back: its
// token is dropped (what happens to its state is recovery's business).
#pragma once

#include <functional>
#include <map>
#include <set>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/task.h"
#include "model/token/token.h"

namespace sansim::token {

inline constexpr NodeId kServerHolder = 0xfffffffe;

struct RecallAnswer {
  bool returned = false;  // false: refused (conditional) — ignored for unconditional recalls
  bool unreachable = false;
  TokenState state;
};

struct ServerMutations {
  bool grant_without_recall = false;  // §0028 broken on purpose: grant over conflicting holders
};

class TokenServer {
 public:
  using Recall = std::function<Task<RecallAnswer>(NodeId holder, ObjectId, TokenType, bool conditional)>;
  // Called with a returned state (TIMES shared write, SIZE write) to merge into the file.
  using Merge = std::function<void(ObjectId, TokenType, NodeId holder, const TokenState&)>;

  TokenServer(Simulation& sim, NodeId self, Recall recall, Merge merge, ServerMutations mutations = {});

  struct AcquireOptions {
    bool conditional = false;  // holders may refuse; then nothing is granted
    NodeId lender = kNoNode;   // this holder's read copy is lent, not recalled
  };
  // Grants `level` of `type` on `obj` to `holder` once no conflicting holder remains.
  // Returns false if a conditional recall was refused.
  Task<bool> acquire(NodeId holder, ObjectId obj, TokenType type, Level level, AcquireOptions options);
  Task<bool> acquire(NodeId holder, ObjectId obj, TokenType type, Level level) {
    return acquire(holder, obj, type, level, AcquireOptions{});
  }

  // The holder gives its token back (a server operation's end, or a client's return).
  void release(NodeId holder, ObjectId obj, TokenType type);
  // Drops every token of `obj` (the object is gone).
  void forget(ObjectId obj);

  Level held(NodeId holder, ObjectId obj, TokenType type) const;
  std::size_t holders(ObjectId obj, TokenType type) const;
  // Holders other than `except` (kServerHolder never counts).
  std::vector<NodeId> client_holders(ObjectId obj, TokenType type, NodeId except = kNoNode) const;

 private:
  struct Slot {
    std::map<NodeId, Level> holders;
    std::map<NodeId, std::uint64_t> granted;  // holder -> sequence number of its grant
    std::set<NodeId> recalling;
  };
  struct Object {
    explicit Object(Scheduler& s) : changed(s) {}
    std::array<Slot, kTokenTypes> slots;
    Condition changed;
  };
  Object& object(ObjectId obj);
  // A holder that gave EXIST back gave everything of the object back (§0032).
  void drop_holder(Object& o, ObjectId obj, NodeId holder);
  void observe(const char* what, NodeId holder, ObjectId obj, TokenType type, Level level, NodeId lender = kNoNode);

  Simulation& sim_;
  NodeId self_;
  Recall recall_;
  Merge merge_;
  ServerMutations mutations_;
  std::map<ObjectId, std::unique_ptr<Object>> objects_;
  std::uint64_t grants_ = 0;
};

}  // namespace sansim::token
