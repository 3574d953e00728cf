#include "checkers/token_exclusion.h"

#include "checkers/call_feed.h"
#include "engine/trace.h"

namespace sansim {

using token::Level;

namespace {

// §0028 in the checker's own words, not the model's table (token::kConflicts): judged by
// that table, a wrong entry in it would pass. Each of read, shared write and write
// conflicts with the other levels; write also conflicts with another write.
bool conflict_0028(Level held, Level wanted) {
  if (held == Level::none || wanted == Level::none) return false;  // one side holds nothing
  if (held != wanted) return true;
  return held == Level::write;
}

}  // namespace

std::string TokenExclusionChecker::holder_label(std::int64_t holder, NodeId node) const {
  if (holder == kServer) return "the server on " + node_label(node, names_);
  return node_label(static_cast<NodeId>(holder), names_);
}

void TokenExclusionChecker::on_observation(const Observation& o) {
  if (o.kind == "node.crash") return crash(o.node);
  if (o.kind == "corpse.start") return recovery_started(o);
  if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
    return;
  }
  const bool is_hold = o.kind == "token.hold";
  if (!is_hold && o.kind != "token.give") return;
  const auto fs = integer_field(o, "fs");
  const auto ino = integer_field(o, "ino");
  const auto holder = integer_field(o, "holder");
  const auto type_name = text_field(o, "token");
  const auto level_name = text_field(o, "level");
  const auto type = type_name ? token::token_type_from(*type_name) : std::nullopt;
  const auto level = level_name ? token::level_from(*level_name) : std::nullopt;
  if (!fs || !ino || !holder || !type || !level || *holder < kServer) {
    report(o, o.kind + " does not name fs, ino, holder (a node or -1), a known token and a known level: " +
                  render_fields(o));
    return;
  }
  const Key key{*fs, *ino, *type};
  if (is_hold && failed_.count(o.node) != 0) return;  // a zombie's belief, void (see the header)
  if (!is_hold) {
    auto it = holds_.find(key);
    if (it != holds_.end()) {
      it->second.erase(*holder);
      if (it->second.empty()) holds_.erase(it);
    }
    return;
  }
  hold(o, key, *holder, *level, integer_field(o, "lender").value_or(-1));
}

void TokenExclusionChecker::hold(const Observation& o, const Key& key, std::int64_t holder, Level level,
                                 std::int64_t lender) {
  auto& holders = holds_[key];
  count("holds");
  for (const auto& [other, h] : holders) {
    if (other == holder || !conflict_0028(h.level, level)) continue;
    // A client's read copy lent to the server's operation stays with it (§0031).
    if (holder == kServer && other == lender && h.level == Level::read) continue;
    if (other == kServer && holder == h.lender && level == Level::read) continue;
    report(o, "fs " + std::to_string(std::get<0>(key)) + " ino " + std::to_string(std::get<1>(key)) + " token " +
                  token::to_string(std::get<2>(key)) + ": " + holder_label(holder, o.node) + " got " +
                  token::to_string(level) + " while " + holder_label(other, h.node) + " holds " +
                  token::to_string(h.level) + " (since event " + std::to_string(h.since) + ")");
    break;  // one violation per hold; it names the first conflicting holder
  }
  holders[holder] = Hold{level, lender, o.node, o.index};
  touched_[o.node].insert(key);
}

void TokenExclusionChecker::recovery_started(const Observation& o) {
  const auto failed = integer_list_field(o, "failed");
  if (!failed) {
    report(o, "corpse.start does not list the failed nodes: " + render_fields(o));
    return;
  }
  for (std::int64_t n : *failed) {
    failed_.insert(static_cast<NodeId>(n));
    crash(static_cast<NodeId>(n));
  }
}

void TokenExclusionChecker::crash(NodeId n) {
  // The node's memory is gone: its client tokens, and its server's operations.
  auto t = touched_.find(n);
  if (t == touched_.end()) return;
  for (const Key& key : t->second) {
    auto it = holds_.find(key);
    if (it == holds_.end()) continue;
    it->second.erase(static_cast<std::int64_t>(n));
    auto s = it->second.find(kServer);
    if (s != it->second.end() && s->second.node == n) it->second.erase(s);
  }
  touched_.erase(t);
}

}  // namespace sansim
