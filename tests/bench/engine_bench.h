// Engine benchmarks (DESIGN.md budgets): timer events per second against a bare
// binary-heap event loop measured in the same run, and cross-node ping-pong messages
// per second through the simulated LAN. Wall-clock figures, printed, never asserted.
#pragma once

#include <cstdint>
#include <string>

namespace sansim::bench {

struct Figure {
  std::string name;
  std::uint64_t count = 0;
  double seconds = 0;
  double per_second() const { return seconds > 0 ? static_cast<double>(count) / seconds : 0; }
};

// Tasks that sleep in a loop; every wake-up is one timer event through the scheduler.
Figure timer_events(std::uint64_t events, std::uint32_t tasks = 64);
// The floor: the same arrival pattern on a bare std::priority_queue, no coroutines.
Figure bare_heap_events(std::uint64_t events, std::uint32_t tasks = 64);
// Two nodes bounce a small message back and forth over the LAN.
Figure pingpong_messages(std::uint64_t messages);

}  // namespace sansim::bench
