// Same seed + same scenario + same build = same trace hash: twice in this process and
// once in a fresh process, for every library scenario. Different seeds differ.
#define BOOST_TEST_MODULE determinism
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "scenarios/runner.h"

using namespace sansim;

namespace {

// Runs `sansim run FILE` in a child process and returns the hash from its result line.
std::string hash_in_child(const std::string& file) {
  const std::string cmd = std::string(SANSIM_BINARY) + " run " + file + " --failures determinism_tmp 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  BOOST_REQUIRE(pipe);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  const auto at = out.find("hash=");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, out);
  return out.substr(at + 5, 16);
}

}  // namespace

BOOST_AUTO_TEST_CASE(library_scenarios_hash_the_same_everywhere) {
  const auto files = scenario_files(std::string(SANSIM_SOURCE_DIR) + "/scenarios/library");
  BOOST_TEST(files.size() >= 6u);
  for (const std::string& f : files) {
    const Scenario sc = load_scenario_file(f);
    const RunResult a = run_scenario(sc);
    const RunResult b = run_scenario(sc);
    BOOST_TEST(a.passed, sc.name);
    BOOST_TEST(a.hash == b.hash, sc.name);
    BOOST_TEST(a.events == b.events, sc.name);
    BOOST_TEST(hex64(a.hash) == hash_in_child(f), sc.name);
    RunOptions other;
    other.seed = sc.seed + 1;
    BOOST_TEST(run_scenario(sc, other).hash != a.hash, sc.name);
  }
}

BOOST_AUTO_TEST_CASE(two_simulations_interleaved_in_one_process_do_not_interfere) {
  const auto files = scenario_files(std::string(SANSIM_SOURCE_DIR) + "/scenarios/library");
  const Scenario x = load_scenario_file(files.front());
  const Scenario y = load_scenario_file(files.back());
  const std::uint64_t hx = run_scenario(x).hash, hy = run_scenario(y).hash;
  // Alternate them: nothing global may carry over from one to the other.
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(run_scenario(y).hash == hy);
    BOOST_TEST(run_scenario(x).hash == hx);
  }
}
