// Tokens (§0028-0036): the conflict rule and the names of types and levels, then one
// TokenServer and three TokenClients driven by rc::state against a model of the
// references that operations hold.
//
// The server and the clients are wired with plain functions in place of messages (the
// token layer knows no messages, model/token/README.md): a client's Request sleeps one
// link latency, calls the server's acquire for that client, and sleeps again; the
// server's Recall does the same around the holder client's recall. Latencies differ per
// client so that messages of different clients overtake each other, and commands do not
// wait for the scheduler to be quiet (only RunFor moves time), so requests cross recalls
// in flight. What needs a quiet scheduler is checked whenever it is quiet; ConditionalRecall
// and the end of a run drain it. A release of an acquire not granted yet releases it as
// soon as it is granted, so the model never needs to know which acquires are through.
#define BOOST_TEST_MODULE token
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>
#include <rapidcheck/state.h>

#include <array>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/event.h"
#include "model/token/token_client.h"
#include "model/token/token_server.h"

using namespace sansim;
using namespace sansim::token;
using namespace sansim::literals;

namespace {

constexpr std::array<Level, 4> kLevels = {Level::none, Level::read, Level::shared_write, Level::write};

}  // namespace

BOOST_AUTO_TEST_SUITE(token_rules)

BOOST_AUTO_TEST_CASE(conflicts_is_the_table_of_0028) {
  // §0028: each level conflicts with the other levels, and write also with write; a
  // holder of nothing conflicts with nobody. Rows: held; columns: wanted.
  constexpr bool expect[4][4] = {
      // none   read   shared  write
      {false, false, false, false},  // none
      {false, false, true, true},    // read
      {false, true, false, true},    // shared_write
      {false, true, true, true},     // write
  };
  for (std::size_t h = 0; h < 4; ++h)
    for (std::size_t w = 0; w < 4; ++w) {
      BOOST_TEST_CONTEXT("held " << to_string(kLevels[h]) << ", wanted " << to_string(kLevels[w])) {
        BOOST_TEST(conflicts(kLevels[h], kLevels[w]) == expect[h][w]);
        BOOST_TEST(conflicts(kLevels[h], kLevels[w]) == conflicts(kLevels[w], kLevels[h]));
      }
    }
}

BOOST_AUTO_TEST_CASE(covers_is_same_level_or_write_for_read) {
  // token.h: the same level always; write also covers read.
  constexpr bool expect[4][4] = {
      // none   read   shared  write
      {true, false, false, false},   // none
      {false, true, false, false},   // read
      {false, false, true, false},   // shared_write
      {false, true, false, true},    // write: not shared write (PAGE tokens: direct I/O, §0033)
  };
  for (std::size_t h = 0; h < 4; ++h)
    for (std::size_t w = 0; w < 4; ++w) {
      BOOST_TEST_CONTEXT("held " << to_string(kLevels[h]) << ", wanted " << to_string(kLevels[w])) {
        BOOST_TEST(covers(kLevels[h], kLevels[w]) == expect[h][w]);
        // Using `held` as `wanted` is safe: whoever may hold beside `held` may hold beside `wanted`.
        if (covers(kLevels[h], kLevels[w]))
          for (Level other : kLevels)
            if (!conflicts(other, kLevels[h])) BOOST_TEST(!conflicts(other, kLevels[w]));
      }
    }
}

// A holder that answers every recall "absent": its return is on the way.
Task<RecallAnswer> absent_recall(NodeId, ObjectId, TokenType, bool, GrantId) {
  RecallAnswer a;
  a.returned = true;
  a.absent = true;
  co_return a;
}

// Takes `type` at `level` for `holder`; records the grant and when it came.
Task<void> take_token(TokenServer* server, NodeId holder, ObjectId o, TokenType type, Level level, GrantId* out,
                      Simulation* sim, Time* when) {
  *out = co_await server->acquire(holder, o, type, level);
  if (when != nullptr) *when = sim->now();
}

// Regression (fs property seeds 3 and 16): a holder gave its SIZE write back in a
// message of its own that is still on the LAN when the server's recall reaches it; the
// holder answers "absent". Granting at once would hand out the size the message still
// carries: the server must wait for that return, merge its state, then grant.
BOOST_AUTO_TEST_CASE(an_absent_answer_waits_for_the_return_on_its_way) {
  Simulation sim(1, {"server", "c1", "c2"}, LanOptions{});
  std::uint64_t merged_size = 0;
  TokenServer* server_ptr = nullptr;
  TokenServer server(
      sim, 0,
      absent_recall,
      [&](ObjectId, TokenType t, NodeId, const TokenState& st) {
        if (t == TokenType::size) merged_size = std::max(merged_size, st.size);
      });
  server_ptr = &server;
  const ObjectId o{0, 7};
  GrantId first = 0, second = 0;
  Time granted_at = -1;
  sim.sched().spawn(0, take_token(server_ptr, 1, o, TokenType::size, Level::write, &first, &sim, nullptr), "c1.take");
  sim.sched().run_until(1_ms);
  BOOST_TEST_REQUIRE(first != 0);
  sim.sched().spawn(0, take_token(server_ptr, 2, o, TokenType::size, Level::read, &second, &sim, &granted_at),
                    "c2.take");
  sim.sched().run_until(250_ms);
  BOOST_TEST(second == 0);  // still waiting for c1's return, recall after recall
  Grants given{};
  given[static_cast<std::size_t>(TokenType::size)] = first;
  server.give(1, o, given, TokenState{0, 0, 0, 12288});  // the return arrives
  sim.sched().run_until(1_s);
  BOOST_TEST(second != 0);
  BOOST_TEST(second > first);
  BOOST_TEST(granted_at >= 250_ms);
  BOOST_TEST(merged_size == 12288u);
  BOOST_TEST((server.held(1, o, TokenType::size) == Level::none));
}

// A return of an older grant that arrives after the holder was granted anew (its next
// request overtook it on the LAN) leaves the new grant alone.
BOOST_AUTO_TEST_CASE(a_stale_return_does_not_drop_a_newer_grant) {
  Simulation sim(1, {"server", "c1"}, LanOptions{});
  TokenServer server(
      sim, 0, [](NodeId, ObjectId, TokenType, bool, GrantId) -> Task<RecallAnswer> { co_return RecallAnswer{}; },
      [](ObjectId, TokenType, NodeId, const TokenState&) {});
  TokenServer* sp = &server;
  const ObjectId o{0, 9};
  GrantId g1 = 0, g2 = 0;
  sim.sched().spawn(0, take_token(sp, 1, o, TokenType::io, Level::read, &g1, &sim, nullptr), "take1");
  sim.sched().run_until(1_ms);
  Grants given{};
  given[static_cast<std::size_t>(TokenType::io)] = g1;
  server.give(1, o, given, {});  // c1 gave it back ...
  sim.sched().spawn(0, take_token(sp, 1, o, TokenType::io, Level::read, &g2, &sim, nullptr), "take2");  // ... again
  sim.sched().run_until(2_ms);
  BOOST_TEST_REQUIRE(g2 != 0);
  server.give(1, o, given, {});  // a duplicate of the first return, late
  BOOST_TEST((server.held(1, o, TokenType::io) == Level::read));
}

// Celldown (§0066): a failed holder's grants go at once. A requester waiting on the
// holder's return (which will never come) is granted then, not after kReturnLost.
BOOST_AUTO_TEST_CASE(celldown_drops_a_failed_holders_grants_and_wakes_waiters) {
  Simulation sim(1, {"server", "c1", "c2"}, LanOptions{});
  TokenServer server(
      sim, 0,
      absent_recall,  // its return is "on the way" (it is not: the node died)
      [](ObjectId, TokenType, NodeId, const TokenState&) {});
  const ObjectId o{0, 11}, other{0, 12};
  GrantId first = 0, other_grant = 0, second = 0;
  Time granted_at = -1;
  sim.sched().spawn(0, take_token(&server, 1, o, TokenType::io, Level::write, &first, &sim, nullptr), "c1.io");
  sim.sched().spawn(0, take_token(&server, 1, other, TokenType::exist, Level::read, &other_grant, &sim, nullptr),
                    "c1.exist");
  sim.sched().run_until(1_ms);
  BOOST_TEST_REQUIRE(first != 0);
  sim.sched().spawn(0, take_token(&server, 2, o, TokenType::io, Level::read, &second, &sim, &granted_at), "c2.io");
  sim.sched().run_until(1_s);
  BOOST_TEST(second == 0);
  const Time down = sim.now();
  BOOST_TEST(server.celldown({1}) == 2u);
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(second != 0);
  BOOST_TEST(granted_at - down <= kReturnRecheck);
  BOOST_TEST((server.held(1, o, TokenType::io) == Level::none));
  BOOST_TEST((server.held(1, other, TokenType::exist) == Level::none));
  BOOST_TEST((server.held(2, o, TokenType::io) == Level::read));
  BOOST_TEST(server.celldown({1}) == 0u);
}

// Regression (fs property seed 147): two server operations (two allocations for
// different clients) are two holders. The second waits for the first's EXTENT write;
// before, both held it at once and the first's release ended the second's exclusion.
BOOST_AUTO_TEST_CASE(two_server_operations_do_not_share_a_write_token) {
  Simulation sim(1, {"server", "c1"}, LanOptions{});
  TokenServer server(sim, 0, absent_recall, [](ObjectId, TokenType, NodeId, const TokenState&) {});
  const ObjectId o{0, 21};
  GrantId first = 0, second = 0;
  Time second_at = -1;
  sim.sched().spawn(0, take_token(&server, kServerHolder, o, TokenType::extent, Level::write, &first, &sim, nullptr),
                    "op1");
  sim.sched().run_until(1_ms);
  BOOST_TEST_REQUIRE(first != 0);
  sim.sched().spawn(0, take_token(&server, kServerHolder, o, TokenType::extent, Level::write, &second, &sim, &second_at),
                    "op2");
  sim.sched().run_until(10_ms);
  BOOST_TEST(second == 0);  // waits for the first operation
  const Time released = sim.now();
  server.release(kServerHolder, o, TokenType::extent);
  sim.sched().run_until(20_ms);
  BOOST_TEST(second != 0);
  BOOST_TEST(second_at == released);
  BOOST_TEST((server.held(kServerHolder, o, TokenType::extent) == Level::write));
}

// Bounded: a return that never comes (its holder restarted and forgot the grant, and no
// recovery dropped it) holds the token up for kReturnLost, then the grant is counted
// lost, said so in the trace, and the requester is granted.
BOOST_AUTO_TEST_CASE(a_return_that_never_comes_is_counted_lost_after_the_bound) {
  Simulation sim(1, {"server", "c1", "c2"}, LanOptions{});
  struct Lost final : ObservationSink {
    int count = 0;
    void on_observation(const Observation& o) override { count += o.kind == "token.lost"; }
  } lost;
  sim.subscribe(&lost);
  TokenServer server(
      sim, 0,
      absent_recall,
      [](ObjectId, TokenType, NodeId, const TokenState&) {});
  const ObjectId o{0, 13};
  GrantId first = 0, second = 0;
  Time granted_at = -1;
  sim.sched().spawn(0, take_token(&server, 1, o, TokenType::page_dirty, Level::write, &first, &sim, nullptr), "c1");
  sim.sched().run_until(1_ms);
  const Time asked = sim.now();
  sim.sched().spawn(0, take_token(&server, 2, o, TokenType::page_dirty, Level::write, &second, &sim, &granted_at),
                    "c2");
  sim.sched().run_until(asked + kReturnLost - 1_s);
  BOOST_TEST(second == 0);
  BOOST_TEST(lost.count == 0);
  sim.sched().run_until(asked + kReturnLost + 1_s);
  BOOST_TEST(second != 0);
  BOOST_TEST(lost.count == 1);
  BOOST_TEST(granted_at >= asked + kReturnLost);
}

// Interruptible acquisition (§0083-0084). Waits on the token state end early when
// recovery or relocation raises the interrupt, or when the waiter is told it may not
// wait any more; the caller gets no grant and knows it ended early.
Task<void> take_interruptibly(TokenServer* server, NodeId holder, ObjectId o, TokenServer::AcquireOptions opt,
                              GrantId* out, bool* done) {
  auto op = server->acquire(holder, o, TokenType::io, Level::read, opt);
  *out = co_await op;
  *done = true;
}

BOOST_AUTO_TEST_CASE(an_interrupt_ends_a_wait_for_the_token_state_early) {
  Simulation sim(1, {"server", "c1", "c2"}, LanOptions{});
  TokenServer server(sim, 0, absent_recall, [](ObjectId, TokenType, NodeId, const TokenState&) {});
  const ObjectId o{0, 21};
  GrantId held = 0;
  // A server operation holds IO write: a client's IO read waits for a change.
  sim.sched().spawn(0, take_token(&server, kServerHolder, o, TokenType::io, Level::write, &held, &sim, nullptr),
                    "server.op");
  sim.sched().run_until(1_ms);
  BOOST_TEST_REQUIRE(held != 0);
  Interrupt recovery(sim.sched());
  bool early = false, done = false;
  GrantId got = 99;
  TokenServer::AcquireOptions opt;
  opt.interrupt = &recovery;
  opt.early = &early;
  sim.sched().spawn(0, take_interruptibly(&server, 1, o, opt, &got, &done), "c1.io");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!done);  // waits for the server operation
  recovery.raise();
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_TEST(done);
  BOOST_TEST(got == 0u);
  BOOST_TEST(early);
  BOOST_TEST((server.held(1, o, TokenType::io) == Level::none));
  // Without an interrupt the same request waits and is granted once the operation ends.
  bool later_done = false;
  GrantId later = 0;
  sim.sched().spawn(0, take_interruptibly(&server, 2, o, TokenServer::AcquireOptions{}, &later, &later_done),
                    "c2.io");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!later_done);
  server.release(kServerHolder, o, TokenType::io);
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_TEST(later_done);
  BOOST_TEST(later != 0u);
}

BOOST_AUTO_TEST_CASE(a_waiter_told_it_may_not_wait_returns_early_without_sleeping) {
  Simulation sim(1, {"server", "c1"}, LanOptions{});
  TokenServer server(sim, 0, absent_recall, [](ObjectId, TokenType, NodeId, const TokenState&) {});
  const ObjectId o{0, 22};
  GrantId held = 0;
  sim.sched().spawn(0, take_token(&server, kServerHolder, o, TokenType::io, Level::write, &held, &sim, nullptr),
                    "server.op");
  sim.sched().run_until(1_ms);
  bool early = false, done = false;
  GrantId got = 99;
  TokenServer::AcquireOptions opt;
  opt.may_wait = [] { return false; };  // e.g. the file system was forced offline (§0083 (4))
  opt.early = &early;
  const Time asked = sim.now();
  Time finished = -1;
  sim.sched().spawn(0, take_interruptibly(&server, 1, o, opt, &got, &done), "c1.io");
  sim.sched().run_until([&] {
    if (done && finished < 0) finished = sim.now();
    return done;
  }, sim.now() + 1_s);
  BOOST_TEST(done);
  BOOST_TEST(finished == asked);
  BOOST_TEST(got == 0u);
  BOOST_TEST(early);
  // A waiter that may wait is not affected by may_wait being set.
  TokenServer::AcquireOptions patient;
  patient.may_wait = [] { return true; };
  bool patient_done = false, patient_early = false;
  patient.early = &patient_early;
  GrantId patient_got = 0;
  sim.sched().spawn(0, take_interruptibly(&server, 1, o, patient, &patient_got, &patient_done), "c1.io2");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!patient_done);
  server.release(kServerHolder, o, TokenType::io);
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_TEST(patient_done);
  BOOST_TEST(!patient_early);
  BOOST_TEST(patient_got != 0u);
}

Task<Grant> grant_at_once(Level level) {
  Grant g;
  g.ok = true;
  g.level = level;
  g.id = 1;
  co_return g;
}
Task<void> nothing_to_do() { co_return; }
Task<void> client_take(TokenClient* c, ObjectId o, TokenType t, Level l, Interrupt* i, bool* got, bool* done) {
  auto op = c->acquire(o, t, l, i);
  *got = co_await op;
  *done = true;
}

// The client side of §0083-0084: a use waiting here for another level's uses to end is
// woken by the interrupt and gets no token; without the interrupt it waits its turn.
BOOST_AUTO_TEST_CASE(an_interrupt_ends_a_client_side_wait_early) {
  Simulation sim(1, {"server", "c1"}, LanOptions{});
  TokenClient client(
      sim, 1, [](ObjectId, TokenType, Level l, GrantId, TokenState) { return grant_at_once(l); },
      [](ObjectId, TokenType, Level) { return nothing_to_do(); },
      [](ObjectId, TokenType, Level, Grants, TokenState) { return nothing_to_do(); });
  const ObjectId o{0, 31};
  bool got = false, done = false;
  sim.sched().spawn(1, client_take(&client, o, TokenType::page_clean, Level::shared_write, nullptr, &got, &done),
                    "direct");
  sim.sched().run_until(1_ms);
  BOOST_TEST_REQUIRE(got);  // a direct read holds PAGE_CLEAN shared write, referenced
  Interrupt relocation(sim.sched());
  bool got2 = true, done2 = false;
  sim.sched().spawn(1, client_take(&client, o, TokenType::page_clean, Level::read, &relocation, &got2, &done2),
                    "buffered");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!done2);  // waits for the direct read to end
  relocation.raise();
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_TEST(done2);
  BOOST_TEST(!got2);
  BOOST_TEST(client.refs(o, TokenType::page_clean) == 1);  // only the direct read's
  bool got3 = false, done3 = false;
  sim.sched().spawn(1, client_take(&client, o, TokenType::page_clean, Level::read, nullptr, &got3, &done3),
                    "buffered.again");
  sim.sched().run_until(sim.now() + 1_s);
  BOOST_TEST(!done3);
  client.release(o, TokenType::page_clean);
  sim.sched().run_until(sim.now() + 1_ms);
  BOOST_TEST(done3);
  BOOST_TEST(got3);
  BOOST_TEST((client.level(o, TokenType::page_clean) == Level::read));
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < kTokenTypes; ++i) {
    const auto t = static_cast<TokenType>(i);
    BOOST_TEST((token_type_from(to_string(t)) == std::optional<TokenType>(t)));
    seen.insert(to_string(t));
  }
  BOOST_TEST(seen.size() == kTokenTypes);
  BOOST_TEST(std::string(to_string(TokenType::exist)) == "EXIST");
  BOOST_TEST(std::string(to_string(TokenType::dmapi)) == "DMAPI");
  for (Level l : kLevels) BOOST_TEST((level_from(to_string(l)) == std::optional<Level>(l)));
  for (const char* bad : {"", "exist", "EXIST ", "TOKEN", "WRITE", "shared-write", "read\n"}) {
    BOOST_TEST_CONTEXT("'" << bad << "'") {
      BOOST_TEST(!token_type_from(bad).has_value());
      BOOST_TEST(!level_from(bad).has_value());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// The state space stays small so that a shrunk counterexample reads at a glance.
constexpr int kClients = 3;
constexpr int kObjects = 2;
constexpr std::array<TokenType, 3> kTypes = {TokenType::exist, TokenType::io, TokenType::attr};
constexpr int kExist = 0;  // index of EXIST in kTypes
constexpr Duration kFlush = 30_us;  // what returning a token requires (BeforeReturn)
constexpr std::uint64_t kStepLimit = 1'000'000;  // a drain longer than this is a livelock

NodeId node_of(int c) { return static_cast<NodeId>(c + 1); }  // node 0 is the server
ObjectId object_of(int o) { return ObjectId{1, static_cast<std::uint64_t>(100 + o)}; }
// One-way latency between the server and client c.
Duration latency_of(int c) { return 100_us + 70_us * c; }

struct Key {
  int client = 0;
  int obj = 0;
  int type = 0;
  auto operator<=>(const Key&) const = default;
};

std::string describe(const Key& k) {
  return "c" + std::to_string(k.client + 1) + " obj" + std::to_string(k.obj) + " " + to_string(kTypes[k.type]);
}

// An operation's reference: acquired (or being acquired) and not yet released.
struct Ref {
  Key key;
  Level level = Level::none;
};

// Which references are outstanding is all that is known before running: whether one is
// granted yet depends on the interleaving, which the harness records and the
// invariants judge.
struct TokenModel {
  std::vector<Ref> refs;  // in the order the acquires were issued
};

class Harness {
 public:
  Harness() : sim_(1, {"server", "c1", "c2", "c3"}, LanOptions{}), server_(sim_, 0, recall_fn(), merge_fn()) {
    for (int c = 0; c < kClients; ++c)
      clients_.push_back(std::make_unique<TokenClient>(
          sim_, node_of(c),
          [this, c](ObjectId o, TokenType t, Level l, GrantId given, TokenState) { return request(c, o, t, l, given); },
          [this](ObjectId, TokenType, Level) { return before_return(); },
          [this, c](ObjectId o, TokenType t, Level, Grants given, TokenState) { return give_back(c, o, t, given); }));
  }
  ~Harness() {
    // The tasks' frames point into the clients and the server: they go first.
    for (NodeId n = 0; n <= kClients; ++n) sim_.sched().kill_node_tasks(n);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void start_hold(const Ref& r) {
    holds_.push_back(std::make_unique<Hold>(sim_.sched(), r));
    sim_.sched().spawn(node_of(r.key.client), hold(holds_.back().get()), "test.hold");
  }
  // Releases the oldest outstanding reference with this key and level: at once if it is
  // held, as soon as it is granted otherwise.
  void release(const Ref& r) {
    for (auto& h : holds_)
      if (!h->release_asked && h->ref.key == r.key && h->ref.level == r.level) {
        h->release_asked = true;
        h->release.set();
        return;
      }
    violate("no outstanding reference to release for " + describe(r.key));
  }
  // Returns the index of its answer in recall_result().
  std::size_t start_conditional_recall(int obj) {
    recall_results_.emplace_back();
    sim_.sched().spawn(0, conditional_recall(obj, recall_results_.size() - 1), "test.conditional_recall");
    return recall_results_.size() - 1;
  }
  std::optional<bool> recall_result(std::size_t i) const { return recall_results_[i]; }

  // Runs the scheduler for `d` of virtual time (kTimeNever: until quiet), checking the
  // invariants that hold at every instant after each event.
  void advance(Duration d) {
    const Time until = d == kTimeNever ? kTimeNever : sim_.now() + d;
    std::uint64_t steps = 0;
    try {
      sim_.sched().run_until(
          [&] {
            check_instant();
            if (++steps > kStepLimit) violate("the scheduler does not get quiet (livelock)");
            return !violations_.empty();
          },
          until);
    } catch (const TaskFailure& f) {
      violate("task " + f.task + " failed: " + f.what);
    }
    if (violations_.empty() && until != kTimeNever) sim_.sched().run_until(until);
    if (violations_.empty() && quiet()) check_quiet();
  }
  bool quiet() { return sim_.sched().pending() == 0; }

  const TokenClient& client(int c) const { return *clients_[c]; }
  Level level(const Key& k) const { return clients_[k.client]->level(object_of(k.obj), kTypes[k.type]); }
  // Operations of client c that reference EXIST of obj (held or on their way to it).
  int exist_users(int c, int obj) const {
    int n = 0;
    for (const auto& h : holds_)
      if (!h->done && h->ref.key.client == c && h->ref.key.obj == obj && (h->ref.key.type == kExist || h->exist_held))
        ++n;
    return n;
  }
  // Acquires and conditional recalls not finished yet.
  int pending() const {
    int n = 0;
    for (const auto& h : holds_)
      if (!h->granted && !h->done) ++n;
    for (const auto& r : recall_results_)
      if (!r) ++n;
    return n;
  }

  void violate(std::string what) {
    violations_.push_back("at " + std::to_string(sim_.now()) + " ns: " + std::move(what));
  }
  // RC_FAIL with the first violation, if any.
  void assert_ok() const {
    if (!violations_.empty()) RC_FAIL(violations_.front());
  }

 private:
  struct Hold {
    Hold(Scheduler& s, Ref r) : ref(r), release(s) {}
    Ref ref;
    bool granted = false;
    bool release_asked = false;
    bool exist_held = false;  // the EXIST reference taken around a token of another type
    bool done = false;
    Event release;
  };

  TokenServer::Recall recall_fn() {
    return [this](NodeId holder, ObjectId o, TokenType t, bool conditional, GrantId grant) {
      return recall(holder, o, t, conditional, grant);
    };
  }
  static TokenServer::Merge merge_fn() {
    return [](ObjectId, TokenType, NodeId, const TokenState&) {};
  }
  static Key key_of(int c, ObjectId o, TokenType t) {
    int type = 0;
    while (kTypes[type] != t) ++type;
    return Key{c, static_cast<int>(o.ino - 100), type};
  }

  // As dcvn does (model/cxfs/client.cpp): a flush takes time. (With EXIST everything of
  // the file goes back, §0032 DVN_EXIST: the token client hands the grants over.)
  Task<void> before_return() { co_await sim_.sched().sleep(kFlush); }

  // The client's request, handled as dsvn does (model/cxfs/server.cpp): a client that
  // asks for another level has given its old one up before asking.
  Task<Grant> request(int c, ObjectId o, TokenType t, Level l, GrantId given) {
    co_await sim_.sched().sleep(latency_of(c));
    Grants g{};
    g[static_cast<std::size_t>(t)] = given;
    server_.give(node_of(c), o, g, {});
    const GrantId id = co_await server_.acquire(node_of(c), o, t, l);
    co_await sim_.sched().sleep(latency_of(c));
    co_return Grant{id != 0, l, id, {}};
  }

  Task<void> give_back(int c, ObjectId o, TokenType t, Grants given) {
    refused_.erase(key_of(c, o, t));
    co_await sim_.sched().sleep(latency_of(c));
    server_.give(node_of(c), o, given, {});
  }

  Task<RecallAnswer> recall(NodeId holder, ObjectId o, TokenType t, bool conditional, GrantId grant) {
    if (holder < 1 || holder > static_cast<NodeId>(kClients)) {
      violate("the server recalled from node " + std::to_string(holder) + ", which holds nothing");
      co_return RecallAnswer{};
    }
    const int c = static_cast<int>(holder) - 1;
    co_await sim_.sched().sleep(latency_of(c));
    TokenClient& cl = *clients_[c];
    const RecallAnswer a = co_await cl.recall(o, t, conditional, grant);
    const Key k = key_of(c, o, t);
    if (a.returned) {
      refused_.erase(k);
      // "Absent" may come from a node that holds a newer grant of the token by now.
      if (!a.absent && cl.level(o, t) != Level::none)
        violate(describe(k) + " answered a recall as returned but still holds " + to_string(cl.level(o, t)));
    } else {
      if (!conditional) violate(describe(k) + " refused an unconditional recall");
      if (cl.refs(o, t) == 0) violate(describe(k) + " refused a conditional recall without a reference (§0032)");
      refused_.insert(k);
    }
    co_await sim_.sched().sleep(latency_of(c));
    co_return a;
  }

  // An operation's use of a token. Like dcvn (model/cxfs/client.cpp), it references the
  // object's EXIST around any other token of it, acquired first (TokenType order) and
  // released last: EXIST's return takes every token of the object with it (§0032), on
  // the server whether or not the client still uses them.
  Task<void> hold(Hold* h) {
    TokenClient& cl = *clients_[h->ref.key.client];
    const ObjectId o = object_of(h->ref.key.obj);
    const TokenType t = kTypes[h->ref.key.type];
    if (t != TokenType::exist) {
      if (!co_await cl.acquire(o, TokenType::exist, Level::read)) {
        violate(describe(h->ref.key) + ": EXIST read was refused");
        h->done = true;
        co_return;
      }
      h->exist_held = true;
    }
    const bool ok = co_await cl.acquire(o, t, h->ref.level);
    if (!ok) {
      violate(describe(h->ref.key) + " was refused " + to_string(h->ref.level));
      h->done = true;
      co_return;
    }
    h->granted = true;
    const WaitStatus st = co_await h->release.wait();
    (void)st;
    cl.release(o, t);
    if (h->exist_held) cl.release(o, TokenType::exist);
    h->exist_held = false;
    h->done = true;
  }

  // What the server does before it frees an unlinked file (model/cxfs/server.cpp).
  Task<void> conditional_recall(int obj, std::size_t index) {
    const auto conditional = TokenServer::AcquireOptions::conditional_recall();
    auto recall_all = server_.acquire(kServerHolder, object_of(obj), TokenType::exist, Level::write, conditional);
    const bool all_back = co_await recall_all != 0;
    // §0032: the server conditionally recalls all the existence tokens; each client
    // returns its copy unless it is in use, and gives a refused copy back later.
    for (int c = 0; c < kClients; ++c) {
      const Key k{c, obj, kExist};
      if (level(k) != Level::none && (all_back || refused_.count(k) == 0))
        violate(describe(k) + " still holds " + to_string(level(k)) + " after a conditional recall that " +
                (all_back ? "succeeded" : "was refused") + " without being asked to return it");
    }
    if (all_back) server_.release(kServerHolder, object_of(obj), TokenType::exist);
    recall_results_[index] = all_back;
  }

  // True after every event.
  void check_instant() {
    for (int o = 0; o < kObjects; ++o)
      for (int t = 0; t < static_cast<int>(kTypes.size()); ++t) {
        const ObjectId obj = object_of(o);
        // §0028 from the clients' own view.
        for (int a = 0; a < kClients; ++a)
          for (int b = a + 1; b < kClients; ++b) {
            const Level la = level({a, o, t}), lb = level({b, o, t});
            if (conflicts(la, lb))
              violate(describe({a, o, t}) + " holds " + to_string(la) + " while " + describe({b, o, t}) + " holds " +
                      to_string(lb));
          }
        // §0028 in the server's record, its own operations included.
        std::vector<NodeId> nodes{kServerHolder};
        for (int c = 0; c < kClients; ++c) nodes.push_back(node_of(c));
        for (std::size_t a = 0; a < nodes.size(); ++a)
          for (std::size_t b = a + 1; b < nodes.size(); ++b)
            if (conflicts(server_.held(nodes[a], obj, kTypes[t]), server_.held(nodes[b], obj, kTypes[t])))
              violate("the server records conflicting holders of obj" + std::to_string(o) + " " + to_string(kTypes[t]));
        // A level a client believes it holds is one the server has granted it.
        for (int c = 0; c < kClients; ++c) {
          const Level l = level({c, o, t});
          if (l != Level::none && server_.held(node_of(c), obj, kTypes[t]) != l)
            violate(describe({c, o, t}) + " holds " + to_string(l) + " but the server records " +
                    to_string(server_.held(node_of(c), obj, kTypes[t])));
        }
      }
    // A granted reference keeps its token here.
    for (const auto& h : holds_)
      if (h->granted && !h->done && !covers(level(h->ref.key), h->ref.level))
        violate(describe(h->ref.key) + " lost its " + to_string(h->ref.level) + " under a reference (now " +
                to_string(level(h->ref.key)) + ")");
  }

  // True whenever nothing is in flight.
  void check_quiet() {
    for (int c = 0; c < kClients; ++c)
      for (int o = 0; o < kObjects; ++o)
        for (int t = 0; t < static_cast<int>(kTypes.size()); ++t) {
          const Key k{c, o, t};
          const ObjectId obj = object_of(o);
          if (server_.held(node_of(c), obj, kTypes[t]) != level(k))
            violate(describe(k) + " holds " + to_string(level(k)) + " but the server records " +
                    to_string(server_.held(node_of(c), obj, kTypes[t])));
          int granted = 0;
          for (const auto& h : holds_) {
            if (h->ref.key == k && h->granted && !h->done) ++granted;
            if (t == kExist && h->exist_held && h->ref.key.client == c && h->ref.key.obj == o) ++granted;
          }
          if (clients_[c]->refs(obj, kTypes[t]) != granted)
            violate(describe(k) + " counts " + std::to_string(clients_[c]->refs(obj, kTypes[t])) + " references, " +
                    std::to_string(granted) + " are held");
          if (refused_.count(k) != 0 && granted == 0)
            violate(describe(k) + " refused a conditional recall and kept the token after its last reference (§0032)");
        }
    // No deadlock: an acquire still waiting waits for a reference someone holds.
    for (const auto& h : holds_) {
      if (h->granted || h->done) continue;
      bool referenced = false;
      for (const auto& g : holds_)
        referenced |= g->granted && !g->done && g->ref.key.obj == h->ref.key.obj && g->ref.key.type == h->ref.key.type;
      if (!referenced)
        violate(describe(h->ref.key) + " waits for " + to_string(h->ref.level) + " of a token nobody references");
    }
  }

  Simulation sim_;
  TokenServer server_;
  std::vector<std::unique_ptr<TokenClient>> clients_;
  std::vector<std::unique_ptr<Hold>> holds_;  // every acquire issued, in order
  std::set<Key> refused_;  // refused a conditional recall and has not given the token up since
  std::vector<std::optional<bool>> recall_results_;
  std::vector<std::string> violations_;
};

using Cmd = rc::state::Command<TokenModel, Harness>;

std::ostream& operator<<(std::ostream& os, const Ref& r) {
  return os << describe(r.key) << " " << to_string(r.level);
}

// Clients take EXIST at read only (§0032: a client with a copy of the inode holds its
// read level); the server takes it at write to free an unlinked file.
struct Acquire : Cmd {
  Ref ref = [] {
    const Key k{*rc::gen::inRange(0, kClients), *rc::gen::inRange(0, kObjects),
                *rc::gen::inRange(0, static_cast<int>(kTypes.size()))};
    if (k.type == kExist) return Ref{k, Level::read};
    return Ref{k, *rc::gen::element(Level::read, Level::shared_write, Level::write)};
  }();
  void checkPreconditions(const TokenModel&) const override { RC_PRE(ref.key.type != kExist || ref.level == Level::read); }
  void apply(TokenModel& m) const override { m.refs.push_back(ref); }
  void run(const TokenModel&, Harness& h) const override {
    h.start_hold(ref);
    h.advance(0);
    h.assert_ok();
  }
  void show(std::ostream& os) const override { os << "Acquire(" << ref << ")"; }
};

struct Release : Cmd {
  explicit Release(const TokenModel& m) {
    RC_PRE(!m.refs.empty());
    ref = m.refs[*rc::gen::inRange<std::size_t>(0, m.refs.size())];
  }
  Ref ref;
  void checkPreconditions(const TokenModel& m) const override {
    bool found = false;
    for (const Ref& r : m.refs) found |= r.key == ref.key && r.level == ref.level;
    RC_PRE(found);
  }
  void apply(TokenModel& m) const override {
    for (auto it = m.refs.begin(); it != m.refs.end(); ++it)
      if (it->key == ref.key && it->level == ref.level) {
        m.refs.erase(it);
        return;
      }
  }
  void run(const TokenModel&, Harness& h) const override {
    h.release(ref);
    h.advance(0);
    h.assert_ok();
  }
  void show(std::ostream& os) const override { os << "Release(" << ref << ")"; }
};

// The server conditionally recalls EXIST (§0032: an unlinked file). Runs on a quiet
// scheduler so that who references the token, and so the answer, is known.
struct ConditionalRecall : Cmd {
  int obj = *rc::gen::inRange(0, kObjects);
  void run(const TokenModel&, Harness& h) const override {
    h.advance(kTimeNever);
    h.assert_ok();
    const std::size_t i = h.start_conditional_recall(obj);
    h.advance(kTimeNever);
    h.assert_ok();
    RC_ASSERT(h.recall_result(i).has_value());  // clients refuse; nobody waits
    // Every reference to a token of the object holds its EXIST (Harness::hold), also
    // that of an acquire released before it was granted (it still waits).
    bool referenced = false;
    for (int c = 0; c < kClients; ++c) referenced |= h.exist_users(c, obj) > 0;
    RC_ASSERT(*h.recall_result(i) == !referenced);
    // §0032: every existence token is recalled; a client returns it, and with it every
    // token of the object, unless in use.
    for (int c = 0; c < kClients; ++c)
      if (h.exist_users(c, obj) == 0)
        for (int t = 0; t < static_cast<int>(kTypes.size()); ++t) RC_ASSERT(h.level({c, obj, t}) == Level::none);
  }
  void show(std::ostream& os) const override { os << "ConditionalRecall(obj" << obj << " EXIST)"; }
};

struct RunFor : Cmd {
  Duration d = *rc::gen::element<Duration>(0, 50_us, 120_us, 300_us, 1_ms, 20_ms);
  void run(const TokenModel&, Harness& h) const override {
    h.advance(d);
    h.assert_ok();
  }
  void show(std::ostream& os) const override { os << "RunFor(" << d / 1000 << "us)"; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(token_protocol)

RC_BOOST_PROP(server_and_clients_match_the_model, ()) {
  const TokenModel initial;
  const auto commands = *rc::state::gen::commands(
      initial, rc::state::gen::execOneOfWithArgs<Acquire, Acquire, Release, ConditionalRecall, RunFor, RunFor>());
  Harness h;
  rc::state::runAll(commands, initial, h);
  // No deadlock: once every reference is released, every acquire completes.
  TokenModel end = initial;
  rc::state::applyAll(commands, end);
  for (const Ref& r : end.refs) h.release(r);
  h.advance(kTimeNever);
  h.assert_ok();
  RC_ASSERT(h.quiet());
  RC_ASSERT(h.pending() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
