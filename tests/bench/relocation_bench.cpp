#include "tests/bench/relocation_bench.h"

#include <cstdio>
#include <sstream>

#include "scenarios/runner.h"

namespace sansim::bench {

namespace {
std::string seconds(Duration d) { return std::to_string(d / 1'000'000'000) + "s"; }
}  // namespace

std::string relocation_scenario(Duration recall, bool hold_lock) {
  // The tape seeks for the whole recall (mount 0, a fast transfer): one recall takes
  // `recall`, and so does the setup's copy to tape. fs1 is served by n3 (n2
  // boots a second after n3, so the first membership forms without it); the read runs on
  // n3, the server node. A stat at the end gives metadata_coherent something to judge.
  const Duration read_at = recall + 30'000'000'000;
  std::ostringstream y;
  y << "name: bench-relocation-" << seconds(recall) << (hold_lock ? "-hold-lock" : "-hand-off") << "\n"
    << "seed: 7\n"
    << "duration: " << seconds(read_at + 2 * recall + 60'000'000'000) << "\n"
    << R"(cluster:
  nodes:
    - {id: n1}
    - {id: n2, server_capable: true, boot_at: 1s}
    - {id: n3, server_capable: true}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 256MiB}]
  volumes: [{id: v1, disks: [d1]}]
)"
    << "hsm: {tape: {mount: 0s, seek: " << seconds(recall) << ", rate: 1GiB/s}}\n"
    << R"(filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3], dmapi: true}
files:
  - {path: /fs1/plain, size: 64KiB}
  - {path: /fs1/seismic/run42.dat, size: 1MiB, offline: true}
workload:
)"
    << "  - {at: " << seconds(read_at) << ", node: n3, call: read, path: /fs1/seismic/run42.dat, length: 64KiB}\n"
    << "  - {at: " << seconds(read_at + 2 * recall + 30'000'000'000)
    << ", node: n1, call: stat, path: /fs1/seismic/run42.dat}\n"
    << "faults:\n  - {at: " << seconds(read_at + 1'000'000'000) << ", relocate: {fs: fs1, to: n2}}\n"
    << "relocation: {mode: " << (hold_lock ? "hold-lock" : "hand-off") << "}\n"
    << "expect:\n  - relocation_completes_within: " << seconds(2 * recall + 10'000'000'000) << "\n";
  return y.str();
}

RelocationFigure measure_relocation(Duration recall, bool hold_lock) {
  RelocationFigure f;
  f.recall = recall;
  f.hold_lock = hold_lock;
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(load_scenario_text(relocation_scenario(recall, hold_lock), "bench.yaml"), o);
  f.passed = r.passed;
  f.wall_seconds = r.wall_seconds;
  Time requested = -1, read_from = -1;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation) continue;
    const std::string& t = rec.text;
    if (t.rfind("kore.phase ", 0) == 0 && t.find("phase=request") != std::string::npos) requested = rec.time;
    if (t.rfind("kore.phase ", 0) == 0 && t.find("phase=end") != std::string::npos && requested >= 0)
      f.relocation = rec.time - requested;
    if (t.rfind("app.invoke ", 0) == 0 && t.find("call=read") != std::string::npos && t.find("run42") != std::string::npos)
      read_from = rec.time;
    if (t.rfind("app.complete ", 0) == 0 && t.find("call=read") != std::string::npos && read_from >= 0 && f.read < 0) {
      f.read = rec.time - read_from;
      f.read_ok = t.find("result=ok") != std::string::npos;
    }
  }
  return f;
}

std::string relocation_table(const std::vector<RelocationFigure>& figures) {
  std::ostringstream out;
  out << "| tape recall | mode | relocation (request to end) | the waiting read | checkers | wall |\n"
      << "|---:|---|---:|---:|---|---:|\n";
  for (const RelocationFigure& f : figures) {
    char wall[32];
    std::snprintf(wall, sizeof wall, "%.2fs", f.wall_seconds);
    out << "| " << format_duration(f.recall) << " | " << (f.hold_lock ? "hold-lock" : "hand-off") << " | "
        << (f.relocation < 0 ? std::string("never") : format_duration(f.relocation)) << " | "
        << (f.read < 0 ? std::string("never") : format_duration(f.read) + (f.read_ok ? "" : " (failed)")) << " | "
        << (f.passed ? "passed" : "FAILED") << " | " << wall << " |\n";
  }
  return out.str();
}

}  // namespace sansim::bench
