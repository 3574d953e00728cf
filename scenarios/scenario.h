// A scenario as loaded from YAML: everything a run needs, validated and with node names
// resolved to ids. See scenarios/README.md for the format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/faults.h"
#include "engine/sim/lan.h"
#include "engine/sim/storage.h"
#include "engine/simulation.h"
#include "engine/trace.h"
#include "model/app/workload.h"
#include "model/cms/cms.h"
#include "model/corpse/corpse.h"
#include "model/cxfs/config.h"

namespace sansim {

struct NodeSpec {
  std::string id;
  bool server_capable = false;
  std::string os;
  VersionTags version_tags;
  // When the node first boots (`boot_at`); 0: with the cluster. A later boot pins which
  // candidate is up first, so which one serves first does not depend on the seed.
  Duration boot_at = 0;
};

struct Expectations {
  // Empty: the checkers that apply to the scenario (default_checkers in runner.h).
  std::vector<std::string> checkers;
  // Checkers allowed to judge nothing, each with the reason the scenario gives
  // (`vacuous_ok`); any other checker that judged nothing fails the run as vacuous.
  std::map<std::string, std::string> vacuous_ok;
  std::optional<Duration> stable_within;
  Duration quorum_grace = 3'000'000'000;
  std::map<NodeId, std::string> final_state;
  std::optional<std::vector<NodeId>> final_members;
  // KORE: every relocation ends (end, refused or abandoned) within this of its request.
  std::optional<Duration> relocation_within;
  // The node each file system's server runs on when the run ends (`final_server`), by
  // file-system index.
  std::map<std::size_t, NodeId> final_server;
  // How many relocations must end each way (`relocations: {completed, refused,
  // abandoned}`); naming `refused` makes refusals expected, not relocation_liveness
  // violations.
  std::optional<std::uint64_t> relocations_completed, relocations_refused, relocations_abandoned;
  // At most this many memberships delivered in the whole run (`epochs_at_most`): churn
  // is a bug too (a join the leader cannot admit must not make an epoch).
  std::optional<std::uint64_t> epochs_at_most;
  // One user call's outcome (`call:`): the call of `node` named `call` on `path` (the
  // first invoked at or after `at`, else the last), its result, for a read the write whose
  // data it must return (that node's first write of the path at or after that time), for a
  // stat an mtime no older than the latest write completed before it (§0029).
  struct CallExpectation {
    NodeId node = 0;
    std::string call, path;  // path with its file system in front, as the history has it
    std::optional<Duration> at;
    std::string result;      // "ok" or an errno name (xfs::to_string)
    std::optional<std::pair<NodeId, Duration>> returns_write;  // (node, at)
    bool mtime_latest = false;
    std::string text;        // as the scenario said it
  };
  std::vector<CallExpectation> calls;
};

// Present in a failure file: what the original run saw, so a replay can compare.
struct ReplayRecord {
  std::uint64_t hash = 0;
  std::uint64_t events = 0;
  std::vector<TraceCheckpoint> checkpoints;
  std::vector<std::uint8_t> digests;
  std::optional<std::uint64_t> violation_index;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  Duration duration = 0;
  bool explore_schedule = false;
  std::vector<NodeSpec> nodes;
  LanOptions lan;
  struct PairLatency {
    NodeId a, b;
    Duration lo, hi;
  };
  std::vector<PairLatency> pair_latency;  // overrides lan for these pairs, both ways
  cms::Options cms;
  StorageSpec storage;  // disks, fabric paths, volumes; empty when the scenario has none
  std::vector<cxfs::FsConfig> filesystems;  // cluster file systems, on storage volumes
  cxfs::Mutations fs_mutations;             // deliberate file-system bugs (mutations:)
  corpse::Options recovery;                 // fencing (recovery:) and recovery bugs (mutations:)
  app::Workload workload;                   // initial files, explicit calls, generators
  std::vector<FaultSpec> faults;
  Expectations expect;
  std::optional<ReplayRecord> replay;
  std::string source;  // the YAML text as read, for writing failure files

  std::vector<std::string> node_names() const;
};

// A scenario file that cannot be used. `where` is "file:line:column".
struct ScenarioError {
  std::string where;
  std::string message;
  std::string what() const { return where + ": " + message; }
};

// Throws ScenarioError. Nothing of a bad file is ever run.
Scenario load_scenario_file(const std::string& path);
Scenario load_scenario_text(const std::string& text, const std::string& file_name);

// An administrator's relocation request from the command line ("FS:NODE@TIME", e.g.
// "fs1:n3@5s"): adds the `relocate` fault the scenario key would. Throws ScenarioError
// (where = "--relocate") naming what is wrong.
void add_relocate_request(Scenario& sc, const std::string& spec);

// Every *.yaml / *.yml under a path (a file gives itself), sorted by path.
std::vector<std::string> scenario_files(const std::string& path);

}  // namespace sansim
