#include "tests/bench/engine_bench.h"

#include <chrono>
#include <queue>
#include <vector>

#include "engine/simulation.h"
#include "engine/sync/channel.h"

namespace sansim::bench {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Task<void> sleeper(Scheduler& s, std::uint64_t rounds, Duration step) {
  for (std::uint64_t i = 0; i < rounds; ++i) co_await s.sleep(step);
}

Task<void> bouncer(Simulation& sim, NodeId self, NodeId peer, Port& inbox, std::uint64_t rounds, bool serve) {
  if (serve) sim.lan().send(self, peer, ChannelSet::general, 7, Bytes{1, 2, 3, 4, 5, 6, 7, 8});
  for (std::uint64_t i = 0; i < rounds; ++i) {
    Received<Envelope> r = co_await inbox.recv();
    if (!r) co_return;
    sim.lan().send(self, peer, ChannelSet::general, 7, std::move(r->bytes));
  }
}

}  // namespace

Figure timer_events(std::uint64_t events, std::uint32_t tasks) {
  Trace trace(1 << 20);
  Scheduler s(trace);
  const std::uint64_t rounds = events / tasks;
  for (std::uint32_t t = 0; t < tasks; ++t) s.spawn(0, sleeper(s, rounds, 1000 + t), "sleeper");
  const auto t0 = std::chrono::steady_clock::now();
  s.run_until(kTimeNever);
  return Figure{"timer events", s.steps(), since(t0)};
}

Figure bare_heap_events(std::uint64_t events, std::uint32_t tasks) {
  struct E {
    Time at;
    std::uint64_t seq;
    std::uint32_t who;
    bool operator>(const E& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  std::priority_queue<E, std::vector<E>, std::greater<E>> q;
  std::uint64_t seq = 0, done = 0, sink = 0;
  const std::uint64_t rounds = events / tasks;
  std::vector<std::uint64_t> left(tasks, rounds);
  for (std::uint32_t t = 0; t < tasks; ++t) q.push(E{0, seq++, t});
  const auto t0 = std::chrono::steady_clock::now();
  while (!q.empty()) {
    E e = q.top();
    q.pop();
    ++done;
    sink ^= e.at;
    if (left[e.who]-- > 0) q.push(E{e.at + 1000 + e.who, seq++, e.who});
  }
  const double secs = since(t0);
  if (sink == 42) done += 1;  // keeps the loop from being optimised away
  return Figure{"bare heap events", done, secs};
}

Figure pingpong_messages(std::uint64_t messages) {
  Simulation sim(1, {"a", "b"}, LanOptions{1000, 1000});
  sim.lan().node_up(0);
  sim.lan().node_up(1);
  Port pa(sim.sched()), pb(sim.sched());
  sim.lan().bind(0, 7, &pa);
  sim.lan().bind(1, 7, &pb);
  const std::uint64_t rounds = messages / 2;
  sim.sched().spawn(0, bouncer(sim, 0, 1, pa, rounds, true), "ping");
  sim.sched().spawn(1, bouncer(sim, 1, 0, pb, rounds, false), "pong");
  const auto t0 = std::chrono::steady_clock::now();
  sim.sched().run_until(kTimeNever);
  const double secs = since(t0);
  return Figure{"ping-pong messages", sim.lan().stats().delivered, secs};
}

}  // namespace sansim::bench
