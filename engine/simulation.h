// A simulation: one scheduler, one root seed, one LAN, one trace, and the nodes' model
// processes. It owns node life: crash destroys a node's tasks, drops its messages and
// its memory (its NodeProcess); restart boots a fresh process (nascent).
//
// Two simulations in one process share nothing: there is no global state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/observation.h"
#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/sim/lan.h"
#include "engine/sim/storage.h"
#include "engine/trace.h"

namespace sansim {

// What a node runs. The model implements it (model/cell).
class NodeProcess {
 public:
  virtual ~NodeProcess() = default;
  // Spawns the node's tasks. Called once, from the event loop, after construction.
  virtual void start() = 0;
  // An operator command aimed at this node ("withdraw"). Returns false if unknown.
  virtual bool command(const std::string& name) = 0;
};

// Software a node runs: subsystem name -> version level (§0059-0060). Changed by a
// restart that upgrades the node.
using VersionTags = std::map<std::string, std::int64_t>;

class Simulation final : private EventTarget {
 public:
  using ProcessFactory = std::function<std::unique_ptr<NodeProcess>(Simulation&, NodeId)>;

  Simulation(std::uint64_t seed, std::vector<std::string> node_names, LanOptions lan);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  std::uint64_t seed() const { return seed_; }
  Scheduler& sched() { return sched_; }
  Lan& lan() { return lan_; }
  // Disks, fabric and volumes: empty until the runner configures it from the scenario.
  Storage& storage() { return storage_; }
  const Storage& storage() const { return storage_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  Time now() const { return sched_.now(); }
  // A named child stream of the root generator (see engine/random.h).
  Rng rng(std::string_view name) const { return root_rng_.child(name); }
  Rng rng(std::string_view name, std::uint64_t index) const { return root_rng_.child(name, index); }

  std::size_t node_count() const { return names_.size(); }
  const std::vector<std::string>& node_names() const { return names_; }
  const std::string& name(NodeId n) const { return names_[n]; }

  void set_factory(ProcessFactory f) { factory_ = std::move(f); }
  void set_version_tags(NodeId n, VersionTags tags) { tags_[n] = std::move(tags); }
  const VersionTags& version_tags(NodeId n) const { return tags_[n]; }

  // Boots every node at the current time, in id order (each start runs from the queue).
  void boot_all();
  void crash(NodeId n);
  void restart(NodeId n);
  bool up(NodeId n) const { return up_[n]; }
  // The reset line (§0021: a serial port multiplexer wired to every node's reset):
  // power-cycles `n` from outside it, so model code running in a task may pull it.
  // The node crashes at once (as an event, not inside the caller) and boots again
  // `reboot` later.
  void reset(NodeId n, Duration reboot);
  std::uint32_t incarnation(NodeId n) const { return lan_.incarnation(n); }
  NodeProcess* process(NodeId n) { return processes_[n].get(); }

  // Records an observation in the trace and hands it to every subscriber, in
  // subscription order. Subscribers observe; they must not call back into the model.
  void observe(Observation o);
  void observe(NodeId node, std::string kind, std::vector<Field> fields = {});
  void subscribe(ObservationSink* sink) { sinks_.push_back(sink); }
  // Observations too frequent to make always (one per message, say) are made only when
  // something asked for them: a fault trigger that waits for one. Asked before the run
  // starts, so a run is as deterministic as ever.
  void want(const std::string& kind) { wanted_.insert(kind); }
  bool wants(const std::string& kind) const { return wanted_.count(kind) != 0; }

 private:
  void fire(std::uint64_t arg) override;  // deferred start of a booted process
  struct ResetLine final : EventTarget {
    explicit ResetLine(Simulation& s) : sim(s) {}
    void fire(std::uint64_t arg) override;
    Simulation& sim;
    std::map<NodeId, Duration> reboot;  // reset pulled, not yet crashed: boot after this
  };

  std::uint64_t seed_;
  std::vector<std::string> names_;
  Trace trace_;
  Scheduler sched_;
  Rng root_rng_;
  Lan lan_;
  Storage storage_;
  ProcessFactory factory_;
  std::vector<VersionTags> tags_;
  std::vector<bool> up_;
  std::vector<std::unique_ptr<NodeProcess>> processes_;
  std::vector<ObservationSink*> sinks_;
  std::set<std::string> wanted_;
  ResetLine reset_line_{*this};
};

}  // namespace sansim
