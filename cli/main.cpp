// sansim: run scenarios, replay failures, benchmark the engine.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "checkers/jepsen.h"
#include <nlohmann/json.hpp>
#include "checkers/linearizability.h"
#include "checkers/proofs/token_proofs.h"
#include "reports/report.h"
#include "scenarios/failure_file.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.h"
#include "tests/bench/engine_bench.h"
#include "tests/bench/recovery_bench.h"
#include "tests/bench/relocation_bench.h"

namespace sansim {
namespace {

constexpr int kExitPass = 0, kExitFail = 1, kExitBadInput = 2, kExitUndecided = 3;

std::string line_for(const RunResult& r) {
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.2fs", r.wall_seconds);
  return std::string(r.passed ? "PASS" : "FAIL") + "  " + r.name + "  seed=" + std::to_string(r.seed) +
         "  virtual=" + format_duration(r.end_time) + "  events=" + std::to_string(r.events) + "  hash=" + hex64(r.hash) +
         "  judged=" + judged_summary(r) + "  wall=" + wall;
}

void print_details(const RunResult& r, bool verbose) {
  for (const auto& e : r.expectations) {
    if (!verbose && e.passed) continue;
    std::cout << "    " << (e.passed ? "ok   " : "FAIL ") << e.text;
    if (!e.checker.empty()) std::cout << " (judged " << judged_text(e.judged) << ")";
    std::cout << (e.detail.empty() ? "" : ": " + e.detail) << "\n";
  }
  for (const auto& v : r.violations)
    std::cout << "    violation " << v.checker << " at event " << v.index << " t=" << format_duration(v.time)
              << " node=" << node_label(v.node, r.node_names) << ": " << v.message << "\n";
  if (verbose)
    for (const auto& f : r.faults) std::cout << "    fault t=" << format_duration(f.time) << " " << f.text << "\n";
}

void print_records(const std::vector<TraceRecord>& records, std::uint64_t center, std::uint64_t context,
                   const std::vector<std::string>& names, const char* marker_label) {
  const std::uint64_t lo = center > context ? center - context : 0;
  for (const TraceRecord& r : records) {
    if (r.index < lo || r.index > center + context) continue;
    std::cout << (r.index == center ? "  >> " : "     ") << describe(r, names)
              << (r.index == center ? std::string("   <- ") + marker_label : "") << "\n";
  }
}

// Runs twice in this process and compares every record.
bool check_determinism(const Scenario& sc, const RunOptions& base, const RunResult& first_run) {
  RunOptions o = base;
  o.trace_stream = nullptr;
  o.keep_records = true;
  RunResult a = run_scenario(sc, o);
  RunResult b = run_scenario(sc, o);
  const bool same = a.hash == b.hash && a.events == b.events && a.hash == first_run.hash;
  if (same) return true;
  std::cout << "    NON-DETERMINISTIC: two runs of the same seed differ (hashes " << hex64(a.hash) << ", "
            << hex64(b.hash) << ", " << hex64(first_run.hash) << ")\n";
  const std::size_t n = std::min(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < n; ++i) {
    const TraceRecord &x = a.records[i], &y = b.records[i];
    if (x.time != y.time || x.node != y.node || x.kind != y.kind || x.detail != y.detail || x.text != y.text) {
      std::cout << "    first divergent record:\n      run 1: " << describe(x, a.node_names)
                << "\n      run 2: " << describe(y, b.node_names) << "\n";
      return false;
    }
  }
  std::cout << "    one run has more records than the other (" << a.records.size() << " vs " << b.records.size() << ")\n";
  return false;
}

// "A..B" (inclusive) or "N": the seeds --seeds asks for. Throws std::invalid_argument
// naming what is wrong.
std::vector<std::uint64_t> parse_seed_range(const std::string& text) {
  constexpr std::uint64_t kMaxSeeds = 1'000'000;
  auto number = [&text](const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19)
      throw std::invalid_argument("--seeds '" + text + "': '" + s + "' is not a seed (a whole number); write A..B, e.g. 1..20");
    return std::stoull(s);
  };
  const std::size_t dots = text.find("..");
  const std::uint64_t lo = number(dots == std::string::npos ? text : text.substr(0, dots));
  const std::uint64_t hi = dots == std::string::npos ? lo : number(text.substr(dots + 2));
  if (hi < lo) throw std::invalid_argument("--seeds '" + text + "': the range ends before it starts; write A..B with A <= B");
  if (hi - lo >= kMaxSeeds)
    throw std::invalid_argument("--seeds '" + text + "': more than " + std::to_string(kMaxSeeds) +
                                " seeds in one run; split the range (sansim fuzz shards longer sweeps)");
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = lo;; ++s) {
    seeds.push_back(s);
    if (s == hi) break;
  }
  return seeds;
}

int cmd_run(const std::vector<std::string>& paths, const std::vector<std::optional<std::uint64_t>>& seeds,
            const std::string& trace_file,
            const std::string& history_file, const std::string& report_dir, const std::string& failures_dir,
            bool verbose, bool determinism, const std::vector<std::string>& relocations) {
  // Load everything first: a bad file stops the whole run before anything runs.
  std::vector<Scenario> scenarios;
  try {
    for (const auto& p : paths)
      for (const auto& f : scenario_files(p)) scenarios.push_back(load_scenario_file(f));
    for (Scenario& sc : scenarios)
      for (const std::string& r : relocations) add_relocate_request(sc, r);
  } catch (const ScenarioError& e) {
    std::cerr << "sansim: " << e.what() << "\n";
    return kExitBadInput;
  }
  std::ofstream trace_out;
  if (!trace_file.empty()) {
    trace_out.open(trace_file, std::ios::binary | std::ios::trunc);
    if (!trace_out) {
      std::cerr << "sansim: cannot write trace file " << trace_file << "\n";
      return kExitBadInput;
    }
  }
  std::ofstream history_out;
  if (!history_file.empty()) {
    if (scenarios.size() * seeds.size() != 1) {
      std::cerr << "sansim: --history needs exactly one run, but " << scenarios.size() << " scenario(s) at "
                << seeds.size() << " seed(s) were given; run the scenario and seed you want the history of on its own\n";
      return kExitBadInput;
    }
    history_out.open(history_file, std::ios::binary | std::ios::trunc);
    if (!history_out) {
      std::cerr << "sansim: cannot write history file " << history_file << "\n";
      return kExitBadInput;
    }
  }
  std::vector<RunResult> results;
  std::size_t failed = 0;
  const std::size_t runs = scenarios.size() * seeds.size();
  for (std::size_t i = 0; i < runs; ++i) {
    const Scenario& sc = scenarios[i / seeds.size()];
    const std::optional<std::uint64_t> seed = seeds[i % seeds.size()];
    RunOptions opt;
    opt.seed = seed;
    if (trace_out.is_open()) {
      trace_out << "{\"scenario\":\"" << sc.name << "\",\"seed\":" << seed.value_or(sc.seed) << "}\n";
      opt.trace_stream = &trace_out;
    }
    if (history_out.is_open()) opt.history_stream = &history_out;
    std::cout << "[" << (i + 1) << "/" << runs << "] " << std::flush;
    RunResult r = run_scenario(sc, opt);
    if (determinism && !check_determinism(sc, opt, r)) {
      r.passed = false;
      ExpectationResult e;
      e.text = "deterministic (same seed, same trace hash)";
      e.passed = false;
      e.detail = "two runs differ";
      r.expectations.push_back(e);
    }
    std::cout << line_for(r) << "\n";
    print_details(r, verbose);
    if (!r.passed) {
      ++failed;
      try {
        const std::string path = write_failure_file(sc, r, failures_dir);
        std::cout << "    replay: sansim replay " << path << "\n";
      } catch (const std::exception& e) {
        std::cerr << "sansim: " << e.what() << "\n";
      }
    }
    results.push_back(std::move(r));
  }
  std::cout << "\nsummary: " << (results.size() - failed) << " passed, " << failed << " failed\n";
  if (!report_dir.empty()) {
    try {
      write_report(report_dir, results);
      std::cout << "report: " << report_dir << "/summary.md and " << report_dir << "/results.json\n";
    } catch (const std::exception& e) {
      std::cerr << "sansim: " << e.what() << "\n";
      return kExitBadInput;
    }
  }
  return failed == 0 ? kExitPass : kExitFail;
}

// Loads one scenario; on bad input says why on stderr and returns nothing.
std::optional<Scenario> load_or_say(const std::string& file) {
  try {
    return load_scenario_file(file);
  } catch (const ScenarioError& e) {
    std::cerr << "sansim: " << e.what() << "\n";
    return std::nullopt;
  }
}

int cmd_replay(const std::string& file, std::optional<std::uint64_t> until, const std::string& trace_file,
               std::uint64_t context) {
  const std::optional<Scenario> loaded = load_or_say(file);
  if (!loaded) return kExitBadInput;
  const Scenario& sc = *loaded;
  if (!sc.replay) {
    std::cerr << "sansim: " << file
              << " has no 'replay:' block, so there is nothing to compare against; run it with 'sansim run' instead\n";
    return kExitBadInput;
  }
  std::ofstream trace_out;
  RunOptions opt;
  opt.keep_records = true;
  opt.stop_at = until;
  if (!trace_file.empty()) {
    trace_out.open(trace_file, std::ios::binary | std::ios::trunc);
    if (!trace_out) {
      std::cerr << "sansim: cannot write trace file " << trace_file << "\n";
      return kExitBadInput;
    }
    opt.trace_stream = &trace_out;
  }
  const ReplayRecord& want = *sc.replay;
  RunResult r = run_scenario(sc, opt);
  std::cout << "replay of " << sc.name << " seed=" << r.seed << ": " << r.events << " records, hash " << hex64(r.hash)
            << "\n";

  if (until) {
    // Only the first N records can be compared.
    Divergence d;
    for (std::uint64_t i = 0; i < r.digests.size() && i < want.digests.size() && i < *until; ++i) {
      if (r.digests[i] != want.digests[i]) {
        d.diverged = true;
        d.index = i;
        break;
      }
    }
    std::cout << (d.diverged ? "DIVERGED at record " + std::to_string(d.index) : "matches the original so far")
              << "; stopped at event " << *until << ":\n";
    print_records(r.records, *until > 0 ? *until - 1 : 0, context, r.node_names, "stop");
    return d.diverged ? kExitFail : kExitPass;
  }

  const Divergence d = find_divergence(TraceSummary{want.events, want.hash, want.checkpoints, want.digests},
                                       TraceSummary{r.events, r.hash, r.checkpoints, r.digests});
  if (!d.diverged) {
    std::cout << "reproduced: trace hash " << hex64(r.hash) << " matches the original over " << r.events
              << " records\n";
  } else {
    std::cout << "DIVERGED from the original (hash " << hex64(want.hash) << " over " << want.events
              << " records): " << d.detail << "\n";
    std::cout << (d.exact ? "first divergent record:\n" : "last record of the interval holding the first difference:\n");
    print_records(r.records, d.index, context, r.node_names, "first divergence");
  }
  print_details(r, false);
  const auto vi = r.first_violation_index();
  if (vi) {
    std::cout << "events around the violation (record " << *vi << "):\n";
    print_records(r.records, *vi, context, r.node_names, "violation");
  }
  return d.diverged ? kExitFail : kExitPass;
}

// Checks a register history (sansim's JSON lines, Jepsen's EDN or log lines), key by key.
int cmd_check_history(const std::string& file, std::uint64_t budget, const std::string& initial_text,
                      const std::string& json_file) {
  History h;
  std::vector<std::string> notes;
  bool jepsen_format = false;
  try {
    h = read_history_file(file, &notes, &jepsen_format);
  } catch (const JepsenFormatError& e) {
    std::cerr << "sansim: " << e.what() << "\n";
    return kExitBadInput;
  }
  for (const std::string& n : notes) std::cerr << "note: " << n << "\n";
  // Jepsen's registers start from nil, sansim's blocks from 0 (zeros); --initial says otherwise.
  std::int64_t initial = jepsen_format ? kNil : 0;
  if (initial_text == "nil") {
    initial = kNil;
  } else if (!initial_text.empty()) {
    try {
      std::size_t used = 0;
      initial = std::stoll(initial_text, &used);
      if (used != initial_text.size()) throw std::invalid_argument(initial_text);
    } catch (const std::exception&) {
      std::cerr << "sansim: --initial '" << initial_text << "' is neither nil nor an integer\n";
      return kExitBadInput;
    }
  }
  std::map<std::string, std::vector<std::int64_t>> initial_of;
  const auto ops = register_ops(h);
  for (const auto& [key, o] : ops) initial_of[key] = {initial};
  const HistoryCheck c = check_history(h, Budget{budget}, initial_of);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const KeyResult& k : c.keys) {
    nlohmann::ordered_json j = {{"key", k.key}, {"ops", k.ops}, {"verdict", to_string(k.result.verdict)}};
    if (k.result.verdict != Verdict::linearizable) {
      std::cout << (k.result.verdict == Verdict::undecided ? "UNDECIDED" : "NOT LINEARIZABLE") << "  key '" << k.key
                << "' (" << k.ops << " ops): " << k.result.message << "\n";
      j["message"] = k.result.message;
    }
    if (k.result.verdict == Verdict::not_linearizable) {
      const Explanation x = explain(ops.at(k.key), Budget{budget}, {initial});
      if (x.found) {
        std::cout << "    longest linearizable prefix: " << x.prefix_ops << " operations, through index "
                  << x.prefix_last_index << "\n    smallest window that is not: " << x.window_ops
                  << " operations, index " << x.window_first_index << " to " << x.window_last_index << "\n";
        j["prefix"] = {{"ops", x.prefix_ops}, {"last_index", x.prefix_last_index}};
        j["window"] = {{"ops", x.window_ops}, {"first_index", x.window_first_index}, {"last_index", x.window_last_index}};
      }
    }
    out.push_back(j);
  }
  std::cout << file << ": " << h.size() << " operations on " << c.keys.size() << " keys: "
            << c.count(Verdict::linearizable) << " linearizable, " << c.count(Verdict::not_linearizable)
            << " not linearizable, " << c.count(Verdict::undecided) << " undecided\n";
  if (!json_file.empty()) {
    std::ofstream f(json_file, std::ios::binary | std::ios::trunc);
    f << nlohmann::ordered_json{{"file", file}, {"operations", h.size()}, {"keys", out}}.dump(2) << "\n";
    if (!f) {
      std::cerr << "sansim: cannot write " << json_file << "\n";
      return kExitBadInput;
    }
  }
  switch (c.verdict()) {
    case Verdict::linearizable: return kExitPass;
    case Verdict::not_linearizable: return kExitFail;
    case Verdict::undecided: return kExitUndecided;
  }
  return kExitBadInput;
}

int cmd_bench(std::uint64_t events, std::uint64_t messages, const std::string& scenario_file) {
  using namespace bench;
  auto report = [](const Figure& f) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-20s %12llu in %.3fs = %.2f M/s", f.name.c_str(),
                  static_cast<unsigned long long>(f.count), f.seconds, f.per_second() / 1e6);
    std::cout << buf << "\n";
  };
  // Best of three, interleaved: this is a shared virtual machine, and the fastest run
  // is the one least disturbed by neighbours.
  Figure floor, timers, pings;
  for (int round = 0; round < 3; ++round) {
    auto best = [](Figure& keep, const Figure& f) {
      if (keep.seconds == 0 || f.per_second() > keep.per_second()) keep = f;
    };
    best(floor, bare_heap_events(events));
    best(timers, timer_events(events));
    best(pings, pingpong_messages(messages));
  }
  report(floor);
  report(timers);
  report(pings);
  const double ratio = floor.per_second() > 0 ? timers.per_second() / floor.per_second() : 0;
  char buf[200];
  std::snprintf(buf, sizeof buf, "timer events / bare heap = %.2f (budget >= 0.50 and >= 10 M/s: %s)", ratio,
                ratio >= 0.5 && timers.per_second() >= 10e6 ? "met" : "NOT met");
  std::cout << buf << "\n";
  std::snprintf(buf, sizeof buf, "ping-pong = %.2f M msgs/s (budget >= 3.7 M/s, 10x SimGrid S4U: %s)",
                pings.per_second() / 1e6, pings.per_second() >= 3.7e6 ? "met" : "NOT met");
  std::cout << buf << "\n";
  std::cout << "sansim_pingpong messages_per_sec=" << static_cast<std::uint64_t>(pings.per_second()) << "\n";

  // DESIGN.md's standard profile: an 8-node, 60 s scenario with faults, >= 100x real time.
  const std::optional<Scenario> loaded = load_or_say(scenario_file);
  if (!loaded) return kExitBadInput;
  const Scenario& standard = *loaded;
  double best_wall = 0;
  RunResult r;
  for (int round = 0; round < 3; ++round) {
    r = run_scenario(standard);
    if (best_wall == 0 || r.wall_seconds < best_wall) best_wall = r.wall_seconds;
  }
  const double speed = best_wall > 0 ? static_cast<double>(r.end_time) / 1e9 / best_wall : 0;
  std::snprintf(buf, sizeof buf, "scenario %s: %s virtual in %.4fs wall = %.0fx real time, %s (budget >= 100x: %s)",
                standard.name.c_str(), format_duration(r.end_time).c_str(), best_wall, speed,
                r.passed ? "passed" : "FAILED", speed >= 100 ? "met" : "NOT met");
  std::cout << buf << "\n";
  return kExitPass;
}

// A token-heavy file-system workload: user calls per wall second and the time
// compression (virtual seconds per wall second). Best of three runs.
int cmd_bench_tokens(const std::string& scenario_file) {
  const std::optional<Scenario> loaded = load_or_say(scenario_file);
  if (!loaded) return kExitBadInput;
  RunResult best;
  for (int round = 0; round < 3; ++round) {
    RunResult r = run_scenario(*loaded);
    if (round == 0 || r.wall_seconds < best.wall_seconds) best = std::move(r);
  }
  const double wall = best.wall_seconds > 0 ? best.wall_seconds : 1e-9;
  const double virt = static_cast<double>(best.end_time) / 1e9;
  const std::uint64_t calls = best.fs.calls_ok + best.fs.calls_failed;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "tokens %s: %llu calls (%llu failed), %llu token grants, %llu recalls, %llu messages in %s virtual, "
                "%.3fs wall\n"
                "  %.0f calls/s wall, %.1f calls per virtual second, time compression %.0fx (virtual s per wall s), %s",
                loaded->name.c_str(), static_cast<unsigned long long>(calls),
                static_cast<unsigned long long>(best.fs.calls_failed), static_cast<unsigned long long>(best.fs.grants),
                static_cast<unsigned long long>(best.fs.recalls), static_cast<unsigned long long>(best.lan.sent),
                format_duration(best.end_time).c_str(), wall, static_cast<double>(calls) / wall,
                virt > 0 ? static_cast<double>(calls) / virt : 0.0, virt / wall, best.passed ? "passed" : "FAILED");
  std::cout << buf << "\n";
  return best.passed ? kExitPass : kExitFail;
}

// CORPSE failover: the metadata server crashes; how long until recovery starts,
// retargets to the next candidate and completes, per cluster size (virtual time), and
// the wall time to simulate each run.
int cmd_bench_recovery(const std::vector<std::size_t>& sizes) {
  std::cout << "recovery: the metadata server crashes at " << format_duration(bench::kCrashAt)
            << "; virtual time from the crash to\n"
            << "  nodes   cycle start   retarget commit   complete    wall (whole run)   checkers\n";
  bool all = true;
  for (std::size_t n : sizes) {
    const bench::RecoveryFigure f = bench::measure_failover(n);
    const auto show = [](Duration d) { return d < 0 ? std::string("never") : format_duration(d); };
    char buf[300];
    std::snprintf(buf, sizeof buf, "  %5zu   %11s   %15s   %8s    %7.2fs            %s", n, show(f.to_start).c_str(),
                  show(f.to_retarget).c_str(), show(f.to_complete).c_str(), f.wall_seconds,
                  f.passed ? "passed" : "FAILED");
    std::cout << buf << std::endl;
    all = all && f.passed && f.to_complete >= 0;
  }
  return all ? kExitPass : kExitFail;
}

// KORE during a tape recall (§0079-0081): relocation time against the recall's
// latency, with the DMAPI hand-off and without it (hold-lock). The table also goes to
// `out` (markdown).
int cmd_bench_relocation(const std::vector<std::uint64_t>& recalls, const std::string& out) {
  std::cout << "relocation: a read on the metadata server's node waits for a tape recall; the server is relocated\n"
            << "one second later (virtual time; wall time for the whole run)\n" << std::flush;
  std::vector<bench::RelocationFigure> figures;
  bool all = true;
  for (std::uint64_t s : recalls)
    for (bool hold : {false, true}) {
      figures.push_back(bench::measure_relocation(static_cast<Duration>(s) * 1'000'000'000, hold));
      const bench::RelocationFigure& f = figures.back();
      std::cout << "  recall " << format_duration(f.recall) << (hold ? "  hold-lock" : "  hand-off ")
                << "  relocation " << (f.relocation < 0 ? std::string("never") : format_duration(f.relocation))
                << "  read " << (f.read < 0 ? std::string("never") : format_duration(f.read))
                << (f.passed ? "  passed" : "  FAILED") << std::endl;
      all = all && f.passed && f.relocation >= 0 && f.read_ok;
    }
  const std::string table = bench::relocation_table(figures);
  std::cout << "\n" << table;
  if (!out.empty()) {
    std::error_code ec;
    const std::filesystem::path p(out);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    std::ofstream f(out);
    if (!f) {
      std::cerr << "cannot write " << out << ": check the directory exists and is writable\n";
      return kExitBadInput;
    }
    f << "# Relocation during a tape recall (sansim bench relocation)\n\n"
      << "A read of an offline file on the metadata server's node waits in DMAPI while the HSM recalls it "
         "from tape; one second later the server is relocated (KORE). With the hand-off (§0080-0081) the "
         "waiter is woken with the internal migrating error, steps out of the behavior head and is reissued "
         "to the new server; with hold-lock it keeps the head locked until DMAPI answers. Virtual times; "
         "wall time is for the whole run.\n\n"
      << table;
    std::cout << "written to " << out << "\n";
  }
  return all ? kExitPass : kExitFail;
}


// Runs the token proofs and prints each with its witnesses or its counterexample.
int cmd_prove_tokens() {
  std::size_t failed = 0;
  const std::vector<proofs::ProofResult> results = proofs::prove_tokens();
  for (const proofs::ProofResult& r : results) {
    std::cout << (r.proved ? "PROVED  " : "FAILED  ") << r.name << ": " << r.statement << "\n";
    if (!r.proved) {
      ++failed;
      std::cout << "    counterexample: " << r.counterexample << "\n";
    }
    for (const std::string& w : r.witnesses) std::cout << "    instance: " << w << "\n";
  }
  std::cout << "\nsummary: " << (results.size() - failed) << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitPass : kExitFail;
}

}  // namespace
}  // namespace sansim

int main(int argc, char** argv) {
  using namespace sansim;
  CLI::App app{"sansim: deterministic simulation testbed for a clustered SAN file system"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "run YAML scenarios (files or directories) and check their properties");
  std::vector<std::string> paths;
  std::optional<std::uint64_t> seed;
  std::string trace_file, report_dir, failures_dir = "failures";
  bool verbose = false, determinism = false;
  run->add_option("paths", paths, "scenario files or directories")->required();
  auto* seed_opt = run->add_option("--seed", seed, "override every scenario's seed");
  std::string seed_range;
  run->add_option("--seeds", seed_range, "run every scenario at each seed of the range A..B (inclusive), e.g. 1..20")
      ->excludes(seed_opt);
  run->add_option("--trace", trace_file, "write every trace record as JSON lines to FILE");
  std::string history_file;
  run->add_option("--history", history_file, "write the call history as Jepsen JSON lines to FILE (one scenario only)");
  run->add_option("--report", report_dir, "write results.json and summary.md into DIR");
  run->add_option("--failures", failures_dir, "where failure files go (default: failures)");
  run->add_flag("-v,--verbose", verbose, "print every expectation and fault");
  run->add_flag("--check-determinism", determinism, "run each scenario twice more and compare every record");
  std::vector<std::string> relocations;
  run->add_option("--relocate", relocations,
                  "an administrator's relocation request FS:NODE@TIME (e.g. fs1:n3@5s), added to every scenario run");

  auto* replay = app.add_subcommand("replay", "re-run a failure file and confirm it reproduces bit for bit");
  std::string replay_file;
  std::optional<std::uint64_t> until;
  std::uint64_t context = 10;
  replay->add_option("file", replay_file, "a failure file written by 'sansim run'")->required();
  replay->add_option("--until-event", until, "stop after N trace records and print the ones before");
  replay->add_option("--trace", trace_file, "write every trace record as JSON lines to FILE");
  replay->add_option("--context", context, "records to print either side (default 10)");

  auto* check_hist = app.add_subcommand(
      "check-history",
      "check a Jepsen JSON-lines register history for linearizability, key by key; exit 0 linearizable, "
      "1 not linearizable, 2 bad input, 3 undecided (a key's search ran out of budget)");
  std::string history_in;
  std::uint64_t budget = Budget{}.max_configurations;
  check_hist->add_option("file", history_in,
                         "a history: sansim's JSON lines ('sansim run --history'), or Jepsen's EDN or log lines")
      ->required();
  std::string initial_value, history_json;
  check_hist->add_option("--initial", initial_value,
                         "every register's initial value: nil or an integer (default: 0 for JSON lines, nil for "
                         "Jepsen's formats)");
  check_hist->add_option("--json", history_json, "also write every key's verdict (and where it fails) to FILE as JSON");
  check_hist->add_option("--budget", budget, "configurations each key's search may explore (default 1000000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));

  auto* prove = app.add_subcommand("prove", "prove protocol rules with Z3 over the model's own tables; exit 0 proved, 1 not");
  std::string theory;
  prove->add_option("what", theory, "what to prove: tokens (the conflict table of §0028, the token sets of §0033)")
      ->required()
      ->check(CLI::IsMember({"tokens"}));

  auto* bench = app.add_subcommand("bench", "measure the engine against its budgets");
  std::string what;
  std::uint64_t events = 20'000'000, messages = 4'000'000;
  bench->add_option("what", what, "what to measure: engine (event loop, LAN, standard scenario), tokens (a token-heavy file-system workload), recovery (metadata-server failover per cluster size) or relocation (KORE during a tape recall, with and without the DMAPI hand-off)")
      ->required()
      ->check(CLI::IsMember({"engine", "tokens", "recovery", "relocation"}));
  std::vector<std::uint64_t> recalls{1, 10, 60, 600};
  bench->add_option("--recall", recalls, "relocation: tape recall latencies in seconds (default 1 10 60 600)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{3600}));
  std::string bench_out = "reports/relocation.md";
  bench->add_option("--out", bench_out, "relocation: where the markdown table goes (default reports/relocation.md)");
  std::vector<std::size_t> recovery_sizes{4, 16, 64, 256};
  bench->add_option("--nodes", recovery_sizes, "recovery: cluster sizes to measure (default 4 16 64 256)")
      ->check(CLI::Range(std::size_t{3}, std::size_t{1024}));
  bench->add_option("--events", events, "timer events to run")->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1} << 40));
  std::string bench_scenario;
  bench->add_option("--scenario", bench_scenario,
                    "the scenario to time (default tests/bench/standard-8-node.yaml for engine, "
                    "tests/bench/token-heavy.yaml for tokens)");
  bench->add_option("--messages", messages, "ping-pong messages to send")->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1} << 40));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (run->parsed()) {
    std::vector<std::optional<std::uint64_t>> seeds{seed};
    if (!seed_range.empty()) {
      try {
        seeds.clear();
        for (std::uint64_t s : parse_seed_range(seed_range)) seeds.push_back(s);
      } catch (const std::invalid_argument& e) {
        std::cerr << "sansim: " << e.what() << "\n";
        return kExitBadInput;
      }
    }
    return cmd_run(paths, seeds, trace_file, history_file, report_dir, failures_dir, verbose, determinism, relocations);
  }
  if (check_hist->parsed()) return cmd_check_history(history_in, budget, initial_value, history_json);
  if (replay->parsed()) return cmd_replay(replay_file, until, trace_file, context);
  if (prove->parsed()) return cmd_prove_tokens();
  if (bench->parsed()) {
    if (what == "recovery") return cmd_bench_recovery(recovery_sizes);
    if (what == "relocation") return cmd_bench_relocation(recalls, bench_out);
    if (what == "tokens")
      return cmd_bench_tokens(bench_scenario.empty() ? std::string(SANSIM_SOURCE_DIR) + "/tests/bench/token-heavy.yaml"
                                                     : bench_scenario);
    return cmd_bench(events, messages,
                     bench_scenario.empty() ? std::string(SANSIM_SOURCE_DIR) + "/tests/bench/standard-8-node.yaml"
                                            : bench_scenario);
  }
  return 2;
}
