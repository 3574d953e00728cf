#include "checkers/calls_complete.h"

#include <algorithm>

#include "checkers/membership_checkers.h"

namespace sansim {

void CallsCompleteChecker::forget(NodeId n) {
  for (auto it = open_.begin(); it != open_.end();) it = std::get<0>(it->first) == n ? open_.erase(it) : std::next(it);
  for (auto it = dmapi_.begin(); it != dmapi_.end();) it = std::get<0>(it->first) == n ? dmapi_.erase(it) : std::next(it);
}

void CallsCompleteChecker::on_observation(const Observation& o) {
  view_.update(o);
  if (o.kind == "cms.deliver") {
    latest_ = std::max(latest_, membership_id(o));
  } else if (o.kind == "app.invoke") {
    open_[{o.node, o.integer("proc"), o.integer("op")}] = Open{o.time, o.index, o.text("call"), o.text("path")};
  } else if (o.kind == "app.complete") {
    if (open_.erase({o.node, o.integer("proc"), o.integer("op")}) != 0) ++completed_;
  } else if (o.kind == "node.crash" || o.kind == "node.reset") {
    forget(o.node);
  } else if (o.kind == "dmapi.sent") {
    ++dmapi_[{o.node, o.integer("fs"), o.integer("seq")}];
  } else if (o.kind == "dmapi.reply") {
    auto it = dmapi_.find({o.node, o.integer("fs"), o.integer("seq")});
    if (it != dmapi_.end() && --it->second <= 0) dmapi_.erase(it);
  } else if (o.kind == "hsm.crashed") {
    hsm_down_.insert(o.text("fs"));
  } else if (o.kind == "hsm.restarted") {
    hsm_down_.erase(o.text("fs"));
  }
}

void CallsCompleteChecker::finish(Time end, std::uint64_t index) {
  const Time quiet = std::max(faults_end_(), Time{0}) + bound_;
  if (end < quiet || !dmapi_.empty() || !hsm_down_.empty()) return;
  const std::vector<std::int64_t>* members = view_.members(latest_);
  count("calls completed", completed_);
  for (const auto& [key, call] : open_) {
    const NodeId n = std::get<0>(key);
    if (call.invoked + bound_ > end) continue;  // may still be under way
    if (n >= view_.nodes().size() || !view_.nodes()[n].up || view_.nodes()[n].membership != latest_) continue;
    if (members == nullptr || std::find(members->begin(), members->end(), std::int64_t(n)) == members->end()) continue;
    count("calls still open");
    report(index, end, n,
           call.call + " " + call.path + " by process " + std::to_string(std::get<1>(key)) + " on " +
               node_label(n, names_) + ", invoked at " + format_duration(call.invoked) + " (event #" +
               std::to_string(call.index) + "), never completed; faults stopped at " + format_duration(faults_end_()));
  }
}

}  // namespace sansim
