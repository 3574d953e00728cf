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
// conditional (§0032 EXIST). A holder that cannot be reached keeps its token: it may be
// alive behind a partition. The recall is repeated until it answers or recovery drops
// it (celldown, after fencing it).
//
// Returns are matched by grant number (GrantId). A holder that answers a recall with
// "none here" gave that grant back in a message still on its way; so did a holder
// that asks anew while the server still records an older grant of it. Either way the
// server waits for that message, which carries the state (TIMES, SIZE), before it
// grants: granting first would hand out a size or timestamp that is about to change
// (found by the fs property test, seeds 3 and 16). The wait is bounded (kReturnLost).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/sync/interrupt.h"
#include "engine/task.h"
#include "model/token/token.h"

namespace sansim::token {

inline constexpr NodeId kServerHolder = 0xfffffffe;
// How long the server waits for a return on its way before it looks again, and how
// long in all before it counts the grant as lost (a holder that is gone for good is
// dropped by recovery, issue 4, long before that).
inline constexpr Duration kReturnRecheck = literals::operator""_ms(100);
inline constexpr Duration kReturnLost = literals::operator""_s(30);

struct RecallAnswer {
  bool returned = false;  // false: refused (conditional) — ignored for unconditional recalls
  bool unreachable = false;
  // The holder has not got the recalled grant: it gave it back in a message of its own
  // (a voluntary return, a request that replaced its level, the answer to an EXIST
  // recall) or swapped it for a newer grant.
  bool absent = false;
  Grants given{};  // the grants this answer gives back (EXIST's takes all of the object's)
  TokenState state;
};

struct ServerMutations {
  bool grant_without_recall = false;  // §0028 broken on purpose: grant over conflicting holders
  // §0028 broken in the table instead: read and shared write do not conflict.
  bool read_shares_with_shared_write = false;
};

class TokenServer {
 public:
  using Recall = std::function<Task<RecallAnswer>(NodeId holder, ObjectId, TokenType, bool conditional, GrantId)>;
  // Called with a returned state (TIMES shared write, SIZE write) to merge into the file.
  using Merge = std::function<void(ObjectId, TokenType, NodeId holder, const TokenState&)>;

  TokenServer(Simulation& sim, NodeId self, Recall recall, Merge merge, ServerMutations mutations = {});

  struct AcquireOptions {
    bool conditional = false;  // holders may refuse; then nothing is granted
    NodeId lender = kNoNode;   // this holder's read copy is lent, not recalled
    // Interruptible acquisition (§0083-0084): before each sleep on the token state the
    // waiter asks `may_wait` whether it still may (recovery or relocation says no), and
    // `interrupt` wakes it. Either way it stops trying and answers 0 with `*early` set;
    // what it already recalled stays recalled (the holders' answers still clear it).
    // A recall already sent is not interrupted: it ends when the holder answers or is
    // found unreachable.
    std::function<bool()> may_wait;
    Interrupt* interrupt = nullptr;
    bool* early = nullptr;

    static AcquireOptions conditional_recall() {
      AcquireOptions o;
      o.conditional = true;
      return o;
    }
    static AcquireOptions lent_by(NodeId client) {
      AcquireOptions o;
      o.lender = client;
      return o;
    }
  };
  // Grants `level` of `type` on `obj` to `holder` once no conflicting holder remains and
  // no earlier grant of the holder's is still on its way back. Returns the grant's
  // number, 0 if a conditional recall was refused or the wait was ended early.
  Task<GrantId> acquire(NodeId holder, ObjectId obj, TokenType type, Level level, AcquireOptions options);
  Task<GrantId> acquire(NodeId holder, ObjectId obj, TokenType type, Level level) {
    return acquire(holder, obj, type, level, AcquireOptions{});
  }

  // The server's own operation ends, or a grant just made is taken back at once.
  void release(NodeId holder, ObjectId obj, TokenType type);
  // A client gives back the grants in `given` (a return, a replaced level, a recall
  // answer), with the state they protect. Grants no longer recorded (dropped with EXIST
  // or as lost) are ignored, their state with them.
  void give(NodeId holder, ObjectId obj, const Grants& given, const TokenState& state);
  // Drops every token of `obj` (the object is gone).
  void forget(ObjectId obj);
  // Celldown (§0066-0067): the failed nodes' grants are gone with them; everything
  // waiting on them (a recall answer, a return on its way) looks again. Answers how
  // many grants were dropped.
  std::size_t celldown(const std::set<NodeId>& failed);
  // `holder` restarted (a newer incarnation of it spoke) before recovery noticed: the
  // tokens of its old incarnation are gone with it. Answers how many were dropped.
  std::size_t restarted(NodeId holder);
  // Reconstruction after the server moved (§0069): records `holder` as holding `type` at
  // `level` under the old server's grant number. Later grants are numbered above every
  // installed one; a return naming a grant from before reconstruction that nobody holds
  // any more still brings its state back (it was on its way when the old server died).
  void install(NodeId holder, ObjectId obj, TokenType type, Level level, GrantId grant);
  // The server role ended here: nothing is granted any more, and every wait ends.
  void shut_down();
  // Relocation (§0076): every client's grant, in object and type order, for the bag.
  struct Granted {
    NodeId holder = kNoNode;
    ObjectId obj;
    TokenType type = TokenType::exist;
    Level level = Level::none;
    GrantId grant = 0;
  };
  std::vector<Granted> granted() const;
  GrantId last_grant() const { return grants_; }
  // On the target: grant numbers continue above the source's, and returns naming one of
  // the source's grants are matched as after reconstruction (see install).
  void continue_after(GrantId g) {
    grants_ = std::max(grants_, g);
    installed_ = std::max(installed_, g);
  }

  Level held(NodeId holder, ObjectId obj, TokenType type) const;
  std::size_t holders(ObjectId obj, TokenType type) const;
  // Holders other than `except` (kServerHolder never counts).
  std::vector<NodeId> client_holders(ObjectId obj, TokenType type, NodeId except = kNoNode) const;

 private:
  struct Slot {
    std::map<NodeId, Level> holders;
    std::map<NodeId, GrantId> granted;  // holder -> the number of its grant
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
  // Waits for `holder`'s grant `grant` of `type` to come back; after kReturnLost it
  // counts as lost and is dropped.
  void ended_early(NodeId holder, ObjectId obj, TokenType type, Level level, const AcquireOptions& opt);
  // False: the wait was ended early (AcquireOptions).
  Task<bool> await_return(NodeId holder, ObjectId obj, TokenType type, GrantId grant, const AcquireOptions& opt);
  void observe(const char* what, NodeId holder, ObjectId obj, TokenType type, Level level, NodeId lender = kNoNode);

  Simulation& sim_;
  NodeId self_;
  Recall recall_;
  Merge merge_;
  ServerMutations mutations_;
  ConflictTable table_ = kConflicts;  // Constant after construction (a mutation may break it).
  std::map<ObjectId, std::unique_ptr<Object>> objects_;
  GrantId grants_ = 0;  // the last grant's number
  GrantId installed_ = 0;  // the highest grant number reconstruction installed
  std::set<NodeId> down_;  // failed holders (celldown): never granted to until they rejoin
  bool shut_down_ = false;
};

}  // namespace sansim::token
