// Relocation benchmark (issue 5, §0079-0081): how long a KORE relocation takes while a
// read on the metadata server's node waits in DMAPI for a tape recall, against the
// recall's latency, with the hand-off and without it (`hold-lock`). Figures are printed
// and written to a markdown table (sansim bench relocation), never asserted.
#pragma once

#include <string>
#include <vector>

#include "engine/time.h"

namespace sansim::bench {

struct RelocationFigure {
  Duration recall = 0;        // the tape recall's latency (configured)
  bool hold_lock = false;
  Duration relocation = -1;   // request -> end (virtual time)
  Duration read = -1;         // the waiting read: invoke -> complete
  bool read_ok = false;
  bool passed = false;        // every checker green
  double wall_seconds = 0;
};

// The Fig. 15 flow with a recall of `recall` and the relocation requested one second
// after the read started waiting.
std::string relocation_scenario(Duration recall, bool hold_lock);
RelocationFigure measure_relocation(Duration recall, bool hold_lock);
// The table, as markdown.
std::string relocation_table(const std::vector<RelocationFigure>& figures);

}  // namespace sansim::bench
