// Each checker is shown to catch the bug it exists for: the protocol is broken on purpose
// (a mutation) and the violation must be reported; the same scenario without the
// mutation must pass.
#define BOOST_TEST_MODULE checkers
#include <boost/test/unit_test.hpp>

#include "scenarios/runner.h"

using namespace sansim;

namespace {

RunResult run_text(const std::string& yaml) { return run_scenario(load_scenario_text(yaml, "test.yaml")); }

bool reported(const RunResult& r, const std::string& checker) {
  for (const auto& v : r.violations)
    if (v.checker == checker) return true;
  return false;
}

std::string with_mutation(const std::string& yaml, const std::string& mutation) {
  return yaml + "mutations: [" + mutation + "]\n";
}

const std::string kLeaderCrash = R"(
name: leader-crash
seed: 2
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 4s, crash: n1}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

const std::string kFollowerCrash = R"(
name: follower-crash
seed: 3
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2}
    - {id: n3}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 4s, crash: n5}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

const std::string kPartition = R"(
name: partition
seed: 4
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 3s, partition: [[n1, n2], [n3, n4, n5]]}
expect:
  - checkers: [agreement, one_leader, quorum, version_tags]
)";

const std::string kVersions = R"(
name: versions
seed: 5
duration: 5s
cluster:
  nodes:
    - {id: n1, server_capable: true, version_tags: {cms: 2}}
    - {id: n2, version_tags: {cms: 1}}
    - {id: n3, version_tags: {cms: 1}}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(checkers_catch_broken_protocols)

BOOST_AUTO_TEST_CASE(correct_protocol_passes_every_checker) {
  for (const std::string& s : {kLeaderCrash, kFollowerCrash, kPartition, kVersions}) {
    RunResult r = run_text(s);
    BOOST_TEST(r.passed, r.name);
    BOOST_TEST(r.violations.empty(), r.name);
  }
}

BOOST_AUTO_TEST_CASE(one_leader_catches_an_epoch_reused_by_a_new_leader) {
  RunResult r = run_text(with_mutation(kLeaderCrash, "reuse_epoch"));
  BOOST_TEST(!r.passed);
  BOOST_TEST(reported(r, "one_leader"));
}

BOOST_AUTO_TEST_CASE(agreement_catches_an_epoch_delivered_twice_with_different_members) {
  RunResult r = run_text(with_mutation(kFollowerCrash, "reuse_epoch"));
  BOOST_TEST(!r.passed);
  BOOST_TEST(reported(r, "agreement"));
}

BOOST_AUTO_TEST_CASE(quorum_catches_a_minority_that_stays_stable) {
  RunResult r = run_text(with_mutation(kPartition, "ignore_quorum"));
  BOOST_TEST(!r.passed);
  BOOST_TEST(reported(r, "quorum"));
}

BOOST_AUTO_TEST_CASE(liveness_catches_a_membership_that_never_reforms) {
  RunResult r = run_text(with_mutation(kFollowerCrash, "no_failure_detection"));
  BOOST_TEST(!r.passed);
  BOOST_TEST(reported(r, "liveness"));
}

BOOST_AUTO_TEST_CASE(version_tags_catches_tags_lost_in_the_protocol) {
  RunResult r = run_text(with_mutation(kVersions, "forget_version_tags"));
  BOOST_TEST(!r.passed);
  BOOST_TEST(reported(r, "version_tags"));
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
