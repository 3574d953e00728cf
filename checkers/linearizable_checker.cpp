#include "checkers/linearizable_checker.h"

#include <algorithm>

#include "checkers/call_feed.h"

namespace sansim {

void LinearizableChecker::on_observation(const Observation& o) {
  recorder_.on_observation(o);
  if (o.kind == "app.invoke") {
    invoked_on_[o.index] = o.node;
  } else if (o.kind == "app.complete") {
    if (failed_.count(o.node) != 0) {
      losses_.emplace_back(o.node, o.index);  // a zombie's work is void,
      zombie_completions_.insert(o.index);    // and what it read came from a cache nobody keeps coherent
    }
  } else if (o.kind == "node.crash" || o.kind == "cxfs.reset") {
    losses_.emplace_back(o.node, o.index);
  } else if (o.kind == "corpse.start") {
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{})) {
      failed_.insert(static_cast<NodeId>(n));
      losses_.emplace_back(static_cast<NodeId>(n), o.index);
    }
  } else if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
  } else if (o.kind == "cxfs.mounted" && text_field(o, "role") == "server") {
    servers_.insert(o.node);
  }
}

// The history with every block's operations after its first possible loss left out (see
// the header).
History LinearizableChecker::checkable() const {
  History all = recorder_.history();
  std::uint64_t server_lost = UINT64_MAX;
  for (const auto& [node, at] : losses_)
    if (servers_.count(node) != 0) server_lost = std::min(server_lost, at);
  std::map<std::string, std::uint64_t> cut;
  for (const HistoryOp& op : all) {
    if (op.type != OpType::invoke || op.f != "write") continue;
    auto on = invoked_on_.find(op.index);
    if (on == invoked_on_.end()) continue;
    for (const auto& [node, at] : losses_) {
      if (node != on->second || at < op.index) continue;
      auto [it, fresh] = cut.try_emplace(op.key, at);
      if (!fresh) it->second = std::min(it->second, at);
    }
  }
  History kept;
  for (const HistoryOp& op : all) {
    if (op.f == "read" && op.type == OpType::ok && zombie_completions_.count(op.index) != 0) continue;
    auto c = cut.find(op.key);
    const std::uint64_t limit = std::min(server_lost, c == cut.end() ? UINT64_MAX : c->second);
    if (op.index <= limit) kept.push_back(op);
  }
  return kept;
}

void LinearizableChecker::finish(Time end, std::uint64_t index) {
  (void)end;
  (void)index;
  for (const HistoryProblem& p : recorder_.problems())
    report(p.index, p.time, p.node, "malformed call history: " + p.message);
  result_ = check_history(checkable(), budget_);
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
