#include "scenarios/runner.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "checkers/fs_checkers.h"
#include "checkers/history.h"
#include "checkers/jepsen.h"
#include "checkers/membership_checkers.h"
#include "model/cell/cell.h"

namespace sansim {
namespace {

constexpr Duration kDefaultLivenessBound = 5'000'000'000;

std::string node_list(const std::vector<NodeId>& v, const std::vector<std::string>& names) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + names[v[i]];
  return s + "]";
}

// Boots the nodes a scenario starts later (`boot_at`), each at its time.
class LateBoot final : public EventTarget {
 public:
  explicit LateBoot(Simulation& sim) : sim_(sim) {}
  void fire(std::uint64_t node) override { sim_.restart(static_cast<NodeId>(node)); }

 private:
  Simulation& sim_;
};

// Counts how relocations ended: kore.phase end, kore.refused, kore.abort.
class RelocationOutcomes final : public ObservationSink {
 public:
  void on_observation(const Observation& o) override {
    // An end on its own source is a relocation given back (the target could not mount).
    if (o.kind == "kore.phase" && o.text("phase") == "end" && o.integer("target") != o.integer("source")) ++completed;
    else if (o.kind == "kore.refused") ++refused;
    else if (o.kind == "kore.abort") ++abandoned;
  }
  std::uint64_t completed = 0, refused = 0, abandoned = 0;
};

// Counts the memberships delivered (distinct generation and epoch).
class Epochs final : public ObservationSink {
 public:
  void on_observation(const Observation& o) override {
    if (o.kind == "cms.deliver") seen.insert({o.integer("generation"), o.integer("epoch")});
  }
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
};

// Counts what the report shows of file-system activity; observes only.
class FsActivityCounter final : public ObservationSink {
 public:
  explicit FsActivityCounter(RunResult::FsActivity& out) : out_(out) {}
  void on_observation(const Observation& o) override {
    if (o.kind == "app.complete") {
      ++(o.text("result") == xfs::to_string(xfs::Errno::ok) ? out_.calls_ok : out_.calls_failed);
    } else if (o.kind == "token.grant") {
      ++out_.grants;
    } else if (o.kind == "token.recall") {
      ++out_.recalls;
    }
  }

 private:
  RunResult::FsActivity& out_;
};

}  // namespace

std::vector<std::string> default_checkers(const Scenario& sc) {
  std::vector<std::string> names = membership_checker_names();
  if (sc.filesystems.empty()) return names;
  for (const char* n :
       {"token_exclusion", "io_exclusive", "data_coherent", "metadata_coherent", "fsck", "linearizable", "calls_complete",
        "call_errors"})
    names.push_back(n);
  bool leaves = false, relocates = false, dmapi = false;
  for (const FaultSpec& f : sc.faults) {
    if (f.kind == FaultKind::crash || f.kind == FaultKind::partition || f.kind == FaultKind::freeze ||
        (f.kind == FaultKind::command && f.command == "withdraw"))
      leaves = true;
    if (f.kind == FaultKind::command && (f.command.rfind("relocate ", 0) == 0 || f.command.rfind("unmount ", 0) == 0))
      relocates = true;
  }
  for (const cxfs::FsConfig& fs : sc.filesystems) {
    relocates = relocates || fs.failback || fs.balance;
    dmapi = dmapi || fs.dmapi;
  }
  if (leaves) names.insert(names.end(), {"fencing", "recovery_liveness"});
  if (leaves || relocates) names.insert(names.end(), {"one_server", "token_recovery"});
  if (relocates) names.push_back("relocation_liveness");
  if (dmapi) names.push_back("dmapi_transparent");
  return names;
}

std::string judged_summary(const RunResult& r) {
  std::size_t checkers = 0, judging = 0;
  for (const ExpectationResult& e : r.expectations) {
    if (e.checker.empty()) continue;
    ++checkers;
    judging += e.judged.empty() ? 0 : 1;
  }
  return std::to_string(judging) + "/" + std::to_string(checkers);
}

std::optional<std::uint64_t> RunResult::first_violation_index() const {
  std::optional<std::uint64_t> first;
  for (const Violation& v : violations)
    if (!first || v.index < *first) first = v.index;
  return first;
}

RunResult run_scenario(const Scenario& sc, const RunOptions& opt) {
  // Wall time is measured here, outside engine/ and model/, for reporting only.
  const auto wall_start = std::chrono::steady_clock::now();
  RunResult res;
  res.name = sc.name;
  res.file = sc.file;
  res.seed = opt.seed.value_or(sc.seed);
  res.node_names = sc.node_names();

  std::vector<std::string> fs_ids;
  for (const cxfs::FsConfig& f : sc.filesystems) fs_ids.push_back(f.id);
  HistoryRecorder history(fs_ids);  // outlives sim, which holds a pointer to it
  Simulation sim(res.seed, res.node_names, sc.lan);
  if (sc.explore_schedule) sim.sched().shuffle_ties(res.seed);
  for (const auto& p : sc.pair_latency) sim.lan().set_latency(p.a, p.b, p.lo, p.hi);
  sim.storage().configure(sc.storage);  // the loader validated it
  sim.trace().keep_records(opt.keep_records);
  if (opt.trace_stream != nullptr) sim.trace().stream_to(opt.trace_stream, res.node_names);
  if (opt.history_stream != nullptr) sim.subscribe(&history);
  FsActivityCounter activity(res.fs);
  if (!sc.filesystems.empty()) sim.subscribe(&activity);
  for (NodeId n = 0; n < sc.nodes.size(); ++n) sim.set_version_tags(n, sc.nodes[n].version_tags);
  sim.set_factory([&sc](Simulation& s, NodeId n) -> std::unique_ptr<NodeProcess> {
    CellConfig cfg;
    cfg.server_capable = sc.nodes[n].server_capable;
    cfg.os = sc.nodes[n].os;
    cfg.cms = sc.cms;
    cfg.filesystems = sc.filesystems;
    cfg.fs_mutations = sc.fs_mutations;
    cfg.workload = sc.workload;
    cfg.recovery = sc.recovery;
    return std::make_unique<Cell>(s, n, cfg);
  });

  FaultInjector faults(sim, sc.faults);

  // Checkers: the ones named, or those that apply; liveness whenever a bound is given.
  std::vector<std::string> names = sc.expect.checkers.empty() ? default_checkers(sc) : sc.expect.checkers;
  if (sc.expect.stable_within && std::find(names.begin(), names.end(), "liveness") == names.end())
    names.push_back("liveness");
  if (sc.expect.relocation_within && std::find(names.begin(), names.end(), "relocation_liveness") == names.end())
    names.push_back("relocation_liveness");
  CheckerContext ctx{sim, sc.expect.stable_within.value_or(kDefaultLivenessBound), sc.expect.quorum_grace,
                     [&faults] { return faults.last_fault_time(); }, sc.filesystems};
  if (sc.expect.relocation_within) {
    ctx.relocation_bound = *sc.expect.relocation_within;
    ctx.relocation_expected = !sc.expect.relocations_refused;  // a refusal asked for is no violation
  }
  RelocationOutcomes outcomes;
  sim.subscribe(&outcomes);
  Epochs epochs;
  sim.subscribe(&epochs);
  HistoryRecorder calls(fs_ids);  // for `call:` expectations
  if (!sc.expect.calls.empty()) sim.subscribe(&calls);
  std::vector<std::unique_ptr<Checker>> checkers;
  for (const std::string& n : names) {
    std::unique_ptr<Checker> c = make_membership_checker(n, ctx);
    if (c == nullptr) c = make_fs_checker(n, ctx);
    checkers.push_back(std::move(c));
    sim.subscribe(checkers.back().get());
  }

  faults.arm();
  LateBoot late(sim);
  for (NodeId n = 0; n < sc.nodes.size(); ++n) {
    if (sc.nodes[n].boot_at == 0) sim.restart(n);
    else sim.sched().schedule(sc.nodes[n].boot_at, n, TraceKind::timer, &late, n);
  }

  std::optional<TaskFailure> failure;
  try {
    if (opt.stop_at) {
      const std::uint64_t stop = *opt.stop_at;
      sim.sched().run_until([&] { return sim.trace().count() >= stop; }, sc.duration);
    } else {
      sim.sched().run_until(sc.duration);
    }
  } catch (const TaskFailure& f) {
    failure = f;
  }
  const bool stopped_early = opt.stop_at && sim.trace().count() >= *opt.stop_at;
  res.end_time = sim.now();
  if (!stopped_early && !failure)
    for (auto& c : checkers) c->finish(sim.now(), sim.trace().count());

  const bool judged = !stopped_early && !failure;
  for (auto& c : checkers) {
    ExpectationResult e;
    e.text = std::string("checker ") + c->name();
    e.checker = c->name();
    e.judged = c->judged();
    e.vacuous = judged && c->vacuous();
    e.passed = c->violations().empty();
    if (!e.passed) {
      e.detail = c->violations().front().message;
    } else if (e.vacuous) {
      auto ok = sc.expect.vacuous_ok.find(c->name());
      if (ok == sc.expect.vacuous_ok.end()) {
        e.passed = false;
        e.detail = "vacuous: it judged nothing in this run, so its pass would mean nothing; make the scenario "
                   "exercise it, drop it from 'checkers', or say why in 'vacuous_ok'";
      } else {
        e.detail = "judged nothing (vacuous_ok: " + ok->second + ")";
      }
    }
    res.expectations.push_back(e);
    res.violations.insert(res.violations.end(), c->violations().begin(), c->violations().end());
  }
  if (failure) {
    res.violations.push_back(Violation{"invariant", sim.trace().count(), sim.now(), failure->node,
                                       "task '" + failure->task + "' failed: " + failure->what});
    ExpectationResult e;
    e.text = "model invariants hold";
    e.passed = false;
    e.detail = failure->what;
    res.expectations.push_back(e);
  }

  // Final states and membership.
  auto state_of = [&](NodeId n) -> std::string {
    if (!sim.up(n)) return "down";
    auto* cell = dynamic_cast<Cell*>(sim.process(n));
    return cell ? cms::to_string(cell->membership().state()) : "?";
  };
  for (NodeId n = 0; n < sc.nodes.size(); ++n) res.final_states.push_back(state_of(n));
  for (const auto& [n, want] : sc.expect.final_state) {
    ExpectationResult e;
    e.text = "final state of " + sc.nodes[n].id + " is " + want;
    e.passed = res.final_states[n] == want;
    if (!e.passed) e.detail = sc.nodes[n].id + " ended " + res.final_states[n];
    res.expectations.push_back(e);
  }
  if (sc.expect.final_members) {
    ExpectationResult e;
    e.text = "final members are " + node_list(*sc.expect.final_members, res.node_names);
    std::optional<std::vector<NodeId>> seen;
    for (NodeId n = 0; n < sc.nodes.size(); ++n) {
      if (res.final_states[n] != "stable") continue;
      auto* cell = dynamic_cast<Cell*>(sim.process(n));
      std::vector<NodeId> m = cell->membership().membership().members;
      if (!seen) {
        seen = m;
      } else if (*seen != m) {
        e.passed = false;
        e.detail = "stable nodes disagree: " + node_list(*seen, res.node_names) + " and " + node_list(m, res.node_names);
      }
    }
    if (e.passed && (!seen || *seen != *sc.expect.final_members)) {
      e.passed = false;
      e.detail = seen ? "the stable membership is " + node_list(*seen, res.node_names) : "no node is stable";
    }
    res.expectations.push_back(e);
  }

  for (const auto& [fs, want] : sc.expect.final_server) {
    ExpectationResult e;
    const std::string& id = sc.filesystems[fs].id;
    e.text = "final server of " + id + " is " + sc.nodes[want].id;
    std::vector<NodeId> serving;
    for (NodeId n = 0; n < sc.nodes.size(); ++n) {
      auto* cell = sim.up(n) ? dynamic_cast<Cell*>(sim.process(n)) : nullptr;
      if (cell != nullptr && cell->cxfs() != nullptr && cell->cxfs()->live_server(static_cast<std::uint32_t>(fs)) != nullptr)
        serving.push_back(n);
    }
    e.passed = serving == std::vector<NodeId>{want};
    if (!e.passed) e.detail = id + " is served by " + node_list(serving, res.node_names) + " at the end";
    res.expectations.push_back(e);
  }
  const auto outcome = [&](const char* how, std::optional<std::uint64_t> want, std::uint64_t got) {
    if (!want) return;
    ExpectationResult e;
    e.text = std::to_string(*want) + " relocation(s) " + how;
    e.passed = got == *want;
    if (!e.passed) e.detail = std::to_string(got) + " " + how;
    res.expectations.push_back(e);
  };
  for (const Expectations::CallExpectation& want : sc.expect.calls) {
    ExpectationResult e;
    e.text = "call " + want.text + " returns " + want.result;
    // The call: the first matching one invoked at or after `at`, else the last.
    const auto find = [&](NodeId node, const std::string& call, const std::string& path,
                          std::optional<Duration> at) -> const CallRecord* {
      const CallRecord* found = nullptr;
      for (const CallRecord& c : calls.calls()) {
        if (c.node != node || c.call != call || c.path != path) continue;
        if (at && c.invoke_time < *at) continue;
        found = &c;
        if (at) break;
      }
      return found;
    };
    const CallRecord* c = find(want.node, want.call, want.path, want.at);
    if (c == nullptr) {
      e.passed = false;
      e.detail = "no such call was made";
    } else if (!c->completed) {
      e.passed = false;
      e.detail = "it never completed";
    } else if (c->result != want.result) {
      e.passed = false;
      e.detail = "it returned " + c->result;
    } else if (want.returns_write) {
      const CallRecord* w = find(want.returns_write->first, "write", want.path, want.returns_write->second);
      e.text += " and the data of the write at " + format_duration(want.returns_write->second);
      if (w == nullptr) {
        e.passed = false;
        e.detail = "no such write was made";
      } else {
        for (std::int64_t b = std::max(c->block, w->block); b < std::min(c->block + c->blocks, w->block + w->blocks); ++b) {
          const std::int64_t got = c->read[static_cast<std::size_t>(b - c->block)];
          const std::int64_t stamp = w->written[static_cast<std::size_t>(b - w->block)];
          if (got != stamp && e.passed) {
            e.passed = false;
            e.detail = "block " + std::to_string(b) + " read " + std::to_string(got) + ", the write wrote " + std::to_string(stamp);
          }
        }
        if (e.passed && (c->block + c->blocks <= w->block || w->block + w->blocks <= c->block)) {
          e.passed = false;
          e.detail = "the read and the write cover no common block";
        }
      }
    } else if (want.mtime_latest) {
      e.text += " with the latest mtime";
      Time latest = 0;
      for (const CallRecord& w : calls.calls())
        if (w.path == want.path && w.is_write() && w.ok() && w.complete_index < c->invoke_index)
          latest = std::max(latest, w.invoke_time);
      if (!c->mtime || *c->mtime < latest) {
        e.passed = false;
        e.detail = "mtime " + (c->mtime ? format_duration(*c->mtime) : std::string("none")) +
                   ", older than the start of the latest write completed before it (" + format_duration(latest) + ")";
      }
    }
    res.expectations.push_back(e);
  }
  if (sc.expect.epochs_at_most) {
    ExpectationResult e;
    e.text = "at most " + std::to_string(*sc.expect.epochs_at_most) + " memberships delivered";
    e.passed = epochs.seen.size() <= *sc.expect.epochs_at_most;
    if (!e.passed) e.detail = std::to_string(epochs.seen.size()) + " were delivered";
    res.expectations.push_back(e);
  }
  outcome("completed", sc.expect.relocations_completed, outcomes.completed);
  outcome("refused", sc.expect.relocations_refused, outcomes.refused);
  outcome("abandoned", sc.expect.relocations_abandoned, outcomes.abandoned);

  for (const auto& e : res.expectations) res.passed = res.passed && e.passed;
  res.hash = sim.trace().hash();
  res.events = sim.trace().count();
  res.steps = sim.sched().steps();
  res.lan = sim.lan().stats();
  res.checkpoints = sim.trace().checkpoints();
  res.digests = sim.trace().digests();
  res.recent = sim.trace().recent();
  if (opt.keep_records) res.records = sim.trace().records();
  res.faults = faults.applied();
  if (opt.history_stream != nullptr)
    write_jepsen(*opt.history_stream, history.history(), HistoryEnd{sim.trace().count(), sim.now()});
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return res;
}

}  // namespace sansim
