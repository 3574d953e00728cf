#include "engine/faults.h"

#include <algorithm>

namespace sansim {

bool FaultTrigger::matches(const Observation& o) const {
  if (observe.empty() || o.kind != observe) return false;
  if (node && o.node != *node) return false;
  for (const auto& [key, want] : fields)
    if (o.text(key) != want) return false;
  return true;
}

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::crash: return "crash";
    case FaultKind::restart: return "restart";
    case FaultKind::partition: return "partition";
    case FaultKind::heal: return "heal";
    case FaultKind::freeze: return "freeze";
    case FaultKind::thaw: return "thaw";
    case FaultKind::command: return "command";
    case FaultKind::path_down: return "path_down";
    case FaultKind::power_loss: return "power_loss";
    case FaultKind::disk_error: return "disk_error";
    case FaultKind::fence_fail: return "fence_fail";
    case FaultKind::tape_error: return "tape_error";
  }
  return "?";
}

FaultInjector::FaultInjector(Simulation& sim, std::vector<FaultSpec> plan)
    : sim_(sim),
      plan_(std::move(plan)),
      fired_(plan_.size(), false),
      matched_(plan_.size(), 0),
      resolved_(plan_.size()),
      blocked_by_(plan_.size()) {}

void FaultInjector::arm() {
  for (const FaultSpec& f : plan_)
    if (!f.trigger.observe.empty()) sim_.want(f.trigger.observe);
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    if (plan_[i].trigger.at) sim_.sched().schedule(*plan_[i].trigger.at, kNoNode, TraceKind::fault, this, i << 1);
  }
  sim_.subscribe(this);
}

void FaultInjector::on_observation(const Observation& o) {
  // Who holds the roles a fault may name.
  if (o.kind == "cxfs.mounted" && o.text("role") == "server") server_of_[o.text("fs")] = o.node;
  else if (o.kind == "cms.deliver") cms_leader_ = static_cast<NodeId>(o.integer("leader", -1));
  else if (o.kind == "corpse.start") corpse_leader_ = o.node;
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const FaultTrigger& t = plan_[i].trigger;
    if (fired_[i] || t.at || t.observe.empty() || !t.matches(o)) continue;
    if (t.after && !fired_[*t.after]) continue;  // not armed yet
    if (++matched_[i] < t.count) continue;
    fired_[i] = true;  // once: the schedule below is what applies it
    sim_.sched().schedule(sim_.now(), kNoNode, TraceKind::fault, this, i << 1);
  }
}

std::vector<NodeId> FaultInjector::targets(std::size_t index, bool undo) {
  const FaultSpec& f = plan_[index];
  if (!f.role) return f.nodes;
  if (undo) return resolved_[index];  // restart what was crashed
  NodeId n = kNoNode;
  switch (f.role->kind) {
    case FaultRole::Kind::server_of: {
      auto it = server_of_.find(f.role->fs);
      if (it != server_of_.end()) n = it->second;
      break;
    }
    case FaultRole::Kind::cms_leader: n = cms_leader_; break;
    case FaultRole::Kind::corpse_leader: n = corpse_leader_; break;
  }
  resolved_[index].clear();
  if (n != kNoNode && n < sim_.node_count() && sim_.up(n)) resolved_[index].push_back(n);
  return resolved_[index];
}

void FaultInjector::fire(std::uint64_t arg) { apply(static_cast<std::size_t>(arg >> 1), (arg & 1) != 0); }

void FaultInjector::apply(std::size_t index, bool undo) {
  const FaultSpec& f = plan_[index];
  fired_[index] = true;
  const std::vector<NodeId> nodes = targets(index, undo);
  std::string what = undo ? "undo: " + f.text : f.text;
  if (f.role) {
    std::string who;
    for (NodeId n : nodes) who += (who.empty() ? "" : ",") + sim_.name(n);
    what += " -> " + (who.empty() ? std::string("nobody holds the role") : who);
  }
  applied_.push_back({sim_.now(), index, undo, what});
  Lan& lan = sim_.lan();
  Storage& storage = sim_.storage();
  switch (f.kind) {
    case FaultKind::crash:
      for (NodeId n : nodes) {
        if (undo) sim_.restart(n); else sim_.crash(n);
      }
      break;
    case FaultKind::restart:
      for (NodeId n : f.nodes) {
        // Restarting a node that is up reboots it: it goes down and boots fresh.
        if (sim_.up(n)) sim_.crash(n);
        if (f.upgrade) sim_.set_version_tags(n, *f.upgrade);
        sim_.restart(n);
      }
      break;
    case FaultKind::partition:
      if (undo) {
        for (auto [a, b] : blocked_by_[index]) lan.unblock(a, b);
        blocked_by_[index].clear();
      } else {
        for (auto [a, b] : f.links) lan.block(a, b);
        blocked_by_[index] = f.links;
      }
      break;
    case FaultKind::heal:
      for (std::size_t k = 0; k < blocked_by_.size(); ++k) {
        for (auto [a, b] : blocked_by_[k]) lan.unblock(a, b);
        blocked_by_[k].clear();
      }
      break;
    case FaultKind::freeze:
      for (NodeId n : f.nodes) {
        if (undo) lan.thaw_node(n); else lan.freeze_node(n);
      }
      break;
    case FaultKind::thaw:
      for (NodeId n : f.nodes) lan.thaw_node(n);
      break;
    case FaultKind::fence_fail:
      for (NodeId n : f.nodes) {
        if (undo) storage.fabric().repair_fencing(n); else storage.fabric().break_fencing(n);
      }
      break;
    case FaultKind::command: {
      const std::string& command = undo ? f.undo_command : f.command;
      if (command.empty()) break;
      for (NodeId n : f.nodes)
        if (sim_.up(n) && sim_.process(n) != nullptr) sim_.process(n)->command(command);
      break;
    }
    case FaultKind::tape_error:
      // Every tape operation ending before the error is undone fails (media, drive).
      if (TapeLibrary* t = storage.tape()) t->fail(undo ? sim_.now() : kTimeNever);
      break;
    // Storage faults name disks; the loader checked the names against the scenario.
    case FaultKind::path_down:
      for (NodeId n : f.nodes)
        for (const std::string& name : f.disks)
          if (std::optional<DiskId> d = storage.disk_id(name)) {
            if (undo) storage.fabric().path_up(n, *d); else storage.fabric().path_down(n, *d);
          }
      break;
    case FaultKind::power_loss:
      for (const std::string& name : f.disks)
        if (std::optional<DiskId> d = storage.disk_id(name)) storage.power_loss(*d);
      break;
    case FaultKind::disk_error:
      for (const std::string& name : f.disks)
        if (Disk* d = storage.disk(name)) {
          if (undo) d->remove_error(f.first_block, f.block_count);
          else d->add_error(f.first_block, f.block_count, f.disk_error);
        }
      break;
  }
  sim_.observe(kNoNode, "fault", {{"what", what}});
  if (!undo && f.undo_after) {
    sim_.sched().schedule(sim_.now() + *f.undo_after, kNoNode, TraceKind::fault, this, (index << 1) | 1);
  }
  // Faults that follow this one (`after`, no observation to wait for) fire now.
  if (!undo)
    for (std::size_t i = 0; i < plan_.size(); ++i) {
      const FaultTrigger& t = plan_[i].trigger;
      if (fired_[i] || t.at || !t.observe.empty() || t.after != index) continue;
      fired_[i] = true;
      sim_.sched().schedule(sim_.now(), kNoNode, TraceKind::fault, this, i << 1);
    }
}

Time FaultInjector::last_fault_time() const {
  Time last = 0;
  for (const AppliedFault& a : applied_) last = std::max(last, a.time);
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const FaultSpec& f = plan_[i];
    if (f.trigger.at) last = std::max(last, *f.trigger.at + (f.undo_after ? *f.undo_after : 0));
  }
  for (const AppliedFault& a : applied_)
    if (!a.undo && plan_[a.index].undo_after) last = std::max(last, a.time + *plan_[a.index].undo_after);
  return last;
}

std::size_t FaultInjector::pending_triggers() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < plan_.size(); ++i)
    if (!fired_[i] && !plan_[i].trigger.at) ++n;
  return n;
}

}  // namespace sansim
