#define BOOST_TEST_MODULE scenarios
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "scenarios/scenario.h"

using namespace sansim;

namespace {

const std::string kGood = R"(name: ok
seed: 3
duration: 10s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2}
    - {id: n3}
faults:
  - {at: 2s, crash: n2, restart_after: 1s}
expect:
  - membership_stable_within: 3s
)";

// The error a text produces, or "" if it loads.
std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "bad.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loader)

BOOST_AUTO_TEST_CASE(a_good_scenario_loads) {
  Scenario s = load_scenario_text(kGood, "good.yaml");
  BOOST_TEST(s.name == "ok");
  BOOST_TEST(s.seed == 3u);
  BOOST_TEST(s.nodes.size() == 3u);
  BOOST_TEST(s.faults.size() == 1u);
  BOOST_TEST(s.faults[0].nodes == (std::vector<NodeId>{1}));
  BOOST_TEST(s.expect.stable_within.has_value());
}

BOOST_AUTO_TEST_CASE(lan_pairs_override_latency) {
  Scenario s = load_scenario_text(replace(kGood, "cluster:\n", "cluster:\n  lan: {latency: 1ms, pairs: [{between: [n1, n3], latency: 5ms..6ms}]}\n"), "pairs.yaml");
  BOOST_REQUIRE(s.pair_latency.size() == 1u);
  BOOST_TEST(s.pair_latency[0].a == 0u);
  BOOST_TEST(s.pair_latency[0].b == 2u);
  BOOST_TEST(s.pair_latency[0].lo == 5'000'000);
  const std::string e = error_of(replace(kGood, "cluster:\n", "cluster:\n  lan: {pairs: [{between: [n1], latency: 5ms}]}\n"));
  BOOST_TEST(e.find("exactly two nodes") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_named_with_its_position) {
  const std::string e = error_of(replace(kGood, "seed: 3", "sead: 3"));
  BOOST_TEST(e.find("bad.yaml:2:1:") == 0u, e);
  BOOST_TEST(e.find("unknown key 'sead'") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(wrong_type_is_named) {
  const std::string e = error_of(replace(kGood, "server_capable: true", "server_capable: maybe"));
  BOOST_TEST(e.find("bad.yaml:6:") == 0u, e);
  BOOST_TEST(e.find("server_capable must be true or false") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(bad_duration_is_named) {
  const std::string e = error_of(replace(kGood, "duration: 10s", "duration: 10"));
  BOOST_TEST(e.find("bad.yaml:3:11:") == 0u, e);
  BOOST_TEST(e.find("not a duration") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(undefined_node_is_named) {
  const std::string e = error_of(replace(kGood, "crash: n2", "crash: n9"));
  BOOST_TEST(e.find("bad.yaml:10:") == 0u, e);
  BOOST_TEST(e.find("'n9'") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(more_bad_inputs_each_get_one_error) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"seed: 3", "seed: -3"},
           {"seed: 3", "seed: [1]"},
           {"{id: n3}", "{id: n1}"},
           {"at: 2s", "at: 20s"},
           {"crash: n2, restart_after: 1s", "crash: n2, heal_after: 1s"},
           {"crash: n2, restart_after: 1s", "crash: n2, restart: n3"},
           {"membership_stable_within: 3s", "checkers: [nope]"},
           {"name: ok", "name: has space"},
           {"    - {id: n2}", "    - {id: n2"},
           {"  - {at: 2s, crash: n2, restart_after: 1s}", "  - {crash: n2}"},
       }) {
    const std::string e = error_of(replace(kGood, from, to));
    BOOST_TEST(e.find("bad.yaml:") == 0u, to + " -> " + e);
  }
}

BOOST_AUTO_TEST_CASE(cli_exits_2_on_bad_input_and_runs_nothing) {
  const std::string dir = "loader_test_tmp";
  std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
  std::ofstream(dir + "/a-good.yaml") << kGood;
  std::ofstream(dir + "/b-bad.yaml") << replace(kGood, "seed: 3", "sead: 3");
  const std::string cmd = std::string(SANSIM_BINARY) + " run " + dir + " > " + dir + "/out.txt 2>&1";
  const int status = std::system(cmd.c_str());
  BOOST_TEST(WEXITSTATUS(status) == 2);
  std::ifstream out(dir + "/out.txt");
  std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("b-bad.yaml:2:1: unknown key 'sead'") != std::string::npos, text);
  BOOST_TEST(text.find("PASS") == std::string::npos, text);  // the good one did not run either
}

BOOST_AUTO_TEST_SUITE_END()
