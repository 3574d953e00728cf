#include "checkers/linearizable_checker.h"

namespace sansim {

void LinearizableChecker::finish(Time end, std::uint64_t index) {
  (void)end;
  (void)index;
  for (const HistoryProblem& p : recorder_.problems())
    report(p.index, p.time, p.node, "malformed call history: " + p.message);
  result_ = check_history(recorder_.history(), budget_);
  for (const KeyResult& k : result_.keys) {
    if (k.result.verdict != Verdict::not_linearizable || !k.result.culprit) continue;
    const RegisterOp& op = *k.result.culprit;
    const CallRecord* call = recorder_.call_invoked_at(op.invoke_index);
    std::string where = "block " + k.key;
    if (call != nullptr) where += " (call " + std::to_string(call->op) + ": " + call->call + " " + call->path + ")";
    report(op.complete_index, op.complete_time, call != nullptr ? call->node : kNoNode,
           where + ": " + k.result.message);
  }
}

std::vector<KeyResult> LinearizableChecker::undecided() const {
  std::vector<KeyResult> out;
  for (const KeyResult& k : result_.keys)
    if (k.result.verdict == Verdict::undecided) out.push_back(k);
  return out;
}

std::unique_ptr<LinearizableChecker> make_linearizable_checker(Budget budget) {
  return std::make_unique<LinearizableChecker>(budget);
}

}  // namespace sansim
