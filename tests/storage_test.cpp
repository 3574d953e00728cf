#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "engine/faults.h"
#include "engine/scheduler.h"
#include "engine/sim/concat_volume.h"
#include "engine/sim/disk.h"
#include "engine/sim/fabric.h"
#include "engine/sim/storage.h"

using namespace sansim;
using namespace sansim::literals;

namespace sansim {
std::ostream& operator<<(std::ostream& os, IoStatus s) { return os << to_string(s); }
}  // namespace sansim

namespace {

// A block whose every sector is different, so a torn block shows which sectors landed.
Bytes pattern(std::uint8_t v, std::size_t blocks = 1) {
  Bytes b(blocks * kBlockSize);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(v + i / kSectorSize);
  return b;
}

Bytes durable_of(const Disk& d, std::uint64_t block) {
  Bytes b(kBlockSize);
  d.durable(block, b);
  return b;
}

Bytes inspect_of(const Disk& d, std::uint64_t block) {
  Bytes b(kBlockSize);
  d.inspect(block, b);
  return b;
}

struct Outcome {
  std::optional<IoStatus> status;
  Time at = -1;
};

Task<void> record(Task<IoStatus> io, Outcome* out, Scheduler* s) {
  const IoStatus st = co_await io;
  out->status = st;
  out->at = s->now();
}

// Two nodes, two disks of 16 blocks, a volume per disk and one concatenating both.
// Paths: 1ms latency, 1000 blocks per second (one block transfers in 1ms).
struct Rig {
  Trace trace;
  Scheduler sched{trace};
  Storage storage{sched, Rng(7), 2};
  std::vector<FabricWrite> observed;

  Rig() {
    StorageSpec spec;
    spec.disks = {{"d1", 16}, {"d2", 16}};
    spec.fabric = {1_ms, 1000ull * kBlockSize};
    spec.volumes = {{"v1", {"d1"}}, {"v2", {"d2"}}, {"both", {"d1", "d2"}}};
    storage.configure(spec);
    fabric().set_write_observer([this](const FabricWrite& w) { observed.push_back(w); });
  }
  Fabric& fabric() { return storage.fabric(); }
  Disk& d1() { return *storage.disk("d1"); }
  Disk& d2() { return *storage.disk("d2"); }
  Volume& v(const char* name) { return *storage.volume(name); }

  // Starts an I/O now as a task of `node`; its outcome fills in when it completes.
  Outcome* start(NodeId node, Task<IoStatus> io) {
    outcomes.push_back(std::make_unique<Outcome>());
    Outcome* o = outcomes.back().get();
    sched.spawn(node, record(std::move(io), o, &sched), "io");
    return o;
  }
  void settle() { sched.run_until([] { return false; }, sched.now() + 10_s); }
  IoStatus run(NodeId node, Task<IoStatus> io) {
    Outcome* o = start(node, std::move(io));
    settle();
    BOOST_REQUIRE(o->status.has_value());
    return *o->status;
  }

  std::vector<std::unique_ptr<Outcome>> outcomes;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(disk)

BOOST_AUTO_TEST_CASE(unwritten_blocks_read_as_zeros) {
  Disk d("d", 4);
  Bytes out(2 * kBlockSize, 0xff);
  BOOST_TEST(d.read(1, out) == IoStatus::ok);
  BOOST_TEST(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
  BOOST_TEST(d.read(3, out) == IoStatus::out_of_range);
  Bytes odd(100);
  BOOST_TEST(d.read(0, odd) == IoStatus::out_of_range);
}

BOOST_AUTO_TEST_CASE(flush_makes_cached_writes_survive_power_loss) {
  Disk d("d", 8);
  Rng rng(1);
  BOOST_TEST(d.write(2, pattern(10)) == IoStatus::ok);
  BOOST_TEST(inspect_of(d, 2) == pattern(10));
  BOOST_TEST(durable_of(d, 2) == Bytes(kBlockSize, 0));
  d.flush();
  BOOST_TEST(durable_of(d, 2) == pattern(10));
  BOOST_TEST(d.cached_writes() == 0u);
  for (int i = 0; i < 20; ++i) {
    BOOST_TEST(d.write(3, pattern(static_cast<std::uint8_t>(i))) == IoStatus::ok);
    d.power_loss(rng);
    BOOST_TEST(durable_of(d, 2) == pattern(10));
  }
}

BOOST_AUTO_TEST_CASE(power_loss_drops_applies_or_tears_each_write) {
  // 64 blocks written once over an old flushed pattern: each ends old, new, or a prefix
  // of new sectors over old ones; with this seed all three fates occur.
  Disk d("d", 64);
  for (std::uint64_t b = 0; b < 64; ++b) BOOST_REQUIRE(d.write(b, pattern(100)) == IoStatus::ok);
  d.flush();
  for (std::uint64_t b = 0; b < 64; ++b) BOOST_REQUIRE(d.write(b, pattern(200)) == IoStatus::ok);
  Rng rng(42);
  d.power_loss(rng);
  BOOST_TEST(d.cached_writes() == 0u);
  int dropped = 0, applied = 0, torn = 0;
  const Bytes old = pattern(100), fresh = pattern(200);
  for (std::uint64_t b = 0; b < 64; ++b) {
    const Bytes got = durable_of(d, b);
    BOOST_TEST(got == inspect_of(d, b));
    std::size_t prefix = 0;
    while (prefix < kBlockSize / kSectorSize &&
           std::equal(got.begin() + prefix * kSectorSize, got.begin() + (prefix + 1) * kSectorSize,
                      fresh.begin() + prefix * kSectorSize))
      ++prefix;
    BOOST_TEST(std::equal(got.begin() + prefix * kSectorSize, got.end(), old.begin() + prefix * kSectorSize));
    if (prefix == 0) ++dropped;
    else if (prefix == kBlockSize / kSectorSize) ++applied;
    else ++torn;
  }
  BOOST_TEST(dropped > 0);
  BOOST_TEST(applied > 0);
  BOOST_TEST(torn > 0);
}

BOOST_AUTO_TEST_CASE(power_loss_outcome_is_a_function_of_the_seed) {
  auto run = [](std::uint64_t seed) {
    Disk d("d", 32);
    for (std::uint8_t i = 0; i < 3; ++i)
      for (std::uint64_t b = 0; b < 32; ++b) BOOST_REQUIRE(d.write(b, pattern(static_cast<std::uint8_t>(i * 40 + b))) == IoStatus::ok);
    Rng rng(seed);
    d.power_loss(rng);
    Bytes all(32 * kBlockSize);
    d.durable(0, all);
    return all;
  };
  BOOST_TEST(run(5) == run(5));
  BOOST_TEST(run(5) != run(6));
}

BOOST_AUTO_TEST_CASE(cached_writes_land_in_order) {
  // Two cached writes to one block over zeros: applied in order, the block reads, sector
  // by sector, some of the second, then some of the first, then zeros; never the first
  // over the second.
  bool saw_first = false, saw_second = false;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Disk d("d", 1);
    BOOST_REQUIRE(d.write(0, pattern(1)) == IoStatus::ok);
    BOOST_REQUIRE(d.write(0, pattern(2)) == IoStatus::ok);
    BOOST_TEST(inspect_of(d, 0) == pattern(2));
    Rng rng(seed);
    d.power_loss(rng);
    const Bytes got = durable_of(d, 0);
    const Bytes layers[3] = {pattern(2), pattern(1), Bytes(kBlockSize, 0)};
    std::size_t layer = 0;
    for (std::size_t s = 0; s < kBlockSize / kSectorSize; ++s) {
      auto is = [&](const Bytes& v) {
        return std::equal(got.begin() + s * kSectorSize, got.begin() + (s + 1) * kSectorSize, v.begin() + s * kSectorSize);
      };
      while (layer < 3 && !is(layers[layer])) ++layer;
      BOOST_TEST_REQUIRE(layer < 3);
    }
    saw_first = saw_first || got == pattern(1);
    saw_second = saw_second || got == pattern(2);
  }
  BOOST_TEST(saw_first);
  BOOST_TEST(saw_second);
}

BOOST_AUTO_TEST_CASE(latent_error_fails_reads_until_rewritten) {
  Disk d("d", 8);
  BOOST_REQUIRE(d.write(4, pattern(9)) == IoStatus::ok);
  d.flush();
  d.add_error(4, 2, DiskErrorKind::latent);
  Bytes one(kBlockSize), three(3 * kBlockSize);
  BOOST_TEST(d.read(4, one) == IoStatus::eio);
  BOOST_TEST(d.read(3, three) == IoStatus::eio);  // touches 4 and 5
  BOOST_TEST(d.read(6, one) == IoStatus::ok);
  BOOST_TEST(d.write(4, pattern(11)) == IoStatus::ok);
  BOOST_TEST(!d.latent(4));
  BOOST_TEST(d.latent(5));
  BOOST_TEST(d.read(4, one) == IoStatus::ok);
  BOOST_TEST(one == pattern(11));
  BOOST_TEST(d.read(5, one) == IoStatus::eio);
  BOOST_TEST(!d.remove_error(5, 1));  // latent errors are not removable ranges
}

BOOST_AUTO_TEST_CASE(eio_range_fails_reads_and_writes_until_removed) {
  Disk d("d", 8);
  d.add_error(2, 3, DiskErrorKind::eio);
  d.add_error(2, 3, DiskErrorKind::eio);
  Bytes one(kBlockSize), two(2 * kBlockSize);
  BOOST_TEST(d.write(4, pattern(1)) == IoStatus::eio);
  BOOST_TEST(d.cached_writes() == 0u);
  BOOST_TEST(d.write(0, pattern(1, 2)) == IoStatus::ok);
  BOOST_TEST(d.write(1, pattern(1, 2)) == IoStatus::eio);
  BOOST_TEST(d.read(1, two) == IoStatus::eio);
  BOOST_TEST(d.read(5, two) == IoStatus::ok);
  BOOST_TEST(d.remove_error(2, 3));
  BOOST_TEST(d.read(2, one) == IoStatus::eio);  // counted: added twice
  BOOST_TEST(d.remove_error(2, 3));
  BOOST_TEST(!d.remove_error(2, 3));
  BOOST_TEST(d.read(2, one) == IoStatus::ok);
  BOOST_TEST(d.write(4, pattern(1)) == IoStatus::ok);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fabric)

BOOST_AUTO_TEST_CASE(io_takes_latency_plus_transfer_and_a_path_serialises_transfers) {
  Rig r;
  const Bytes four = pattern(1, 4), one = pattern(2);
  Outcome* a = r.start(0, r.v("v1").write(0, 0, four));
  Outcome* b = r.start(0, r.v("v1").write(0, 4, four));
  Outcome* c = r.start(1, r.v("v1").write(1, 8, one));  // another node: its own path
  Outcome* e = r.start(0, r.v("v2").write(0, 0, one));  // another disk: its own path
  r.settle();
  BOOST_TEST(a->at == 5_ms);  // 4 blocks at 1ms each, then 1ms latency
  BOOST_TEST(b->at == 9_ms);  // waits for a's transfer
  BOOST_TEST(c->at == 2_ms);
  BOOST_TEST(e->at == 2_ms);
  Bytes out(4 * kBlockSize);
  Outcome* rd = r.start(0, r.v("v1").read(0, 4, out));
  Outcome* fl = r.start(0, r.v("v1").flush(0));
  r.settle();
  BOOST_TEST(rd->at == 9_ms + 5_ms);
  BOOST_TEST(fl->at == 9_ms + 5_ms);  // queued behind the read's transfer, then latency
  BOOST_TEST(out == four);
  BOOST_TEST(r.fabric().stats().writes == 4u);
  BOOST_TEST(r.fabric().stats().bytes_written == 10u * kBlockSize);
  BOOST_TEST(r.fabric().stats().reads == 1u);
  BOOST_TEST(r.fabric().stats().flushes == 1u);
  BOOST_TEST(r.fabric().stats(1).writes == 1u);
  BOOST_TEST(r.fabric().stats().errors == 0u);
}

BOOST_AUTO_TEST_CASE(path_overrides_and_defaults) {
  Trace trace;
  Scheduler sched{trace};
  Storage storage{sched, Rng(1), 2};
  StorageSpec spec;
  spec.disks = {{"d1", 4}};
  spec.fabric = {2_ms, 1000ull * kBlockSize};
  spec.paths = {{1, "d1", 5_ms, std::nullopt}};
  storage.configure(spec);
  BOOST_TEST(storage.fabric().path_options(0, 0).latency == 2_ms);
  BOOST_TEST(storage.fabric().path_options(1, 0).latency == 5_ms);
  BOOST_TEST(storage.fabric().path_options(1, 0).bandwidth == 1000ull * kBlockSize);
  storage.fabric().set_defaults({3_ms, 1});
  BOOST_TEST(storage.fabric().path_options(0, 0).latency == 3_ms);
  BOOST_TEST(storage.fabric().path_options(1, 0).latency == 5_ms);
}

BOOST_AUTO_TEST_CASE(a_down_path_fails_at_issue_and_at_completion) {
  Rig r;
  r.fabric().path_down(0, 0);
  BOOST_TEST(r.run(0, r.v("v1").write(0, 0, pattern(1))) == IoStatus::path_down);
  BOOST_TEST(r.run(1, r.v("v1").write(1, 0, pattern(2))) == IoStatus::ok);  // node 1's path is up
  BOOST_TEST(r.run(0, r.v("v2").write(0, 0, pattern(3))) == IoStatus::ok);  // so is node 0's to d2
  r.fabric().path_up(0, 0);
  BOOST_TEST(r.fabric().path_is_up(0, 0));
  // Goes down while a write is in flight: it fails and is not applied.
  const Bytes data = pattern(4);
  Outcome* w = r.start(0, r.v("v1").write(0, 5, data));
  r.sched.run_until(r.sched.now() + 1_ms);
  r.fabric().path_down(0, 0);
  r.settle();
  BOOST_TEST(*w->status == IoStatus::path_down);
  BOOST_TEST(inspect_of(r.d1(), 5) == Bytes(kBlockSize, 0));
  r.fabric().path_up(0, 0);
  BOOST_TEST(r.run(0, r.v("v1").write(0, 5, pattern(4))) == IoStatus::ok);
  BOOST_TEST(inspect_of(r.d1(), 5) == pattern(4));
  BOOST_TEST(r.fabric().stats().errors == 2u);
}

BOOST_AUTO_TEST_CASE(a_fenced_node_cannot_write_and_its_in_flight_writes_never_land) {
  Rig r;
  const Bytes data = pattern(4);
  Outcome* w = r.start(0, r.v("v1").write(0, 5, data));
  r.sched.run_until(r.sched.now() + 1_ms);
  r.fabric().fence(0);
  r.settle();
  BOOST_TEST(*w->status == IoStatus::fenced);
  BOOST_TEST(inspect_of(r.d1(), 5) == Bytes(kBlockSize, 0));
  Bytes out(kBlockSize);
  BOOST_TEST(r.run(0, r.v("v1").read(0, 5, out)) == IoStatus::fenced);
  BOOST_TEST(r.run(0, r.v("v1").flush(0)) == IoStatus::fenced);
  BOOST_TEST(r.run(1, r.v("v1").write(1, 5, data)) == IoStatus::ok);  // others are not fenced
  r.fabric().unfence(0);
  BOOST_TEST(!r.fabric().fenced(0));
  BOOST_TEST(r.run(0, r.v("v1").read(0, 5, out)) == IoStatus::ok);
  BOOST_TEST(out == data);
}

BOOST_AUTO_TEST_CASE(a_write_of_a_crashed_node_is_not_applied) {
  Rig r;
  const Bytes data = pattern(4);
  Outcome* w = r.start(0, r.v("v1").write(0, 5, data));
  r.sched.run_until(r.sched.now() + 1_ms);
  r.sched.kill_node_tasks(0);
  r.settle();
  BOOST_TEST(!w->status.has_value());
  BOOST_TEST(inspect_of(r.d1(), 5) == Bytes(kBlockSize, 0));
  BOOST_TEST(r.observed.empty());
}

BOOST_AUTO_TEST_CASE(disk_errors_come_back_through_the_fabric) {
  Rig r;
  r.d1().add_error(3, 1, DiskErrorKind::eio);
  Bytes out(2 * kBlockSize);
  BOOST_TEST(r.run(0, r.v("v1").read(0, 2, out)) == IoStatus::eio);
  BOOST_TEST(r.run(0, r.v("v1").write(0, 3, pattern(1))) == IoStatus::eio);
  BOOST_TEST(r.run(0, r.v("v1").write(0, 15, pattern(1, 2))) == IoStatus::out_of_range);
  BOOST_REQUIRE(r.observed.size() == 2u);
  BOOST_TEST(r.observed[0].node == 0u);
  BOOST_TEST(r.observed[0].block == 3u);
  BOOST_TEST(r.observed[0].count == 1u);
  BOOST_TEST(r.observed[0].status == IoStatus::eio);
  BOOST_TEST(r.observed[1].status == IoStatus::out_of_range);
}

BOOST_AUTO_TEST_CASE(the_observer_sees_every_completed_write) {
  Rig r;
  BOOST_TEST(r.run(1, r.v("v2").write(1, 6, pattern(1, 3))) == IoStatus::ok);
  BOOST_REQUIRE(r.observed.size() == 1u);
  BOOST_TEST(r.observed[0].node == 1u);
  BOOST_TEST(r.observed[0].disk == 1u);
  BOOST_TEST(r.observed[0].block == 6u);
  BOOST_TEST(r.observed[0].count == 3u);
  BOOST_TEST(r.observed[0].status == IoStatus::ok);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(volumes)

BOOST_AUTO_TEST_CASE(concat_splits_an_io_across_disks) {
  Rig r;
  Volume& both = r.v("both");
  BOOST_TEST(both.blocks() == 32u);
  const Bytes data = pattern(7, 4);
  BOOST_TEST(r.run(0, both.write(0, 14, data)) == IoStatus::ok);
  BOOST_TEST(inspect_of(r.d1(), 15) == Bytes(data.begin() + kBlockSize, data.begin() + 2 * kBlockSize));
  BOOST_TEST(inspect_of(r.d2(), 0) == Bytes(data.begin() + 2 * kBlockSize, data.begin() + 3 * kBlockSize));
  BOOST_TEST(inspect_of(r.d2(), 1) == Bytes(data.begin() + 3 * kBlockSize, data.end()));
  BOOST_REQUIRE(r.observed.size() == 2u);
  BOOST_TEST(r.observed[0].disk == 0u);
  BOOST_TEST(r.observed[0].block == 14u);
  BOOST_TEST(r.observed[0].count == 2u);
  BOOST_TEST(r.observed[1].disk == 1u);
  BOOST_TEST(r.observed[1].block == 0u);
  BOOST_TEST(r.observed[1].count == 2u);
  Bytes out(4 * kBlockSize);
  BOOST_TEST(r.run(0, both.read(0, 14, out)) == IoStatus::ok);
  BOOST_TEST(out == data);
  Bytes seen(4 * kBlockSize);
  both.inspect(14, seen);
  BOOST_TEST(seen == data);
  BOOST_TEST(r.run(0, both.read(0, 30, out)) == IoStatus::out_of_range);
  // A flush reaches every disk.
  BOOST_TEST(r.run(0, both.flush(0)) == IoStatus::ok);
  BOOST_TEST(r.d1().cached_writes() == 0u);
  BOOST_TEST(r.d2().cached_writes() == 0u);
  BOOST_TEST(durable_of(r.d2(), 1) == Bytes(data.begin() + 3 * kBlockSize, data.end()));
}

BOOST_AUTO_TEST_CASE(concat_reports_the_failing_piece_and_flushes_the_rest) {
  Rig r;
  Volume& both = r.v("both");
  r.fabric().path_down(0, 1);
  BOOST_TEST(r.run(0, both.write(0, 15, pattern(1, 2))) == IoStatus::path_down);
  BOOST_TEST(inspect_of(r.d1(), 15) == pattern(1));  // the first piece landed
  BOOST_TEST(r.run(0, both.flush(0)) == IoStatus::path_down);
  BOOST_TEST(r.d1().cached_writes() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(storage)

BOOST_AUTO_TEST_CASE(lookup_by_name) {
  Rig r;
  BOOST_TEST(r.storage.disk_count() == 2u);
  BOOST_TEST(*r.storage.disk_id("d2") == 1u);
  BOOST_TEST(!r.storage.disk_id("d9").has_value());
  BOOST_TEST(r.storage.disk("d9") == nullptr);
  BOOST_TEST(r.storage.volume("nope") == nullptr);
  BOOST_TEST(r.storage.volume_names() == (std::vector<std::string>{"v1", "v2", "both"}));
  BOOST_TEST(dynamic_cast<ConcatVolume*>(r.storage.volume("both")) != nullptr);
}

BOOST_AUTO_TEST_CASE(an_inconsistent_spec_builds_nothing) {
  auto fails = [](const StorageSpec& spec) {
    Trace trace;
    Scheduler sched{trace};
    Storage s{sched, Rng(1), 2};
    bool threw = false;
    try {
      s.configure(spec);
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    return threw && s.disk_count() == 0 && s.volume_names().empty();
  };
  StorageSpec ok;
  ok.disks = {{"d1", 4}};
  ok.volumes = {{"v1", {"d1"}}};
  BOOST_TEST(!fails(ok));
  StorageSpec s = ok;
  s.disks.push_back({"d1", 4});
  BOOST_TEST(fails(s));
  s = ok;
  s.volumes.push_back({"v2", {"d1", "d2"}});
  BOOST_TEST(fails(s));
  s = ok;
  s.volumes.push_back({"v1", {"d1"}});
  BOOST_TEST(fails(s));
  s = ok;
  s.paths.push_back({2, "d1", std::nullopt, std::nullopt});
  BOOST_TEST(fails(s));
  s = ok;
  s.paths.push_back({0, "d1", std::nullopt, 0});
  BOOST_TEST(fails(s));
  s = ok;
  s.disks[0].blocks = 0;
  BOOST_TEST(fails(s));
}

BOOST_AUTO_TEST_CASE(power_loss_draws_from_the_storage_stream) {
  auto run = [](std::uint64_t seed) {
    Trace trace;
    Scheduler sched{trace};
    Storage s{sched, Rng(seed), 1};
    StorageSpec spec;
    spec.disks = {{"d1", 16}};
    s.configure(spec);
    for (std::uint64_t b = 0; b < 16; ++b) BOOST_REQUIRE(s.disk(0).write(b, pattern(static_cast<std::uint8_t>(b))) == IoStatus::ok);
    s.power_loss(0);
    Bytes all(16 * kBlockSize);
    s.disk(0).durable(0, all);
    return all;
  };
  BOOST_TEST(run(3) == run(3));
  BOOST_TEST(run(3) != run(4));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(storage_faults_apply_and_undo_through_the_simulation) {
  Simulation sim(1, {"n1", "n2"}, LanOptions{});
  StorageSpec spec;
  spec.disks = {{"d1", 16}, {"d2", 16}};
  sim.storage().configure(spec);
  Disk& d1 = *sim.storage().disk("d1");
  Disk& d2 = *sim.storage().disk("d2");
  BOOST_REQUIRE(d2.write(0, pattern(1)) == IoStatus::ok);
  d2.flush();
  for (std::uint64_t b = 0; b < 16; ++b) BOOST_REQUIRE(d2.write(b, pattern(2)) == IoStatus::ok);

  std::vector<FaultSpec> plan(4);
  plan[0].trigger.at = 1_s;
  plan[0].kind = FaultKind::path_down;
  plan[0].nodes = {1};
  plan[0].disks = {"d1"};
  plan[0].undo_after = 1_s;
  plan[1].trigger.at = 1_s;
  plan[1].kind = FaultKind::disk_error;
  plan[1].disks = {"d1"};
  plan[1].first_block = 4;
  plan[1].block_count = 2;
  plan[1].undo_after = 2_s;
  plan[2].trigger.at = 1_s;
  plan[2].kind = FaultKind::disk_error;
  plan[2].disks = {"d1"};
  plan[2].first_block = 8;
  plan[2].block_count = 1;
  plan[2].disk_error = DiskErrorKind::latent;
  plan[3].trigger.at = 1_s;
  plan[3].kind = FaultKind::power_loss;
  plan[3].disks = {"d2"};
  FaultInjector faults(sim, plan);
  faults.arm();

  Bytes one(kBlockSize);
  sim.sched().run_until(1_s + 1_ms);
  BOOST_TEST(!sim.storage().fabric().path_is_up(1, 0));
  BOOST_TEST(sim.storage().fabric().path_is_up(0, 0));
  BOOST_TEST(d1.read(5, one) == IoStatus::eio);
  BOOST_TEST(d1.latent(8));
  BOOST_TEST(d2.cached_writes() == 0u);
  sim.sched().run_until(2_s + 1_ms);
  BOOST_TEST(sim.storage().fabric().path_is_up(1, 0));
  BOOST_TEST(d1.read(5, one) == IoStatus::eio);
  sim.sched().run_until(3_s + 1_ms);
  BOOST_TEST(d1.read(5, one) == IoStatus::ok);
  BOOST_TEST(d1.latent(8));  // a latent error stays until the block is rewritten
  BOOST_TEST(faults.applied().size() == 6u);
}

BOOST_AUTO_TEST_SUITE_END()

// A random run of writes, flushes and power losses on one disk against a simple model:
// per block, the durable value and every value written since the last flush. A flushed
// write always survives; after a power loss each block is, sector by sector, one of the
// values written since the last flush or the durable value.
RC_BOOST_PROP(disk_matches_its_write_cache_model, ()) {
  constexpr std::uint64_t kBlocks = 4;
  Disk d("d", kBlocks);
  Rng rng(*rc::gen::arbitrary<std::uint64_t>());
  std::vector<Bytes> durable(kBlocks, Bytes(kBlockSize, 0));
  std::vector<std::vector<Bytes>> pending(kBlocks);
  std::uint8_t next = 1;
  const int steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    const int op = *rc::gen::inRange(0, 10);
    if (op < 7) {
      const std::uint64_t b = *rc::gen::inRange<std::uint64_t>(0, kBlocks);
      const std::uint64_t n = *rc::gen::inRange<std::uint64_t>(1, kBlocks - b + 1);
      Bytes data(n * kBlockSize);
      for (std::uint64_t k = 0; k < n; ++k) {
        const Bytes one = pattern(next);
        next = static_cast<std::uint8_t>(next + 9);
        std::copy(one.begin(), one.end(), data.begin() + static_cast<std::ptrdiff_t>(k * kBlockSize));
        pending[b + k].push_back(one);
      }
      RC_ASSERT(d.write(b, data) == IoStatus::ok);
    } else if (op < 9) {
      d.flush();
      for (std::uint64_t b = 0; b < kBlocks; ++b) {
        if (!pending[b].empty()) durable[b] = pending[b].back();
        pending[b].clear();
      }
    } else {
      d.power_loss(rng);
      for (std::uint64_t b = 0; b < kBlocks; ++b) {
        const Bytes got = durable_of(d, b);
        for (std::size_t s = 0; s < kBlockSize / kSectorSize; ++s) {
          auto sector = [&](const Bytes& v) {
            return std::equal(got.begin() + s * kSectorSize, got.begin() + (s + 1) * kSectorSize, v.begin() + s * kSectorSize);
          };
          RC_ASSERT(sector(durable[b]) || std::any_of(pending[b].begin(), pending[b].end(), sector));
        }
        durable[b] = got;
        pending[b].clear();
      }
    }
    for (std::uint64_t b = 0; b < kBlocks; ++b) {
      RC_ASSERT(inspect_of(d, b) == (pending[b].empty() ? durable[b] : pending[b].back()));
      RC_ASSERT(durable_of(d, b) == durable[b]);
    }
  }
}

// Latent errors are kept as ranges; against a set of blocks, over random adds, rewrites
// and reads.
RC_BOOST_PROP(latent_ranges_match_a_set_of_blocks, ()) {
  constexpr std::uint64_t kBlocks = 40;
  Disk d("d", kBlocks);
  std::set<std::uint64_t> model;
  const int steps = *rc::gen::inRange(1, 80);
  for (int i = 0; i < steps; ++i) {
    const std::uint64_t first = *rc::gen::inRange<std::uint64_t>(0, kBlocks);
    const std::uint64_t count = *rc::gen::inRange<std::uint64_t>(0, std::min<std::uint64_t>(8, kBlocks - first) + 1);
    const int op = *rc::gen::inRange(0, 3);
    if (op == 0) {
      d.add_error(first, count, DiskErrorKind::latent);
      for (std::uint64_t b = first; b < first + count; ++b) model.insert(b);
    } else if (op == 1) {
      RC_ASSERT(d.write(first, Bytes(count * kBlockSize, 1)) == IoStatus::ok);
      for (std::uint64_t b = first; b < first + count; ++b) model.erase(b);
    } else {
      Bytes out(count * kBlockSize);
      const bool bad = model.lower_bound(first) != model.lower_bound(first + count);
      RC_ASSERT(d.read(first, out) == (bad ? IoStatus::eio : IoStatus::ok));
    }
    for (std::uint64_t b = 0; b < kBlocks; ++b) RC_ASSERT(d.latent(b) == (model.count(b) != 0));
  }
}
