#include "checkers/relocation_checkers.h"

#include "engine/time.h"
#include "engine/trace.h"
#include "model/xfs/types.h"

namespace sansim {

namespace {
// The model's own spelling of the internal error (xfs::to_string), never one of ours.
const std::string kMigrating = xfs::to_string(xfs::Errno::migrating);
}

void DmapiTransparentChecker::cut(NodeId n) {
  std::erase_if(sent_, [n](const auto& e) { return e.first.first == n; });
  std::erase_if(reissue_, [n](const auto& e) { return e.first.first == n; });
  std::erase_if(migrated_from_, [n](const auto& e) { return std::get<0>(e.first) == n || e.second == n; });
}

void DmapiTransparentChecker::on_observation(const Observation& o) {
  if (o.kind == "app.complete") {
    count("calls");
    if (o.text("result") == kMigrating)
      report(o, "user call " + o.text("call") + " (op " + o.text("op") + " on " + node_name(o.node) +
                    ") returned the internal migrating error: the relocation hand-off must hide it (§0080)");
  } else if (o.kind == "dmapi.sent") {
    Sent s{o.index, o.time, o.text("ino"), o.text("event")};
    reissue_.erase({o.node, o.text("fs") + "/" + s.ino});
    if (!sent_.emplace(std::make_pair(o.node, o.text("seq")), s).second)
      report(o, "DMAPI event seq " + o.text("seq") + " sent twice by " + node_name(o.node));
  } else if (o.kind == "dmapi.reply") {
    auto it = sent_.find({o.node, o.text("seq")});
    if (it == sent_.end()) {
      report(o, "DMAPI event seq " + o.text("seq") + " of " + node_name(o.node) +
                    " answered, but it was not waiting for an answer (answered twice?)");
      return;
    }
    count("events answered");
    if (o.text("result") == kMigrating) reissue_[{o.node, o.text("fs") + "/" + it->second.ino}] = it->second;
    sent_.erase(it);
  } else if (o.kind == "dmapi.queued") {
    const auto from = static_cast<NodeId>(o.integer("from"));
    if (!queued_.emplace(std::make_tuple(o.node, o.text("fs"), o.text("id")), Queued{from, o.text("ino")}).second)
      report(o, "DMAPI event " + o.text("id") + " queued twice on " + node_name(o.node));
    migrated_from_.erase({from, o.text("fs"), o.text("ino")});  // the reissue found a server
  } else if (o.kind == "dmapi.answered") {
    auto q = queued_.find({o.node, o.text("fs"), o.text("id")});
    if (q == queued_.end()) {
      report(o, "DMAPI event " + o.text("id") + " answered on " + node_name(o.node) + " but not queued there");
      return;
    }
    if (o.text("result") == kMigrating) migrated_from_[{q->second.from, o.text("fs"), q->second.ino}] = o.node;
    queued_.erase(q);
  } else if (o.kind == "dmapi.stale") {
    const auto from = static_cast<NodeId>(o.integer("from"));
    auto m = migrated_from_.find({from, o.text("fs"), o.text("ino")});
    if (m != migrated_from_.end() && m->second == o.node) {
      report(o, "DMAPI " + o.text("event") + " event on ino " + o.text("ino") + " from " + node_name(from) +
                    " was reissued to " + node_name(o.node) +
                    ", the server that handed it off, which no longer serves fs " + o.text("fs") +
                    "; the hand-off must reissue it to the new server (§0081)");
      migrated_from_.erase(m);
    }
  } else if (o.kind == "node.crash") {
    cut(o.node);  // its calls end without an answer; its numbering starts again
    std::erase_if(queued_, [&o](const auto& e) { return std::get<0>(e.first) == o.node; });
  } else if (o.kind == "cxfs.reset") {
    // The node left the membership: its calls in flight fail (they are still answered,
    // with an error), and none of them is handed off any more.
    std::erase_if(reissue_, [&o](const auto& e) { return e.first.first == o.node; });
    std::erase_if(migrated_from_, [&o](const auto& e) { return std::get<0>(e.first) == o.node; });
  }
  // A retired server's queue answers everything still in it (EIO, or migrating if a
  // relocation woke it first): those answers come after dsvn.retired.
}

void DmapiTransparentChecker::finish(Time end, std::uint64_t index) {
  (void)end;
  for (const auto& [key, s] : reissue_)
    report(index, end, key.first,
           "DMAPI " + s.event + " event on ino " + s.ino + " of " + node_name(key.first) +
               " was answered migrating and never sent again to the new server (§0081)");
}

void RelocationLivenessChecker::check(Time now, std::uint64_t index) {
  for (auto& [id, r] : open_) {
    if (r.reported || now - r.started <= bound_) continue;
    r.reported = true;
    count("relocations");
    auto w = dmapi_waiting_.find(r.source);
    const std::int64_t waiting = w == dmapi_waiting_.end() ? 0 : w->second;
    report(index, now, r.source,
           "relocation " + id + " of fs " + r.fs + " requested at " + format_duration(r.started) +
               " has not ended after " + format_duration(bound_) + "; it is in phase " + r.phase + ", with " +
               std::to_string(waiting) + " DMAPI event(s) outstanding on its source" +
               (waiting > 0 ? " (stuck behind DMAPI? §0079)" : ""));
  }
}

void RelocationLivenessChecker::on_observation(const Observation& o) {
  if (o.kind == "kore.phase") {
    const std::string id = o.text("id");
    if (o.text("phase") == "request") {
      Open r;
      r.started = o.time;
      r.source = o.node;
      r.fs = o.text("fs");
      r.phase = "request";
      open_[id] = r;
    } else if (o.text("phase") == "end") {
      if (open_.erase(id) != 0) count("relocations");
      const auto fs = static_cast<std::size_t>(o.integer("fs"));
      if (fs < fs_ids_.size()) {
        auto a = asked_.find(fs_ids_[fs]);
        if (a != asked_.end() && a->second.to == static_cast<NodeId>(o.integer("target"))) {
          count("relocations asked for");
          asked_.erase(a);
        }
      }
    } else {
      auto it = open_.find(id);
      if (it != open_.end()) it->second.phase = o.text("phase");
    }
  } else if (o.kind == "kore.abort" || o.kind == "kore.refused") {
    if (open_.erase(o.text("id")) != 0) count("relocations");
    if (o.kind == "kore.refused" && expected_)
      report(o, "relocation of fs " + o.text("fs") + " refused on " +
                    (o.node < names_.size() ? names_[o.node] : std::string("?")) + ": " + o.text("reason"));
  } else if (o.kind == "kore.trigger") {
    asked_[o.text("fs")] = Asked{o.node, static_cast<NodeId>(o.integer("to")), o.text("why"), o.time, o.index};
  } else if (o.kind == "corpse.start") {
    asked_.clear();  // the new cycle's end judges the triggers again
  } else if (o.kind == "node.crash") {
    // The source died: recovery takes over (recovery_liveness watches that).
    std::erase_if(open_, [&o](const auto& e) { return e.second.source == o.node; });
    std::erase_if(asked_, [&o](const auto& e) { return e.second.by == o.node || e.second.to == o.node; });
    dmapi_waiting_.erase(o.node);
  } else if (o.kind == "dmapi.queued") {
    ++dmapi_waiting_[o.node];
  } else if (o.kind == "dmapi.answered") {
    --dmapi_waiting_[o.node];
  }
  check(o.time, o.index);
}

void RelocationLivenessChecker::finish(Time end, std::uint64_t index) {
  check(end, index);
  for (const auto& [fs, a] : asked_) {
    if (end - a.at <= bound_) continue;  // may still happen
    count("relocations asked for");
    report(index, end, a.by,
           "fs " + fs + ": " + node_label(a.by, names_) + " asked to relocate it to " + node_label(a.to, names_) + " (" +
               a.why + ") at " + format_duration(a.at) + " (event #" + std::to_string(a.index) +
               "), and it never happened; nothing since made it moot (no newer recovery cycle, neither node crashed)");
  }
}

}  // namespace sansim
