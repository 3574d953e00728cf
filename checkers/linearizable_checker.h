// The "linearizable" checker: records the call history during the run and, when the run
// ends, checks every file block's register history (linearizability.h). A block that is
// not linearizable is a Violation at the completion of the read that could not be
// linearised; a block the search could not decide within its budget is not a violation
// but is kept apart (undecided()), so the runner can say "undecided" instead of passing
// silently. App observations that do not fit the history format are violations too.
//
// A block register is not a model of data that can be lost: a buffered write completes
// before its data is durable (only fsync makes it so), and a node that crashes, or that
// recovery declares failed, loses what it had not written back — the register would go
// back to an older value. So a block is checked only up to the first such loss that can
// touch it: a loss of a node that wrote it before, or of the node serving file systems
// (its unpersisted sizes go). What follows is data_coherent's to judge: it models
// losses by widening the values a read may return. Reads a node completes while
// declared failed (a zombie reading its own cache) are left out too: without read
// leases nothing keeps that cache coherent (model/corpse/README.md).
#include <map>
#include <set>
#pragma once

#include <memory>
#include <vector>

#include "checkers/checker.h"
#include "checkers/history.h"
#include "checkers/linearizability.h"

namespace sansim {

class LinearizableChecker final : public Checker {
 public:
  explicit LinearizableChecker(Budget budget = {}) : budget_(budget) {}
  const char* name() const override { return "linearizable"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

  const HistoryRecorder& recorder() const { return recorder_; }
  // After finish(): every key's result, and the keys left undecided.
  const HistoryCheck& result() const { return result_; }
  std::vector<KeyResult> undecided() const;

 private:
  History checkable() const;

  Budget budget_;
  HistoryRecorder recorder_;
  std::map<std::uint64_t, NodeId> invoked_on_;        // app.invoke trace index -> node
  std::vector<std::pair<NodeId, std::uint64_t>> losses_;  // node, trace index of the loss
  std::set<NodeId> servers_;
  std::set<NodeId> failed_;  // declared failed by recovery and not readmitted yet
  std::set<std::uint64_t> zombie_completions_;  // trace indexes of calls completed by such nodes                           // nodes that mounted a file system as server
  HistoryCheck result_;
};

std::unique_ptr<LinearizableChecker> make_linearizable_checker(Budget budget = {});

}  // namespace sansim
