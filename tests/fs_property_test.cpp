// Random file-system workloads on 2-8 nodes under random fault plans keep every checker
// green: token exclusion, both data-coherency oracles, metadata coherency, fsck and the
// membership and recovery checkers. The faults: frozen nodes (declared failed while
// alive: zombies that recovery fences and evicts), crashes with restarts (also during a
// recovery already under way), fabric path failures and disk error ranges (calls fail
// with EIO, which the history records as indeterminate). RapidCheck draws the plan; the
// simulation is deterministic, so a failure shrinks and replays.
#define BOOST_TEST_MODULE fs_properties
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <fstream>

#include "scenarios/runner.h"
#include "tests/property_scenario.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

FaultSpec gen_fault(int nodes) {
  FaultSpec f;
  const Time at = *rc::gen::inRange<std::int64_t>(40, 120) * 100_ms;  // 4s..12s
  f.trigger.at = at;
  f.undo_after = *rc::gen::inRange<std::int64_t>(1, 30) * 100_ms;
  const NodeId victim = *rc::gen::inRange(0, nodes);
  switch (*rc::gen::inRange(0, 5)) {
    case 4: {
      // A failure during recovery: at the first time a cycle reaches this step (the
      // mount is a cycle too, so it may be that one).
      const std::string step = *rc::gen::element(std::string("corpse.declared"), std::string("corpse.elected"),
                                                 std::string("corpse.instantiate_commit"),
                                                 std::string("corpse.retarget_commit"));
      f.trigger.at.reset();
      f.trigger.observe = step;
      f.kind = FaultKind::crash;
      f.nodes = {victim};
      f.text = "crash n" + std::to_string(victim + 1) + " at " + step;
      f.text += " for " + format_duration(*f.undo_after);
      return f;
    }
    case 3:
      f.kind = FaultKind::crash;
      f.nodes = {victim};
      f.text = "crash n" + std::to_string(victim + 1);
      break;
    case 0:
      f.kind = FaultKind::freeze;
      f.nodes = {victim};
      f.text = "freeze n" + std::to_string(victim + 1);
      break;
    case 1:
      f.kind = FaultKind::path_down;
      f.nodes = {victim};
      f.disks = {"d1"};
      f.text = "path_down n" + std::to_string(victim + 1);
      break;
    default:
      f.kind = FaultKind::disk_error;
      f.disks = {"d1"};
      // Inside the 16384-block disk, as the scenario loader requires of a YAML fault
      // (an earlier version ran past its end and tripped the disk's assertion: seed 86).
      f.first_block = *rc::gen::inRange<std::uint64_t>(0, 16384);
      f.block_count = *rc::gen::inRange<std::uint64_t>(1, std::min<std::uint64_t>(512, 16384 - f.first_block + 1));
      f.disk_error = DiskErrorKind::eio;
      f.text = "disk_error d1 " + std::to_string(f.first_block) + "+" + std::to_string(f.block_count);
      break;
  }
  f.text += " at " + format_duration(at) + " for " + format_duration(*f.undo_after);
  return f;
}

}  // namespace

RC_BOOST_PROP(file_system_checkers_hold_under_random_workloads_and_faults, ()) {
  const int nodes = *rc::gen::inRange(2, 9);
  Scenario sc;
  sc.name = "fs-property";
  sc.seed = *rc::gen::arbitrary<std::uint64_t>();
  sc.duration = 20_s;
  sc.explore_schedule = *rc::gen::arbitrary<bool>();
  for (int n = 0; n < nodes; ++n) sc.nodes.push_back(NodeSpec{"n" + std::to_string(n + 1), n < 2, "", {}});
  sc.storage.disks.push_back({"d1", 16384});
  sc.storage.volumes.push_back({"v1", {"d1"}});
  cxfs::FsConfig fs;
  fs.id = "fs1";
  fs.volume = "v1";
  fs.servers = {0};
  if (nodes > 1) fs.servers.push_back(1);
  sc.filesystems.push_back(fs);

  app::GeneratorSpec g;
  g.kind = *rc::gen::element(app::GeneratorKind::mixed, app::GeneratorKind::hot);
  g.fs = "fs1";
  for (int n = 0; n < nodes; ++n)
    if (n == 0 || *rc::gen::arbitrary<bool>()) g.nodes.push_back(static_cast<NodeId>(n));
  g.files = *rc::gen::inRange(1, 6);
  g.processes = *rc::gen::inRange(1, 3);
  g.rate = *rc::gen::inRange(5, 60);
  g.from = 2_s;
  g.until = 15_s;
  g.file_size = 8 * kBlockSize;
  g.size = kBlockSize * *rc::gen::inRange<std::uint64_t>(1, 3);
  g.modes = *rc::gen::element(std::vector<vnode::IoMode>{vnode::IoMode::buffered},
                              std::vector<vnode::IoMode>{vnode::IoMode::buffered, vnode::IoMode::direct},
                              std::vector<vnode::IoMode>{vnode::IoMode::buffered, vnode::IoMode::mapped});
  sc.workload.generators.push_back(g);
  const int faults = *rc::gen::inRange(0, 4);
  for (int i = 0; i < faults; ++i) sc.faults.push_back(gen_fault(nodes));
  RC_TAG(nodes);

  test::judge_what_a_random_draw_exercises(sc, 0, 17_s);
  const RunResult r = run_scenario(sc);
  if (!r.passed) {
    RC_LOG() << "seed=" << sc.seed << " nodes=" << nodes << " generator=" << app::to_string(g.kind)
             << (sc.explore_schedule ? " explore" : "");
    for (const auto& f : sc.faults) RC_LOG() << " | " << f.text;
    RC_LOG() << "\n";
    for (const auto& e : r.expectations)
      if (!e.passed) RC_LOG() << e.text << ": " << e.detail << "\n";
    for (const auto& v : r.violations) RC_LOG() << v.checker << " @" << v.index << ": " << v.message << "\n";
    // The same run again, with every event written out, for reading the failure.
    std::ofstream trace("fs_property_failure.trace.jsonl");
    RunOptions again;
    again.trace_stream = &trace;
    run_scenario(sc, again);
    RC_LOG() << "trace of this run: fs_property_failure.trace.jsonl\n";
  }
  RC_ASSERT(r.fs.calls_ok > 0);
  RC_ASSERT(r.passed);
}
