// model/app: the stamp format (round trip, torn and misplaced blocks), the generators'
// call sequences (a function of the seed alone, whole blocks inside the file), and App
// on a simulated cluster against an in-memory file system: explicit calls at their
// times, the app.invoke / app.complete records, initial files, restarts.
#define BOOST_TEST_MODULE app
#include <boost/test/unit_test.hpp>
#include <rapidcheck.h>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "model/app/app.h"
#include "model/app/generator.h"
#include "model/app/stamp.h"

using namespace sansim;
using namespace sansim::app;
using namespace sansim::literals;
using xfs::Errno;
using xfs::Ino;

namespace {

// A file system in one map, shared by every node of the test cluster (a fake: the real
// one lives in model/cxfs). Every call takes 1ms; until `down_until` every call answers
// EIO, as a file system without a server does.
class FakeFs final : public vnode::FileAccess {
 public:
  explicit FakeFs(Simulation& sim) : sim_(sim) {}

  Time down_until = 0;
  std::map<Ino, int> open_count;  // per inode
  int opens = 0, closes = 0;

  Task<xfs::Result<Ino>> lookup(std::string fs, std::string path) override {
    co_await sim_.sched().sleep(1_ms);
    if (down()) co_return xfs::Result<Ino>{Errno::io, 0};
    auto it = names_.find(fs + path);
    if (it == names_.end()) co_return xfs::Result<Ino>{Errno::noent, 0};
    co_return xfs::Result<Ino>{Errno::ok, it->second};
  }
  Task<xfs::Result<Ino>> create(std::string fs, std::string path) override {
    co_await sim_.sched().sleep(1_ms);
    co_return make(fs, path, false);
  }
  Task<xfs::Result<Ino>> mkdir(std::string fs, std::string path) override {
    co_await sim_.sched().sleep(1_ms);
    co_return make(fs, path, true);
  }
  Task<Errno> unlink(std::string fs, std::string path) override {
    co_await sim_.sched().sleep(1_ms);
    if (down()) co_return Errno::io;
    co_return names_.erase(fs + path) == 1 ? Errno::ok : Errno::noent;
  }
  Task<Errno> rename(std::string fs, std::string from, std::string to) override {
    co_await sim_.sched().sleep(1_ms);
    if (down()) co_return Errno::io;
    auto it = names_.find(fs + from);
    if (it == names_.end()) co_return Errno::noent;
    const Ino ino = it->second;
    names_.erase(it);
    names_[fs + to] = ino;
    co_return Errno::ok;
  }
  Task<xfs::Result<vnode::Stat>> getattr(std::string fs, std::string path) override {
    co_await sim_.sched().sleep(1_ms);
    if (down()) co_return xfs::Result<vnode::Stat>{Errno::io, {}};
    auto it = names_.find(fs + path);
    if (it == names_.end()) co_return xfs::Result<vnode::Stat>{Errno::noent, {}};
    vnode::Stat st;
    st.ino = it->second;
    st.size = data_[it->second].size();
    st.mtime = mtime_[it->second];
    co_return xfs::Result<vnode::Stat>{Errno::ok, st};
  }
  Task<Errno> setattr(std::string fs, std::string path, xfs::SetAttr attrs) override {
    co_await sim_.sched().sleep(1_ms);
    auto it = names_.find(fs + path);
    if (it == names_.end()) co_return Errno::noent;
    if (attrs.mtime) mtime_[it->second] = *attrs.mtime;
    co_return Errno::ok;
  }
  Task<Errno> truncate(std::string fs, std::string path, std::uint64_t size) override {
    co_await sim_.sched().sleep(1_ms);
    auto it = names_.find(fs + path);
    if (it == names_.end()) co_return Errno::noent;
    data_[it->second].resize(size);
    co_return Errno::ok;
  }
  Task<Errno> open(std::string, Ino ino) override {
    co_await sim_.sched().sleep(1_ms);
    ++open_count[ino];
    ++opens;
    co_return Errno::ok;
  }
  Task<Errno> close(std::string, Ino ino) override {
    co_await sim_.sched().sleep(1_ms);
    --open_count[ino];
    ++closes;
    co_return Errno::ok;
  }
  Task<Errno> read(std::string, Ino ino, std::uint64_t offset, std::uint64_t length, vnode::IoMode,
                   Bytes& out) override {
    co_await sim_.sched().sleep(1_ms);
    if (open_count[ino] <= 0) co_return Errno::inval;
    const Bytes& d = data_[ino];
    out.clear();
    if (offset < d.size())
      out.assign(d.begin() + static_cast<std::ptrdiff_t>(offset),
                 d.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(d.size(), offset + length)));
    co_return Errno::ok;
  }
  Task<Errno> write(std::string, Ino ino, std::uint64_t offset, Bytes data, vnode::IoMode) override {
    co_await sim_.sched().sleep(1_ms);
    if (down()) co_return Errno::io;
    if (open_count[ino] <= 0) co_return Errno::inval;
    Bytes& d = data_[ino];
    if (d.size() < offset + data.size()) d.resize(offset + data.size());
    std::copy(data.begin(), data.end(), d.begin() + static_cast<std::ptrdiff_t>(offset));
    mtime_[ino] = sim_.now();
    co_return Errno::ok;
  }
  Task<Errno> fsync(std::string, Ino ino) override {
    co_await sim_.sched().sleep(1_ms);
    co_return open_count[ino] > 0 ? Errno::ok : Errno::inval;
  }
  Task<Errno> migrate(std::string fs, std::string path, bool) override {
    co_await sim_.sched().sleep(1_ms);
    co_return names_.count(fs + path) != 0 ? Errno::ok : Errno::noent;
  }

  bool has(const std::string& key) const { return names_.count(key) != 0; }

 private:
  bool down() const { return sim_.now() < down_until; }
  xfs::Result<Ino> make(const std::string& fs, const std::string& path, bool dir) {
    if (down()) return {Errno::io, 0};
    if (names_.count(fs + path) != 0) return {Errno::exist, 0};
    const std::string parent = path.substr(0, path.rfind('/'));
    if (!parent.empty() && dirs_.count(fs + parent) == 0) return {Errno::noent, 0};
    const Ino ino = next_++;
    names_[fs + path] = ino;
    if (dir) dirs_.insert(fs + path);
    return {Errno::ok, ino};
  }

  Simulation& sim_;
  std::map<std::string, Ino> names_;
  std::set<std::string> dirs_;
  std::map<Ino, Bytes> data_;
  std::map<Ino, std::int64_t> mtime_;
  Ino next_ = 2;
};

// A node that runs only its App.
class AppNode final : public NodeProcess {
 public:
  AppNode(Simulation& sim, NodeId self, FakeFs& fs, const Workload& w) : app_(sim, self, fs, w, sim.rng("app", self)) {}
  void start() override { app_.start(); }
  bool command(const std::string&) override { return false; }

 private:
  App app_;
};

struct Recorded final : ObservationSink {
  std::vector<Observation> obs;
  void on_observation(const Observation& o) override {
    if (o.kind.rfind("app.", 0) == 0) obs.push_back(o);
  }
  std::vector<Observation> of(const std::string& kind) const {
    std::vector<Observation> out;
    for (const Observation& o : obs)
      if (o.kind == kind) out.push_back(o);
    return out;
  }
  // The complete of the call invoked by `invoke`.
  const Observation* completion(const Observation& invoke) const {
    for (const Observation& o : obs)
      if (o.kind == "app.complete" && o.integer("op") == invoke.integer("op")) return &o;
    return nullptr;
  }
};

// A cluster of `nodes` nodes, each running an App over one shared FakeFs.
struct Cluster {
  Simulation sim;
  FakeFs fs{sim};
  Recorded rec;
  Workload w;

  Cluster(std::uint64_t seed, std::size_t nodes, Workload workload)
      : sim(seed, names(nodes), LanOptions{}), w(std::move(workload)) {
    sim.subscribe(&rec);
    sim.set_factory([this](Simulation& s, NodeId n) -> std::unique_ptr<NodeProcess> {
      return std::make_unique<AppNode>(s, n, fs, w);
    });
    sim.boot_all();
  }
  static std::vector<std::string> names(std::size_t n) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back("n" + std::to_string(i + 1));
    return v;
  }
};

CallSpec call(Time at, NodeId node, Call c, std::string path) {
  CallSpec s;
  s.at = at;
  s.node = node;
  s.call = c;
  s.fs = "fs1";
  s.path = std::move(path);
  return s;
}

GeneratorSpec generator(GeneratorKind kind, std::vector<NodeId> nodes) {
  GeneratorSpec g;
  g.kind = kind;
  g.fs = "fs1";
  g.nodes = std::move(nodes);
  g.files = 4;
  g.processes = 2;
  g.rate = 50;
  g.until = 2_s;
  g.modes = {vnode::IoMode::buffered, vnode::IoMode::direct, vnode::IoMode::mapped};
  return g;
}

// Everything a run recorded, as one comparable text.
std::string transcript(const Recorded& r) {
  std::string s;
  for (const Observation& o : r.obs)
    s += std::to_string(o.time) + " " + std::to_string(o.node) + " " + o.kind + " " + render_fields(o) + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stamps)

RC_BOOST_PROP(a_stamped_block_reads_back_its_stamp, ()) {
  const std::int64_t stamp = *rc::gen::inRange<std::int64_t>(1, INT64_MAX);
  const std::uint64_t block = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  const std::uint64_t count = *rc::gen::inRange<std::uint64_t>(1, 5);
  const Bytes data = stamped_blocks(stamp, block, count);
  RC_ASSERT(data.size() == count * kBlockSize);
  RC_ASSERT(read_stamps(data, block, count) == std::vector<std::int64_t>(count, stamp));
}

RC_BOOST_PROP(a_block_torn_at_a_sector_or_misplaced_reads_torn, ()) {
  const std::int64_t a = *rc::gen::inRange<std::int64_t>(1, INT64_MAX);
  const std::int64_t b = *rc::gen::distinctFrom(rc::gen::inRange<std::int64_t>(1, INT64_MAX), a);
  const std::uint64_t block = *rc::gen::inRange<std::uint64_t>(0, 1000);
  const std::size_t sectors = *rc::gen::inRange<std::size_t>(1, kBlockSize / 512);
  Bytes torn = stamped_blocks(a, block, 1);
  const Bytes other = stamped_blocks(b, block, 1);
  std::copy(other.begin() + static_cast<std::ptrdiff_t>(sectors * 512), other.end(),
            torn.begin() + static_cast<std::ptrdiff_t>(sectors * 512));
  RC_ASSERT(read_stamp(torn, block) == kTornBlock);
  Bytes half_zero = stamped_blocks(a, block, 1);
  std::fill(half_zero.begin() + static_cast<std::ptrdiff_t>(sectors * 512), half_zero.end(), std::uint8_t{0});
  RC_ASSERT(read_stamp(half_zero, block) == kTornBlock);
  // The right stamp at the wrong place in the file.
  RC_ASSERT(read_stamp(stamped_blocks(a, block + 1, 1), block) == kTornBlock);
}

BOOST_AUTO_TEST_CASE(zeros_short_reads_and_odd_sizes) {
  const Bytes zeros(kBlockSize, 0);
  BOOST_TEST(read_stamp(zeros, 7) == kZeroBlock);
  BOOST_TEST(read_stamp(std::span<const std::uint8_t>(zeros).first(100), 7) == kTornBlock);
  // Two blocks asked for, one and a half present: the second is half a stamp, half zeros.
  const Bytes two = stamped_blocks(9, 4, 2);
  const std::span<const std::uint8_t> short_read(two.data(), kBlockSize + kBlockSize / 2);
  BOOST_TEST(read_stamps(short_read, 4, 3) == (std::vector<std::int64_t>{9, kTornBlock, kZeroBlock}));
  Bytes bad(kBlockSize);
  BOOST_CHECK_THROW(stamp_block(bad, 0, 1), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(generators)

// The calls and pauses a process of `g` would make, as text.
std::vector<std::string> script(const GeneratorSpec& g, std::uint64_t seed, int n) {
  CallSource src(g, 3, 1, Rng(seed));
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(describe(src.next()));
    out.push_back(std::to_string(src.pause()));
  }
  return out;
}

std::vector<CallSpec> draw(const GeneratorSpec& g, std::uint64_t seed, int n) {
  CallSource src(g, 3, 1, Rng(seed));
  std::vector<CallSpec> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(src.next());
    out.back().at = src.pause();  // keep the pauses in the comparison
  }
  return out;
}

BOOST_AUTO_TEST_CASE(same_seed_same_calls_other_seed_other_calls) {
  for (GeneratorKind k : {GeneratorKind::mixed, GeneratorKind::hot, GeneratorKind::sequential}) {
    const GeneratorSpec g = generator(k, {0, 1});
    BOOST_TEST((script(g, 5, 300) == script(g, 5, 300)), to_string(k));
    BOOST_TEST((script(g, 5, 300) != script(g, 6, 300)), to_string(k));
  }
}

BOOST_AUTO_TEST_CASE(calls_stay_inside_their_files_in_whole_blocks) {
  for (GeneratorKind k : {GeneratorKind::mixed, GeneratorKind::hot, GeneratorKind::sequential}) {
    GeneratorSpec g = generator(k, {0});
    g.size = 3 * kBlockSize;
    g.file_size = 16 * kBlockSize;  // not a multiple of size: sequential's last call is short
    const std::vector<CallSpec> calls = draw(g, 11, 400);
    BOOST_TEST((calls[0].call == Call::create));
    std::set<Call> seen;
    for (const CallSpec& c : calls) {
      seen.insert(c.call);
      BOOST_TEST(c.fs == "fs1");
      BOOST_TEST((c.at >= 10_ms && c.at <= 30_ms));  // pause around 1s / 50
      if (c.call != Call::read && c.call != Call::write) continue;
      BOOST_TEST(c.offset % kBlockSize == 0u);
      BOOST_TEST(c.length % kBlockSize == 0u);
      BOOST_TEST(c.length > 0u);
      BOOST_TEST(c.offset + c.length <= g.file_size);
    }
    if (k == GeneratorKind::hot) BOOST_TEST((seen == std::set<Call>{Call::create, Call::read, Call::write}));
    if (k == GeneratorKind::mixed) BOOST_TEST(seen.size() == 6u);  // read write create unlink rename stat
  }
  // Sequential: front to back writing, then reading, then writing again.
  GeneratorSpec g = generator(GeneratorKind::sequential, {0});
  g.size = 2 * kBlockSize;
  g.file_size = 4 * kBlockSize;
  const std::vector<CallSpec> calls = draw(g, 1, 6);
  BOOST_TEST(calls[1].path == "/seq3.1");
  BOOST_TEST((calls[1].call == Call::write && calls[1].offset == 0u));
  BOOST_TEST((calls[2].call == Call::write && calls[2].offset == 2u * kBlockSize));
  BOOST_TEST((calls[3].call == Call::read && calls[3].offset == 0u));
  BOOST_TEST((calls[5].call == Call::write && calls[5].offset == 0u));
}

BOOST_AUTO_TEST_CASE(mix_weights_choose_the_calls) {
  GeneratorSpec hot = generator(GeneratorKind::hot, {0});
  hot.mix = Mix{0, 1, 0, 0, 0, 0};  // a writer only
  const std::vector<CallSpec> writes = draw(hot, 2, 50);
  for (std::size_t i = 1; i < writes.size(); ++i) BOOST_TEST((writes[i].call == Call::write));

  GeneratorSpec g = generator(GeneratorKind::mixed, {0});
  g.mix = Mix{0, 0, 0, 0, 1, 0};
  const std::vector<CallSpec> calls = draw(g, 2, 50);
  for (std::size_t i = 1; i < calls.size(); ++i) {
    BOOST_TEST((calls[i].call == Call::rename));
    BOOST_TEST(calls[i].path2.rfind("/mix3.", 0) == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(app)

BOOST_AUTO_TEST_CASE(explicit_calls_run_at_their_times_and_are_recorded) {
  Workload w;
  CallSpec wr = call(2_s, 1, Call::write, "/a");
  wr.offset = 2 * kBlockSize;
  wr.length = 2 * kBlockSize;
  wr.mode = vnode::IoMode::direct;
  CallSpec rd = call(3_s, 0, Call::read, "/a");
  rd.length = 4 * kBlockSize;
  rd.mode = vnode::IoMode::mapped;
  CallSpec mv = call(4_s, 0, Call::rename, "/a");
  mv.path2 = "/b";
  CallSpec tr = call(4500_ms, 1, Call::truncate, "/b");
  tr.size = kBlockSize;
  w.calls = {call(1_s, 0, Call::create, "/a"), wr, rd, mv, call(5_s, 1, Call::stat, "/b"),
             call(5_s, 1, Call::read, "/a"), tr};
  Cluster c(1, 2, w);
  c.sim.sched().run_until(10_s);

  const auto invokes = c.rec.of("app.invoke");
  BOOST_REQUIRE_EQUAL(invokes.size(), 7u);
  BOOST_TEST(c.rec.of("app.complete").size() == 7u);
  // Each call starts at its time, except the one queued behind the stat on n2.
  std::vector<Time> times;
  for (const auto& o : invokes) times.push_back(o.time);
  BOOST_TEST(times[0] == 1_s);
  BOOST_TEST(times[1] == 2_s + 2_ms);  // lookup and open come before the invoke
  BOOST_TEST(times[2] == 3_s + 2_ms);
  BOOST_TEST(times[3] == 4_s);
  BOOST_TEST(times[4] == 4500_ms + 1_ms);  // truncate looks the inode up first
  BOOST_TEST(times[5] == 5_s);
  BOOST_TEST(times[6] == 5_s + 1_ms + 1_ms);  // n2's read waits for its stat; its lookup fails at once

  const Observation& w1 = invokes[1];
  BOOST_TEST(w1.node == 1u);
  BOOST_TEST(w1.integer("proc") == 1 * kProcsPerNode + kCallProcess);
  BOOST_TEST(w1.text("call") == "write");
  BOOST_TEST(w1.text("mode") == "direct");
  BOOST_TEST(w1.text("path") == "/fs1/a");
  BOOST_TEST(w1.integer("ino") == 2);
  BOOST_TEST(w1.integer("block") == 2);
  BOOST_TEST(w1.integer("blocks") == 2);
  const std::int64_t stamp = w1.integer("op");
  BOOST_TEST(stamp > 0);
  BOOST_TEST(w1.list("value") == (std::vector<std::int64_t>{stamp, stamp}));

  const Observation* read_done = c.rec.completion(invokes[2]);
  BOOST_REQUIRE(read_done != nullptr);
  BOOST_TEST(invokes[2].text("mode") == "mapped");
  BOOST_TEST(read_done->text("result") == "ok");
  BOOST_TEST(read_done->integer("proc") == 0 * kProcsPerNode + kCallProcess);
  BOOST_TEST(read_done->list("value") == (std::vector<std::int64_t>{0, 0, stamp, stamp}));

  BOOST_TEST(invokes[3].text("to") == "/fs1/b");
  BOOST_TEST(invokes[4].integer("ino") == 2);
  BOOST_TEST(invokes[4].integer("size") == kBlockSize);
  const Observation* stat_done = c.rec.completion(invokes[5]);
  BOOST_TEST(stat_done->integer("size") == 1 * kBlockSize);  // truncated at 4.5s
  BOOST_TEST(stat_done->integer("mtime") == 2_s + 3_ms);
  const Observation* missing = c.rec.completion(invokes[6]);
  BOOST_TEST(missing->text("result") == "ENOENT");
  BOOST_TEST(invokes[6].integer("ino") == 0);
  BOOST_TEST(invokes[6].integer("blocks") == 1);
  BOOST_TEST(c.fs.opens == c.fs.closes);
}

BOOST_AUTO_TEST_CASE(generators_are_a_function_of_the_seed) {
  Workload w;
  w.generators = {generator(GeneratorKind::mixed, {0, 1, 2}), generator(GeneratorKind::hot, {1, 2})};
  w.generators[1].from = 500_ms;
  auto run = [&](std::uint64_t seed) {
    Cluster c(seed, 3, w);
    c.sim.sched().run_until(3_s);
    return std::make_pair(transcript(c.rec), c.rec.obs);
  };
  const auto [a, obs] = run(4);
  const auto [b, unused] = run(4);
  const auto [other, unused2] = run(5);
  BOOST_TEST(a == b);
  BOOST_TEST(a != other);
  // 10 processes at about 50 calls/s for 1.5-2s: many calls, ids unique, within the window.
  std::set<std::int64_t> ops, procs;
  int invokes = 0;
  for (const Observation& o : obs) {
    if (o.kind != "app.invoke") continue;
    ++invokes;
    BOOST_TEST(ops.insert(o.integer("op")).second);
    procs.insert(o.integer("proc"));
    BOOST_TEST(o.time < 2_s + 5_ms);
    const std::string path = o.text("path");
    BOOST_TEST((path.rfind("/fs1/mix0.", 0) == 0 || path == "/fs1/hot1"), path);
    if (path == "/fs1/hot1") BOOST_TEST(o.time >= 500_ms);
  }
  BOOST_TEST(invokes > 500);
  BOOST_TEST(procs == (std::set<std::int64_t>{2, 3, 1002, 1003, 1004, 1005, 2002, 2003, 2004, 2005}));
}

BOOST_AUTO_TEST_CASE(initial_files_are_made_with_retries_and_hold_stamps) {
  Workload w;
  w.files = {InitialFile{0, "fs1", "/d/e/f", 70 * kBlockSize}, InitialFile{0, "fs1", "/d/g", 0}};
  CallSpec rd = call(5_s, 1, Call::read, "/d/e/f");
  rd.offset = 63 * kBlockSize;
  rd.length = 2 * kBlockSize;
  w.calls = {rd};
  Cluster c(1, 2, w);
  c.fs.down_until = 250_ms;  // no file system for a while: the setup retries
  c.sim.sched().run_until(10_s);

  BOOST_TEST(c.fs.has("fs1/d/g"));
  std::vector<std::string> made;
  std::int64_t failed = 0;
  std::vector<std::int64_t> write_ops;
  for (const Observation& o : c.rec.of("app.invoke")) {
    if (o.integer("proc") != kSetupProcess) continue;
    const Observation* done = c.rec.completion(o);
    BOOST_REQUIRE(done != nullptr);
    if (done->text("result") == "EIO") {
      ++failed;
      continue;
    }
    made.push_back(o.text("call") + " " + o.text("path"));
    if (o.text("call") == "write") write_ops.push_back(o.integer("op"));
  }
  BOOST_TEST(failed == 3);  // the attempts at 0, 101ms and 202ms; the one at 303ms works
  BOOST_TEST(made == (std::vector<std::string>{"mkdir /fs1/d", "mkdir /fs1/d/e", "create /fs1/d/e/f",
                                              "write /fs1/d/e/f", "write /fs1/d/e/f", "fsync /fs1/d/e/f",
                                              "create /fs1/d/g"}));
  BOOST_REQUIRE_EQUAL(write_ops.size(), 2u);
  const Observation* done = c.rec.completion(c.rec.of("app.invoke").back());
  BOOST_REQUIRE(done != nullptr);
  BOOST_TEST(done->list("value") == (std::vector<std::int64_t>{write_ops[0], write_ops[1]}));
}

BOOST_AUTO_TEST_CASE(a_restarted_node_skips_past_calls_and_never_reuses_a_call_id) {
  Workload w;
  w.files = {InitialFile{0, "fs1", "/f", kBlockSize}};
  w.calls = {call(1_s, 0, Call::stat, "/f"), call(3_s, 0, Call::stat, "/f"), call(4_s, 0, Call::stat, "/f")};
  GeneratorSpec g = generator(GeneratorKind::hot, {0});
  g.processes = 1;
  g.until = 5_s;
  w.generators = {g};
  Cluster c(1, 1, w);
  c.sim.sched().run_until(2_s);
  c.sim.crash(0);
  c.sim.sched().run_until(3500_ms);
  c.sim.restart(0);
  c.sim.sched().run_until(6_s);

  std::set<std::int64_t> ops;
  int setups = 0, stats = 0, after_restart = 0;
  for (const Observation& o : c.rec.of("app.invoke")) {
    BOOST_TEST(ops.insert(o.integer("op")).second);
    if (o.integer("proc") == kSetupProcess) ++setups;
    if (o.text("call") == "stat") ++stats;
    if (o.time >= 3500_ms && o.integer("proc") == kFirstGeneratorProcess) ++after_restart;
  }
  BOOST_TEST(setups == 3);  // create, write, fsync: once, not again after the restart
  BOOST_TEST(stats == 2);   // 1s, then 4s; the 3s call fell while the node was down
  BOOST_TEST(after_restart > 20);  // the generator resumed
}

BOOST_AUTO_TEST_SUITE_END()
