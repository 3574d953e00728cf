// A metadata-server thrasher in the style of Ceph's MDS thrasher: round after round, at a
// random moment, crash the metadata server's candidates (the serving one among them, or
// not) and bring them back, under a file-system exerciser (random reads, writes in every
// I/O mode — mapped stores included —, truncates, creates, renames, unlinks). The data
// and metadata checkers compare every read and stat against what the calls before it
// allow (their model of the expected contents); on top, the cluster must settle after
// every round: a recovery cycle completes within the bound after each crash.
#define BOOST_TEST_MODULE thrash
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <sstream>

#include "scenarios/runner.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

constexpr int kRounds = 5;
constexpr Duration kRound = 6_s;
constexpr Duration kFirst = 4_s;
constexpr Duration kSettle = 5_s;  // a round's crash must be recovered from within this

struct Round {
  Duration offset;              // into the round
  std::vector<int> victims;     // candidate indexes 0..2 (n2..n4)
  Duration down;                // until they restart
};

std::string scenario(const std::vector<Round>& rounds) {
  std::ostringstream y;
  y << R"(name: thrash
seed: 11
duration: 40s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4, server_capable: true}
    - {id: n5}
    - {id: n6}
    - {id: n7}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3, n4]}
files:
  - {path: /fs1/t0, size: 32KiB}
  - {path: /fs1/t1, size: 32KiB}
workload:
  - {generator: mixed, fs: fs1, nodes: [n5, n6, n7], processes: 2, files: 8, rate: 15/s, from: 2s, until: 35s}
  - {generator: hot, fs: fs1, path: /fs1/hot, nodes: [n5, n6, n7], rate: 20/s, from: 2s, until: 35s}
)";
  for (int i = 0; i < 30; ++i) {
    y << "  - {at: " << 3000 + i * 1100 << "ms, node: n" << 5 + i % 3 << ", call: truncate, path: /fs1/t" << i % 2
      << ", size: " << 4 * (1 + i % 6) << "KiB}\n";
    y << "  - {at: " << 3500 + i * 1100 << "ms, node: n" << 5 + (i + 1) % 3 << ", call: write, path: /fs1/t"
      << (i + 1) % 2 << ", offset: " << 4 * (i % 5) << "KiB, length: 8KiB, mode: "
      << (i % 3 == 0 ? "mapped" : i % 3 == 1 ? "direct" : "buffered") << "}\n";
  }
  y << "faults:\n";
  for (int r = 0; r < static_cast<int>(rounds.size()); ++r) {
    const Round& k = rounds[static_cast<std::size_t>(r)];
    y << "  - {at: " << (kFirst + r * kRound + k.offset) / 1'000'000 << "ms, crash: [";
    for (std::size_t v = 0; v < k.victims.size(); ++v) y << (v ? ", " : "") << "n" << 2 + k.victims[v];
    y << "], restart_after: " << k.down / 1'000'000 << "ms}\n";
  }
  y << "expect:\n  - membership_stable_within: 5s\n";
  return y.str();
}

}  // namespace

RC_BOOST_PROP(the_cluster_settles_after_every_round_of_server_crashes, ()) {
  std::vector<Round> rounds;
  for (int r = 0; r < kRounds; ++r) {
    Round k;
    k.offset = *rc::gen::inRange<std::int64_t>(0, 30) * 100_ms;
    // One or two of the three candidates; the cluster keeps its quorum (7 nodes).
    const int first = *rc::gen::inRange(0, 3);
    k.victims = {first};
    if (*rc::gen::arbitrary<bool>()) k.victims.push_back((first + 1 + *rc::gen::inRange(0, 2)) % 3);
    k.down = *rc::gen::inRange<std::int64_t>(5, 25) * 100_ms;
    rounds.push_back(k);
  }
  const std::string yaml = scenario(rounds);
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(load_scenario_text(yaml, "thrash.yaml"), o);
  std::string why;
  for (const ExpectationResult& e : r.expectations)
    if (!e.passed) why += e.text + ": " + e.detail.substr(0, 500) + "\n";
  RC_LOG() << yaml;
  if (!why.empty()) {
    RC_LOG() << why;
    RC_FAIL("a checker or expectation failed");
  }
  // Settling, round by round: after each crash a recovery cycle completes in time.
  for (int k = 0; k < kRounds; ++k) {
    const Time crash = kFirst + k * kRound + rounds[static_cast<std::size_t>(k)].offset;
    bool settled = false;
    for (const TraceRecord& rec : r.records)
      if (rec.kind == TraceKind::observation && rec.time > crash && rec.time <= crash + kSettle &&
          rec.text.rfind("corpse.complete ", 0) == 0)
        settled = true;
    RC_ASSERT(settled);
  }
}
