#include "tests/bench/recovery_bench.h"

#include <sstream>
#include <streambuf>
#include <string>

#include "scenarios/runner.h"

namespace sansim::bench {
namespace {

// Keeps only the trace lines about recovery (the trace of a 256-node run is millions of
// heartbeats; holding every record would cost gigabytes).
class CorpseLines final : public std::streambuf {
 public:
  std::vector<std::string> lines;

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return c;
    if (c == '\n') {
      if (line_.find("corpse.") != std::string::npos) lines.push_back(line_);
      line_.clear();
    } else {
      line_.push_back(static_cast<char>(c));
    }
    return c;
  }

 private:
  std::string line_;
};

// "t":<ns> from a JSON trace line.
Time time_of(const std::string& line) {
  const auto at = line.find("\"t\":");
  return at == std::string::npos ? -1 : std::stoll(line.substr(at + 4));
}

}  // namespace

Scenario failover_scenario(std::size_t nodes) {
  Scenario sc;
  sc.name = "failover-" + std::to_string(nodes);
  sc.seed = 4;
  sc.duration = kCrashAt + 4'000'000'000;
  for (std::size_t n = 0; n < nodes; ++n) sc.nodes.push_back(NodeSpec{"n" + std::to_string(n + 1), n < 3, "", {}});
  sc.lan.latency_min = 100'000;
  sc.lan.latency_max = 400'000;
  sc.storage.disks.push_back({"d1", 16384});
  sc.storage.volumes.push_back({"v1", {"d1"}});
  cxfs::FsConfig fs;
  fs.id = "fs1";
  fs.volume = "v1";
  fs.servers = {1, 2};
  sc.filesystems.push_back(fs);
  app::GeneratorSpec g;
  g.kind = app::GeneratorKind::mixed;
  g.fs = "fs1";
  for (std::size_t n = 3; n < nodes && g.nodes.size() < 8; ++n) g.nodes.push_back(static_cast<NodeId>(n));
  if (g.nodes.empty()) g.nodes.push_back(0);
  g.files = 8;
  g.rate = 20;
  g.from = 1'500'000'000;
  g.until = sc.duration - 500'000'000;
  sc.workload.generators.push_back(g);
  FaultSpec crash;
  crash.trigger.at = kCrashAt;
  crash.kind = FaultKind::crash;
  crash.nodes = {1};
  crash.text = "crash n2";
  sc.faults.push_back(crash);
  // The run ends 4s after the crash, before calls_complete's bound: what this measures,
  // recovery, recovery_liveness and the others judge.
  sc.expect.vacuous_ok["calls_complete"] = "the run ends before the liveness bound after the crash";
  return sc;
}

RecoveryFigure measure_failover(std::size_t nodes) {
  RecoveryFigure f;
  f.nodes = nodes;
  CorpseLines keep;
  std::ostream out(&keep);
  RunOptions o;
  o.trace_stream = &out;
  const RunResult r = run_scenario(failover_scenario(nodes), o);
  f.wall_seconds = r.wall_seconds;
  f.passed = r.passed;
  for (const std::string& line : keep.lines) {
    const Time t = time_of(line);
    if (t < kCrashAt) continue;
    if (f.to_start < 0 && line.find("corpse.start ") != std::string::npos) f.to_start = t - kCrashAt;
    if (f.to_retarget < 0 && line.find("corpse.retarget_commit ") != std::string::npos) f.to_retarget = t - kCrashAt;
    if (f.to_complete < 0 && line.find("corpse.complete ") != std::string::npos) f.to_complete = t - kCrashAt;
  }
  return f;
}

}  // namespace sansim::bench
