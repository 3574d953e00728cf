// Each checker is shown to catch the bug it exists for: the protocol is broken on purpose
// (a mutation) and the violation must be reported; the same scenario without the
// mutation must pass.
#define BOOST_TEST_MODULE checkers
#include <boost/test/unit_test.hpp>

#include "scenarios/runner.h"
#include "tests/sample_scenarios.h"

using namespace sansim;
using namespace sansim::samples;

namespace {

RunResult run_text(const std::string& yaml) { return run_scenario(load_scenario_text(yaml, "test.yaml")); }

bool reported(const RunResult& r, const std::string& checker) {
  for (const auto& v : r.violations)
    if (v.checker == checker) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkers_catch_broken_protocols)

BOOST_AUTO_TEST_CASE(correct_protocol_passes_every_checker) {
  for (const std::string& s : {kLeaderCrash, kFollowerCrash, kPartition, kVersions}) {
    RunResult r = run_text(s);
    BOOST_TEST(r.passed, r.name);
    BOOST_TEST(r.violations.empty(), r.name);
  }
}

// One row per checker: the scenario, the bug put into the protocol, the checker that
// must report it.
BOOST_AUTO_TEST_CASE(each_checker_catches_the_bug_it_is_for) {
  struct Row {
    const std::string& scenario;
    const char* mutation;
    const char* checker;
  };
  const Row rows[] = {
      {kLeaderCrash, "reuse_epoch", "one_leader"},             // a new leader reuses the epoch
      {kFollowerCrash, "reuse_epoch", "agreement"},            // one epoch, two member sets
      {kPartition, "ignore_quorum", "quorum"},                 // a minority stays stable
      {kFollowerCrash, "no_failure_detection", "liveness"},    // the membership never re-forms
      {kVersions, "forget_version_tags", "version_tags"},      // tags lost on the way
  };
  for (const Row& row : rows) {
    RunResult r = run_text(with_mutation(row.scenario, row.mutation));
    BOOST_TEST(!r.passed, row.checker);
    BOOST_TEST(reported(r, row.checker), row.checker << " did not report " << row.mutation);
  }
}

BOOST_AUTO_TEST_CASE(violations_name_checker_event_and_time) {
  RunResult r = run_text(with_mutation(kLeaderCrash, "reuse_epoch"));
  BOOST_REQUIRE(!r.violations.empty());
  const Violation& v = r.violations.front();
  BOOST_TEST(!v.checker.empty());
  BOOST_TEST(v.index < r.events);
  BOOST_TEST(v.time > 0);
  BOOST_TEST(!v.message.empty());
}

BOOST_AUTO_TEST_SUITE_END()
