// token_exclusion (§0028): at no instant do two holders hold conflicting levels of one
// token of one object. The rules are stated here, apart from the model's table
// (token::kConflicts), so a wrong table in the model is caught, not judged by itself.
//
// Holders are followed from `token.hold` / `token.give` {fs, ino, token, level, holder}:
// a client reports its own holds (holder = its node) when the grant arrives and its
// gives before the return reaches the server, so a client's interval lies inside the
// server's view of it and two clients can only overlap here if the server granted over a
// holder. The server reports its own operations' holds with holder -1, and names a
// `lender` when a client lent its read copy for that operation (§0031): that copy and
// the server's write legitimately coexist. A crashed node holds nothing any more
// (`node.crash`), and the server holds of a crashed server node go with it. Neither does
// a node recovery declared failed (`corpse.start`'s `failed`): the cluster fenced it and
// rebuilds the tokens without it, so what it still believes it holds until it learns it
// is out (a "zombie") is void; its holds count again once recovery readmitted it fresh
// (`corpse.readmitted`).
//
// A violation is reported at the hold that conflicts, naming both holders and levels.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/checker.h"
#include "model/token/token.h"

namespace sansim {

class TokenExclusionChecker final : public Checker {
 public:
  explicit TokenExclusionChecker(std::vector<std::string> node_names) : names_(std::move(node_names)) {}
  const char* name() const override { return "token_exclusion"; }
  void on_observation(const Observation& o) override;

 private:
  using Key = std::tuple<std::int64_t, std::int64_t, token::TokenType>;  // fs, ino, token
  struct Hold {
    token::Level level = token::Level::none;
    std::int64_t lender = -1;  // server holds: the client whose read copy is lent, or -1
    NodeId node = kNoNode;     // the node that reported it (a server hold: the server)
    std::uint64_t since = 0;
  };
  static constexpr std::int64_t kServer = -1;

  void hold(const Observation& o, const Key& key, std::int64_t holder, token::Level level, std::int64_t lender);
  void crash(NodeId n);
  void recovery_started(const Observation& o);
  std::string holder_label(std::int64_t holder, NodeId node) const;

  std::vector<std::string> names_;
  std::map<Key, std::map<std::int64_t, Hold>> holds_;  // holder (node, or kServer) -> its hold
  std::map<NodeId, std::set<Key>> touched_;            // keys a node reported holds of (crash clean-up)
  std::set<NodeId> failed_;                            // declared failed, not readmitted yet
};

}  // namespace sansim
