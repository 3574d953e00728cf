#include "checkers/token_log.h"

#include "checkers/call_feed.h"
#include "engine/trace.h"

namespace sansim {

void TokenLog::on_observation(const Observation& o) {
  const bool hold = o.kind == "token.hold";
  const bool give = o.kind == "token.give";
  const bool flush = o.kind == "cache.flush";
  if (!hold && !give && !flush) return;
  const auto fs = integer_field(o, "fs");
  const auto ino = integer_field(o, "ino");
  if (!fs || !ino) return;
  std::string what;
  if (flush) {
    what = "flush block " + std::to_string(integer_field(o, "block").value_or(-1)) + " " +
           text_field(o, "result").value_or("?");
  } else {
    if (integer_field(o, "holder") != static_cast<std::int64_t>(o.node)) return;  // server holds: not a node's cache
    const std::string token = text_field(o, "token").value_or("?");
    if (token != "IO" && token != "PAGE_DIRTY" && token != "PAGE_CLEAN") return;
    const std::string level = text_field(o, "level").value_or("?");
    what = std::string(hold ? "hold " : "give ") + token + " " + level;
    Log& log = logs_[{*fs, *ino, o.node}];
    if (hold) log.levels[token] = level;
    else log.levels.erase(token);
  }
  Log& log = logs_[{*fs, *ino, o.node}];
  log.recent.push_back(Event{o.index, std::move(what)});
  if (log.recent.size() > kKeep) log.recent.pop_front();
}

std::string TokenLog::describe(std::int64_t fs, std::int64_t ino, NodeId node, std::uint64_t since) const {
  std::string s = node_label(node, names_) + ":";
  auto it = logs_.find({fs, ino, node});
  if (it == logs_.end()) return s + " no IO/PAGE token of this file ever";
  const Log& log = it->second;
  std::string events;
  bool cut = !log.recent.empty() && log.recent.front().index >= since;  // older ones may have fallen off
  for (const Event& e : log.recent) {
    if (e.index < since) continue;
    events += (events.empty() ? " " : ", ") + ("#" + std::to_string(e.index) + " " + e.what);
  }
  if (events.empty()) events = " no IO/PAGE token change or flush since #" + std::to_string(since);
  else if (cut && log.recent.size() == kKeep) events = " ..." + events;
  s += events + "; holds ";
  if (log.levels.empty()) return s + "none of IO/PAGE_DIRTY/PAGE_CLEAN";
  bool first = true;
  for (const auto& [token, level] : log.levels) {
    s += (first ? "" : ", ") + token + " " + level;
    first = false;
  }
  return s;
}

}  // namespace sansim
