// Recovery checkers (model/corpse), over corpse.*, cxfs.*, dsvn.* and disk.write
// observations:
//
//  fencing            once recovery declared a node failed (`corpse.declared`), no write
//                     of that node reaches a disk until it is readmitted fresh
//                     (`corpse.readmitted`): a zombie's late write would land on blocks
//                     the survivors now own.
//  recovery_liveness  the last recovery cycle completes within the liveness bound after
//                     faults stop (a cycle superseded by a newer membership is fine).
//  one_server         when a cycle completes (or a relocation ends: then the target),
//                     each file system it names has exactly one
//                     server among the cycle's members, the one elected, and every member
//                     that mounts it targets that server (§0063, §0070), and every
//                     member's white-pages entry names it (§0072, §0076); and no member is
//                     ever pointed at a node before that node serves the file system
//                     (retarget only after instantiate).
//  token_recovery     when a cycle completes (or a relocation ends), the server's token
//                     table agrees with the
//                     members' holdings: every token a member holds is recorded for it (no
//                     token lost by reconstruction), and no token of a node outside the
//                     membership is left (no phantom: celldown dropped them) (§0067, §0069).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/checker.h"

namespace sansim {

class FencingChecker final : public Checker {
 public:
  explicit FencingChecker(std::vector<std::string> names) : names_(std::move(names)) {}
  const char* name() const override { return "fencing"; }
  void on_observation(const Observation& o) override;

 private:
  std::vector<std::string> names_;
  std::map<NodeId, std::uint64_t> declared_;  // node -> trace index of the declaration
};

class RecoveryLivenessChecker final : public Checker {
 public:
  RecoveryLivenessChecker(Duration bound, std::function<Time()> faults_end)
      : bound_(bound), faults_end_(std::move(faults_end)) {}
  const char* name() const override { return "recovery_liveness"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  Duration bound_;
  std::function<Time()> faults_end_;
  std::uint64_t cycles_ = 0;  // started
  std::string last_;  // the newest cycle started
  Time last_started_ = 0;
  std::optional<Time> last_completed_;
};

class OneServerChecker final : public Checker {
 public:
  OneServerChecker(std::vector<std::string> names, std::vector<std::string> fs_ids,
                   std::vector<std::vector<NodeId>> mounts)
      : names_(std::move(names)), fs_ids_(std::move(fs_ids)), mounts_(std::move(mounts)) {}
  const char* name() const override { return "one_server"; }
  void on_observation(const Observation& o) override;

 private:
  std::optional<std::size_t> fs_index(const std::string& id) const;
  void forget(NodeId n);
  void completed(const Observation& o);
  void relocated(const Observation& o);
  std::vector<NodeId> last_members_;  // of the latest cycle started

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  std::vector<std::vector<NodeId>> mounts_;  // per file system: the nodes that mount it (all if empty)
  std::map<std::string, std::vector<NodeId>> members_;  // cycle -> its members
  std::map<std::size_t, std::set<NodeId>> serving_;     // fs -> nodes with a live server role
  std::map<std::size_t, std::set<NodeId>> crashed_;     // fs -> servers that crashed since the last completed cycle
  std::map<NodeId, std::map<std::size_t, NodeId>> target_;  // node -> fs -> server it targets
  std::map<NodeId, std::map<std::size_t, NodeId>> white_pages_;  // node -> fs -> its white-pages entry
  // Every member's white-pages entry for `fs` names `server` (§0072, §0076).
  void white_pages_agree(const Observation& o, std::size_t fs, NodeId server, const std::vector<NodeId>& members,
                         const std::string& when);
};

class TokenRecoveryChecker final : public Checker {
 public:
  TokenRecoveryChecker(std::vector<std::string> names, std::vector<std::string> fs_ids)
      : names_(std::move(names)), fs_ids_(std::move(fs_ids)) {}
  const char* name() const override { return "token_recovery"; }
  void on_observation(const Observation& o) override;

 private:
  using Key = std::tuple<std::int64_t, std::int64_t, std::string>;  // fs, ino, token
  void completed(const Observation& o);
  // Reports every token a member holds that the server of `fs` has no record of.
  void lost(const Observation& o, std::int64_t fs, const std::vector<NodeId>& members, const char* how);
  std::vector<NodeId> last_members_;

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  std::map<std::int64_t, NodeId> server_;                            // fs -> its live server
  std::map<std::int64_t, std::map<Key, std::map<std::int64_t, std::string>>> table_;  // fs -> token -> holder -> level
  std::map<NodeId, std::map<Key, std::string>> held_;                // client node -> token -> level
  std::map<std::string, std::vector<NodeId>> members_;               // cycle -> members
};

}  // namespace sansim
