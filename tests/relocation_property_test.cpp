// Random workloads on a DMAPI-enabled file system with random relocations and failures
// keep every checker green (issue 5): the coherency, recovery and relocation checkers
// and dmapi_transparent. The plan mixes KORE relocations back and forth between the two
// candidate servers, tape recalls of offline files, dmputs, and crashes (at random
// times and at random KORE phases), freezes, path failures, unmounts, HSM daemon crashes
// and tape errors. A failure writes
// relocation_property_failure.trace.jsonl and shrinks.
#define BOOST_TEST_MODULE relocation_properties
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <fstream>

#include "scenarios/runner.h"
#include "tests/property_scenario.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

FaultSpec relocate(Time at, NodeId to) {
  FaultSpec f;
  f.trigger.at = at;
  f.kind = FaultKind::command;
  f.command = "relocate fs1 " + std::to_string(to);
  f.nodes = {to};
  f.text = "relocate to n" + std::to_string(to + 1) + " at " + format_duration(at);
  return f;
}

FaultSpec failure(int nodes) {
  FaultSpec f;
  const NodeId victim = *rc::gen::inRange(0, nodes);
  f.undo_after = *rc::gen::inRange<std::int64_t>(5, 30) * 100_ms;
  const Time at = *rc::gen::inRange<std::int64_t>(40, 140) * 100_ms;
  switch (*rc::gen::inRange(0, 7)) {
    case 0: {
      const std::string phase = *rc::gen::element(std::string("source_prepare"), std::string("convert"),
                                                  std::string("detarget"), std::string("bag"),
                                                  std::string("retarget"));
      f.trigger.observe = "kore.phase";
      f.trigger.fields = {{"phase", phase}};
      f.kind = FaultKind::crash;
      f.nodes = {victim};
      f.text = "crash n" + std::to_string(victim + 1) + " at kore " + phase;
      return f;
    }
    case 1:
      f.kind = FaultKind::crash;
      f.text = "crash n" + std::to_string(victim + 1);
      break;
    case 3:
      // The operator unmounts fs1 there (a server relocates first) and mounts it again.
      f.kind = FaultKind::command;
      f.command = "unmount fs1";
      f.undo_command = "mount fs1";
      f.text = "unmount fs1 on n" + std::to_string(victim + 1);
      break;
    case 2:
      f.kind = FaultKind::freeze;
      f.text = "freeze n" + std::to_string(victim + 1);
      break;
    case 4:
      // The HSM daemon of fs1 dies wherever it runs and comes back: queued events wait,
      // the recall under way is abandoned (engine/sim/tape.h).
      f.kind = FaultKind::command;
      f.command = "hsm_crash fs1";
      f.undo_command = "hsm_restart fs1";
      f.trigger.at = at;
      for (int n = 0; n < nodes; ++n) f.nodes.push_back(static_cast<NodeId>(n));
      f.text = "hsm_crash fs1 at " + format_duration(at) + " for " + format_duration(*f.undo_after);
      return f;
    case 5:
      // Every tape operation ending meanwhile fails: recalls answer EIO to their callers.
      f.kind = FaultKind::tape_error;
      f.trigger.at = at;
      f.text = "tape_error at " + format_duration(at) + " for " + format_duration(*f.undo_after);
      return f;
    default:
      f.kind = FaultKind::path_down;
      f.disks = {"d1"};
      f.text = "path_down n" + std::to_string(victim + 1);
      break;
  }
  f.trigger.at = at;
  f.nodes = {victim};
  f.text += " at " + format_duration(at) + " for " + format_duration(*f.undo_after);
  return f;
}

}  // namespace

RC_BOOST_PROP(relocations_and_dmapi_keep_every_checker_green, ()) {
  const int nodes = *rc::gen::inRange(3, 7);
  Scenario sc;
  sc.name = "relocation-property";
  sc.seed = *rc::gen::arbitrary<std::uint64_t>();
  sc.duration = 30_s;
  sc.explore_schedule = *rc::gen::arbitrary<bool>();
  for (int n = 0; n < nodes; ++n) sc.nodes.push_back(NodeSpec{"n" + std::to_string(n + 1), n < 2, "", {}});
  sc.storage.disks.push_back({"d1", 16384});
  sc.storage.volumes.push_back({"v1", {"d1"}});
  TapeOptions tape;
  tape.mount = *rc::gen::inRange<std::int64_t>(1, 20) * 100_ms;
  tape.seek = *rc::gen::inRange<std::int64_t>(1, 10) * 100_ms;
  tape.rate = 64u << 20;
  tape.drives = *rc::gen::inRange<std::uint32_t>(1, 3);
  sc.storage.tape = tape;
  cxfs::FsConfig fs;
  fs.id = "fs1";
  fs.volume = "v1";
  fs.servers = {0, 1};
  fs.dmapi = true;
  sc.filesystems.push_back(fs);

  const int offline = *rc::gen::inRange(1, 3);
  for (int i = 0; i < offline; ++i) sc.workload.files.push_back({0, "fs1", "/cold" + std::to_string(i), 8 * kBlockSize, true});
  app::GeneratorSpec g;
  g.kind = *rc::gen::element(app::GeneratorKind::mixed, app::GeneratorKind::hot);
  g.fs = "fs1";
  for (int n = 0; n < nodes; ++n)
    if (n == 2 || *rc::gen::arbitrary<bool>()) g.nodes.push_back(static_cast<NodeId>(n));
  g.files = *rc::gen::inRange(1, 5);
  g.processes = *rc::gen::inRange(1, 3);
  g.rate = *rc::gen::inRange(5, 40);
  g.from = 3_s;
  g.until = 24_s;
  g.file_size = 8 * kBlockSize;
  g.size = kBlockSize * *rc::gen::inRange<std::uint64_t>(1, 3);
  sc.workload.generators.push_back(g);
  // Reads of the offline files, dmputs, from random nodes at random times.
  const int calls = *rc::gen::inRange(1, 8);
  for (int i = 0; i < calls; ++i) {
    app::CallSpec c;
    c.at = *rc::gen::inRange<std::int64_t>(30, 240) * 100_ms;
    c.node = static_cast<NodeId>(*rc::gen::inRange(0, nodes));
    c.fs = "fs1";
    c.path = "/cold" + std::to_string(*rc::gen::inRange(0, offline));
    if (*rc::gen::inRange(0, 4) == 0) {
      c.call = app::Call::migrate;
      c.release = *rc::gen::arbitrary<bool>();
    } else {
      c.call = *rc::gen::element(app::Call::read, app::Call::write);
      c.offset = kBlockSize * *rc::gen::inRange<std::uint64_t>(0, 6);
      c.length = 2 * kBlockSize;
    }
    sc.workload.calls.push_back(c);
  }
  std::stable_sort(sc.workload.calls.begin(), sc.workload.calls.end(),
                   [](const app::CallSpec& a, const app::CallSpec& b) { return a.at < b.at; });
  // Relocations back and forth, then failures.
  const int moves = *rc::gen::inRange(1, 5);
  for (int i = 0; i < moves; ++i)
    sc.faults.push_back(relocate(*rc::gen::inRange<std::int64_t>(40, 220) * 100_ms, static_cast<NodeId>(i % 2)));
  const int faults = *rc::gen::inRange(0, 3);
  for (int i = 0; i < faults; ++i) sc.faults.push_back(failure(nodes));

  test::judge_what_a_random_draw_exercises(sc, 0, 27_s);
  sc.expect.vacuous_ok["calls_complete"] = "tape work may still be under way when the run ends (not judged then)";
  const RunResult r = run_scenario(sc);
  if (!r.passed) {
    RC_LOG() << "seed=" << sc.seed << " nodes=" << nodes << (sc.explore_schedule ? " explore" : "");
    for (const auto& f : sc.faults) RC_LOG() << " | " << f.text;
    RC_LOG() << "\n";
    for (const auto& e : r.expectations)
      if (!e.passed) RC_LOG() << e.text << ": " << e.detail.substr(0, 600) << "\n";
    for (const auto& v : r.violations) RC_LOG() << v.checker << " @" << v.index << ": " << v.message.substr(0, 600) << "\n";
    std::ofstream trace("relocation_property_failure.trace.jsonl");
    RunOptions again;
    again.trace_stream = &trace;
    run_scenario(sc, again);
    RC_LOG() << "trace of this run: relocation_property_failure.trace.jsonl\n";
  }
  RC_ASSERT(r.passed);
}
