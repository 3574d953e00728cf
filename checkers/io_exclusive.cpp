#include "checkers/io_exclusive.h"

#include "checkers/call_feed.h"
#include "engine/trace.h"

namespace sansim {

void IoExclusiveChecker::forget(NodeId n) {
  for (auto it = holders_.begin(); it != holders_.end();) {
    it->second.erase(n);
    it = it->second.empty() ? holders_.erase(it) : std::next(it);
  }
  std::erase_if(alone_, [n](const auto& e) { return e.second == n; });
}

void IoExclusiveChecker::on_observation(const Observation& o) {
  if (o.kind == "node.crash") return forget(o.node);
  if (o.kind == "corpse.start") {
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{})) {
      failed_.insert(static_cast<NodeId>(n));
      forget(static_cast<NodeId>(n));
    }
    return;
  }
  if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
    return;
  }
  const bool hold = o.kind == "token.hold", give = o.kind == "token.give", state = o.kind == "cxfs.ioexcl";
  if (!hold && !give && !state) return;
  if (failed_.count(o.node) != 0) return;  // a zombie's belief, void
  const auto fs = integer_field(o, "fs");
  const auto ino = integer_field(o, "ino");
  if (!fs || !ino) {
    report(o, o.kind + " does not name fs and ino: " + render_fields(o));
    return;
  }
  const File f{*fs, *ino};
  if (state) {
    const auto exclusive = integer_field(o, "exclusive");
    if (!exclusive) {
      report(o, "cxfs.ioexcl does not say whether the state is exclusive: " + render_fields(o));
      return;
    }
    if (*exclusive == 0) {
      if (auto a = alone_.find(f); a != alone_.end() && a->second == o.node) alone_.erase(a);
      return;
    }
    alone_[f] = o.node;
    count("exclusive states");
    return judge(o, f);
  }
  if (text_field(o, "token") != "IOEXCL" || integer_field(o, "holder") != std::int64_t(o.node)) return;
  if (give) {
    auto h = holders_.find(f);
    if (h != holders_.end()) {
      h->second.erase(o.node);
      if (h->second.empty()) holders_.erase(h);
    }
    return;
  }
  holders_[f].insert(o.node);
  count("IOEXCL holds");
  judge(o, f);
}

void IoExclusiveChecker::judge(const Observation& o, const File& f) {
  auto a = alone_.find(f);
  if (a == alone_.end()) return;
  auto h = holders_.find(f);
  if (h == holders_.end()) return;
  for (NodeId other : h->second) {
    if (other == a->second) continue;
    report(o, "fs " + std::to_string(f.first) + " ino " + std::to_string(f.second) + ": " +
                  node_label(a->second, names_) + " believes it is the only client doing I/O (I/O-exclusive state " +
                  "true) while " + node_label(other, names_) + " holds IOEXCL (§0032)");
    alone_.erase(a);  // reported once per belief
    return;
  }
}

}  // namespace sansim
