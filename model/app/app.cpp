#include "model/app/app.h"

#include <algorithm>
#include <set>

namespace sansim::app {
namespace {

// The first boot of a node: Lan counts incarnations from 1 (every boot and every crash
// adds one), so a node that was never restarted is in incarnation 1.
constexpr std::uint32_t kFirstIncarnation = 1;

// "/a/b/c" -> {"/a", "/a/b"}.
std::vector<std::string> parents(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t at = path.find('/', 1); at != std::string::npos; at = path.find('/', at + 1))
    out.push_back(path.substr(0, at));
  return out;
}

}  // namespace

App::App(Simulation& sim, NodeId self, vnode::FileAccess& files, const Workload& workload, Rng rng)
    : sim_(sim),
      self_(self),
      files_(files),
      rng_(rng),
      incarnation_(sim.incarnation(self)),
      ids_(self, incarnation_) {
  for (const InitialFile& f : workload.files)
    if (f.node == self_) initial_files_.push_back(f);
  for (const CallSpec& c : workload.calls)
    if (c.node == self_) calls_.push_back(c);
  std::stable_sort(calls_.begin(), calls_.end(), [](const CallSpec& a, const CallSpec& b) { return a.at < b.at; });
  for (std::size_t g = 0; g < workload.generators.size(); ++g) {
    const GeneratorSpec& spec = workload.generators[g];
    const auto it = std::find(spec.nodes.begin(), spec.nodes.end(), self_);
    if (it == spec.nodes.end()) continue;
    const std::uint64_t position = static_cast<std::uint64_t>(it - spec.nodes.begin());
    for (std::uint32_t k = 0; k < spec.processes; ++k)
      generators_.push_back(GeneratorProcess{spec, g, position * spec.processes + k});
  }
}

Process& App::process(std::int64_t index) {
  return processes_.emplace_back(sim_, self_, files_, static_cast<std::int64_t>(self_) * kProcsPerNode + index, ids_);
}

void App::start() {
  if (started_) return;
  started_ = true;
  const Time now = sim_.now();
  if (!initial_files_.empty() && incarnation_ == kFirstIncarnation)
    sim_.sched().spawn(self_, run_setup(&process(kSetupProcess)), "app.setup");
  if (std::any_of(calls_.begin(), calls_.end(), [now](const CallSpec& c) { return c.at >= now; }))
    sim_.sched().spawn(self_, run_calls(&process(kCallProcess)), "app.calls");
  const Rng per_boot = rng_.child("incarnation", incarnation_);
  for (std::size_t i = 0; i < generators_.size(); ++i) {
    const GeneratorProcess& g = generators_[i];
    const std::int64_t index = kFirstGeneratorProcess + static_cast<std::int64_t>(i);
    if (g.spec.until <= now) continue;
    sim_.sched().spawn(self_, run_generator(&process(index), g, per_boot.child("process", static_cast<std::uint64_t>(index))),
                       std::string("app.") + to_string(g.spec.kind) + "." + std::to_string(g.generator) + "." +
                           std::to_string(g.slot));
  }
}

Task<xfs::Errno> App::setup_call(Process* p, CallSpec c, bool exist_ok) {
  for (int attempt = 1;; ++attempt) {
    const xfs::Errno e = co_await p->call(c);
    if (e == xfs::Errno::exist && exist_ok) co_return xfs::Errno::ok;
    if (e != xfs::Errno::io || attempt == kSetupAttempts) co_return e;
    co_await sim_.sched().sleep(kSetupRetry);
  }
}

Task<void> App::run_setup(Process* p) {
  std::set<std::pair<std::string, std::string>> made;  // (fs, directory) already made
  for (const InitialFile& f : initial_files_) {
    CallSpec c;
    c.node = self_;
    c.fs = f.fs;
    bool ok = true;
    for (const std::string& dir : parents(f.path)) {
      if (!made.emplace(f.fs, dir).second) continue;
      c.call = Call::mkdir;
      c.path = dir;
      const xfs::Errno e = co_await setup_call(p, c, true);
      ok = ok && e == xfs::Errno::ok;
    }
    if (!ok) continue;  // the failure is in the history; the file cannot be made
    c.call = Call::create;
    c.path = f.path;
    const xfs::Errno created = co_await setup_call(p, c, true);
    if (created != xfs::Errno::ok) continue;
    c.call = Call::write;
    c.mode = vnode::IoMode::buffered;
    for (std::uint64_t at = 0; at < f.size && ok; at += kSetupWriteBytes) {
      c.offset = at;
      c.length = std::min(kSetupWriteBytes, f.size - at);
      const xfs::Errno wrote = co_await setup_call(p, c, false);
      ok = wrote == xfs::Errno::ok;
    }
    if (!ok || f.size == 0) continue;
    c.call = Call::fsync;
    const xfs::Errno synced = co_await setup_call(p, c, false);
    if (synced != xfs::Errno::ok || !f.offline) continue;
    c.call = Call::migrate;
    c.release = true;
    const xfs::Errno migrated = co_await setup_call(p, c, false);
    (void)migrated;  // recorded
  }
}

Task<void> App::run_calls(Process* p) {
  const Time booted = sim_.now();
  for (const CallSpec& c : calls_) {  // calls_ does not change after construction
    if (c.at < booted) continue;      // a call of an earlier incarnation's time
    if (c.at > sim_.now()) co_await sim_.sched().sleep(c.at - sim_.now());
    const xfs::Errno e = co_await p->call(c);
    (void)e;  // recorded
  }
}

Task<void> App::run_generator(Process* p, GeneratorProcess g, Rng rng) {
  CallSource source(g.spec, g.generator, g.slot, rng.child("calls"));
  Rng start = rng.child("start");
  // Spread the processes' first calls over one interval instead of all at `from`.
  const Duration interval = 1'000'000'000 / static_cast<Duration>(g.spec.rate);
  const Time first = std::max(g.spec.from, sim_.now()) + start.uniform(0, interval);
  co_await sim_.sched().sleep(first - sim_.now());
  while (sim_.now() < g.spec.until) {
    CallSpec c = source.next();
    c.node = self_;
    c.at = sim_.now();
    const xfs::Errno e = co_await p->call(std::move(c));
    (void)e;  // recorded; a generator goes on whatever the answer
    const Duration pause = source.pause();
    if (sim_.now() + pause >= g.spec.until) break;
    co_await sim_.sched().sleep(pause);
  }
}

}  // namespace sansim::app
