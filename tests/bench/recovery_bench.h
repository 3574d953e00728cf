// Recovery benchmark: how long CORPSE takes to move a failed metadata server's file
// system to its next candidate, in virtual time, for clusters of a given size, and the
// wall time to simulate it. Figures are printed (sansim bench recovery), never asserted.
#pragma once

#include <cstddef>

#include "engine/time.h"
#include "scenarios/scenario.h"

namespace sansim::bench {

// `nodes` nodes (the first three server-capable; fs1 served by n2, then n3), eight
// client nodes at most running a light mixed workload, the server crashing at kCrashAt.
inline constexpr Duration kCrashAt = 4'000'000'000;
Scenario failover_scenario(std::size_t nodes);

struct RecoveryFigure {
  std::size_t nodes = 0;
  Duration to_start = -1;     // crash -> the leader starts the cycle (failure detection + membership)
  Duration to_retarget = -1;  // crash -> retarget commit (the new server serves)
  Duration to_complete = -1;  // crash -> the cycle completes on every member
  double wall_seconds = 0;    // to simulate the whole scenario
  bool passed = false;
};
RecoveryFigure measure_failover(std::size_t nodes);

}  // namespace sansim::bench
