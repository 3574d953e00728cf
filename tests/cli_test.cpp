// The `sansim run` surface as a user meets it: report files, failure files with the
// replay command, determinism checks, and the closing summary line.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

struct Ran {
  int status;
  std::string out;
};

Ran sansim(const std::string& args, const std::string& dir) {
  const int st = std::system((std::string(SANSIM_BINARY) + " " + args + " > " + dir + "/out.txt 2>&1").c_str());
  std::ifstream in(dir + "/out.txt");
  return {WEXITSTATUS(st), std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
}

std::string fresh_dir(const std::string& name) {
  std::filesystem::remove_all(name);
  std::filesystem::create_directories(name);
  return name;
}

const std::string kLibrary = std::string(SANSIM_SOURCE_DIR) + "/scenarios/library";

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(report_lists_every_scenario) {
  const std::string dir = fresh_dir("cli_test_report");
  Ran r = sansim("run " + kLibrary + "/clean-start.yaml " + kLibrary + "/leader-crash.yaml --report " + dir + "/rep", dir);
  BOOST_TEST(r.status == 0, r.out);
  BOOST_TEST(r.out.find("2 passed, 0 failed") != std::string::npos, r.out);
  std::ifstream json(dir + "/rep/results.json");
  std::string j((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  BOOST_TEST(j.find("\"name\": \"clean-start\"") != std::string::npos);
  BOOST_TEST(j.find("\"name\": \"leader-crash\"") != std::string::npos);
  BOOST_TEST(j.find("\"trace_hash\"") != std::string::npos);
  BOOST_TEST(std::filesystem::exists(dir + "/rep/summary.md"));
}

BOOST_AUTO_TEST_CASE(failure_writes_a_replayable_file_and_exits_1) {
  const std::string dir = fresh_dir("cli_test_failure");
  std::ofstream(dir + "/broken.yaml") << R"(name: broken
seed: 5
duration: 12s
cluster:
  nodes: [{id: n1, server_capable: true}, {id: n2}, {id: n3}, {id: n4}, {id: n5}]
faults:
  - {at: 3s, partition: [[n1, n2], [n3, n4, n5]]}
mutations: [ignore_quorum]
)";
  Ran r = sansim("run " + dir + "/broken.yaml --failures " + dir + "/failures", dir);
  BOOST_TEST(r.status == 1, r.out);
  BOOST_TEST(r.out.find("FAIL  broken") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("violation quorum") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("replay: sansim replay " + dir + "/failures/broken-5.yaml") != std::string::npos, r.out);
  Ran again = sansim("replay " + dir + "/failures/broken-5.yaml", dir);
  BOOST_TEST(again.status == 0, again.out);
}

BOOST_AUTO_TEST_CASE(check_determinism_passes_on_the_library) {
  const std::string dir = fresh_dir("cli_test_determinism");
  Ran r = sansim("run " + kLibrary + " --check-determinism --failures " + dir, dir);
  BOOST_TEST(r.status == 0, r.out);
  BOOST_TEST(r.out.find("NON-DETERMINISTIC") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(bad_flags_exit_2) {
  const std::string dir = fresh_dir("cli_test_flags");
  BOOST_TEST(sansim("run", dir).status == 2);
  BOOST_TEST(sansim("run " + kLibrary + " --seed notanumber", dir).status == 2);
  BOOST_TEST(sansim("replay /no/such/file.yaml", dir).status == 2);
  BOOST_TEST(sansim("replay " + kLibrary + "/clean-start.yaml", dir).status == 2);  // not a failure file
  BOOST_TEST(sansim("bench nothing", dir).status == 2);
  BOOST_TEST(sansim("frobnicate", dir).status == 2);
}

BOOST_AUTO_TEST_CASE(check_history_exit_codes) {
  const std::string dir = fresh_dir("cli_test_history");
  const std::string write = R"({"process":1,"type":"invoke","f":"write","value":["3/0",5],"index":1,"time":10}
{"process":1,"type":"ok","f":"write","value":["3/0",5],"index":2,"time":20}
{"process":2,"type":"invoke","f":"read","value":["3/0",null],"index":3,"time":30}
)";
  std::ofstream(dir + "/good.jsonl") << write << R"({"process":2,"type":"ok","f":"read","value":["3/0",5],"index":4,"time":40})"
                                     << "\n";
  std::ofstream(dir + "/stale.jsonl") << write << R"({"process":2,"type":"ok","f":"read","value":["3/0",0],"index":4,"time":40})"
                                      << "\n";
  std::ofstream(dir + "/bad.jsonl") << write << R"({"process":2,"type":"done","f":"read","value":["3/0",0],"index":4,"time":40})"
                                    << "\n";
  Ran good = sansim("check-history " + dir + "/good.jsonl", dir);
  BOOST_TEST(good.status == 0, good.out);
  BOOST_TEST(good.out.find("1 linearizable, 0 not linearizable, 0 undecided") != std::string::npos, good.out);
  Ran stale = sansim("check-history " + dir + "/stale.jsonl", dir);
  BOOST_TEST(stale.status == 1, stale.out);
  BOOST_TEST(stale.out.find("NOT LINEARIZABLE  key '3/0'") != std::string::npos, stale.out);
  BOOST_TEST(stale.out.find("smallest window that is not: 2 operations") != std::string::npos, stale.out);
  BOOST_TEST(stale.out.find("returned 0, but the register could only hold 5") != std::string::npos, stale.out);
  Ran bad = sansim("check-history " + dir + "/bad.jsonl", dir);
  BOOST_TEST(bad.status == 2, bad.out);
  BOOST_TEST(bad.out.find("bad.jsonl:4: 'type' must be one of invoke, ok, fail, info") != std::string::npos, bad.out);
  Ran undecided = sansim("check-history --budget 1 " + dir + "/good.jsonl", dir);
  BOOST_TEST(undecided.status == 3, undecided.out);
  BOOST_TEST(undecided.out.find("UNDECIDED  key '3/0'") != std::string::npos, undecided.out);
  // Jepsen's own log lines (as Porcupine's test_data/jepsen): nil to start, cas, timeouts;
  // the verdict and where it fails also as JSON.
  std::ofstream(dir + "/etcd.log") << "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
                                      "INFO  jepsen.util - 0\t:ok\t:read\tnil\n"
                                      "INFO  jepsen.util - 1\t:invoke\t:write\t3\n"
                                      "INFO  jepsen.util - 1\t:ok\t:write\t3\n"
                                      "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]\n"
                                      "INFO  jepsen.util - 2\t:info\t:cas\t:timed-out\n"
                                      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
                                      "INFO  jepsen.util - 0\t:ok\t:read\tnil\n";
  Ran jepsen = sansim("check-history --json " + dir + "/etcd.json " + dir + "/etcd.log", dir);
  BOOST_TEST(jepsen.status == 1, jepsen.out);  // nil read back after 3 was written
  BOOST_TEST(jepsen.out.find("longest linearizable prefix: 3 operations") != std::string::npos, jepsen.out);
  std::ifstream json(dir + "/etcd.json");
  const std::string j((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  BOOST_TEST(j.find("\"verdict\": \"not linearizable\"") != std::string::npos, j);
  BOOST_TEST(j.find("\"window\"") != std::string::npos, j);
  BOOST_TEST(sansim("check-history --initial 3 " + dir + "/etcd.log", dir).status == 1);
  BOOST_TEST(sansim("check-history --initial x " + dir + "/etcd.log", dir).status == 2);
  // A run writes its history (empty while no scenario makes user calls), one scenario only.
  Ran run = sansim("run " + kLibrary + "/clean-start.yaml --history " + dir + "/run.jsonl", dir);
  BOOST_TEST(run.status == 0, run.out);
  BOOST_TEST(std::filesystem::exists(dir + "/run.jsonl"));
  BOOST_TEST(sansim("check-history " + dir + "/run.jsonl", dir).status == 0);
  BOOST_TEST(sansim("run " + kLibrary + " --history " + dir + "/all.jsonl", dir).status == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cli_relocation)

// An administrator's relocation request from the command line (§0074): fs1 of the Fig. 14
// scenario is served by n3 after its own relocation; asking for n2 later moves it back.
BOOST_AUTO_TEST_CASE(relocate_on_the_command_line_runs_and_bad_requests_exit_2) {
  const std::string dir = fresh_dir("cli_test_relocate");
  const std::string file = kLibrary + "/kore-fig14-relocation.yaml";
  // The scenario itself expects fs1 to end on n3 after one relocation: ours moves it back,
  // so that expectation must fail, and nothing else.
  Ran ok = sansim("run " + file + " --relocate fs1:n2@12s --trace " + dir + "/t.jsonl", dir);
  BOOST_TEST(ok.status == 1, ok.out);
  BOOST_TEST(ok.out.find("FAIL final server of fs1 is n3: fs1 is served by [n2] at the end") != std::string::npos, ok.out);
  BOOST_TEST(ok.out.find("FAIL 1 relocation(s) completed: 2 completed") != std::string::npos, ok.out);
  BOOST_TEST(ok.out.find("violation") == std::string::npos, ok.out);
  std::ifstream in(dir + "/t.jsonl");
  const std::string trace((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(trace.find("relocate fs1 to n2 (--relocate)") != std::string::npos);
  std::size_t ends = 0;
  for (std::size_t at = trace.find("phase=end"); at != std::string::npos; at = trace.find("phase=end", at + 1)) ++ends;
  BOOST_TEST(ends == 2u);  // the scenario's own relocation, then ours
  Ran bad = sansim("run " + file + " --relocate fs1:n1@12s", dir);
  BOOST_TEST(bad.status == 2, bad.out);
  BOOST_TEST(bad.out.find("--relocate: 'fs1:n1@12s' names node 'n1', which is not a candidate server of fs1") !=
                 std::string::npos,
             bad.out);
}

// The failover bench's run is judged like any scenario: every checker passes (or says why
// it may judge nothing), so its figures come from a correct run.
BOOST_AUTO_TEST_CASE(bench_recovery_runs_pass_their_checkers) {
  const std::string dir = fresh_dir("cli_test_bench_recovery");
  Ran r = sansim("bench recovery --nodes 4", dir);
  BOOST_TEST(r.status == 0, r.out);
  BOOST_TEST(r.out.find("passed") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("FAILED") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(bench_relocation_writes_its_table) {
  const std::string dir = fresh_dir("cli_test_bench_relocation");
  Ran r = sansim("bench relocation --recall 1 5 --out " + dir + "/relocation.md", dir);
  BOOST_TEST(r.status == 0, r.out);
  std::ifstream in(dir + "/relocation.md");
  const std::string md((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(md.find("| tape recall | mode |") != std::string::npos, md);
  BOOST_TEST(md.find("| 5s | hold-lock |") != std::string::npos, md);
  Ran bad = sansim("bench relocation --recall 0", dir);
  BOOST_TEST(bad.status == 2, bad.out);
}

BOOST_AUTO_TEST_SUITE_END()
