// The "linearizable" checker: records the call history during the run and, when the run
// ends, checks every file block's register history (linearizability.h). A block that is
// not linearizable is a Violation at the completion of the read that could not be
// linearised; a block the search could not decide within its budget is not a violation
// but is kept apart (undecided()), so the runner can say "undecided" instead of passing
// silently. App observations that do not fit the history format are violations too.
//
// A block register is not a model of data that can be lost: a buffered write completes
// before its data is durable (only fsync makes it so), and a node that crashes, or that
// recovery declares failed, loses what it had not written back; a lost metadata server
// takes unpersisted sizes and allocations along. After such a loss the register may hold
// an older value. So each register's history is cut into segments at the losses that can
// change it:
//   - a loss of a node (crash, reset, declared failed, or a completion while declared
//     failed) cuts the registers that node had written before it;
//   - a loss of the node that serves the file system at that moment (cxfs.mounted as
//     server, until it crashes or another node mounts as server) cuts the registers of
//     that file system that anyone had written before it;
//   - a disk's power loss (its write cache goes) cuts every register written before it.
// A loss of a node that neither wrote a register nor served its file system then (down at
// boot, missing from the first membership, a server that had handed its role on) cuts
// nothing. Judging resumes after a cut: the next segment starts from any value the
// register may hold after the loss (0 or a value written before it), and a write that was
// under way across the cut may still take effect in it, at any time or never. A read under
// way across a cut is judged in neither segment. Segment n > 0 of a key is checked as
// "<key>@<n>". What a loss may do inside its window is data_coherent's to judge: it models
// losses by widening the values a read may return. Reads a node completes while declared
// failed (a zombie reading its own cache) are left out too: without read leases nothing
// keeps that cache coherent (model/corpse/README.md).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "checkers/checker.h"
#include "checkers/history.h"
#include "checkers/linearizability.h"

namespace sansim {

class LinearizableChecker final : public Checker {
 public:
  // `fs_ids`: the file systems in configuration order (HistoryRecorder).
  explicit LinearizableChecker(std::vector<std::string> fs_ids = {}, Budget budget = {})
      : budget_(budget), recorder_(std::move(fs_ids)) {}
  const char* name() const override { return "linearizable"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

  const HistoryRecorder& recorder() const { return recorder_; }
  // After finish(): every key's result, and the keys left undecided.
  const HistoryCheck& result() const { return result_; }
  std::vector<KeyResult> undecided() const;

 private:
  // The register history cut into segments (see the header), and each later segment's
  // initial values.
  struct Checkable {
    History history;
    std::map<std::string, std::vector<std::int64_t>> initial;
  };
  Checkable checkable() const;
  void lose(NodeId node, std::uint64_t index);

  Budget budget_;
  HistoryRecorder recorder_;
  std::map<std::uint64_t, NodeId> invoked_on_;            // app.invoke trace index -> node
  std::vector<std::pair<NodeId, std::uint64_t>> losses_;  // node, trace index of the loss
  std::vector<std::pair<std::string, std::uint64_t>> server_losses_;  // fs, trace index
  std::vector<std::uint64_t> power_losses_;     // trace indexes of disk power losses
  std::map<std::string, NodeId> serving_;       // fs -> the node that serves it now
  std::set<NodeId> failed_;                     // declared failed by recovery and not readmitted yet
  std::set<std::uint64_t> zombie_completions_;  // trace indexes of calls completed by such nodes
  HistoryCheck result_;
};

std::unique_ptr<LinearizableChecker> make_linearizable_checker(std::vector<std::string> fs_ids, Budget budget = {});

}  // namespace sansim
