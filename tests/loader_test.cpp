#define BOOST_TEST_MODULE scenarios
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "scenarios/runner.h"
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

// Storage: disks, fabric, paths, volumes and the storage faults.
BOOST_AUTO_TEST_SUITE(loader_storage)

const std::string kSan = R"(name: san
duration: 10s
cluster:
  nodes: [{id: n1}, {id: n2}]
storage:
  disks: [{id: d1, size: 64MiB}, {id: d2, size: 1GiB}]
  fabric: {latency: 50us, bandwidth: 400MiB/s}
  paths: [{node: n1, disk: d1, latency: 1ms, bandwidth: 100MiB/s}]
  volumes: [{id: v1, disks: [d1, d2]}]
faults:
  - {at: 2s, path_down: {node: n1, disk: d1}, undo_after: 1s}
  - {at: 3s, power_loss: [d1]}
  - {at: 1s, disk_error: {disk: d1, blocks: 100..199, kind: latent}}
)";

BOOST_AUTO_TEST_CASE(a_san_loads) {
  const Scenario s = load_scenario_text(kSan, "san.yaml");
  BOOST_REQUIRE(s.storage.disks.size() == 2u);
  BOOST_TEST(s.storage.disks[0].id == "d1");
  BOOST_TEST(s.storage.disks[0].blocks == 16384u);
  BOOST_TEST(s.storage.disks[1].blocks == 262144u);
  BOOST_TEST(s.storage.fabric.latency == 50'000);
  BOOST_TEST(s.storage.fabric.bandwidth == 400ull << 20);
  BOOST_REQUIRE(s.storage.paths.size() == 1u);
  BOOST_TEST(s.storage.paths[0].node == 0u);
  BOOST_TEST(s.storage.paths[0].disk == "d1");
  BOOST_TEST(*s.storage.paths[0].latency == 1'000'000);
  BOOST_TEST(*s.storage.paths[0].bandwidth == 100ull << 20);
  BOOST_REQUIRE(s.storage.volumes.size() == 1u);
  BOOST_TEST(s.storage.volumes[0].disks == (std::vector<std::string>{"d1", "d2"}));
  BOOST_REQUIRE(s.faults.size() == 3u);
  BOOST_TEST(s.faults[0].text == "at 2s: path_down n1 to d1 (undone after 1s)");
  BOOST_TEST(s.faults[0].nodes == (std::vector<NodeId>{0}));
  BOOST_TEST(s.faults[1].text == "at 3s: power_loss d1");
  BOOST_TEST(s.faults[2].text == "at 1s: disk_error latent d1 blocks 100..199");
  BOOST_TEST(s.faults[2].first_block == 100u);
  BOOST_TEST(s.faults[2].block_count == 100u);
  BOOST_TEST((s.faults[2].disk_error == DiskErrorKind::latent));
}

BOOST_AUTO_TEST_CASE(the_runner_builds_the_san_and_applies_its_faults) {
  const Scenario s = load_scenario_text(kSan, "san.yaml");
  const RunResult r = run_scenario(s, {});
  BOOST_REQUIRE(r.faults.size() == 4u);  // three faults and the path coming back
  BOOST_TEST(r.faults[0].text == "at 1s: disk_error latent d1 blocks 100..199");
  BOOST_TEST(r.faults[3].text == "undo: at 2s: path_down n1 to d1 (undone after 1s)");
}

BOOST_AUTO_TEST_CASE(storage_errors_name_file_line_and_column) {
  std::string e = error_of(replace(kSan, "disks: [d1, d2]", "disks: [d1, d9]"));
  BOOST_TEST(e.find("bad.yaml:9:34: volume 'v1' names disk 'd9', which is not in storage.disks") == 0u, e);
  e = error_of(replace(kSan, "size: 64MiB", "size: 5000B"));
  BOOST_TEST(e.find("bad.yaml:6:26:") == 0u, e);
  BOOST_TEST(e.find("multiple of the 4KiB block size") != std::string::npos, e);
  e = error_of(replace(kSan, "blocks: 100..199", "blocks: 16380..16400"));
  BOOST_TEST(e.find("bad.yaml:13:45:") == 0u, e);
  BOOST_TEST(e.find("past the end of the disk") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(each_bad_storage_input_gets_one_error) {
  struct Case {
    std::string from, to;
    int line;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"size: 64MiB", "size: 64MB", 6, "is not a size"},
           {"size: 64MiB", "size: 0B", 6, "positive multiple"},
           {"{id: d2, size: 1GiB}", "{id: d1, size: 1GiB}", 6, "disk id 'd1' is listed twice"},
           {"{id: d2, size: 1GiB}", "{id: d2}", 6, "needs an 'id' and a 'size'"},
           {"bandwidth: 400MiB/s", "bandwidth: 400MiB", 7, "not a bandwidth"},
           {"bandwidth: 400MiB/s", "bandwidth: 0B/s", 7, "more than 0B/s"},
           {"latency: 50us", "latency: 50", 7, "not a duration"},
           {"{node: n1, disk: d1, latency: 1ms", "{node: n7, disk: d1, latency: 1ms", 8, "names node 'n7'"},
           {"{node: n1, disk: d1, latency: 1ms", "{node: n1, disk: d5, latency: 1ms", 8, "names disk 'd5'"},
           {"paths: [{node: n1, disk: d1, latency: 1ms, bandwidth: 100MiB/s}]",
            "paths: [{node: n1, disk: d1, latency: 1ms}, {node: n1, disk: d1, latency: 2ms}]", 8, "listed twice"},
           {"paths: [{node: n1, disk: d1, latency: 1ms, bandwidth: 100MiB/s}]", "paths: [{node: n1, disk: d1}]", 8,
            "has neither"},
           {"[{id: v1, disks: [d1, d2]}]", "[{id: v1, disks: [d1]}, {id: v1, disks: [d2]}]", 9,
            "volume id 'v1' is listed twice"},
           {"[{id: v1, disks: [d1, d2]}]", "[{id: v1, disks: [d1, d2]}, {id: v2, disks: [d2]}]", 9,
            "already in volume 'v1'"},
           {"disks: [d1, d2]", "disks: [d1, d1]", 9, "already in volume 'v1'"},
           {"disks: [d1, d2]", "disks: []", 9, "at least one disk"},
           {"  volumes:", "  volume:", 9, "unknown key 'volume' in storage"},
           {"path_down: {node: n1, disk: d1}", "path_down: {node: n3, disk: d1}", 11, "names node 'n3'"},
           {"path_down: {node: n1, disk: d1}", "path_down: {node: n1, disk: d3}", 11, "names disk 'd3'"},
           {"path_down: {node: n1, disk: d1}", "path_down: {node: n1}", 11, "needs a 'node' and a 'disk'"},
           {"power_loss: [d1]", "power_loss: [d3]", 12, "names disk 'd3'"},
           {"power_loss: [d1]", "power_loss: [d1, d1]", 12, "names disk 'd1' twice"},
           {"power_loss: [d1]", "power_loss: [d1], undo_after: 1s", 12, "'undo_after' goes with path_down or an eio"},
           {"power_loss: [d1]", "crash: n2, undo_after: 1s", 12, "'undo_after' goes with path_down or disk_error"},
           {"power_loss: [d1]", "power_loss: [d1], crash: n2", 12, "exactly one action"},
           {"kind: latent}}", "kind: latent}, undo_after: 1s}", 13, "a latent error lasts"},
           {"kind: latent", "kind: rusty", 13, "unknown disk_error kind 'rusty'"},
           {"blocks: 100..199", "blocks: 199..100", 13, "low end above its high end"},
           {"blocks: 100..199", "blocks: 1x", 13, "not a block number or a range"},
           {"disk: d1, blocks", "disk: d4, blocks", 13, "names disk 'd4'"},
       }) {
    const std::string e = error_of(replace(kSan, c.from, c.to));
    BOOST_TEST(e.find("bad.yaml:" + std::to_string(c.line) + ":") == 0u, c.to + " -> " + e);
    BOOST_TEST(e.find(c.says) != std::string::npos, c.to + " -> " + e);
  }
}

BOOST_AUTO_TEST_CASE(a_fault_names_a_disk_the_scenario_lacks) {
  const std::string e = error_of(replace(kGood, "crash: n2, restart_after: 1s", "power_loss: [d1]"));
  BOOST_TEST(e.find("bad.yaml:10:") == 0u, e);
  BOOST_TEST(e.find("not in storage.disks") != std::string::npos, e);
}

BOOST_AUTO_TEST_SUITE_END()
