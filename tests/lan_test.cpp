#include <boost/test/unit_test.hpp>

#include "engine/simulation.h"

using namespace sansim;
using namespace sansim::literals;

namespace {

struct Net {
  Simulation sim{1, {"a", "b", "c"}, LanOptions{1_ms, 3_ms}};
  std::vector<std::unique_ptr<Port>> ports;
  Net() {
    for (NodeId n = 0; n < 3; ++n) {
      sim.lan().node_up(n);
      ports.push_back(std::make_unique<Port>(sim.sched()));
      sim.lan().bind(n, 5, ports.back().get());
    }
  }
  void send(NodeId from, NodeId to, std::uint8_t v, ChannelSet set = ChannelSet::general) {
    sim.lan().send(from, to, set, 5, Bytes{v});
  }
  // Drains a port: (value, bounced) pairs in arrival order.
  std::vector<std::pair<int, bool>> drain(NodeId n) {
    std::vector<std::pair<int, bool>> out;
    Port& p = *ports[n];
    while (p.size() > 0) {
      // Items are taken directly; no task waits on these ports in this test.
      std::vector<std::pair<int, bool>> one;
      auto task = [](Port& port, std::vector<std::pair<int, bool>>& into) -> Task<void> {
        Received<Envelope> r = co_await port.recv();
        into.emplace_back(r->bytes[0], r->bounced);
      };
      sim.sched().spawn(n, task(p, one), "drain");
      sim.sched().run_until(sim.now());
      out.insert(out.end(), one.begin(), one.end());
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(lan)

BOOST_AUTO_TEST_CASE(channels_are_fifo_despite_random_latency) {
  Net n;
  for (std::uint8_t v = 0; v < 50; ++v) n.send(0, 1, v);
  n.sim.sched().run_until(1_s);
  auto got = n.drain(1);
  BOOST_REQUIRE(got.size() == 50u);
  for (int v = 0; v < 50; ++v) BOOST_TEST(got[v].first == v);
}

BOOST_AUTO_TEST_CASE(pair_latency_overrides_the_default) {
  Net n;
  n.sim.lan().set_latency(0, 2, 50_ms, 50_ms);
  n.send(0, 1, 1);
  n.send(0, 2, 2);
  n.sim.sched().run_until(10_ms);
  BOOST_TEST(n.drain(1).size() == 1u);  // 1-3 ms
  BOOST_TEST(n.drain(2).empty());       // still on its way
  n.sim.sched().run_until(60_ms);
  BOOST_TEST(n.drain(2).size() == 1u);
}

BOOST_AUTO_TEST_CASE(one_way_partition_loses_and_bounces) {
  Net n;
  n.sim.lan().block(0, 1);
  n.send(0, 1, 7);
  n.send(1, 0, 8);
  n.sim.sched().run_until(1_s);
  BOOST_TEST(n.drain(1).empty());
  auto at_a = n.drain(0);
  BOOST_REQUIRE(at_a.size() == 2u);  // b's message, and a's own bounced back
  BOOST_TEST(n.sim.lan().stats().bounced == 1u);
  n.sim.lan().unblock(0, 1);
  n.send(0, 1, 9);
  n.sim.sched().run_until(2_s);
  BOOST_TEST(n.drain(1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(freeze_holds_in_order_and_thaw_releases) {
  Net n;
  n.sim.lan().freeze(0, 1, ChannelSet::general);
  n.send(0, 1, 1);
  n.send(0, 1, 2);
  n.send(0, 1, 3, ChannelSet::membership);  // other channel set: not frozen
  n.sim.sched().run_until(1_s);
  auto before = n.drain(1);
  BOOST_REQUIRE(before.size() == 1u);
  BOOST_TEST(before[0].first == 3);
  n.sim.lan().thaw(0, 1, ChannelSet::general);
  n.sim.sched().run_until(2_s);
  auto after = n.drain(1);
  BOOST_REQUIRE(after.size() == 2u);
  BOOST_TEST(after[0].first == 1);
  BOOST_TEST(after[1].first == 2);
}

BOOST_AUTO_TEST_CASE(messages_to_and_from_crashed_nodes_are_dropped) {
  Net n;
  n.send(0, 1, 1);  // in flight when a crashes
  n.send(2, 1, 2);
  n.sim.lan().node_down(0);
  n.sim.sched().run_until(1_s);
  auto got = n.drain(1);
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].first == 2);
  n.send(1, 0, 3);  // to the crashed node: lost, and b learns of it
  n.sim.sched().run_until(2_s);
  auto back = n.drain(1);
  BOOST_REQUIRE(back.size() == 1u);
  BOOST_TEST(back[0].second);
}

BOOST_AUTO_TEST_SUITE_END()
