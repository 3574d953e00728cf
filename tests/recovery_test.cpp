// CORPSE recovery (model/corpse) end to end: each recovery checker catches the bug it is
// for when recovery is broken on purpose (a mutation), and stays quiet on the correct
// protocol; recovery messages round-trip and reject malformed bytes; stale cycles are
// refused; the reset line power-cycles a node.
#define BOOST_TEST_MODULE recovery
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <map>
#include <set>

#include "checkers/recovery_checkers.h"
#include "model/corpse/corpse.h"
#include "model/corpse/messages.h"
#include "model/cred/credential_cache.h"
#include "scenarios/runner.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

const std::string kLibrary = std::string(SANSIM_SOURCE_DIR) + "/scenarios/library/";

Scenario library(const std::string& name) { return load_scenario_file(kLibrary + name + ".yaml"); }

std::vector<std::string> failed_checkers(const RunResult& r) {
  std::vector<std::string> out;
  for (const Violation& v : r.violations)
    if (std::find(out.begin(), out.end(), v.checker) == out.end()) out.push_back(v.checker);
  return out;
}

bool reported(const RunResult& r, const std::string& checker) {
  const auto f = failed_checkers(r);
  return std::find(f.begin(), f.end(), checker) != f.end();
}

std::string violations_text(const RunResult& r) {
  std::string s;
  for (const Violation& v : r.violations) s += v.checker + ": " + v.message + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(correct_recovery_passes_every_checker_in_the_recovery_scenarios) {
  for (const char* name : {"fs-partitioned-server-fenced", "fs-server-crash-failover", "fs-client-crash-dirty-pages"}) {
    const RunResult r = run_scenario(library(name));
    BOOST_TEST(r.passed, name << "\n" << violations_text(r));
  }
}

// Each recovery checker against the bug it is for: recovery broken on purpose in a
// library scenario, and the checker must report it.
BOOST_AUTO_TEST_CASE(each_recovery_checker_catches_the_bug_it_is_for) {
  struct Case {
    const char* scenario;
    const char* bug;
    void (*apply)(Scenario&);
    const char* checker;
  };
  const Case cases[] = {
      {"fs-partitioned-server-fenced", "skip fencing", [](Scenario& s) { s.recovery.mutations.skip_fencing = true; },
       "fencing"},
      {"fs-server-crash-failover", "leave a manifest out", [](Scenario& s) { s.recovery.mutations.skip_gather = true; },
       "token_recovery"},
      {"fs-client-crash-dirty-pages", "keep a dead client's tokens",
       [](Scenario& s) { s.fs_mutations.keep_dead_tokens = true; }, "token_recovery"},
      {"fs-server-crash-failover", "retarget before instantiate",
       [](Scenario& s) { s.recovery.mutations.retarget_before_instantiate = true; }, "one_server"},
  };
  for (const Case& c : cases) {
    Scenario sc = library(c.scenario);
    c.apply(sc);
    const RunResult r = run_scenario(sc);
    BOOST_TEST(reported(r, c.checker), c.scenario << " with the bug '" << c.bug << "': " << c.checker
                                                  << " did not report it\n" << violations_text(r));
  }
}

BOOST_AUTO_TEST_CASE(the_reset_line_fences_by_power_cycling_the_node) {
  Scenario sc = library("fs-partitioned-server-fenced");
  sc.recovery.fencing = corpse::Fencing::reset;
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(sc, o);
  BOOST_TEST(r.passed, violations_text(r));
  int resets = 0;
  for (const TraceRecord& rec : r.records)
    if (rec.kind == TraceKind::observation && rec.text.rfind("node.reset", 0) == 0) ++resets;
  BOOST_TEST(resets >= 1);
}

// recovery_liveness, fed by hand: a cycle that never completes is reported once the
// bound after the faults has passed; one superseded by a newer cycle is not.
BOOST_AUTO_TEST_CASE(recovery_liveness_reports_a_cycle_that_never_completes) {
  const auto obs = [](std::uint64_t i, Time t, std::string kind, std::string cycle) {
    Observation o;
    o.index = i;
    o.time = t;
    o.node = 0;
    o.kind = std::move(kind);
    o.fields = {{"cycle", std::move(cycle)}};
    return o;
  };
  RecoveryLivenessChecker stuck(5_s, [] { return Time{1_s}; });
  stuck.on_observation(obs(1, 2_s, "corpse.start", "1.2.0"));
  stuck.finish(20_s, 9);
  BOOST_TEST(stuck.violations().size() == 1u);

  RecoveryLivenessChecker superseded(5_s, [] { return Time{1_s}; });
  superseded.on_observation(obs(1, 2_s, "corpse.start", "1.2.0"));
  superseded.on_observation(obs(2, 3_s, "corpse.start", "1.3.0"));
  superseded.on_observation(obs(3, 4_s, "corpse.complete", "1.3.0"));
  superseded.finish(20_s, 9);
  BOOST_TEST(superseded.violations().empty());

  RecoveryLivenessChecker too_short(5_s, [] { return Time{1_s}; });
  too_short.on_observation(obs(1, 2_s, "corpse.start", "1.2.0"));
  too_short.finish(4_s, 9);  // the bound has not passed yet: no verdict
  BOOST_TEST(too_short.violations().empty());
}

namespace {

corpse::Holding gen_holding() {
  corpse::Holding h;
  h.holder = *rc::gen::inRange<NodeId>(0, 300);
  h.fs = *rc::gen::inRange<std::uint32_t>(0, 4);
  h.ino = *rc::gen::arbitrary<std::uint64_t>();
  h.type = static_cast<token::TokenType>(*rc::gen::inRange<int>(0, static_cast<int>(token::kTokenTypes)));
  h.level = static_cast<token::Level>(*rc::gen::inRange(0, 4));
  h.grant = *rc::gen::arbitrary<std::uint64_t>();
  h.state.atime = *rc::gen::arbitrary<std::int64_t>();
  h.state.mtime = *rc::gen::arbitrary<std::int64_t>();
  h.state.ctime = *rc::gen::arbitrary<std::int64_t>();
  h.state.size = *rc::gen::arbitrary<std::uint64_t>();
  h.exclusive = *rc::gen::arbitrary<bool>();
  return h;
}

}  // namespace

RC_BOOST_PROP(recovery_messages_round_trip, ()) {
  corpse::Request q;
  q.cycle = {*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint64_t>(),
             *rc::gen::arbitrary<std::uint32_t>()};
  q.step = static_cast<corpse::Step>(*rc::gen::inRange<int>(0, corpse::kSteps));
  q.failed = *rc::gen::container<std::vector<NodeId>>(rc::gen::inRange<NodeId>(0, 300));
  q.fs = *rc::gen::arbitrary<std::uint32_t>();
  const int n = *rc::gen::inRange(0, 20);
  for (int i = 0; i < n; ++i) q.holdings.push_back(gen_holding());
  const int m = *rc::gen::inRange(0, 5);
  for (int i = 0; i < m; ++i) q.servers.push_back({*rc::gen::arbitrary<std::uint32_t>(), *rc::gen::arbitrary<NodeId>()});
  q.wp = *rc::gen::arbitrary<NodeId>();
  RC_ASSERT(corpse::decode_request(corpse::encode(q)) == q);

  corpse::Reply p;
  p.status = static_cast<corpse::Status>(*rc::gen::inRange<int>(0, corpse::kStatuses));
  p.fresh = *rc::gen::arbitrary<bool>();
  p.has_previous = *rc::gen::arbitrary<bool>();
  p.previous_generation = *rc::gen::arbitrary<std::uint64_t>();
  p.previous_epoch = *rc::gen::arbitrary<std::uint64_t>();
  const int d = *rc::gen::inRange(0, 6);
  for (int i = 0; i < d; ++i) p.declared.push_back({*rc::gen::arbitrary<NodeId>(), *rc::gen::arbitrary<std::uint64_t>()});
  p.serving = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange<std::uint32_t>(0, 8));
  for (int i = 0; i < n; ++i) p.holdings.push_back(gen_holding());
  RC_ASSERT(corpse::decode_reply(corpse::encode(p)) == p);
}

RC_BOOST_PROP(malformed_recovery_messages_are_rejected_never_trusted, ()) {
  corpse::Request q;
  q.step = corpse::Step::instantiate;
  q.holdings = {gen_holding()};
  Bytes b = corpse::encode(q);
  const auto cut = *rc::gen::inRange<std::size_t>(0, b.size());
  Bytes shorter(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(cut));
  RC_ASSERT_THROWS_AS(corpse::decode_request(shorter), DecodeError);
  Bytes longer = b;
  longer.push_back(0);
  RC_ASSERT_THROWS_AS(corpse::decode_request(longer), DecodeError);
}

BOOST_AUTO_TEST_CASE(a_step_or_status_out_of_range_is_named) {
  corpse::Request q;
  Bytes b = corpse::encode(q);
  b[20] = 99;  // the step byte follows the cycle id (8 + 8 + 4 bytes)
  try {
    corpse::decode_request(b);
    BOOST_FAIL("decoded a step of 99");
  } catch (const DecodeError& e) {
    BOOST_TEST(std::string(e.what()).find("step") != std::string::npos, e.what());
  }
}

namespace {

// Records what recovery asked of it; serves nothing.
struct FakeParticipant final : corpse::Participant {
  int celldowns = 0, retargets = 0, lefts = 0;
  Task<corpse::Reply> celldown(std::set<NodeId>) override {
    ++celldowns;
    co_return corpse::Reply{};
  }
  std::vector<corpse::Holding> manifest(std::uint32_t) override { return {}; }
  Task<bool> instantiate(std::uint32_t, std::vector<corpse::Holding>) override { co_return true; }
  Task<void> retarget(std::vector<corpse::ServerEntry>, NodeId) override {
    ++retargets;
    co_return;
  }
  void left() override { ++lefts; }
};

struct Counter final : ObservationSink {
  std::map<std::string, int> kinds;
  void on_observation(const Observation& o) override { ++kinds[o.kind]; }
};

cms::Membership membership(std::uint64_t epoch) {
  cms::Membership m;
  m.generation = 7;
  m.epoch = epoch;
  m.leader = 0;
  m.members = {0, 1};
  return m;
}

}  // namespace

// A member that already has a newer membership answers the older cycle's requests
// `stale` and does nothing for it; the leader's cycle then waits, and is superseded by
// the next delivery, whose cycle runs to completion on both.
BOOST_AUTO_TEST_CASE(a_cycle_of_an_older_membership_is_refused_and_superseded) {
  Simulation sim{1, {"n1", "n2"}, LanOptions{}};
  Counter seen;
  sim.subscribe(&seen);
  sim.boot_all();  // no processes: the nodes are up for the LAN
  cred::CredentialCache creds0, creds1;
  FakeParticipant p0, p1;
  corpse::Config cfg;
  cfg.nodes = 2;
  corpse::Corpse c0(sim, 0, cfg, p0, creds0), c1(sim, 1, cfg, p1, creds1);
  c0.start();
  c1.start();
  c1.membership(cms::State::stable, membership(4));  // the follower is ahead
  c0.membership(cms::State::stable, membership(3));  // the leader still leads epoch 3
  sim.sched().run_until(sim.now() + 2_s);
  BOOST_TEST(p0.celldowns == 1);  // the leader's own freeze
  BOOST_TEST(p1.celldowns == 0);  // refused: not its membership's cycle
  BOOST_TEST(seen.kinds["corpse.complete"] == 0);
  c0.membership(cms::State::stable, membership(4));
  sim.sched().run_until(sim.now() + 2_s);
  BOOST_TEST(seen.kinds["corpse.abort"] == 1);  // the epoch-3 cycle noticed it was over
  BOOST_TEST(seen.kinds["corpse.complete"] == 1);
  BOOST_TEST(p1.celldowns == 1);
  BOOST_TEST(p1.retargets == 1);
  c1.membership(cms::State::nascent, cms::Membership{});  // excluded: drops its state
  BOOST_TEST(p1.lefts == 1);
  sim.crash(0);  // the nodes' tasks go before the objects they wait in
  sim.crash(1);
}
