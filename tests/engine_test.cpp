#define BOOST_TEST_MODULE engine
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <memory>

#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/time.h"
#include "engine/wire_visitor.h"

using namespace sansim;
using namespace sansim::literals;

BOOST_AUTO_TEST_SUITE(time_parsing)

BOOST_AUTO_TEST_CASE(durations_parse_and_format) {
  BOOST_TEST(*parse_duration("5ms") == 5_ms);
  BOOST_TEST(*parse_duration("1.5s") == 1500_ms);
  BOOST_TEST(*parse_duration("100us") == 100_us);
  BOOST_TEST(*parse_duration("2m") == 120_s);
  BOOST_TEST(*parse_duration("7ns") == 7);
  BOOST_TEST(format_duration(1500_ms) == "1.5s");
  BOOST_TEST(format_duration(300_us) == "300us");
  for (const char* bad : {"", "5", "ms", "-1s", "1.s5", "5 s", "1e3s", "99999999999999999999s", "3sec"})
    BOOST_TEST(!parse_duration(bad).has_value(), bad);
}

RC_BOOST_PROP(format_reads_back, (std::int64_t v)) {
  const Duration d = v < 0 ? -(v + 1) : v;
  RC_ASSERT(parse_duration(format_duration(d)) == std::optional<Duration>(d));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(randomness)

BOOST_AUTO_TEST_CASE(same_seed_same_sequence_and_children_independent) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) BOOST_TEST(a.next() == b.next());
  // Drawing from the parent does not shift a child stream.
  Rng c(42);
  Rng child1 = c.child("lan");
  for (int i = 0; i < 10; ++i) c.next();
  Rng child2 = c.child("lan");
  BOOST_TEST(child1.next() == child2.next());
  BOOST_TEST(Rng(42).child("lan").next() != Rng(42).child("cms").next());
}

RC_BOOST_PROP(uniform_stays_in_range, (std::int64_t seed, std::int32_t lo, std::uint16_t width)) {
  Rng r(static_cast<std::uint64_t>(seed));
  const std::int64_t hi = static_cast<std::int64_t>(lo) + width;
  for (int i = 0; i < 50; ++i) {
    const std::int64_t v = r.uniform(lo, hi);
    RC_ASSERT(v >= lo);
    RC_ASSERT(v <= hi);
  }
}

BOOST_AUTO_TEST_CASE(chance_extremes_and_rough_rate) {
  Rng r(7);
  BOOST_TEST(!r.chance(0, 10));
  BOOST_TEST(r.chance(10, 10));
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += r.chance(1, 4) ? 1 : 0;
  BOOST_TEST(hits > 2300);
  BOOST_TEST(hits < 2700);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scheduler)

namespace {
Task<void> log_after(Scheduler& s, Duration d, std::vector<int>& out, int id) {
  co_await s.sleep(d);
  out.push_back(id);
}

struct Canary {
  int* destroyed;
  ~Canary() { ++*destroyed; }
};

Task<int> child(Scheduler& s, int* destroyed) {
  Canary c{destroyed};
  co_await s.sleep(10_s);
  co_return 1;
}

Task<void> parent(Scheduler& s, int* destroyed, int* finished) {
  Canary c{destroyed};
  int v = co_await child(s, destroyed);
  *finished += v;
}

Task<int> value_task(Scheduler& s, int v) {
  co_await s.sleep(1_ms);
  co_return v * 2;
}

Task<void> awaits_values(Scheduler& s, int* out) {
  int a = co_await value_task(s, 3);
  int b = co_await value_task(s, 4);
  *out = a + b;
}

Task<void> throws(Scheduler& s) {
  co_await s.sleep(1_ms);
  throw std::runtime_error("invariant broken");
}
}  // namespace

BOOST_AUTO_TEST_CASE(events_run_in_time_then_sequence_order) {
  Trace t;
  Scheduler s(t);
  std::vector<int> out;
  s.spawn(0, log_after(s, 5_ms, out, 1), "a");
  s.spawn(0, log_after(s, 1_ms, out, 2), "b");
  s.spawn(1, log_after(s, 5_ms, out, 3), "c");  // same time as a: spawned later, runs later
  s.spawn(1, log_after(s, 0, out, 4), "d");
  s.run_until(1_s);
  BOOST_TEST(out == (std::vector<int>{4, 2, 1, 3}));
  BOOST_TEST(s.now() == 1_s);
}

BOOST_AUTO_TEST_CASE(shuffled_ties_are_reproducible_and_seed_dependent) {
  auto order = [](std::uint64_t seed) {
    Trace t;
    Scheduler s(t);
    s.shuffle_ties(seed);
    std::vector<int> out;
    for (int i = 0; i < 12; ++i) s.spawn(0, log_after(s, 1_ms, out, i), "t");
    s.run_until(1_s);
    return out;
  };
  BOOST_TEST(order(1) == order(1));
  BOOST_TEST((order(1) != order(2) || order(1) != order(3)));
}

BOOST_AUTO_TEST_CASE(tasks_return_values) {
  Trace t;
  Scheduler s(t);
  int out = 0;
  s.spawn(0, awaits_values(s, &out), "v");
  s.run_until(1_s);
  BOOST_TEST(out == 14);
}

BOOST_AUTO_TEST_CASE(crash_destroys_node_tasks_and_frees_frames) {
  Trace t;
  Scheduler s(t);
  int destroyed = 0, finished = 0;
  s.spawn(0, parent(s, &destroyed, &finished), "victim");
  s.spawn(1, parent(s, &destroyed, &finished), "survivor");
  s.run_until(1_s);
  BOOST_TEST(s.live_tasks(0) == 1u);
  s.kill_node_tasks(0);
  BOOST_TEST(destroyed == 2);  // parent and child frames, RAII ran
  BOOST_TEST(s.live_tasks(0) == 0u);
  s.run_until(20_s);  // node 0's pending wake-up is void; node 1 finishes
  BOOST_TEST(finished == 1);
  BOOST_TEST(destroyed == 4);
}

BOOST_AUTO_TEST_CASE(task_exception_stops_the_run) {
  Trace t;
  Scheduler s(t);
  s.spawn(3, throws(s), "bad");
  bool caught = false;
  try {
    s.run_until(1_s);
  } catch (const TaskFailure& f) {
    caught = true;
    BOOST_TEST(f.node == 3u);
    BOOST_TEST(f.what == "invariant broken");
  }
  BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(trace_hash_depends_on_the_events) {
  auto hash = [](Duration d) {
    Trace t;
    Scheduler s(t);
    std::vector<int> out;
    s.spawn(0, log_after(s, d, out, 1), "a");
    s.run_until(1_s);
    return t.hash();
  };
  BOOST_TEST(hash(1_ms) == hash(1_ms));
  BOOST_TEST(hash(1_ms) != hash(2_ms));
}

BOOST_AUTO_TEST_CASE(divergence_is_located_exactly) {
  Trace a(4), b(4);
  for (int i = 0; i < 20; ++i) {
    a.record_event(i, 0, TraceKind::timer, i);
    b.record_event(i, 0, TraceKind::timer, i == 13 ? 99 : i);
  }
  const Divergence d = find_divergence(TraceSummary{a.count(), a.hash(), a.checkpoints(), a.digests()},
                                       TraceSummary{b.count(), b.hash(), b.checkpoints(), b.digests()});
  BOOST_TEST(d.diverged);
  BOOST_TEST(d.index == 13u);
  const Divergence same = find_divergence(TraceSummary{a.count(), a.hash(), a.checkpoints(), a.digests()},
                                          TraceSummary{a.count(), a.hash(), a.checkpoints(), a.digests()});
  BOOST_TEST(!same.diverged);
}

BOOST_AUTO_TEST_SUITE_END()

// engine/wire_visitor.h: one visit drives both directions; what the decoder reads is
// checked and named.
BOOST_AUTO_TEST_SUITE(wire_visitor)

namespace {

enum class Colour : std::uint8_t { red, green, blue };
struct Sample {
  Colour colour = Colour::red;
  std::string name;
  std::optional<std::uint64_t> size;
  std::optional<std::uint32_t> mode;
  std::vector<std::int64_t> values;
};

template <class V>
void visit(V& v, Sample& m) {
  wire_enum8(v, m.colour, 3, "colour");
  v.s(m.name, "name", 8);
  v.opt(m.size, "size");
  v.opt(m.mode, "mode");
  v.list(m.values, 8, "values", [&v](std::int64_t& x) { v.i64(x, "values.x"); });
}

constexpr auto kVisit = [](auto& v, auto& m) { visit(v, m); };

}  // namespace

RC_BOOST_PROP(a_sample_decodes_to_what_was_encoded, ()) {
  Sample m;
  m.colour = *rc::gen::element(Colour::red, Colour::green, Colour::blue);
  m.name = *rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(0, 9), rc::gen::arbitrary<char>());
  if (*rc::gen::arbitrary<bool>()) m.size = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) m.mode = *rc::gen::arbitrary<std::uint32_t>();
  m.values = *rc::gen::arbitrary<std::vector<std::int64_t>>();
  const Sample back = wire_decode<Sample>(wire_encode(m, kVisit), "sample", kVisit);
  RC_ASSERT(back.colour == m.colour);
  RC_ASSERT(back.name == m.name);
  RC_ASSERT(back.size == m.size);
  RC_ASSERT(back.mode == m.mode);
  RC_ASSERT(back.values == m.values);
}

BOOST_AUTO_TEST_CASE(bad_bytes_are_named) {
  const auto error = [](Bytes b) -> std::string {
    try {
      wire_decode<Sample>(b, "sample", kVisit);
    } catch (const DecodeError& e) {
      return e.what();
    }
    return "";
  };
  Sample m;
  m.name = "ok";
  const Bytes good = wire_encode(m, kVisit);
  Bytes bad = good;
  bad[0] = 3;  // no such colour
  BOOST_TEST(error(bad).find("colour: value 3 out of range") != std::string::npos);
  m.name = "too long a name";
  BOOST_TEST(error(wire_encode(m, kVisit)).find("name") != std::string::npos);
  bad = good;
  bad.push_back(0);  // a byte left over
  BOOST_TEST(error(bad).find("sample") != std::string::npos);
  bad = good;
  bad.pop_back();  // the list's count cut short
  BOOST_TEST(error(bad).find("values") != std::string::npos);
  bad = good;
  bad[bad.size() - 4] = 0xff;  // a count larger than what is left
  BOOST_TEST(!error(bad).empty());
  BOOST_TEST(error(good).empty());
}

BOOST_AUTO_TEST_SUITE_END()
