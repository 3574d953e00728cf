// Relocation and DMAPI checkers (model/kore, model/dmapi), over kore.*, dmapi.*, hsm.*,
// app.complete, node.crash and cxfs.reset observations:
//
//  dmapi_transparent    no user call ever completes with the internal `migrating` error
//                       (§0080: the hand-off hides it); every DMAPI event a node sends
//                       for a user call is answered exactly once from that node's point of
//                       view (`dmapi.sent` / `dmapi.reply`), and one answered `migrating`
//                       is sent again — reissued to the new server (§0081) — unless the
//                       node's calls were cut short (it crashed or left the membership). The HSM may
//                       therefore see one user operation's event more than once: once per
//                       server it was queued on. Every event a server queued is answered
//                       there exactly once (`dmapi.queued` / `dmapi.answered`). An event a
//                       server answered `migrating` must not come back to that server once
//                       it no longer serves the file system (`dmapi.stale` from it): the
//                       reissue goes to the new server.
//  relocation_liveness  every relocation requested ends (end, abort or refusal) within
//                       the bound (`relocation_completes_within`, default 5s): with the
//                       hand-off it does not wait for a tape. A scenario that names the
//                       bound expects its relocations to happen: a refusal is reported. One stuck is reported with
//                       its phase and the DMAPI events outstanding on its source, the
//                       usual culprit (a waiter holding the behavior head, §0079).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/checker.h"

namespace sansim {

class DmapiTransparentChecker final : public Checker {
 public:
  explicit DmapiTransparentChecker(std::vector<std::string> names) : names_(std::move(names)) {}
  const char* name() const override { return "dmapi_transparent"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  struct Sent {
    std::uint64_t index = 0;
    Time time = 0;
    std::string ino, event;
  };
  std::string node_name(NodeId n) const { return n < names_.size() ? names_[n] : "?"; }
  void cut(NodeId n);

  std::vector<std::string> names_;
  std::map<std::pair<NodeId, std::string>, Sent> sent_;           // (node, seq) -> the event, until answered
  std::map<std::pair<NodeId, std::string>, Sent> reissue_;        // (node, ino) -> handed off, not yet sent again
  struct Queued {
    NodeId from = kNoNode;
    std::string ino;
  };
  std::map<std::tuple<NodeId, std::string, std::string>, Queued> queued_;  // (server, fs, id) -> its event
  // (sender, fs, ino) -> the server that answered that file's event `migrating`, until
  // the sender's reissue is queued somewhere.
  std::map<std::tuple<NodeId, std::string, std::string>, NodeId> migrated_from_;
};

class RelocationLivenessChecker final : public Checker {
 public:
  // `expected`: the scenario asked for relocations to complete; a refused one is a violation.
  // `fs_ids`: the file systems in configuration order (kore.phase names one by index,
  // kore.trigger by id).
  RelocationLivenessChecker(std::vector<std::string> names, std::vector<std::string> fs_ids, Duration bound,
                            bool expected)
      : names_(std::move(names)), fs_ids_(std::move(fs_ids)), bound_(bound), expected_(expected) {}
  const char* name() const override { return "relocation_liveness"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  struct Open {
    Time started = 0;
    NodeId source = kNoNode;
    std::string fs, phase;
    bool reported = false;
  };
  // A relocation the configuration asked for (failback, balance: kore.trigger), until it
  // ends on its target or something makes it moot (a newer recovery cycle judges again,
  // the target or the asking server crashed).
  struct Asked {
    NodeId by = kNoNode, to = kNoNode;
    std::string why;
    Time at = 0;
    std::uint64_t index = 0;
  };
  void check(Time now, std::uint64_t index);

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  std::map<std::string, Asked> asked_;  // fs id -> the relocation asked for
  Duration bound_;
  bool expected_;
  std::map<std::string, Open> open_;                // relocation id -> where it is
  std::map<NodeId, std::int64_t> dmapi_waiting_;    // server node -> events queued, not answered
};

}  // namespace sansim
