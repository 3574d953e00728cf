#define BOOST_TEST_MODULE scenarios
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <tuple>

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
           {"power_loss: [d1]", "crash: n2, undo_after: 1s", 12, "'undo_after' goes with path_down, disk_error, fence_fail, hsm_crash, tape_error or unmount"},
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

// File systems, initial files, the workload and the cxfs mutations (scenarios/load_files.cpp).
BOOST_AUTO_TEST_SUITE(loader_files)

const std::string kFs = R"(name: fs
duration: 20s
cluster:
  nodes: [{id: n1}, {id: n2}, {id: n3}, {id: n4}]
storage:
  disks: [{id: d1, size: 64MiB}, {id: d2, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}, {id: v2, disks: [d2]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n1], mount: [n1, n2, n3], inodes: 4096, log_blocks: 1024}
files:
  - {path: /fs1/d/a, size: 64KiB}
workload:
  - {at: 3s, node: n1, call: write, path: /fs1/d/a, offset: 0, length: 8KiB, mode: direct}
  - {at: 2s, node: n3, call: rename, path: /fs1/d/a, to: /fs1/b}
  - {at: 3s, node: n2, call: setattr, path: /fs1/b, mtime: 5s}
  - {generator: mixed, fs: fs1, nodes: [n1, n2], files: 8, processes: 2, rate: 20/s, from: 1s, until: 10s, size: 4KiB, modes: [buffered, direct]}
mutations: [grant_without_recall, reuse_epoch]
)";

BOOST_AUTO_TEST_CASE(a_file_system_scenario_loads) {
  const Scenario s = load_scenario_text(kFs, "fs.yaml");
  BOOST_REQUIRE(s.filesystems.size() == 1u);
  const cxfs::FsConfig& fs = s.filesystems[0];
  BOOST_TEST(fs.id == "fs1");
  BOOST_TEST(fs.volume == "v1");
  BOOST_TEST(fs.servers == (std::vector<NodeId>{1, 0}));
  BOOST_TEST(fs.mount == (std::vector<NodeId>{0, 1, 2}));
  BOOST_TEST(fs.log_blocks == 1024u);
  BOOST_TEST(s.fs_mutations.grant_without_recall);
  BOOST_TEST(!s.fs_mutations.skip_flush_on_dirty_return);
  BOOST_TEST(s.cms.mutations.reuse_epoch);

  BOOST_REQUIRE(s.workload.files.size() == 1u);
  BOOST_TEST(s.workload.files[0].node == 1u);  // the first candidate server makes it
  BOOST_TEST(s.workload.files[0].fs == "fs1");
  BOOST_TEST(s.workload.files[0].path == "/d/a");
  BOOST_TEST(s.workload.files[0].size == 65536u);

  BOOST_REQUIRE(s.workload.calls.size() == 3u);  // in time order, file order at one time
  BOOST_TEST(app::describe(s.workload.calls[0]) == "rename fs1:/d/a /b");
  BOOST_TEST(app::describe(s.workload.calls[1]) == "write fs1:/d/a 0+8192 direct");
  BOOST_TEST(s.workload.calls[1].node == 0u);
  BOOST_TEST(s.workload.calls[1].at == 3'000'000'000);
  BOOST_TEST(app::describe(s.workload.calls[2]) == "setattr fs1:/b mtime=5000000000");

  BOOST_REQUIRE(s.workload.generators.size() == 1u);
  const app::GeneratorSpec& g = s.workload.generators[0];
  BOOST_TEST((g.kind == app::GeneratorKind::mixed));
  BOOST_TEST(g.nodes == (std::vector<NodeId>{0, 1}));
  BOOST_TEST(g.files == 8u);
  BOOST_TEST(g.processes == 2u);
  BOOST_TEST(g.rate == 20u);
  BOOST_TEST(g.from == 1'000'000'000);
  BOOST_TEST(g.until == 10'000'000'000);
  BOOST_TEST(g.size == 4096u);
  BOOST_TEST(g.modes.size() == 2u);
  BOOST_TEST((g.mix == app::Mix{}));
}

BOOST_AUTO_TEST_CASE(generator_defaults_follow_the_kind) {
  const Scenario s = load_scenario_text(
      replace(kFs, "  - {generator: mixed, fs: fs1, nodes: [n1, n2], files: 8, processes: 2, rate: 20/s, from: 1s, until: 10s, size: 4KiB, modes: [buffered, direct]}",
              "  - {generator: sequential, fs: fs1, nodes: n3}\n  - {generator: hot, fs: fs1, nodes: [n1], path: /fs1/h}\n"
              "  - {generator: mixed, fs: fs1, nodes: [n1], mix: {rename: 3, stat: 1}}"),
      "fs.yaml");
  BOOST_REQUIRE(s.workload.generators.size() == 3u);
  BOOST_TEST(s.workload.generators[0].size == 1u << 20);
  BOOST_TEST(s.workload.generators[0].file_size == 8u << 20);
  BOOST_TEST(s.workload.generators[0].until == 20'000'000'000);  // the duration
  BOOST_TEST(s.workload.generators[1].path == "/h");
  BOOST_TEST(s.workload.generators[1].size == 4096u);
  BOOST_TEST((s.workload.generators[2].mix == app::Mix{0, 0, 0, 0, 3, 1}));
}

BOOST_AUTO_TEST_CASE(each_bad_file_system_input_gets_one_error) {
  struct Case {
    std::string from, to;
    int line;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           // filesystems
           {"volume: v1, servers", "volume: v9, servers", 9, "names volume 'v9', which is not in storage.volumes"},
           {"servers: [n2, n1]", "servers: [n2, n9]", 9, "names node 'n9'"},
           {"servers: [n2, n1]", "servers: [n2, n2]", 9, "names node 'n2' twice"},
           {"servers: [n2, n1]", "servers: [n2, n4]", 9, "candidate server 'n4' of fs1 must be in its mount list"},
           {"servers: [n2, n1]", "servers: []", 9, "at least one node"},
           {"log_blocks: 1024}", "log_blocks: 10}", 9, "log_blocks must be between"},
           {"inodes: 4096", "inodes: 16000000", 9, "does not fit volume 'v1'"},
           {"{id: fs1, volume: v1,", "{id: fs1, size: 1GiB, volume: v1,", 9, "unknown key 'size' in a file system"},
           {"{id: fs1, volume: v1,", "{id: a/b, volume: v1,", 9, "without '/'"},
           {"{id: fs1, volume: v1, servers: [n2, n1], mount: [n1, n2, n3], inodes: 4096, log_blocks: 1024}",
            "{id: fs1, volume: v1, servers: [n1]}\n  - {id: fs1, volume: v2, servers: [n1]}", 10, "listed twice"},
           {"{id: fs1, volume: v1, servers: [n2, n1], mount: [n1, n2, n3], inodes: 4096, log_blocks: 1024}",
            "{id: fs1, volume: v1, servers: [n1]}\n  - {id: fs2, volume: v1, servers: [n1]}", 10, "already holds file system 'fs1'"},
           {"{id: fs1, volume: v1,", "{id: fs1,", 9, "needs 'id', 'volume' and 'servers'"},
           // files
           {"{path: /fs1/d/a, size: 64KiB}", "{path: /fs9/a, size: 64KiB}", 11, "not in a file system of this scenario"},
           {"{path: /fs1/d/a, size: 64KiB}", "{path: fs1/a, size: 64KiB}", 11, "must be absolute"},
           {"{path: /fs1/d/a, size: 64KiB}", "{path: /fs1, size: 64KiB}", 11, "names the root of fs1"},
           {"{path: /fs1/d/a, size: 64KiB}", "{path: /fs1//a, size: 64KiB}", 11, "an empty, '.' or '..' component"},
           {"{path: /fs1/d/a, size: 64KiB}", "{path: /fs1/../a, size: 64KiB}", 11, "an empty, '.' or '..' component"},
           {"size: 64KiB}", "size: 5000B}", 11, "not a multiple of the 4KiB block size"},
           {"size: 64KiB}", "size: 64MiB}", 11, "need more than its"},
           {"  - {path: /fs1/d/a, size: 64KiB}", "  - {path: /fs1/d/a}\n  - {path: /fs1/d/a}", 12, "listed twice"},
           {"  - {path: /fs1/d/a, size: 64KiB}", "  - {path: /fs1/d/a}\n  - {path: /fs1/d/a/x}", 12, "one would be the other's directory"},
           // explicit calls
           {"call: write, path: /fs1/d/a", "call: chmod, path: /fs1/d/a", 13, "unknown call 'chmod'"},
           {"offset: 0,", "offset: 100B,", 13, "offset 100B is not a multiple of the 4KiB block size"},
           {"offset: 0,", "offset: 100,", 13, "is not a size"},
           {"length: 8KiB", "length: 0B", 13, "length must be more than 0B"},
           {"length: 8KiB", "length: 1GiB", 13, "is more than 64MiB"},
           {"mode: direct", "mode: turbo", 13, "unknown I/O mode 'turbo'"},
           {"{at: 3s, node: n1, call: write", "{at: 30s, node: n1, call: write", 13, "after the scenario's duration"},
           {"{at: 3s, node: n1, call: write", "{at: 3s, node: n4, call: write", 13, "node 'n4' does not mount fs1"},
           {"{at: 3s, node: n1, call: write", "{node: n1, call: write", 13, "needs 'at', 'node', 'call' and 'path'"},
           {"mode: direct}", "mode: direct, to: /fs1/c}", 13, "'to' goes with call: rename"},
           {"call: rename, path: /fs1/d/a, to: /fs1/b}", "call: rename, path: /fs1/d/a}", 14, "a rename needs 'to"},
           {"to: /fs1/b}", "to: /fs2/b}", 14, "not in a file system"},
           {"to: /fs1/b}", "to: /fs1/b, size: 4KiB}", 14, "'size' goes with call: truncate"},
           {"call: setattr, path: /fs1/b, mtime: 5s}", "call: setattr, path: /fs1/b}", 15, "a setattr needs 'mtime', 'atime' or both"},
           {"call: setattr, path: /fs1/b, mtime: 5s}", "call: truncate, path: /fs1/b}", 15, "a truncate needs 'size"},
           {"call: setattr, path: /fs1/b, mtime: 5s}", "call: truncate, path: /fs1/b, size: 10B}", 15, "not a multiple"},
           {"call: setattr, path: /fs1/b, mtime: 5s}", "call: setattr, path: /fs1/b, mtime: 5}", 15, "not a duration"},
           // generators
           {"generator: mixed", "generator: chaotic", 16, "unknown generator 'chaotic'"},
           {"generator: mixed", "generator: mixed, call: read", 16, "either a call or a generator"},
           {"{generator: mixed, fs: fs1,", "{fs: fs1,", 16, "needs 'call'"},
           {"fs: fs1, nodes: [n1, n2]", "fs: fs9, nodes: [n1, n2]", 16, "generator fs 'fs9' is not a file system"},
           {"fs: fs1, nodes: [n1, n2]", "fs: fs1, nodes: [n1, n4]", 16, "node 'n4' does not mount fs1"},
           {"fs: fs1, nodes: [n1, n2]", "fs: fs1", 16, "needs 'fs' and 'nodes'"},
           {"rate: 20/s", "rate: 20", 16, "is not a rate"},
           {"rate: 20/s", "rate: 0/s", 16, "is not a rate"},
           {"rate: 20/s", "rate: 2.5/s", 16, "is not a rate"},
           {"processes: 2", "processes: 0", 16, "processes must be between 1 and 100"},
           {"files: 8", "files: 0", 16, "files must be between"},
           {"until: 10s", "until: 1s", 16, "'until' must be after its 'from'"},
           {"until: 10s", "until: 21s", 16, "after the scenario's duration"},
           {"size: 4KiB", "size: 6KiB", 16, "not a multiple of the 4KiB block size"},
           {"size: 4KiB", "size: 128KiB", 16, "file_size must be at least the generator's size"},
           {"modes: [buffered, direct]", "modes: []", 16, "at least one I/O mode"},
           {"modes: [buffered, direct]", "modes: [buffered, warp]", 16, "unknown I/O mode 'warp'"},
           {"modes: [buffered, direct]", "path: /fs1/x", 16, "'path' goes with generator: hot"},
           {"modes: [buffered, direct]", "mix: {read: 1}", -1, ""},
           {"generator: mixed", "generator: hot", -1, ""},
           {"generator: mixed, fs: fs1, nodes: [n1, n2], files: 8", "generator: sequential, fs: fs1, nodes: [n1, n2], files: 8, mix: {read: 1}", 16, "'mix' goes with generator: mixed or hot"},
           {"generator: mixed, fs: fs1, nodes: [n1, n2], files: 8", "generator: hot, fs: fs1, nodes: [n1, n2], files: 8, mix: {stat: 1}", 16, "unknown key 'stat' in the mix of a hot generator"},
           {"generator: mixed, fs: fs1, nodes: [n1, n2], files: 8", "generator: hot, fs: fs1, nodes: [n1, n2], files: 8, mix: {write: 1}", -1, ""},
           {"modes: [buffered, direct]", "mix: {read: 0}", 16, "every call weight 0"},
           {"modes: [buffered, direct]", "mix: {chmod: 1}", 16, "unknown key 'chmod' in mix"},
           {"modes: [buffered, direct]", "speed: 3", 16, "unknown key 'speed' in a generator"},
           // mutations
           {"[grant_without_recall, reuse_epoch]", "[grant_without_recal]", 17, "keep_pages_on_clean_return"},
       }) {
    const std::string text = replace(kFs, c.from, c.to);
    const std::string e = error_of(text);
    if (c.line < 0) {
      BOOST_TEST(e.empty(), c.to + " -> " + e);
      continue;
    }
    BOOST_TEST(e.find("bad.yaml:" + std::to_string(c.line) + ":") == 0u, c.to + " -> " + e);
    BOOST_TEST(e.find(c.says) != std::string::npos, c.to + " -> " + e);
  }
}

BOOST_AUTO_TEST_CASE(too_many_processes_on_one_node) {
  const std::string many = replace(kFs, "processes: 2", "processes: 100");
  std::string gens;
  for (int i = 0; i < 10; ++i) gens += "  - {generator: hot, fs: fs1, nodes: [n3, n2], processes: 100}\n";
  const std::string e = error_of(replace(many, "mutations:", gens + "mutations:"));
  BOOST_TEST(e.find("bad.yaml:25:") == 0u, e);  // the ninth: n2 runs 100 mixed and 8 * 100 hot already
  BOOST_TEST(e.find("node 'n2' would run more than 998 generator processes") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(paths_need_a_file_system) {
  const std::string e = error_of(replace(kGood, "faults:", "files: [{path: /fs1/a}]\nfaults:"));
  BOOST_TEST(e.find("bad.yaml:9:") == 0u, e);
  BOOST_TEST(e.find("known: none: add a filesystems: list") != std::string::npos, e);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(recovery_options_and_fence_failures_load_and_bad_ones_are_named) {
  const std::string good = replace(kGood, "faults:\n", "recovery: {fencing: reset, fence_latency: 5ms, reset_reboot: 1s}\nfaults:\n  - {at: 1s, fence_fail: n2, undo_after: 3s}\n");
  const Scenario sc = load_scenario_text(good, "ok.yaml");
  BOOST_TEST((sc.recovery.fencing == corpse::Fencing::reset));
  BOOST_TEST(sc.recovery.fence_latency == 5'000'000);
  BOOST_TEST(sc.recovery.reset_reboot == 1'000'000'000);
  BOOST_REQUIRE(sc.faults.size() == 2u);
  BOOST_TEST((sc.faults[0].kind == FaultKind::fence_fail));
  BOOST_TEST(*sc.faults[0].undo_after == 3'000'000'000);

  std::string e = error_of(replace(kGood, "faults:\n", "recovery: {fencing: stonith}\nfaults:\n"));
  BOOST_TEST(e.find("recovery.fencing must be 'fabric' or 'reset', not 'stonith'") != std::string::npos, e);
  e = error_of(replace(kGood, "faults:\n", "recovery: {fence_delay: 1s}\nfaults:\n"));
  BOOST_TEST(e.find("unknown key 'fence_delay'") != std::string::npos, e);
  e = error_of(replace(kGood, "faults:\n", "recovery: {reset_reboot: 0s}\nfaults:\n"));
  BOOST_TEST(e.find("recovery.reset_reboot must be longer than zero") != std::string::npos, e);
  e = error_of(replace(kGood, "restart_after: 1s}", "undo_after: 1s}"));
  BOOST_TEST(e.find("'undo_after' goes with path_down, disk_error, fence_fail, hsm_crash, tape_error or unmount") != std::string::npos, e);
  e = error_of(replace(kGood, "faults:\n", "mutations: [skip_fencin]\nfaults:\n"));
  BOOST_TEST(e.find("unknown mutation 'skip_fencin'") != std::string::npos, e);
}

namespace {

const std::string kDmapi = R"(name: dm
duration: 2m
cluster:
  nodes:
    - {id: n1}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
storage:
  disks: [{id: d1, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}]
hsm: {tape: {mount: 1s, seek: 2s, rate: 10MiB/s, drives: 2}}
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3], dmapi: true}
files:
  - {path: /fs1/cold, size: 64KiB, offline: true}
workload:
  - {at: 70s, node: n1, call: migrate, path: /fs1/cold, release: true}
relocation: {mode: hold-lock, failback: true}
faults:
  - {at: 75s, relocate: {fs: fs1, to: n3}}
  - {at: 80s, hsm_crash: fs1, undo_after: 10s}
  - {at: 85s, tape_error: true, undo_after: 5s}
  - {at: 90s, unmount: {fs: fs1, on: [n1, n3]}, undo_after: 5s}
expect:
  - relocation_completes_within: 2s
)";

}  // namespace

BOOST_AUTO_TEST_CASE(dmapi_hsm_and_relocation_keys_load) {
  const Scenario sc = load_scenario_text(kDmapi, "ok.yaml");
  BOOST_REQUIRE(sc.storage.tape.has_value());
  BOOST_TEST(sc.storage.tape->mount == 1'000'000'000);
  BOOST_TEST(sc.storage.tape->seek == 2'000'000'000);
  BOOST_TEST(sc.storage.tape->rate == 10u << 20);
  BOOST_TEST(sc.storage.tape->drives == 2u);
  BOOST_REQUIRE(sc.filesystems.size() == 1u);
  BOOST_TEST(sc.filesystems[0].dmapi);
  BOOST_TEST(sc.filesystems[0].hold_lock);
  BOOST_TEST(sc.filesystems[0].failback);
  BOOST_TEST(!sc.filesystems[0].balance);
  BOOST_REQUIRE(sc.workload.files.size() == 1u);
  BOOST_TEST(sc.workload.files[0].offline);
  BOOST_REQUIRE(sc.workload.calls.size() == 1u);
  BOOST_TEST((sc.workload.calls[0].call == app::Call::migrate));
  BOOST_TEST(sc.workload.calls[0].release);
  BOOST_REQUIRE(sc.faults.size() == 4u);
  BOOST_TEST(sc.faults[0].command == "relocate fs1 2");
  BOOST_TEST((sc.faults[0].nodes == std::vector<NodeId>{2}));
  BOOST_TEST(sc.faults[1].command == "hsm_crash fs1");
  BOOST_TEST(sc.faults[1].undo_command == "hsm_restart fs1");
  BOOST_TEST((sc.faults[2].kind == FaultKind::tape_error));
  BOOST_TEST(sc.faults[3].command == "unmount fs1");
  BOOST_TEST(sc.faults[3].undo_command == "mount fs1");
  BOOST_TEST((sc.faults[3].nodes == std::vector<NodeId>{0, 2}));
  BOOST_TEST(*sc.faults[3].undo_after == 5'000'000'000);
  BOOST_TEST(*sc.expect.relocation_within == 2'000'000'000);
}

BOOST_AUTO_TEST_CASE(each_bad_dmapi_or_relocation_input_gets_one_error) {
  struct Case {
    std::string from, to, says;
  };
  for (const Case& c : std::vector<Case>{
           {"hsm: {tape: {mount: 1s, seek: 2s, rate: 10MiB/s, drives: 2}}\n", "",
            "a DMAPI-enabled file system needs a tape library"},
           {"drives: 2", "drives: 0", "hsm.tape.drives"},
           {"rate: 10MiB/s", "rate: 10MiB", "not a bandwidth"},
           {"mount: 1s", "mount: 1", "not a duration"},
           {"{tape: {", "{tapes: {", "unknown key 'tapes'"},
           {"servers: [n2, n3], dmapi: true}", "servers: [n2, n3]}", "only a file of a DMAPI-enabled file system"},
           {"size: 64KiB, offline: true", "offline: true", "an offline file needs a size"},
           {"call: migrate, path: /fs1/cold, release: true", "call: read, path: /fs1/cold, release: true",
            "'release' goes with call: migrate"},
           {"mode: hold-lock,", "mode: hold,", "relocation.mode must be 'hand-off' or 'hold-lock'"},
           {"failback: true}", "failback: yes please}", "relocation.failback"},
           {"failback: true}", "fallback: true}", "unknown key 'fallback'"},
           {"relocate: {fs: fs1, to: n3}", "relocate: {fs: fs1, to: n1}", "not a candidate server of fs1"},
           {"relocate: {fs: fs1, to: n3}", "relocate: {fs: fs9, to: n3}", "names file system 'fs9'"},
           {"relocate: {fs: fs1, to: n3}", "relocate: {fs: fs1}", "relocate needs 'fs' and 'to'"},
           {"hsm_crash: fs1, undo_after: 10s", "hsm_crash: fs2, undo_after: 10s", "names file system 'fs2'"},
           {"tape_error: true", "tape_error: false", "write 'tape_error: true'"},
           {"unmount: {fs: fs1, on: [n1, n3]}", "unmount: {fs: fs1}", "unmount needs 'fs' and 'on'"},
           {"unmount: {fs: fs1, on: [n1, n3]}", "unmount: fs1", "unmount needs a map naming the file system"},
           {"unmount: {fs: fs1, on: [n1, n3]}", "unmount: {fs: fs1, on: n7}", "names node 'n7'"},
           {"unmount: {fs: fs1, on: [n1, n3]}", "unmount: {fs: fs1, on: n1, at: 2s}", "unknown key 'at' in unmount"},
           {"relocation_completes_within: 2s", "relocation_completes_within: 0s", "must be longer than zero"},
           {"mutations: []", "mutations: [lose_the_bag]", "unknown mutation 'lose_the_bag'"},
       }) {
    std::string text = kDmapi;
    if (c.from == "mutations: []") text = replace(text, "faults:\n", "mutations: []\nfaults:\n");
    const std::string e = error_of(replace(text, c.from, c.to));
    BOOST_TEST(e.find(c.says) != std::string::npos, c.to + " -> " + e);
    BOOST_TEST(e.find("bad.yaml:") == 0u, c.to + " -> " + e);
  }
  // migrate on a file system without DMAPI.
  std::string plain = replace(kDmapi, "  - {path: /fs1/cold, size: 64KiB, offline: true}\n", "  - {path: /fs1/cold, size: 64KiB}\n");
  plain = replace(plain, "servers: [n2, n3], dmapi: true}", "servers: [n2, n3]}");
  plain = replace(plain, "  - {at: 80s, hsm_crash: fs1, undo_after: 10s}\n", "");
  const std::string e = error_of(plain);
  BOOST_TEST(e.find("migrate needs a DMAPI-enabled file system") != std::string::npos, e);
  // unmount on a node outside the file system's mount list.
  const std::string mounts =
      replace(replace(kDmapi, "servers: [n2, n3], dmapi: true}", "servers: [n2, n3], mount: [n2, n3], dmapi: true}"),
              "node: n1, call: migrate", "node: n2, call: migrate");
  const std::string um = error_of(mounts);
  BOOST_TEST(um.find("bad.yaml:23:") == 0u, um);
  BOOST_TEST(um.find("node 'n1' does not mount fs1 (its mount list)") != std::string::npos, um);
}

BOOST_AUTO_TEST_CASE(a_command_line_relocation_request_is_validated_and_kept_for_replay) {
  Scenario sc = load_scenario_text(kDmapi, "ok.yaml");
  add_relocate_request(sc, "fs1:n2@90s");
  BOOST_REQUIRE(sc.faults.size() == 5u);
  BOOST_TEST(sc.faults[4].command == "relocate fs1 1");
  BOOST_TEST(*sc.faults[4].trigger.at == 90'000'000'000);
  const Scenario again = load_scenario_text(sc.source, "again.yaml");  // what a failure file holds
  BOOST_REQUIRE(again.faults.size() == 5u);
  BOOST_TEST(again.faults[4].command == "relocate fs1 1");
  for (const std::pair<std::string, std::string>& bad : std::vector<std::pair<std::string, std::string>>{
           {"fs1n2@1s", "is not FS:NODE@TIME"},
           {"fs1:n2@soon", "no valid time"},
           {"fs1:n2@3m", "after the end"},
           {"fs9:n2@1s", "file system 'fs9'"},
           {"fs1:n7@1s", "node 'n7'"},
           {"fs1:n1@1s", "not a candidate server"}}) {
    try {
      add_relocate_request(sc, bad.first);
      BOOST_FAIL("accepted " + bad.first);
    } catch (const ScenarioError& e) {
      BOOST_TEST(e.what().find(bad.second) != std::string::npos, e.what());
      BOOST_TEST(e.what().find("--relocate") == 0u, e.what());
    }
  }
}

// Every checker says how much it judged; one that judged nothing fails the run as vacuous
// unless the scenario says why that is fine (vacuous_ok).
BOOST_AUTO_TEST_SUITE(vacuous_checkers)

const std::string kQuiet = R"(name: quiet
seed: 4
duration: 12s
cluster:
  nodes: [{id: n1, server_capable: true}, {id: n2, server_capable: true}, {id: n3}]
storage:
  disks: [{id: d1, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n1, n2]}
files:
  - {path: /fs1/a, size: 16KiB}
workload:
  - {at: 3s, node: n3, call: write, path: /fs1/a, length: 4KiB}
  - {at: 4s, node: n2, call: read, path: /fs1/a, length: 4KiB}
expect:
  - checkers: [data_coherent, metadata_coherent, linearizable, relocation_liveness]
)";

const ExpectationResult* checker_result(const RunResult& r, const std::string& name) {
  for (const ExpectationResult& e : r.expectations)
    if (e.checker == name) return &e;
  return nullptr;
}

BOOST_AUTO_TEST_CASE(a_checker_that_judged_nothing_fails_the_run_unless_the_scenario_says_why) {
  const RunResult r = run_scenario(load_scenario_text(kQuiet, "quiet.yaml"));
  BOOST_TEST(!r.passed);
  const ExpectationResult* data = checker_result(r, "data_coherent");
  BOOST_REQUIRE(data != nullptr);
  BOOST_TEST(data->passed);
  BOOST_TEST(!data->vacuous);
  BOOST_REQUIRE(!data->judged.empty());
  BOOST_TEST(data->judged[0].what == "block reads");
  BOOST_TEST(data->judged[0].count == 1u);
  for (const char* idle : {"metadata_coherent", "relocation_liveness"}) {  // no stat, no relocation
    const ExpectationResult* e = checker_result(r, idle);
    BOOST_REQUIRE(e != nullptr);
    BOOST_TEST(e->vacuous, idle);
    BOOST_TEST(!e->passed, idle);
    BOOST_TEST(e->detail.find("vacuous") != std::string::npos, e->detail);
  }
  BOOST_TEST(judged_summary(r) == "2/4");

  const std::string excused = kQuiet + R"(  - vacuous_ok:
      - {checker: metadata_coherent, reason: "no stat in this workload"}
      - {checker: relocation_liveness, reason: "nothing relocates"}
)";
  const RunResult ok = run_scenario(load_scenario_text(excused, "quiet.yaml"));
  BOOST_TEST(ok.passed);
  BOOST_TEST(checker_result(ok, "relocation_liveness")->vacuous);
  BOOST_TEST(checker_result(ok, "relocation_liveness")->detail.find("nothing relocates") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(default_checkers_are_those_the_scenario_can_exercise) {
  Scenario s = load_scenario_text(kQuiet, "quiet.yaml");
  s.expect.checkers.clear();
  auto has = [](const std::vector<std::string>& v, const char* n) { return std::find(v.begin(), v.end(), n) != v.end(); };
  std::vector<std::string> names = default_checkers(s);
  BOOST_TEST(has(names, "agreement"));
  BOOST_TEST(has(names, "linearizable"));
  BOOST_TEST(!has(names, "fencing"));
  BOOST_TEST(!has(names, "relocation_liveness"));
  BOOST_TEST(!has(names, "dmapi_transparent"));
  s.filesystems[0].dmapi = true;
  s.filesystems[0].failback = true;
  FaultSpec crash;
  crash.kind = FaultKind::crash;
  s.faults.push_back(crash);
  names = default_checkers(s);
  for (const char* n : {"fencing", "recovery_liveness", "one_server", "token_recovery", "relocation_liveness",
                        "dmapi_transparent"})
    BOOST_TEST(has(names, n), n);
}

BOOST_AUTO_TEST_CASE(bad_vacuous_ok_entries_are_named) {
  for (const auto& [entry, says] : std::vector<std::pair<std::string, std::string>>{
           {"[fencing]", "a vacuous_ok entry must be a mapping"},
           {"[{checker: fencing}]", "needs 'checker' and 'reason'"},
           {"[{checker: nonsense, reason: x}]", "unknown checker 'nonsense'"},
           {"[{checker: fencing, reason: \"\"}]", "reason for fencing is empty"},
           {"[{checker: fencing, reason: a}, {checker: fencing, reason: b}]", "names fencing twice"},
       }) {
    const std::string e = error_of(kQuiet + "  - vacuous_ok: " + entry + "\n");
    BOOST_TEST(e.find(says) != std::string::npos, entry + " -> " + e);
    BOOST_TEST(e.find("bad.yaml:") == 0u, e);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// boot_at holds a node down until its time, so which candidate serves first is pinned.
BOOST_AUTO_TEST_CASE(boot_at_starts_a_node_later) {
  const std::string text = replace(kGood, "    - {id: n2}\n", "    - {id: n2, boot_at: 1500ms}\n");
  const Scenario s = load_scenario_text(text, "late.yaml");
  BOOST_TEST(s.nodes[1].boot_at == 1'500'000'000);
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(s, o);
  std::vector<Time> boots;
  for (const TraceRecord& t : r.records)
    if (t.node == 1 && t.text.rfind("node.boot", 0) == 0) boots.push_back(t.time);
  BOOST_REQUIRE(!boots.empty());
  BOOST_TEST(boots[0] == 1'500'000'000);
  BOOST_TEST(error_of(replace(kGood, "    - {id: n2}\n", "    - {id: n2, boot_at: -1s}\n")).find("boot_at") !=
             std::string::npos);
  const std::string none = replace(replace(replace(kGood, "    - {id: n1, server_capable: true}\n",
                                                   "    - {id: n1, server_capable: true, boot_at: 1s}\n"),
                                           "    - {id: n2}\n", "    - {id: n2, boot_at: 1s}\n"),
                                   "    - {id: n3}\n", "    - {id: n3, boot_at: 1s}\n");
  BOOST_TEST(error_of(none).find("at least one node must boot at the start") != std::string::npos, error_of(none));
}

// final_server and relocation outcomes: what the seed says must happen, judged at the end.
BOOST_AUTO_TEST_CASE(final_server_and_relocation_outcomes_are_judged) {
  std::ifstream in(std::string(SANSIM_SOURCE_DIR) + "/scenarios/library/kore-fig14-relocation.yaml");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_REQUIRE(text.find("final_server: {fs1: n3}") != std::string::npos);
  const RunResult ok = run_scenario(load_scenario_text(text, "fig14.yaml"));
  BOOST_TEST(ok.passed);
  const std::string wrong = replace(replace(text, "final_server: {fs1: n3}", "final_server: {fs1: n2}"),
                                    "relocations: {completed: 1,", "relocations: {completed: 2,");
  const RunResult bad = run_scenario(load_scenario_text(wrong, "fig14.yaml"));
  BOOST_TEST(!bad.passed);
  std::string details;
  for (const ExpectationResult& e : bad.expectations)
    if (!e.passed) details += e.text + ": " + e.detail + "\n";
  BOOST_TEST(details.find("final server of fs1 is n2: fs1 is served by [n3] at the end") != std::string::npos, details);
  BOOST_TEST(details.find("2 relocation(s) completed: 1 completed") != std::string::npos, details);
  for (const auto& [from, says] : std::vector<std::pair<std::string, std::string>>{
           {"final_server: {fs1: n3}", "final_server: {fs9: n3}"},
           {"final_server: {fs1: n3}", "final_server: {fs1: n9}"},
           {"relocations: {completed: 1,", "relocations: {done: 1,"},
           {"relocations: {completed: 1,", "relocations: {completed: -1,"}}) {
    const std::string e = error_of(replace(text, from, says));
    BOOST_TEST(!e.empty(), says);
    BOOST_TEST(e.find("bad.yaml:") == 0u, e);
  }
}

// Faults that name a role, the Nth match of a trigger, and sequences (`after`).
BOOST_AUTO_TEST_CASE(faults_by_role_count_and_after) {
  const std::string text = R"(name: roles
seed: 3
duration: 30s
cluster:
  nodes: [{id: n1, server_capable: true}, {id: n2, server_capable: true}, {id: n3, server_capable: true}, {id: n4}]
storage:
  disks: [{id: d1, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}]
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3, n1]}
workload:
  - {generator: mixed, fs: fs1, nodes: [n1, n4], processes: 1, files: 4, rate: 10/s, from: 1s, until: 25s}
faults:
  - {name: first, at: 5s, crash: {server_of: fs1}, restart_after: 3s}
  - {name: second, when: {observe: corpse.complete, count: 2, after: first}, crash: corpse_leader, restart_after: 3s}
  - {when: {after: second}, crash: cms_leader, restart_after: 2s}
expect:
  - membership_stable_within: 6s
)";
  const Scenario s = load_scenario_text(text, "roles.yaml");
  BOOST_REQUIRE_EQUAL(s.faults.size(), 3u);
  BOOST_TEST(s.faults[1].trigger.count == 2u);
  BOOST_TEST(*s.faults[1].trigger.after == 0u);
  BOOST_TEST(*s.faults[2].trigger.after == 1u);
  const RunResult r = run_scenario(s);
  BOOST_TEST(r.passed);
  BOOST_REQUIRE_GE(r.faults.size(), 4u);
  BOOST_TEST(r.faults[0].text.find("crash server of fs1 (undone after 3s) -> n2") != std::string::npos, r.faults[0].text);
  // The second cycle's completion after the first crash: n2 is back, the cycle that
  // readmits it ends, and its leader (n1, the longest-standing server-capable node) goes.
  BOOST_TEST(r.faults[2].text.find("when corpse.complete #2 after first: crash corpse leader") == 0u, r.faults[2].text);
  BOOST_TEST(r.faults[2].text.find("-> n1") != std::string::npos, r.faults[2].text);
  BOOST_TEST(r.faults[3].time == r.faults[2].time);  // `after` alone: at once
  for (const auto& [from, to, says] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"crash: {server_of: fs1}", "crash: {server_of: fs9}", "names file system 'fs9'"},
           {"crash: {server_of: fs1}", "crash: {leader_of: fs1}", "unknown key 'leader_of'"},
           {"crash: corpse_leader", "crash: someone", "names node 'someone'"},
           {"count: 2, after: first", "count: 0, after: first", "when.count"},
           {"after: first}, crash: corpse", "after: nobody}, crash: corpse", "no fault has that name"},
           {"name: second,", "name: first,", "two faults are named 'first'"},
           {"{when: {after: second}", "{when: {count: 2}", "needs 'observe: KIND'"},
           {"{when: {after: second}", "{when: {count: 2, after: second}", "'count' counts observations"}}) {
    const std::string e = error_of(replace(text, from, to));
    BOOST_TEST(e.find(says) != std::string::npos, to << " -> " << e);
  }
}

// One call's outcome, as the seed says it must be.
BOOST_AUTO_TEST_CASE(call_expectations_are_judged_and_bad_ones_named) {
  std::ifstream in(std::string(SANSIM_SOURCE_DIR) + "/scenarios/library/fs-unlink-while-open.yaml");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_REQUIRE(text.find("at: 5040ms, result: ENOENT}") != std::string::npos);
  BOOST_TEST(run_scenario(load_scenario_text(text, "u.yaml")).passed);
  const std::string wrong = replace(replace(text, "at: 5040ms, result: ENOENT}", "at: 5040ms, result: ok}"),
                                    "returns_write: {node: n4, at: 12s}", "returns_write: {node: n3, at: 12s}");
  const RunResult bad = run_scenario(load_scenario_text(wrong, "u.yaml"));
  BOOST_TEST(!bad.passed);
  std::string details;
  for (const ExpectationResult& e : bad.expectations)
    if (!e.passed) details += e.text + ": " + e.detail + "\n";
  BOOST_TEST(details.find("call stat /fs1/big on n2 at 5.04s returns ok: it returned ENOENT") != std::string::npos, details);
  BOOST_TEST(details.find("the data of the write at 12s: no such write was made") != std::string::npos, details);
  for (const auto& [to, says] : std::vector<std::pair<std::string, std::string>>{
           {"result: EWHAT}", "call.result must be ok or an error"},
           {"result: ENOENT, returns_write: {node: n4, at: 12s}}", "returns_write goes with a read"},
           {"result: ENOENT, mtime: oldest}", "call.mtime can only be 'latest'"}}) {
    const std::string e = error_of(replace(text, "result: ENOENT}", to));
    BOOST_TEST(e.find(says) != std::string::npos, to << " -> " << e);
  }
  const std::string e = error_of(replace(replace(text, "call: {node: n2, call: stat", "call: {node: n2, call: read"),
                                         "result: ENOENT}", "result: ENOENT, mtime: latest}"));
  BOOST_TEST(e.find("mtime goes with a stat") != std::string::npos, e);
}
