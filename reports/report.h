// Report writers: results.json (every scenario, expectation, violation, hash, counts)
// and summary.md (a short page a person reads first).
#pragma once

#include <string>
#include <vector>

#include "scenarios/runner.h"

namespace sansim {

std::string results_json(const std::vector<RunResult>& results);
std::string summary_markdown(const std::vector<RunResult>& results);
// Writes both into `dir` (created). Throws std::runtime_error naming the path on failure.
void write_report(const std::string& dir, const std::vector<RunResult>& results);

}  // namespace sansim
