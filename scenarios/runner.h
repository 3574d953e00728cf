// Runs one scenario: builds the simulation, boots the cells, arms the faults, attaches
// the checkers, runs to the scenario's duration and judges every expectation.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "checkers/checker.h"
#include "engine/faults.h"
#include "engine/sim/lan.h"
#include "engine/trace.h"
#include "scenarios/scenario.h"

namespace sansim {

struct ExpectationResult {
  std::string text;
  bool passed = true;
  std::string detail;
  // For a checker: its name, what it judged, and whether it judged nothing.
  std::string checker;
  std::vector<Judged> judged;
  bool vacuous = false;
};

struct RunOptions {
  std::optional<std::uint64_t> seed;      // overrides the scenario's
  std::ostream* trace_stream = nullptr;   // JSON lines of every record
  std::ostream* history_stream = nullptr; // Jepsen JSON lines of the call history, at the end
  bool keep_records = false;              // keep every record in memory
  std::optional<std::uint64_t> stop_at;   // stop once the trace holds this many records
};

struct RunResult {
  std::string name;
  std::string file;
  std::uint64_t seed = 0;
  bool passed = true;
  std::vector<ExpectationResult> expectations;
  std::vector<Violation> violations;
  std::uint64_t hash = 0;
  std::uint64_t events = 0;  // trace records (events + observations)
  std::uint64_t steps = 0;   // scheduler events
  Time end_time = 0;
  double wall_seconds = 0;
  LanStats lan;
  // File-system activity: user calls completed (ok / failed), token grants and recalls.
  struct FsActivity {
    std::uint64_t calls_ok = 0, calls_failed = 0, grants = 0, recalls = 0;
  } fs;
  std::vector<TraceCheckpoint> checkpoints;
  std::vector<std::uint8_t> digests;
  std::vector<TraceRecord> recent;
  std::vector<TraceRecord> records;
  std::vector<std::string> node_names;
  std::vector<AppliedFault> faults;
  std::vector<std::string> final_states;  // per node
  std::optional<std::uint64_t> first_violation_index() const;
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

// The checkers a scenario that names none runs: every membership checker, and with file
// systems those whose property its configuration can exercise: the data and metadata
// checkers always; the recovery checkers when a fault can make a node leave the
// membership (crash, partition, freeze, withdraw); relocation liveness (and one_server,
// token_recovery) when something asks for a relocation (relocate, unmount, failback,
// balance); DMAPI transparency when a file system has DMAPI. Each must then judge
// something, or the run fails as vacuous.
std::vector<std::string> default_checkers(const Scenario& scenario);

// "12 of 14 checkers judged something": the run line's summary of what the checkers did.
std::string judged_summary(const RunResult& result);

}  // namespace sansim
