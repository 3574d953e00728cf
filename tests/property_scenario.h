// What the RapidCheck properties add to a scenario they draw at random: a stat of the
// file system's root near the end, so metadata_coherent always has something to judge,
// and vacuous_ok for the checkers only some draws exercise (a fault plan without a
// failure declares nobody failed; relocations may all be refused; a small random mix on
// two nodes may complete no read), each with its reason. The checkers every draw
// exercises (token_exclusion, io_exclusive, metadata_coherent, calls_complete, fsck, the
// membership checkers) stay strict: a draw that leaves one of them with nothing to judge
// fails. The library (make check runs it at nine seeds) holds the data checkers to it.
#pragma once

#include "scenarios/scenario.h"

namespace sansim::test {

inline void judge_what_a_random_draw_exercises(Scenario& sc, NodeId node, Time stat_at) {
  for (const char* name :
       {"fencing", "recovery_liveness", "one_server", "token_recovery", "relocation_liveness", "dmapi_transparent"})
    sc.expect.vacuous_ok[name] = "a randomly drawn fault plan may not exercise it";
  for (const char* name : {"data_coherent", "linearizable"})
    sc.expect.vacuous_ok[name] = "a small random workload may complete no read";
  app::CallSpec stat;
  stat.at = stat_at;
  stat.node = node;
  stat.call = app::Call::stat;
  stat.fs = sc.filesystems.at(0).id;
  stat.path = "/";
  sc.workload.calls.push_back(stat);
}

}  // namespace sansim::test
