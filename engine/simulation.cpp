#include "engine/simulation.h"

#include <cassert>

namespace sansim {

Simulation::Simulation(std::uint64_t seed, std::vector<std::string> node_names, LanOptions lan)
    : seed_(seed),
      names_(std::move(node_names)),
      sched_(trace_),
      root_rng_(seed),
      lan_(sched_, root_rng_.child("lan"), names_.size(), lan),
      storage_(sched_, root_rng_.child("storage"), names_.size()),
      tags_(names_.size()),
      up_(names_.size(), false),
      processes_(names_.size()) {
  // Every write that reached a disk, by whom: what the fencing checker judges (a node
  // declared failed must not write once recovery acts on it).
  storage_.fabric().set_write_observer([this](const FabricWrite& w) {
    if (w.status != IoStatus::ok) return;
    observe(w.node, "disk.write",
            {{"disk", static_cast<std::int64_t>(w.disk)}, {"block", static_cast<std::int64_t>(w.block)},
             {"count", static_cast<std::int64_t>(w.count)}});
  });
}

Simulation::~Simulation() {
  // Tasks first (they reference their node's state), then the states.
  for (NodeId n = 0; n < names_.size(); ++n) sched_.kill_node_tasks(n);
  for (auto& p : processes_) p.reset();
}

void Simulation::boot_all() {
  for (NodeId n = 0; n < names_.size(); ++n) restart(n);
}

void Simulation::restart(NodeId n) {
  assert(!sched_.in_task());
  if (up_[n]) return;
  up_[n] = true;
  lan_.node_up(n);
  processes_[n] = factory_ ? factory_(*this, n) : nullptr;
  observe(n, "node.boot", {{"incarnation", static_cast<std::int64_t>(lan_.incarnation(n))}});
  if (processes_[n]) sched_.schedule(sched_.now(), n, TraceKind::timer, this, (static_cast<std::uint64_t>(lan_.incarnation(n)) << 32) | n);
}

void Simulation::fire(std::uint64_t arg) {
  const NodeId n = static_cast<NodeId>(arg & 0xffffffffu);
  const std::uint32_t inc = static_cast<std::uint32_t>(arg >> 32);
  if (up_[n] && lan_.incarnation(n) == inc && processes_[n]) processes_[n]->start();
}

void Simulation::crash(NodeId n) {
  assert(!sched_.in_task());
  if (!up_[n]) return;
  up_[n] = false;
  sched_.kill_node_tasks(n);
  lan_.node_down(n);
  processes_[n].reset();
  observe(n, "node.crash");
}

void Simulation::reset(NodeId n, Duration reboot) {
  reset_line_.reboot[n] = reboot;
  sched_.schedule(sched_.now(), n, TraceKind::timer, &reset_line_, n);
}

// arg: the node, with bit 32 set for the boot that follows the crash.
void Simulation::ResetLine::fire(std::uint64_t arg) {
  const NodeId n = static_cast<NodeId>(arg & 0xffffffffu);
  if ((arg >> 32) != 0) {
    sim.restart(n);
    return;
  }
  auto it = reboot.find(n);
  if (it == reboot.end()) return;
  const Duration after = it->second;
  reboot.erase(it);
  sim.observe(n, "node.reset");
  sim.crash(n);
  sim.sched_.schedule(sim.now() + after, n, TraceKind::timer, this, (std::uint64_t{1} << 32) | n);
}

void Simulation::observe(Observation o) {
  o.time = sched_.now();
  trace_.record_observation(o);
  for (ObservationSink* s : sinks_) s->on_observation(o);
}

void Simulation::observe(NodeId node, std::string kind, std::vector<Field> fields) {
  Observation o;
  o.node = node;
  o.kind = std::move(kind);
  o.fields = std::move(fields);
  observe(std::move(o));
}

}  // namespace sansim
