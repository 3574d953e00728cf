// DMAPI, HSM and KORE relocation (issue 5): the pieces (tape library, DMAPI event queue,
// KORE's messages, the transport's abandon), and whole flows as scenarios: the hand-off
// of Fig. 15 keeps every checker green, and each checker catches the bug it is for when
// the hand-off is broken on purpose (§0080-0081).
#define BOOST_TEST_MODULE relocation
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <map>
#include <string>

#include "engine/sim/tape.h"
#include "checkers/relocation_checkers.h"
#include "engine/simulation.h"
#include "model/cell/rpc.h"
#include "model/dmapi/event_queue.h"
#include "model/dmapi/events.h"
#include "model/kore/messages.h"
#include "scenarios/runner.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

// Runs `task` on node 0 of `sim` to completion (or until `limit`).
template <class T>
void run(Simulation& sim, Task<T> task, Duration limit = 1000_s) {
  sim.sched().spawn(0, std::move(task), "test");
  sim.sched().run_until(sim.now() + limit);
}

// The Fig. 15 flow: fs1 served by n3 (the first membership forms without n2), an
// offline file whose data is on tape, a read of it on the server node at 70s (the tape
// recall takes a minute), and a relocation to n2 while the read waits in DMAPI.
std::string fig15(const std::string& extra, const std::string& reader = "n3", const std::string& read_at = "70s") {
  return R"(name: fig15
seed: 7
duration: 3m
cluster:
  nodes:
    - {id: n1}
    - {id: n2, server_capable: true, boot_at: 1s}
    - {id: n3, server_capable: true}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 256MiB}]
  volumes: [{id: v1, disks: [d1]}]
hsm: {tape: {mount: 40s, seek: 20s, rate: 150MiB/s}}
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3], dmapi: true}
files:
  - {path: /fs1/plain, size: 64KiB}
  - {path: /fs1/seismic/run42.dat, size: 1MiB, offline: true}
workload:
  - {at: )" + read_at + ", node: " + reader + R"(, call: read, path: /fs1/seismic/run42.dat, offset: 0, length: 64KiB}
  - {at: 170s, node: n1, call: stat, path: /fs1/seismic/run42.dat}
faults:
  - {at: 75s, relocate: {fs: fs1, to: n2}}
expect:
  - relocation_completes_within: 5s
)" + extra;
}

RunResult run_text(const std::string& yaml, bool keep = false) {
  RunOptions o;
  o.keep_records = keep;
  RunResult r = run_scenario(load_scenario_text(yaml, "relocation-test.yaml"), o);
  for (const ExpectationResult& e : r.expectations)  // why a run failed, beside the assertion that it passed
    if (!e.passed) std::cerr << "  " << r.name << ": " << e.text << ": " << e.detail << "\n";
  return r;
}

std::set<std::string> failed_checkers(const RunResult& r) {
  std::set<std::string> out;
  for (const Violation& v : r.violations) out.insert(v.checker);
  return out;
}

// Virtual time from the relocation request to its end, from the records.
Duration relocation_time(const RunResult& r) {
  Time req = -1;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation) continue;
    if (rec.text.find("kore.phase ") == 0 && rec.text.find("phase=request") != std::string::npos) req = rec.time;
    if (rec.text.find("kore.phase ") == 0 && rec.text.find("phase=end") != std::string::npos && req >= 0)
      return rec.time - req;
  }
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tape)

BOOST_AUTO_TEST_CASE(an_operation_mounts_seeks_and_moves_the_bytes) {
  Simulation sim{1, {"n1"}, LanOptions{}};
  TapeLibrary t(sim.sched(), TapeOptions{40_s, 20_s, 1 << 20, 1});
  TapeStatus wrote = TapeStatus::error, read = TapeStatus::error, none = TapeStatus::ok;
  Time wrote_at = 0, read_at = 0;
  Bytes out;
  auto flow = [](Simulation& sim, TapeLibrary& t, TapeStatus& wrote, TapeStatus& read, TapeStatus& none,
                 Time& wrote_at, Time& read_at, Bytes& out) -> Task<void> {
    const Bytes data(2 << 20, 7);
    auto w = t.write("a", data);
    wrote = co_await w;
    wrote_at = sim.now();
    auto r = t.read("a", out);
    read = co_await r;
    read_at = sim.now();
    Bytes nothing;
    auto m = t.read("none", nothing);
    none = co_await m;
  };
  run(sim, flow(sim, t, wrote, read, none, wrote_at, read_at, out));
  BOOST_TEST((wrote == TapeStatus::ok));
  BOOST_TEST(wrote_at == 62_s);  // mount 40s + seek 20s + 2MiB at 1MiB/s
  // The cartridge is still in the drive: the read only seeks and transfers.
  BOOST_TEST((read == TapeStatus::ok));
  BOOST_TEST(out.size() == std::size_t{2} << 20);
  BOOST_TEST(read_at - wrote_at == 22_s);
  BOOST_TEST((none == TapeStatus::missing));
}

BOOST_AUTO_TEST_CASE(one_drive_serves_one_operation_at_a_time_and_errors_take_their_time) {
  Simulation sim{1, {"n1"}, LanOptions{}};
  TapeLibrary t(sim.sched(), TapeOptions{10_s, 5_s, 1 << 30, 1});
  std::map<std::string, Time> done;
  auto op = [](TapeLibrary& t, Simulation& sim, std::string key, std::map<std::string, Time>& done) -> Task<void> {
    const Bytes one(1, 1);
    auto w = t.write(key, one);
    co_await w;
    done[key] = sim.now();
  };
  sim.sched().spawn(0, op(t, sim, "a", done), "a");
  sim.sched().spawn(0, op(t, sim, "b", done), "b");
  sim.sched().run_until(100_s);
  BOOST_TEST(done["a"] == 15_s + 1);  // mount + seek + one byte (rounded up to 1ns)
  BOOST_TEST(done["b"] == 30_s + 2);  // waited for the drive, then its own mount
  t.fail(kTimeNever);
  TapeStatus st = TapeStatus::ok;
  Bytes out;
  run(sim, [](TapeLibrary& t, Bytes& out, TapeStatus& st) -> Task<void> { st = co_await t.read("a", out); }(t, out, st));
  BOOST_TEST((st == TapeStatus::error));
}

// An abandoned operation frees its drive at the end of the step under way: mid-mount,
// when the cartridge is loaded (it stays mounted, so the next read of that copy only
// seeks and moves); mid-transfer, at once. One not yet started gives its booking back,
// and one with a later booking behind it leaves the drive's plan alone.
BOOST_AUTO_TEST_CASE(an_abandoned_operation_frees_the_drive_after_the_step_under_way) {
  Simulation sim{1, {"n1"}, LanOptions{}};
  TapeLibrary t(sim.sched(), TapeOptions{40_s, 20_s, 1 << 20, 1});
  Interrupt stop(sim.sched());
  std::map<std::string, std::pair<TapeStatus, Time>> done;  // who -> (status, when)
  auto reader = [](Simulation& sim, TapeLibrary& t, Interrupt* stop, std::string who,
                   std::map<std::string, std::pair<TapeStatus, Time>>& done) -> Task<void> {
    Bytes out;
    auto r = t.read("a", out, stop);
    const TapeStatus st = co_await r;
    done[who] = {st, sim.now()};
  };
  auto writer = [](TapeLibrary& t) -> Task<void> {
    auto w = t.write("a", Bytes(2 << 20, 7));
    co_await w;
  };
  run(sim, writer(t));  // 62s: mount, seek, 2s of transfer; "a" stays mounted
  // Another cartridge's copy, so the next read of "a" must mount again.
  run(sim, [](TapeLibrary& t) -> Task<void> {
    auto w = t.write("b", Bytes(1, 1));
    co_await w;
  }(t));
  const Time t0 = sim.now();
  BOOST_TEST(t.duration("a", 2 << 20) == 62_s);  // mount + seek + transfer
  sim.sched().spawn(0, reader(sim, t, &stop, "first", done), "first");
  sim.sched().run_until(t0 + 10_s);  // mid-mount
  stop.raise();
  sim.sched().run_until(t0 + 10_s);
  BOOST_TEST((done["first"].first == TapeStatus::abandoned));
  BOOST_TEST(done["first"].second == t0 + 10_s);  // at once
  // The cartridge finishes loading (t0 + 40s) and stays mounted: seek + transfer after.
  BOOST_TEST(t.duration("a", 2 << 20) == 30_s + 22_s);
  stop.clear();
  sim.sched().spawn(0, reader(sim, t, nullptr, "second", done), "second");
  sim.sched().run_until(t0 + 100_s);
  BOOST_TEST((done["second"].first == TapeStatus::ok));
  BOOST_TEST(done["second"].second == t0 + 62_s);  // one recall's time in all, not two

  // Mid-transfer: the drive is free at once. Not yet started: the booking is given back.
  const Time t1 = sim.now();
  sim.sched().spawn(0, reader(sim, t, &stop, "third", done), "third");
  sim.sched().run_until(t1 + 21_s);  // seeked, one second into the transfer
  stop.raise();
  sim.sched().run_until(t1 + 21_s);
  BOOST_TEST((done["third"].first == TapeStatus::abandoned));
  BOOST_TEST(t.duration("a", 2 << 20) == 22_s);
  stop.clear();
  sim.sched().spawn(0, reader(sim, t, nullptr, "fourth", done), "fourth");   // books the drive until t1 + 43s
  sim.sched().spawn(0, reader(sim, t, &stop, "fifth", done), "fifth");       // then until t1 + 65s
  sim.sched().run_until(t1 + 30_s);
  stop.raise();  // the fifth had not started: its booking goes back
  sim.sched().run_until(t1 + 30_s);
  BOOST_TEST((done["fifth"].first == TapeStatus::abandoned));
  BOOST_TEST(t.duration("a", 2 << 20) == 13_s + 22_s);  // waits for the fourth only

  // With a later booking behind it, an abandoned operation leaves the drive's plan alone.
  sim.sched().run_until(t1 + 100_s);
  stop.clear();
  const Time t2 = sim.now();
  sim.sched().spawn(0, reader(sim, t, &stop, "sixth", done), "sixth");     // until t2 + 22s
  sim.sched().spawn(0, reader(sim, t, nullptr, "seventh", done), "seventh");  // until t2 + 44s
  sim.sched().run_until(t2 + 5_s);
  stop.raise();
  sim.sched().run_until(t2 + 100_s);
  BOOST_TEST((done["sixth"].first == TapeStatus::abandoned));
  BOOST_TEST((done["seventh"].first == TapeStatus::ok));
  BOOST_TEST(done["seventh"].second == t2 + 44_s);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dmapi_queue)

BOOST_AUTO_TEST_CASE(a_relocation_wakes_every_waiter_with_migrating_and_the_hsm_answer_is_dropped) {
  Simulation sim{1, {"n1"}, LanOptions{}};
  dmapi::EventQueue q(sim.sched());
  std::map<std::uint64_t, xfs::Errno> got;
  auto wait = [](dmapi::EventQueue& q, std::uint64_t id, std::map<std::uint64_t, xfs::Errno>& got) -> Task<void> {
    got[id] = co_await q.answer(id);
  };
  const std::uint64_t a = q.post(dmapi::QueuedEvent{0, 5, dmapi::Event::read, 1});
  const std::uint64_t b = q.post(dmapi::QueuedEvent{0, 6, dmapi::Event::write, 2});
  sim.sched().spawn(0, wait(q, a, got), "a");
  sim.sched().spawn(0, wait(q, b, got), "b");
  std::optional<dmapi::QueuedEvent> taken;
  run(sim, [](dmapi::EventQueue& q, std::optional<dmapi::QueuedEvent>& t) -> Task<void> { t = co_await q.next(); }(q, taken), 1_s);
  BOOST_REQUIRE(taken.has_value());
  BOOST_TEST(taken->id == a);  // queue order
  BOOST_TEST(q.wake_migrating() == 2u);
  q.respond(a, xfs::Errno::ok);  // the HSM finishes the one it took: nobody waits any more
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST((got[a] == xfs::Errno::migrating));
  BOOST_TEST((got[b] == xfs::Errno::migrating));
  BOOST_TEST(q.queued() == 0u);  // the untaken one never reaches Process DMAPI Event
  BOOST_TEST(q.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_crashed_hsm_puts_its_event_back_at_the_head) {
  Simulation sim{1, {"n1"}, LanOptions{}};
  dmapi::EventQueue q(sim.sched());
  const std::uint64_t a = q.post(dmapi::QueuedEvent{0, 5, dmapi::Event::read, 1});
  q.post(dmapi::QueuedEvent{0, 6, dmapi::Event::read, 1});
  std::optional<dmapi::QueuedEvent> t1, t2;
  auto take = [](dmapi::EventQueue& q, std::optional<dmapi::QueuedEvent>& t) -> Task<void> { t = co_await q.next(); };
  run(sim, take(q, t1), 1_s);
  q.requeue(*t1);
  run(sim, take(q, t2), 1_s);
  BOOST_TEST(t2->id == a);
  BOOST_TEST(dmapi::describe(dmapi::kOffline) == "read|write|truncate");
  BOOST_TEST(dmapi::describe(dmapi::kNoEvents) == "none");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kore_messages)

namespace {
kore::Request gen_request() {
  kore::Request r;
  r.id = {*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<NodeId>(),
          *rc::gen::arbitrary<std::uint32_t>()};
  r.phase = static_cast<kore::Phase>(*rc::gen::inRange<int>(0, kore::kPhases));
  r.fs = *rc::gen::arbitrary<std::uint32_t>();
  r.to = *rc::gen::arbitrary<NodeId>();
  const int n = *rc::gen::inRange(0, 5);
  for (int i = 0; i < n; ++i) {
    corpse::Holding h;
    h.holder = *rc::gen::arbitrary<NodeId>();
    h.ino = *rc::gen::arbitrary<std::uint64_t>();
    h.type = static_cast<token::TokenType>(*rc::gen::inRange<int>(0, token::kTokenTypes));
    h.level = static_cast<token::Level>(*rc::gen::inRange(0, 4));
    h.grant = *rc::gen::arbitrary<std::uint64_t>();
    h.exclusive = *rc::gen::arbitrary<bool>();
    r.bag.tokens.push_back(h);
  }
  const int e = *rc::gen::inRange(0, 5);
  for (int i = 0; i < e; ++i)
    r.bag.events.emplace_back(*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::inRange<std::uint8_t>(0, 8));
  r.bag.grants = *rc::gen::arbitrary<std::uint64_t>();
  return r;
}
}  // namespace

RC_BOOST_PROP(every_request_and_reply_round_trips, ()) {
  const kore::Request r = gen_request();
  RC_ASSERT(kore::decode_request(kore::encode(r)) == r);
  kore::Reply rep;
  rep.status = static_cast<kore::Status>(*rc::gen::inRange<int>(0, kore::kStatuses));
  rep.reason = *rc::gen::resize(40, rc::gen::arbitrary<std::string>());
  RC_ASSERT(kore::decode_reply(kore::encode(rep)) == rep);
}

RC_BOOST_PROP(a_truncated_or_corrupted_message_is_refused_with_the_field_named, ()) {
  const Bytes b = kore::encode(gen_request());
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, b.size());
  try {
    kore::decode_request(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(cut)));
    RC_FAIL("a truncated request decoded");
  } catch (const DecodeError& e) {
    RC_ASSERT(std::string(e.what()).size() > 0);
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_phase_is_named) {
  kore::Request r;
  Bytes b = kore::encode(r);
  b[8 + 8 + 4 + 4] = kore::kPhases;  // the phase follows the relocation id
  try {
    kore::decode_request(b);
    BOOST_FAIL("decoded");
  } catch (const DecodeError& e) {
    BOOST_TEST(std::string(e.what()).find("phase") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transport)

// A reply lost with a crashed peer is only known through membership: abandon fails the
// calls still waiting on it, and later calls go through (fs property seed 680).
BOOST_AUTO_TEST_CASE(abandon_fails_waiting_calls_and_leaves_later_ones_alone) {
  Simulation sim{1, {"n1", "n2"}, LanOptions{}};
  sim.boot_all();
  Rpc a(sim, 0, 9), b(sim, 1, 9);
  bool slow = true;
  b.set_handler([&sim, &slow](NodeId, Bytes req) -> Task<Bytes> {
    if (slow) co_await sim.sched().sleep(1000_s);
    co_return req;
  });
  a.start();
  b.start();
  std::optional<std::optional<Bytes>> first, second;
  auto call = [](Rpc& a, std::optional<std::optional<Bytes>>& into) -> Task<void> {
    const Bytes req(1, 1);
    auto op = a.call(1, req);
    into = co_await op;
  };
  sim.sched().spawn(0, call(a, first), "first");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!first.has_value());  // still waiting
  a.abandon({1});
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(!first->has_value());  // failed: "cell down"
  slow = false;
  sim.sched().spawn(0, call(a, second), "second");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->has_value());
  sim.crash(0);
  sim.crash(1);
}

// A peer that has this node cut off refuses its requests at once: the caller is not
// left waiting, holding what it holds (relocation property seeds 43 and 56).
BOOST_AUTO_TEST_CASE(a_request_to_a_peer_that_cut_us_off_is_refused_within_a_round_trip) {
  Simulation sim{1, {"n1", "n2"}, LanOptions{}};
  sim.boot_all();
  Rpc a(sim, 0, 9), b(sim, 1, 9);
  b.set_handler([](NodeId, Bytes req) -> Task<Bytes> { co_return req; });
  a.start();
  b.start();
  b.cut({0});
  std::optional<std::optional<Bytes>> first, second;
  auto call = [](Rpc& a, std::optional<std::optional<Bytes>>& into) -> Task<void> {
    const Bytes req(1, 1);
    auto op = a.call(1, req);
    into = co_await op;
  };
  sim.sched().spawn(0, call(a, first), "first");
  sim.sched().run_until(sim.now() + 10_ms);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(!first->has_value());  // refused
  b.cut({});
  sim.sched().spawn(0, call(a, second), "second");
  sim.sched().run_until(sim.now() + 10_ms);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->has_value());
  sim.crash(0);
  sim.crash(1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hand_off)

// Fig. 15 on the server node: the read waiting for a one-minute tape recall is woken at
// source prepare, steps out of the head lock, and is reissued to the new server once
// the relocation ended; the relocation takes milliseconds, not the tape's minute.
BOOST_AUTO_TEST_CASE(relocation_during_a_tape_recall_on_the_server_node_does_not_wait_for_the_tape) {
  const RunResult r = run_text(fig15(""), true);
  for (const Violation& v : r.violations) BOOST_TEST_MESSAGE(v.checker << ": " << v.message);
  BOOST_TEST(r.passed);
  const Duration took = relocation_time(r);
  BOOST_TEST(took > 0);
  BOOST_TEST(took < 1_s, "relocation took " << format_duration(took));
  bool read_ok = false, reissued = false;
  for (const TraceRecord& rec : r.records) {
    if (rec.text.find("app.complete ") == 0 && rec.text.find("call=read result=ok") != std::string::npos) read_ok = true;
    if (rec.text.find("dmapi.reply ") == 0 && rec.text.find("seq=2 result=ok") != std::string::npos) reissued = true;
  }
  BOOST_TEST(read_ok);
  BOOST_TEST(reissued);  // the second sending of the event, to the new server
}

BOOST_AUTO_TEST_CASE(relocation_during_a_tape_recall_on_a_client_node_does_not_wait_either) {
  const RunResult r = run_text(fig15("", "n1"), true);
  BOOST_TEST(r.passed);
  BOOST_TEST(relocation_time(r) < 1_s);
}

// hold-lock: the relocation waits for the tape (§0079), which is what the hand-off avoids.
BOOST_AUTO_TEST_CASE(without_the_hand_off_the_relocation_waits_for_the_tape) {
  const RunResult r = run_text(fig15("relocation: {mode: hold-lock}\n"), true);
  const std::set<std::string> expected{"relocation_liveness"};
  BOOST_TEST((failed_checkers(r) == expected));
  const Duration took = relocation_time(r);
  BOOST_TEST(took > 10_s, "relocation took " << format_duration(took));
}

// Each deliberate break of the hand-off is caught by the checker it is for.
BOOST_AUTO_TEST_CASE(surfacing_the_migrating_error_is_caught_by_dmapi_transparent) {
  const RunResult r = run_text(fig15("mutations: [surface_migrating]\n"));
  BOOST_TEST(failed_checkers(r).count("dmapi_transparent") == 1u);
}

BOOST_AUTO_TEST_CASE(keeping_the_head_locked_is_caught_by_relocation_liveness) {
  const RunResult r = run_text(fig15("mutations: [keep_head_locked]\n"));
  BOOST_TEST(failed_checkers(r).count("relocation_liveness") == 1u);
}

// The reader is a client (n1): its event, answered migrating by n3, goes back to n3 —
// now a client itself — instead of to n2.
BOOST_AUTO_TEST_CASE(reissuing_to_the_old_server_is_caught_by_dmapi_transparent) {
  const RunResult r = run_text(fig15("mutations: [reissue_to_old_server]\n", "n1"), true);
  BOOST_TEST(failed_checkers(r).count("dmapi_transparent") == 1u);
  bool named = false;
  for (const Violation& v : r.violations)
    if (v.checker == "dmapi_transparent" && v.message.find("reissued to n3") != std::string::npos) named = true;
  BOOST_TEST(named);
}

BOOST_AUTO_TEST_CASE(losing_the_event_masks_in_the_bag_is_caught_by_data_coherent) {
  // Read after the relocation: the new server no longer knows the file is offline, so
  // the read finds the holes the HSM punched.
  const RunResult r = run_text(fig15("mutations: [lose_events_in_bag]\n", "n1", "80s"));
  BOOST_TEST(failed_checkers(r).count("data_coherent") == 1u);
  const RunResult ok = run_text(fig15("", "n1", "80s"));
  BOOST_TEST(ok.passed);
}

BOOST_AUTO_TEST_SUITE_END()

// The checker's reissue rule on hand-written observations: n1's event on ino 4 is
// answered migrating by n2; n1 sending ino 4's event back to n2 is the violation, other
// files and other nodes' stale answers are not, and a reissue queued elsewhere clears it.
BOOST_AUTO_TEST_CASE(dmapi_transparent_names_a_reissue_to_the_server_that_handed_it_off) {
  auto feed = [](std::vector<std::tuple<NodeId, std::string, std::vector<Field>>> events) {
    DmapiTransparentChecker c({"n1", "n2", "n3"});
    std::uint64_t index = 0;
    for (auto& [node, kind, fields] : events) {
      Observation o;
      o.index = index++;
      o.time = static_cast<Time>(index) * 1'000'000;
      o.node = node;
      o.kind = kind;
      o.fields = fields;
      c.on_observation(o);
    }
    return c.violations();
  };
  using F = std::vector<Field>;
  const auto queued = [](NodeId server, std::int64_t id, std::int64_t ino) {
    return std::make_tuple(server, std::string("dmapi.queued"),
                           F{{"fs", std::string("fs1")}, {"id", id}, {"ino", ino}, {"event", std::string("read")},
                             {"from", std::int64_t{0}}});
  };
  const auto migrating = [](NodeId server, std::int64_t id) {
    return std::make_tuple(server, std::string("dmapi.answered"),
                           F{{"fs", std::string("fs1")}, {"id", id}, {"result", std::string("EMIGRATING")}});
  };
  const auto stale = [](NodeId server, std::int64_t ino) {
    return std::make_tuple(server, std::string("dmapi.stale"),
                           F{{"fs", std::string("fs1")}, {"ino", ino}, {"event", std::string("read")},
                             {"from", std::int64_t{0}}});
  };
  const auto bad = feed({queued(1, 1, 4), migrating(1, 1), stale(1, 4)});
  BOOST_REQUIRE(bad.size() == 1u);
  BOOST_TEST(bad[0].message.find("reissued to n2") != std::string::npos, bad[0].message);
  BOOST_TEST(feed({queued(1, 1, 4), migrating(1, 1), stale(1, 5)}).empty());  // another file
  BOOST_TEST(feed({queued(1, 1, 4), migrating(1, 1), stale(2, 4)}).empty());  // not the old server
  BOOST_TEST(feed({queued(1, 1, 4), migrating(1, 1), queued(2, 1, 4), stale(1, 4)}).empty());  // reissued well
}

BOOST_AUTO_TEST_SUITE(unmount)

namespace {

// fs1 is served by n3 (first candidate); n2 and n1 are the next candidates; n4 is a
// client. A mixed workload runs on every node; `faults` unmount somewhere.
std::string unmounting(const std::string& faults, const std::string& calls = "") {
  return R"(name: unmount
seed: 23
duration: 20s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 128MiB}]
  volumes: [{id: v1, disks: [d1]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n3, n2, n1]}
files:
  - {path: /fs1/keep/a, size: 64KiB}
workload:
  - {generator: mixed, fs: fs1, nodes: [n1, n2, n3, n4], processes: 2, files: 10, rate: 30/s, from: 2s, until: 16s}
)" + calls + "faults:\n" + faults +
         "expect:\n  - vacuous_ok:\n      - {checker: relocation_liveness, reason: \"an unmount off the server, or a "
         "failover, relocates nothing\"}\n";
}

// Results of node `node`'s user calls, by whether they completed in [from, to).
std::map<std::string, int> results(const RunResult& r, NodeId node, Time from, Time to) {
  std::map<std::string, int> out;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation || rec.node != node || rec.time < from || rec.time >= to) continue;
    if (rec.text.find("app.complete ") != 0) continue;
    const std::size_t at = rec.text.find("result=");
    ++out[rec.text.substr(at + 7, rec.text.find(' ', at) - at - 7)];
  }
  return out;
}

constexpr NodeId kN1 = 0, kN2 = 1, kN3 = 2, kN4 = 3;

bool has(const RunResult& r, NodeId node, const std::string& text) {
  for (const TraceRecord& rec : r.records)
    if (rec.kind == TraceKind::observation && rec.node == node && rec.text.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

// §0074: unmount on the metadata server moves the server role first, so no other node
// sees a failover; the node's own calls fail ENOENT until it mounts the file system again.
BOOST_AUTO_TEST_CASE(unmount_on_the_server_relocates_first_and_refuses_calls_until_mounted_again) {
  const RunResult r = run_text(unmounting("  - {at: 8s, unmount: {fs: fs1, on: n3}, undo_after: 5s}\n"), true);
  BOOST_TEST(r.passed);
  BOOST_TEST(has(r, kN3, "phase=end source=2 target=1"));
  BOOST_TEST(has(r, kN3, "cxfs.unmount fs=0 step=done"));
  for (const TraceRecord& rec : r.records)  // no failover: the only election is the first
    BOOST_TEST(!(rec.time > 1_s && rec.text.find("corpse.elected") == 0), rec.text);
  const auto during = results(r, kN3, 8_s + 100_ms, 13_s);
  BOOST_TEST(during.size() == 1u);
  BOOST_TEST(during.count("ENOENT") == 1u);
  BOOST_TEST(results(r, kN3, 14_s, 20_s).count("ok") == 1u);  // mounted again
  BOOST_TEST(results(r, kN1, 8_s, 13_s).count("ok") == 1u);   // everyone else carries on
}

// A client's unmount writes its modified pages back with its tokens (nothing lost): a
// read elsewhere right after sees them (data_coherent judges the value).
BOOST_AUTO_TEST_CASE(unmount_on_a_client_gives_its_tokens_back_with_its_data) {
  const RunResult r = run_text(
      unmounting("  - {at: 6s, unmount: {fs: fs1, on: n4}}\n",
                 "  - {at: 5s, node: n4, call: write, path: /fs1/keep/a, offset: 0, length: 64KiB}\n"
                 "  - {at: 7s, node: n1, call: read, path: /fs1/keep/a, offset: 0, length: 64KiB}\n"),
      true);
  BOOST_TEST(r.passed);
  BOOST_TEST(has(r, kN4, "cxfs.unmount fs=0 step=done"));
  BOOST_TEST(!has(r, kN4, "cache.flush_failed"));
  // The write-back and the returns happen at the unmount, not at n1's read's recall.
  int flushed = 0, given = 0;
  for (const TraceRecord& rec : r.records) {
    if (rec.node != kN4 || rec.time < 6_s || rec.time > 6_s + 100_ms) continue;
    if (rec.text.find("cache.flush ") == 0) ++flushed;
    if (rec.text.find("token.give ") == 0) ++given;
  }
  BOOST_TEST(flushed > 0);
  BOOST_TEST(given > 0);
  BOOST_TEST(!has(r, kN3, "kore.phase"));  // a client: nothing to relocate
  BOOST_TEST(results(r, kN4, 6_s + 100_ms, 20_s).count("ok") == 0u);
}

// A candidate that unmounted the file system takes no server role: not by relocation
// (the unmount on the server then moves to the next candidate) ...
BOOST_AUTO_TEST_CASE(a_relocation_skips_a_candidate_that_unmounted) {
  const RunResult r = run_text(unmounting("  - {at: 5s, unmount: {fs: fs1, on: n2}}\n"
                                          "  - {at: 8s, unmount: {fs: fs1, on: n3}}\n"),
                               true);
  BOOST_TEST(r.passed);
  BOOST_TEST(has(r, kN3, "reason=the file system is unmounted here"));
  BOOST_TEST(has(r, kN3, "phase=end source=2 target=0"));  // n1 serves
}

// ... nor by recovery: the server's crash elects the next candidate that has it mounted.
BOOST_AUTO_TEST_CASE(recovery_skips_a_candidate_that_unmounted) {
  const RunResult r = run_text(unmounting("  - {at: 5s, unmount: {fs: fs1, on: n2}}\n"
                                          "  - {at: 8s, crash: n3, restart_after: 3s}\n"),
                               true);
  BOOST_TEST(r.passed);
  bool n2_refused = false, n1_serves = false;
  for (const TraceRecord& rec : r.records) {
    if (rec.text.find("corpse.instantiate_failed") == 0 && rec.text.find("server=1") != std::string::npos)
      n2_refused = true;
    if (rec.text.find("corpse.complete") == 0 && rec.text.find("servers=[0,0]") != std::string::npos)
      n1_serves = true;  // the cycle ended with fs 0 served by n1
  }
  BOOST_TEST(n2_refused);
  BOOST_TEST(n1_serves);
}

// With no other candidate able to serve, the unmount is refused and nothing changes.
BOOST_AUTO_TEST_CASE(unmount_on_the_server_is_refused_when_nobody_can_take_over) {
  const RunResult r = run_text(unmounting("  - {at: 4s, unmount: {fs: fs1, on: [n1, n2]}}\n"
                                          "  - {at: 8s, unmount: {fs: fs1, on: n3}}\n"),
                               true);
  BOOST_TEST(r.passed);
  BOOST_TEST(has(r, kN3, "cell.unmount_refused fs=0 reason=no other candidate server took the file system"));
  BOOST_TEST(!has(r, kN3, "cxfs.unmount fs=0 step=done"));
  BOOST_TEST(has(r, kN3, "cxfs.unmount fs=0 step=remounted"));
  BOOST_TEST(!has(r, kN3, "phase=end"));
  BOOST_TEST(results(r, kN3, 9_s, 16_s).count("ok") == 1u);  // still mounted, still serving
}

// Unmount on the server n1 moves the role to n2, which crashes the moment n1 bagged: the
// cycle that follows finds no server and no candidate that can serve (n1 has it
// unmounted), and completes with fs1 unserved — token_recovery must not judge n1's
// retired table (relocation property seed 652). When the operator mounts it again on n1,
// n1 asks for a membership round at once and recovery elects it: calls that waited for
// a server go on without waiting for the next membership change (before, for ever).
BOOST_AUTO_TEST_CASE(a_remount_gets_an_unserved_file_system_a_server) {
  const RunResult r = run_text(R"(name: unmount-then-target-crash
seed: 5
duration: 30s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3}
    - {id: n4}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 128MiB}]
  volumes: [{id: v1, disks: [d1]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n1, n2]}
files:
  - {path: /fs1/keep, size: 32KiB}
workload:
  - {generator: mixed, fs: fs1, nodes: [n2, n3, n4], processes: 2, files: 6, rate: 20/s, from: 3s, until: 25s}
faults:
  - {at: 6s, unmount: {fs: fs1, on: n1}, undo_after: 1s}
  - {when: {observe: kore.phase, phase: bag}, crash: n2}
expect:
  - membership_stable_within: 5s
)",
                               true);
  for (const Violation& v : r.violations) BOOST_TEST_MESSAGE(v.checker << ": " << v.message.substr(0, 300));
  BOOST_TEST(r.passed);
  BOOST_TEST(has(r, kN1, "corpse.complete") );
  Time unserved = -1, served_again = -1;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation || rec.text.find("corpse.complete ") != 0) continue;
    if (rec.text.find("servers=[] ") != std::string::npos) unserved = rec.time;
    else if (unserved >= 0 && served_again < 0 && rec.text.find("servers=[0,0]") != std::string::npos)
      served_again = rec.time;
  }
  BOOST_TEST(unserved > 6_s);
  BOOST_TEST(has(r, kN1, "cell.mount_wants_server fs=0"));
  BOOST_TEST(served_again > 7_s);
  BOOST_TEST(served_again < 8_s, "served again at " << format_duration(served_again));
  BOOST_TEST(results(r, kN3, 8_s, 25_s).count("ok") == 1u);  // calls complete again
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(crash_at_each_phase)

namespace {

// A relocation under a mixed workload on a DMAPI-enabled file system with a tape recall
// outstanding: fs1 is served by n2 (the first membership's election) and moves to n3;
// n1 and n4 are clients.
std::string moving(const std::string& faults) {
  return R"(name: crash-during-relocation
seed: 11
duration: 40s
cluster:
  nodes:
    - {id: n1}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 128MiB}]
  volumes: [{id: v1, disks: [d1]}]
hsm: {tape: {mount: 2s, seek: 1s, rate: 64MiB/s}}
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3], dmapi: true}
files:
  - {path: /fs1/keep, size: 32KiB}
  - {path: /fs1/cold, size: 64KiB, offline: true}
workload:
  - {generator: mixed, fs: fs1, nodes: [n1, n4], processes: 2, files: 6, rate: 20/s, from: 5s, until: 30s}
  - {at: 9500ms, node: n1, call: read, path: /fs1/cold, length: 64KiB}
  - {at: 9600ms, node: n2, call: write, path: /fs1/keep, length: 16KiB}
faults:
  - {at: 10s, relocate: {fs: fs1, to: n3}}
)" + faults + "expect:\n  - membership_stable_within: 5s\n";
}

}  // namespace

// The token state must move whole (§0076): a bag that leaves clients' tokens out is caught
// when the relocation ends, and by the checkers that see those clients' data go stale.
BOOST_AUTO_TEST_CASE(losing_tokens_in_the_bag_is_caught_by_token_recovery) {
  const RunResult r = run_text(moving("mutations: [lose_tokens_in_bag]\n"));
  BOOST_TEST(failed_checkers(r).count("token_recovery") == 1u);
}

// §0076: the new server has every node update its white-pages entry. A retarget that
// leaves them naming the source is caught when the relocation ends, once per node.
BOOST_AUTO_TEST_CASE(stale_white_pages_after_a_relocation_are_caught_by_one_server) {
  const RunResult r = run_text(moving("mutations: [stale_white_pages]\n"));
  BOOST_TEST(failed_checkers(r) == std::set<std::string>{"one_server"});
  int named = 0;
  for (const Violation& v : r.violations)
    if (v.message.find("after the relocation the white pages on") != std::string::npos &&
        v.message.find("name n2, not n3") != std::string::npos)
      ++named;
  BOOST_TEST(named == 4);  // n1..n4
}

// Every node's white-pages entry follows the server: the first cycle's election, then
// the relocation, and a node that left and came back learns it again.
BOOST_AUTO_TEST_CASE(every_node_s_white_pages_follow_the_server) {
  const RunResult r = run_text(moving("  - {at: 20s, crash: n4, restart_after: 2s}\n"), true);
  BOOST_TEST(r.passed);
  std::map<NodeId, std::string> last;  // node -> its last wp.entry
  for (const TraceRecord& rec : r.records)
    if (rec.kind == TraceKind::observation && rec.text.find("wp.entry ") == 0) last[rec.node] = rec.text;
  BOOST_TEST(last.size() == 4u);
  for (const auto& [node, text] : last) BOOST_TEST(text == "wp.entry fs=0 server=2", "node " << node);
}

// A target that cannot mount (its path to the disk fails once the source has bagged, and
// stays down until the path retry gives up, 30s) gives the bag back: the source serves
// again, every member is pointed back at it, the relocation ends there, and every checker
// stays green.
BOOST_AUTO_TEST_CASE(a_target_that_cannot_mount_leaves_the_source_serving) {
  std::string yaml = moving("  - {when: {observe: kore.phase, phase: bag}, path_down: {node: n3, disk: d1}}\n") +
                     "  - relocation_completes_within: 45s\n";
  yaml.replace(yaml.find("duration: 40s"), 13, "duration: 80s");
  const RunResult r = run_text(yaml, true);
  for (const Violation& v : r.violations) BOOST_TEST_MESSAGE(v.checker << ": " << v.message.substr(0, 300));
  BOOST_TEST(r.passed);
  bool aborted = false, ended_on_source = false;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation) continue;
    if (rec.text.find("kore.abort ") == 0 && rec.text.find("could not mount") != std::string::npos) aborted = true;
    if (rec.text.find("kore.phase ") == 0 && rec.text.find("phase=end") != std::string::npos &&
        rec.text.find("target=1") != std::string::npos)
      ended_on_source = true;
  }
  BOOST_TEST(aborted);
  BOOST_TEST(ended_on_source);
}

BOOST_AUTO_TEST_CASE(the_relocation_alone_keeps_every_checker_green) {
  const RunResult r = run_text(moving(""), true);
  for (const Violation& v : r.violations) BOOST_TEST_MESSAGE(v.checker << ": " << v.message.substr(0, 300));
  BOOST_TEST(r.passed);
  BOOST_TEST(relocation_time(r) > 0);
}

// Source, target and a client crash at every phase KORE reports (§0074: recovery's pass
// 1 sorts out the interrupted relocation): every checker stays green, and recovery ends
// with exactly one server (one_server, token_recovery).
BOOST_AUTO_TEST_CASE(a_crash_of_source_target_or_client_at_any_phase_ends_with_one_server) {
  const std::vector<std::pair<std::string, std::string>> points = {
      {"kore.phase", "phase: source_prepare"}, {"kore.phase", "phase: target_prepare"},
      {"kore.phase", "phase: convert"},        {"kore.phase", "phase: detarget"},
      {"kore.phase", "phase: bag"},            {"kore.bagged", ""},
      {"kore.unbagged", ""},                   {"kore.phase", "phase: retarget"},
      {"kore.phase", "phase: end"}};
  int cases = 0;
  for (const auto& [kind, field] : points)
    for (const char* victim : {"n2", "n3", "n1"}) {  // source, target, client
      const std::string when = "{observe: " + kind + (field.empty() ? "" : ", " + field) + "}";
      const std::string fault = "  - {when: " + when + ", crash: " + std::string(victim) + ", restart_after: 3s}\n";
      const RunResult r = run_text(moving(fault), true);
      ++cases;
      std::string why;
      const bool crashed = std::any_of(r.faults.begin(), r.faults.end(),
                                       [](const AppliedFault& f) { return f.text.find("crash") != std::string::npos; });
      if (!crashed) why += "  the crash never happened (its trigger matched nothing)\n";
      for (const Violation& v : r.violations) why += "  " + v.checker + ": " + v.message.substr(0, 300) + "\n";
      BOOST_TEST(why.empty(), "crash " << victim << " at " << kind << " " << field << "\n" << why);
    }
  BOOST_TEST_MESSAGE(cases << " cases");
}

BOOST_AUTO_TEST_SUITE_END()
