// The fault plan: what goes wrong, and when. A fault fires at a virtual time or the
// first time an observation matches its trigger ("when KORE enters detarget, crash the
// target"). A triggered fault is applied from the event queue at the instant of the
// observation, never inline inside the model code that reported it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/observation.h"
#include "engine/scheduler.h"
#include "engine/sim/disk.h"
#include "engine/simulation.h"

namespace sansim {

struct FaultTrigger {
  std::optional<Time> at;       // fire at this time, or
  std::string observe;          // on the first observation of this kind
  std::optional<NodeId> node;   // ... reported by this node
  std::vector<std::pair<std::string, std::string>> fields;  // ... with these field values
  std::uint32_t count = 1;      // ... the count-th such observation
  // Only once this fault of the plan (by index) applied: with `observe`, the matching
  // observations are counted from then on; without, it fires when that fault applies.
  std::optional<std::size_t> after;

  bool matches(const Observation& o) const;
};

// A node named by its role when the fault applies, instead of by id: the node serving a
// file system (the last to mount it as server), the membership leader (of the newest
// delivered membership), or the node leading the newest recovery cycle.
struct FaultRole {
  enum class Kind : std::uint8_t { server_of, cms_leader, corpse_leader } kind = Kind::server_of;
  std::string fs;  // server_of: the file system's id
};

enum class FaultKind { crash, restart, partition, heal, freeze, thaw, command, path_down, power_loss, disk_error, fence_fail, tape_error };

const char* to_string(FaultKind k);

struct FaultSpec {
  FaultTrigger trigger;
  FaultKind kind = FaultKind::crash;
  std::vector<NodeId> nodes;                      // crash, restart, freeze, thaw, command, path_down, fence_fail
  std::vector<std::string> disks;                 // path_down, disk_error: one; power_loss: each
  std::vector<std::pair<NodeId, NodeId>> links;   // partition: directed links to block
  std::optional<Duration> undo_after;             // restart / heal / thaw / path up / eio cleared after this long
  std::uint64_t first_block = 0;                  // disk_error: the range
  std::uint64_t block_count = 0;
  DiskErrorKind disk_error = DiskErrorKind::eio;
  std::string command;                            // command: e.g. "withdraw"
  std::string undo_command;                       // command: sent when undone (e.g. "hsm_restart fs1")
  std::optional<VersionTags> upgrade;             // restart: new software on the node
  std::optional<FaultRole> role;                  // crash: the node to crash, by role (nodes empty)
  std::string text;                               // how the scenario said it
  std::string name;                               // `name:`, for another fault's `when: {after: NAME}`
};

struct AppliedFault {
  Time time;
  std::size_t index;
  bool undo;
  std::string text;
};

class FaultInjector final : private EventTarget, public ObservationSink {
 public:
  FaultInjector(Simulation& sim, std::vector<FaultSpec> plan);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Schedules the timed faults and starts watching for triggers.
  void arm();

  void on_observation(const Observation& o) override;

  const std::vector<AppliedFault>& applied() const { return applied_; }
  // The last instant at which a fault changed the world, counting faults still to come
  // from the timed plan (so "faults stopped" is known before they happen).
  Time last_fault_time() const;
  // True when a triggered fault has not fired yet (it may never).
  std::size_t pending_triggers() const;

 private:
  void fire(std::uint64_t arg) override;
  void apply(std::size_t index, bool undo);
  std::vector<NodeId> targets(std::size_t index, bool undo);  // the fault's nodes, roles resolved

  Simulation& sim_;
  std::vector<FaultSpec> plan_;
  std::vector<bool> fired_;
  std::vector<std::uint32_t> matched_;                // observations matched so far, per fault
  std::vector<std::vector<NodeId>> resolved_;         // the nodes a role named when it applied
  std::map<std::string, NodeId> server_of_;           // fs id -> the last node to mount it as server
  NodeId cms_leader_ = kNoNode, corpse_leader_ = kNoNode;
  std::vector<std::vector<std::pair<NodeId, NodeId>>> blocked_by_;  // links each partition blocked
  std::vector<AppliedFault> applied_;
};

}  // namespace sansim
