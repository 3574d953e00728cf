// The "linearizable" checker: records the call history during the run and, when the run
// ends, checks every file block's register history (linearizability.h). A block that is
// not linearizable is a Violation at the completion of the read that could not be
// linearised; a block the search could not decide within its budget is not a violation
// but is kept apart (undecided()), so the runner can say "undecided" instead of passing
// silently. App observations that do not fit the history format are violations too.
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
  void on_observation(const Observation& o) override { recorder_.on_observation(o); }
  void finish(Time end, std::uint64_t index) override;

  const HistoryRecorder& recorder() const { return recorder_; }
  // After finish(): every key's result, and the keys left undecided.
  const HistoryCheck& result() const { return result_; }
  std::vector<KeyResult> undecided() const;

 private:
  Budget budget_;
  HistoryRecorder recorder_;
  HistoryCheck result_;
};

std::unique_ptr<LinearizableChecker> make_linearizable_checker(Budget budget = {});

}  // namespace sansim
