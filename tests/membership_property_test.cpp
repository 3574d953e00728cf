// For random clusters (3-9 nodes), random crash / freeze / partition (two-way and
// one-way) schedules that end, at most one withdrawal, with and without shuffled ties,
// membership converges and every membership checker holds. RapidCheck draws the
// schedule; the simulation under it is deterministic, so a failure shrinks and replays.
#define BOOST_TEST_MODULE properties
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include "scenarios/runner.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

struct Schedule {
  std::uint64_t seed;
  int nodes;
  std::vector<FaultSpec> faults;
};

std::string describe(const Schedule& s) {
  std::string out = "seed=" + std::to_string(s.seed) + " nodes=" + std::to_string(s.nodes);
  for (const auto& f : s.faults) out += " | " + f.text;
  return out;
}

FaultSpec gen_fault(int nodes) {
  FaultSpec f;
  const Time at = *rc::gen::inRange<std::int64_t>(1, 80) * 100_ms;  // 0.1s..8s
  f.trigger.at = at;
  f.undo_after = *rc::gen::inRange<std::int64_t>(1, 40) * 100_ms;  // back within 4s
  const int kind = *rc::gen::inRange(0, 4);
  const NodeId victim = *rc::gen::inRange(0, nodes);
  if (kind == 0) {
    f.kind = FaultKind::crash;
    f.nodes = {victim};
    f.text = "crash " + std::to_string(victim);
  } else if (kind == 1) {
    f.kind = FaultKind::freeze;
    f.nodes = {victim};
    f.text = "freeze " + std::to_string(victim);
  } else if (kind == 2) {
    // One direction of one link.
    NodeId to = *rc::gen::inRange(0, nodes - 1);
    if (to >= victim) ++to;
    f.kind = FaultKind::partition;
    f.links = {{victim, to}};
    f.text = "one-way " + std::to_string(victim) + "->" + std::to_string(to);
  } else {
    // Split the nodes into two groups by a random mask; cut both ways.
    f.kind = FaultKind::partition;
    std::vector<bool> side(nodes);
    for (int n = 0; n < nodes; ++n) side[n] = *rc::gen::arbitrary<bool>();
    for (int a = 0; a < nodes; ++a)
      for (int b = 0; b < nodes; ++b)
        if (side[a] != side[b]) f.links.emplace_back(a, b);
    f.text = "partition";
    for (int n = 0; n < nodes; ++n) f.text += side[n] ? "1" : "0";
  }
  f.text += " at " + format_duration(at) + " for " + format_duration(*f.undo_after);
  return f;
}

}  // namespace

RC_BOOST_PROP(membership_converges_under_faults_that_end, ()) {
  Schedule s;
  s.seed = *rc::gen::arbitrary<std::uint64_t>();
  s.nodes = *rc::gen::inRange(3, 10);
  const int count = *rc::gen::inRange(0, 5);
  for (int i = 0; i < count; ++i) s.faults.push_back(gen_fault(s.nodes));
  // At most one orderly withdrawal: it is for good, so more could leave no quorum.
  if (*rc::gen::inRange(0, 4) == 0) {
    FaultSpec w;
    w.trigger.at = *rc::gen::inRange<std::int64_t>(20, 80) * 100_ms;
    w.kind = FaultKind::command;
    w.command = "withdraw";
    w.nodes = {static_cast<NodeId>(*rc::gen::inRange(0, s.nodes))};
    w.text = "withdraw " + std::to_string(w.nodes[0]) + " at " + format_duration(*w.trigger.at);
    s.faults.push_back(w);
  }
  const bool explore = *rc::gen::arbitrary<bool>();
  RC_TAG(s.nodes);

  Scenario sc;
  sc.name = "property";
  sc.seed = s.seed;
  sc.duration = 25_s;
  for (int n = 0; n < s.nodes; ++n)
    sc.nodes.push_back(NodeSpec{"n" + std::to_string(n + 1), n % 3 == 0, "", {{"cms", 1}}});
  sc.faults = s.faults;
  sc.explore_schedule = explore;
  sc.expect.stable_within = 8_s;
  const RunResult r = run_scenario(sc);
  if (!r.passed) {
    RC_LOG() << describe(s) << (explore ? " explore" : "") << "\n";
    for (const auto& v : r.violations) RC_LOG() << v.checker << ": " << v.message << "\n";
  }
  RC_ASSERT(r.passed);
}
