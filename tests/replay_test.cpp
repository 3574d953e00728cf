#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>

#include "scenarios/base64.h"
#include "scenarios/failure_file.h"
#include "scenarios/runner.h"
#include "tests/sample_scenarios.h"

using namespace sansim;

namespace {
// A leader crash with epochs reused: fails the one_leader checker.
const std::string kBroken = samples::with_mutation(samples::kLeaderCrash, "reuse_epoch");
}  // namespace

BOOST_AUTO_TEST_SUITE(replay)

BOOST_AUTO_TEST_CASE(base64_round_trips) {
  for (std::size_t n = 0; n < 10; ++n) {
    std::vector<std::uint8_t> v;
    for (std::size_t k = 0; k < n; ++k) v.push_back(static_cast<std::uint8_t>(k * 37 + 250));
    BOOST_TEST(*base64_decode(base64_encode(v)) == v);
  }
  BOOST_TEST(!base64_decode("a!==").has_value());
  BOOST_TEST(!base64_decode("abc").has_value());
}

BOOST_AUTO_TEST_CASE(failure_file_reproduces_bit_for_bit) {
  Scenario sc = load_scenario_text(kBroken, "broken.yaml");
  RunResult first = run_scenario(sc);
  BOOST_REQUIRE(!first.passed);
  Scenario again = load_scenario_text(failure_file_text(sc, first), "failure.yaml");
  BOOST_REQUIRE(again.replay.has_value());
  BOOST_TEST(again.replay->hash == first.hash);
  BOOST_TEST(again.replay->events == first.events);
  BOOST_TEST((again.replay->violation_index == first.first_violation_index()));
  RunResult second = run_scenario(again);
  BOOST_TEST(second.hash == first.hash);
}

BOOST_AUTO_TEST_CASE(replay_command_confirms_and_names_divergence) {
  Scenario sc = load_scenario_text(kBroken, "broken.yaml");
  RunResult first = run_scenario(sc);
  const std::string dir = "replay_test_tmp";
  std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
  const std::string path = write_failure_file(sc, first, dir);
  auto run = [&](const std::string& args, std::string* out) {
    const int st = std::system((std::string(SANSIM_BINARY) + " replay " + args + " > " + dir + "/out.txt 2>&1").c_str());
    std::ifstream in(dir + "/out.txt");
    out->assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return WEXITSTATUS(st);
  };
  std::string out;
  BOOST_TEST(run(path, &out) == 0, out);
  BOOST_TEST(out.find("reproduced") != std::string::npos, out);
  BOOST_TEST(out.find("around the violation") != std::string::npos, out);

  // A different build would see different records: simulate it with another seed in
  // the same failure file. The replay must say where it first diverged.
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("seed: ");
  BOOST_REQUIRE(at != std::string::npos);
  const auto eol = text.find('\n', at);
  text.replace(at, eol - at, "seed: 99");
  std::ofstream(dir + "/tampered.yaml") << text;
  BOOST_TEST(run(dir + "/tampered.yaml", &out) == 1, out);
  BOOST_TEST(out.find("DIVERGED") != std::string::npos, out);
  BOOST_TEST(out.find("first divergen") != std::string::npos, out);

  BOOST_TEST(run(path + " --until-event 50", &out) == 0, out);
  BOOST_TEST(out.find("stopped at event 50") != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()
