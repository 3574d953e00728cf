// model/chandle: holds, detarget and retarget (§0065-0067).
#define BOOST_TEST_MODULE chandle
#include <boost/test/unit_test.hpp>

#include <vector>

#include "engine/simulation.h"
#include "model/chandle/chandle.h"

using namespace sansim;
using namespace sansim::chandle;
using namespace sansim::literals;

namespace {

struct World {
  Simulation sim{1, {"n1"}, LanOptions{}};
  Chandle ch{sim.sched(), Service::file_system, Target{2, 77}};
  void spawn(Task<void> t) { sim.sched().spawn(0, std::move(t), "test"); }
  void run_for(Duration d) { sim.sched().run_until(sim.now() + d); }
};

// Holds the chandle for `busy`, recording the target it sent to and when it got the hold.
Task<void> send(Simulation* sim, Chandle* ch, Duration busy, std::vector<Target>* sent, std::vector<Time>* at) {
  Chandle::Hold h = co_await ch->hold();
  sent->push_back(h.target());
  at->push_back(sim->now());
  co_await sim->sched().sleep(busy);
}

Task<void> detarget(Simulation* sim, Chandle* ch, Time* done) {
  co_await ch->detarget();
  *done = sim->now();
}

Task<void> try_hold(Chandle* ch, Interrupt* i, Time deadline, bool* got) {
  Chandle::Hold h = co_await ch->hold(i, deadline);
  *got = static_cast<bool>(h);
}

}  // namespace

BOOST_AUTO_TEST_CASE(holds_share_the_chandle_and_see_its_target) {
  World w;
  std::vector<Target> sent;
  std::vector<Time> at;
  for (int i = 0; i < 3; ++i) w.spawn(send(&w.sim, &w.ch, 10_ms, &sent, &at));
  w.run_for(1_ms);
  BOOST_TEST(w.ch.holds() == 3u);  // many readers at once
  w.run_for(20_ms);
  BOOST_TEST(w.ch.holds() == 0u);
  BOOST_TEST(sent.size() == 3u);
  for (const Target& t : sent) BOOST_TEST((t == Target{2, 77}));
  BOOST_TEST(std::string(to_string(Service::name_service)) == "name_service");
}

BOOST_AUTO_TEST_CASE(detarget_drains_holds_then_blocks_new_ones_until_retarget) {
  World w;
  std::vector<Target> sent;
  std::vector<Time> at;
  Time detargeted = -1;
  w.spawn(send(&w.sim, &w.ch, 50_ms, &sent, &at));  // a message in flight under a hold
  w.run_for(1_ms);
  w.spawn(detarget(&w.sim, &w.ch, &detargeted));
  w.run_for(1_ms);
  w.spawn(send(&w.sim, &w.ch, 1_ms, &sent, &at));  // arrives after detarget began: waits
  w.run_for(10_ms);
  BOOST_TEST(detargeted == -1);  // still draining the first hold
  BOOST_TEST(sent.size() == 1u);
  w.run_for(100_ms);
  BOOST_TEST(detargeted >= 50_ms);
  BOOST_TEST(!w.ch.targeted());
  BOOST_TEST(sent.size() == 1u);  // the second waits while detargeted
  BOOST_TEST((w.ch.target() == Target{2, 77}));  // recovery still sees the old server
  w.ch.retarget(Target{3, 5});
  w.run_for(10_ms);
  BOOST_TEST(w.ch.targeted());
  BOOST_REQUIRE(sent.size() == 2u);
  BOOST_TEST((sent[1] == Target{3, 5}));  // sent to the new server
  BOOST_TEST(at[1] >= detargeted);
}

BOOST_AUTO_TEST_CASE(a_hold_waiting_on_a_detargeted_chandle_ends_on_interrupt_or_deadline) {
  World w;
  Time detargeted = -1;
  w.spawn(detarget(&w.sim, &w.ch, &detargeted));
  w.run_for(1_ms);
  BOOST_REQUIRE(!w.ch.targeted());
  Interrupt cell_down(w.sim.sched());
  bool got_interrupted = true, got_timed_out = true;
  w.spawn(try_hold(&w.ch, &cell_down, kTimeNever, &got_interrupted));
  w.spawn(try_hold(&w.ch, nullptr, w.sim.now() + 20_ms, &got_timed_out));
  w.run_for(5_ms);
  cell_down.raise();  // recovery thaws: waiters get "cell down" instead of waiting on
  w.run_for(50_ms);
  BOOST_TEST(!got_interrupted);
  BOOST_TEST(!got_timed_out);
  BOOST_TEST(w.ch.holds() == 0u);
  w.ch.retarget(Target{4, 1});
  bool got = false;
  w.spawn(try_hold(&w.ch, nullptr, kTimeNever, &got));
  w.run_for(1_ms);
  BOOST_TEST(got);
}

BOOST_AUTO_TEST_CASE(a_second_detarget_waits_for_the_first_and_one_on_a_detargeted_chandle_returns) {
  World w;
  std::vector<Target> sent;
  std::vector<Time> at;
  Time first = -1, second = -1, third = -1;
  w.spawn(send(&w.sim, &w.ch, 40_ms, &sent, &at));
  w.run_for(1_ms);
  w.spawn(detarget(&w.sim, &w.ch, &first));
  w.spawn(detarget(&w.sim, &w.ch, &second));  // recovery's celldown and the node's reset at once
  w.run_for(1_ms);
  BOOST_TEST(w.ch.detargeting());
  BOOST_TEST(!w.ch.targeted());
  w.run_for(60_ms);
  BOOST_TEST(first >= 40_ms);
  BOOST_TEST(second == first);  // woken when the first finished draining
  const Time asked = w.sim.now();
  w.spawn(detarget(&w.sim, &w.ch, &third));
  w.run_for(1_ms);
  BOOST_TEST(third == asked);  // nothing to do: it returns at once
}

BOOST_AUTO_TEST_CASE(repoint_moves_a_targeted_chandle_at_once_and_holds_in_flight_keep_the_old_target) {
  World w;
  std::vector<Target> sent;
  std::vector<Time> at;
  w.spawn(send(&w.sim, &w.ch, 40_ms, &sent, &at));
  w.run_for(1_ms);
  w.ch.repoint(Target{4, 9});  // no draining: the node reset and its holds are void
  w.spawn(send(&w.sim, &w.ch, 1_ms, &sent, &at));
  w.run_for(2_ms);
  BOOST_REQUIRE(sent.size() == 2u);
  BOOST_TEST((sent[0] == Target{2, 77}));
  BOOST_TEST((sent[1] == Target{4, 9}));
  BOOST_TEST(w.ch.holds() == 1u);
}
