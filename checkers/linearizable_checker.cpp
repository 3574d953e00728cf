#include "checkers/linearizable_checker.h"

#include <algorithm>

#include "checkers/call_feed.h"

namespace sansim {

void LinearizableChecker::lose(NodeId node, std::uint64_t index) {
  losses_.emplace_back(node, index);
  for (auto it = serving_.begin(); it != serving_.end();) {
    if (it->second != node) {
      ++it;
      continue;
    }
    server_losses_.emplace_back(it->first, index);
    it = serving_.erase(it);
  }
}

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
    lose(o.node, o.index);
  } else if (o.kind == "corpse.start") {
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{})) {
      failed_.insert(static_cast<NodeId>(n));
      lose(static_cast<NodeId>(n), o.index);
    }
  } else if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
  } else if (o.kind == "cxfs.mounted" && text_field(o, "role") == "server") {
    if (const auto fs = text_field(o, "fs")) serving_[*fs] = o.node;
  } else if (o.kind == "fault") {
    // A disk's power loss drops its write cache: any block written before may go back.
    // The fault text does not map disks to file systems, so it cuts every written block
    // (as data_coherent treats it).
    const std::string what = text_field(o, "what").value_or("");
    if (what.find("power_loss") != std::string::npos && what.rfind("undo:", 0) != 0) power_losses_.push_back(o.index);
  }
}

LinearizableChecker::Checkable LinearizableChecker::checkable() const {
  const History all = recorder_.history();

  // Where each key is cut: at a loss of a node that wrote it before, or of its file
  // system's server once anyone wrote it.
  struct WriteAt {
    NodeId node;
    std::uint64_t index;
    std::int64_t value;
  };
  std::map<std::string, std::vector<WriteAt>> writes;  // key -> its write invokes, in trace order
  for (const HistoryOp& op : all) {
    if (op.type != OpType::invoke || op.f != "write") continue;
    auto on = invoked_on_.find(op.index);
    writes[op.key].push_back({on == invoked_on_.end() ? kNoNode : on->second, op.index, op.value.value_or(0)});
  }
  std::map<std::string, std::set<std::uint64_t>> cuts;
  for (const auto& [key, ws] : writes) {
    const std::string fs = fs_of_key(key);
    for (const auto& [node, at] : losses_)
      for (const WriteAt& w : ws)
        if (w.node == node && w.index < at) {
          cuts[key].insert(at);
          break;
        }
    for (const auto& [lost_fs, at] : server_losses_)
      if (lost_fs == fs && ws.front().index < at) cuts[key].insert(at);
    for (std::uint64_t at : power_losses_)
      if (ws.front().index < at) cuts[key].insert(at);
  }

  auto segment_of = [&](const std::string& key, std::uint64_t index) -> std::size_t {
    auto c = cuts.find(key);
    if (c == cuts.end()) return 0;
    return static_cast<std::size_t>(std::distance(c->second.begin(), c->second.lower_bound(index)));
  };
  auto segment_key = [](const std::string& key, std::size_t segment) {
    return segment == 0 ? key : key + "@" + std::to_string(segment);
  };

  struct Pending {
    std::size_t segment;
    bool write;
  };
  std::map<std::pair<std::int64_t, std::string>, Pending> open;  // (process, key) -> its open invoke
  std::vector<std::pair<std::uint64_t, HistoryOp>> out;          // (order index, op)
  for (const HistoryOp& op : all) {
    if (op.f == "read" && op.type == OpType::ok && zombie_completions_.count(op.index) != 0) {
      open.erase({op.process, op.key});
      continue;
    }
    const std::size_t seg = segment_of(op.key, op.index);
    if (op.type == OpType::invoke) {
      open[{op.process, op.key}] = Pending{seg, op.f == "write"};
      HistoryOp copy = op;
      copy.key = segment_key(op.key, seg);
      out.emplace_back(op.index, std::move(copy));
      continue;
    }
    auto it = open.find({op.process, op.key});
    if (it == open.end()) continue;
    const Pending p = it->second;
    open.erase(it);
    if (p.segment == seg) {
      HistoryOp copy = op;
      copy.key = segment_key(op.key, seg);
      out.emplace_back(op.index, std::move(copy));
      continue;
    }
    // Under way across a cut: left open in its own segment; a write may still take effect
    // in every later segment up to its completion's, so it is an open invoke there too.
    if (!p.write) continue;
    const auto& cut = cuts.at(op.key);
    auto c = cut.begin();
    std::advance(c, static_cast<std::ptrdiff_t>(p.segment));
    for (std::size_t s = p.segment + 1; s <= seg; ++s, ++c) {
      HistoryOp copy = op;
      copy.type = OpType::invoke;
      copy.key = segment_key(op.key, s);
      copy.index = *c;
      out.emplace_back(*c, std::move(copy));
    }
  }

  Checkable result;
  // Each later segment may start from 0 or any value written before its cut.
  for (const auto& [key, at] : cuts) {
    std::set<std::int64_t> values{0};
    std::size_t s = 0;
    auto w = writes.at(key).begin();
    for (std::uint64_t cut : at) {
      ++s;
      for (; w != writes.at(key).end() && w->index < cut; ++w) values.insert(w->value);
      result.initial[segment_key(key, s)] = std::vector<std::int64_t>(values.begin(), values.end());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, op] : out) result.history.push_back(std::move(op));
  return result;
}

void LinearizableChecker::finish(Time end, std::uint64_t index) {
  (void)end;
  (void)index;
  for (const HistoryProblem& p : recorder_.problems())
    report(p.index, p.time, p.node, "malformed call history: " + p.message);
  const Checkable c = checkable();
  result_ = check_history(c.history, budget_, c.initial);
  count("register operations", result_.operations());
  count("register segments", result_.keys.size());
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

std::unique_ptr<LinearizableChecker> make_linearizable_checker(std::vector<std::string> fs_ids, Budget budget) {
  return std::make_unique<LinearizableChecker>(std::move(fs_ids), budget);
}

}  // namespace sansim
