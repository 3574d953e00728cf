// Failure files: a failing run is saved as its scenario with the seed fixed and a
// `replay:` block holding the trace hash, the event count, checkpoints and per-record
// digests, so `sansim replay` can prove it reproduced the run bit for bit or name the
// first record where it diverged.
#pragma once

#include <string>

#include "scenarios/runner.h"
#include "scenarios/scenario.h"

namespace sansim {

// The failure file's text for `result` of `scenario`.
std::string failure_file_text(const Scenario& scenario, const RunResult& result);

// Writes `dir/<name>-<seed>.yaml` (creating dir) and returns its path. Throws
// std::runtime_error naming the path when it cannot be written.
std::string write_failure_file(const Scenario& scenario, const RunResult& result, const std::string& dir);

}  // namespace sansim
