// The recovery matrix, in the style of Lustre's recovery-small: for every message kind
// of the cluster file system's catalogue (cxfs::Kind) that the workload below sends
// between a client and the metadata server, four cases, each ending with every checker
// green:
//   lose the request     the link from sender to receiver is cut the instant it is sent
//   lose the reply       the link back is cut the instant the receiver handled it
//   crash the sender     right after it sent
//   crash the receiver   right after it handled it
// Channels are otherwise reliable, so each loss surfaces through membership: the cut
// node is declared failed and recovery runs. The cases are generated from the catalogue;
// a kind the workload never sends is listed, not skipped silently.
#define BOOST_TEST_MODULE recovery_matrix
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <sstream>

#include "model/cxfs/messages.h"
#include "scenarios/runner.h"

using namespace sansim;

namespace {

// n1 leads recovery and holds white pages; n2 serves fs1 (n3 next); n4 and n5 are
// clients that create, write, read, rename, unlink, truncate and set times. fs1 is
// DMAPI-enabled: reads of an offline file raise events, and files are migrated.
std::string base(const std::string& faults) {
  std::ostringstream y;
  y << R"(name: recovery-matrix
seed: 7
duration: 22s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4}
    - {id: n5}
  lan: {latency: 100us..400us}
storage:
  disks: [{id: d1, size: 64MiB}]
  volumes: [{id: v1, disks: [d1]}]
hsm: {tape: {mount: 200ms, seek: 100ms, rate: 64MiB/s}}
filesystems:
  - {id: fs1, volume: v1, servers: [n2, n3], dmapi: true}
files:
  - {path: /fs1/keep, size: 32KiB}
  - {path: /fs1/cold, size: 32KiB, offline: true}
workload:
  - {generator: mixed, fs: fs1, nodes: [n4, n5], processes: 2, files: 6, rate: 20/s, from: 2s, until: 16s}
  - {generator: hot, fs: fs1, path: /fs1/hot, nodes: [n4, n5], rate: 20/s, from: 2s, until: 16s}
)";
  for (int i = 0; i < 14; ++i) {
    const int ms = 2500 + i * 1000;
    y << "  - {at: " << ms << "ms, node: " << (i % 2 == 0 ? "n4" : "n5")
      << ", call: truncate, path: /fs1/keep, size: " << (8 + 4 * (i % 4)) << "KiB}\n";
    y << "  - {at: " << ms + 300 << "ms, node: " << (i % 2 == 0 ? "n5" : "n4")
      << ", call: setattr, path: /fs1/keep, mtime: " << (i + 1) << "s}\n";
    y << "  - {at: " << ms + 600 << "ms, node: " << (i % 2 == 0 ? "n4" : "n5")
      << ", call: write, path: /fs1/keep, offset: 0, length: 16KiB}\n";
    y << "  - {at: " << ms + 800 << "ms, node: " << (i % 2 == 0 ? "n5" : "n4")
      << ", call: read, path: /fs1/cold, offset: 0, length: 16KiB}\n";
    if (i % 3 == 1)
      y << "  - {at: " << ms + 900 << "ms, node: " << (i % 2 == 0 ? "n4" : "n5")
        << ", call: migrate, path: /fs1/" << (i % 2 == 0 ? "keep" : "cold") << ", release: " << (i % 6 == 1 ? "true" : "false")
        << "}\n";
  }
  y << "faults:\n" << faults << "expect:\n  - membership_stable_within: 5s\n";
  return y.str();
}

// Which kinds travel between the clients (n4, n5) and the server (n2), each way, and
// the client that first sent or received each.
struct Traffic {
  std::map<std::string, NodeId> to_server, to_client;
};

Traffic observe_traffic() {
  // A trigger that never fires makes the run report every message (Simulation::want).
  const std::string never =
      "  - {when: {observe: cxfs.request, kind: never}, crash: n1}\n"
      "  - {when: {observe: cxfs.handled, kind: never}, crash: n1}\n";
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(load_scenario_text(base(never), "matrix-base.yaml"), o);
  BOOST_REQUIRE_MESSAGE(r.passed, "the matrix's base run must pass");
  Traffic t;
  for (const TraceRecord& rec : r.records) {
    if (rec.kind != TraceKind::observation || rec.text.rfind("cxfs.request ", 0) != 0) continue;
    const auto kind_at = rec.text.find("kind=") + 5;
    const std::string kind = rec.text.substr(kind_at, rec.text.find(' ', kind_at) - kind_at);
    const bool from_client = rec.node == 3 || rec.node == 4;
    const bool to_server = rec.text.find("to=1") != std::string::npos;
    const bool to_client = rec.text.find("to=3") != std::string::npos || rec.text.find("to=4") != std::string::npos;
    if (from_client && to_server) t.to_server.emplace(kind, rec.node);
    if (rec.node == 1 && to_client) t.to_client.emplace(kind, rec.text.find("to=3") != std::string::npos ? 3 : 4);
  }
  return t;
}

std::string run_case(const std::string& faults) {
  RunOptions o;
  o.keep_records = true;
  const RunResult r = run_scenario(load_scenario_text(base(faults), "matrix-case.yaml"), o);
  std::string why;
  if (r.faults.empty()) why += "  the fault never fired (its trigger matched no message)\n";
  int cycles = 0;
  for (const TraceRecord& rec : r.records)
    if (rec.kind == TraceKind::observation && rec.text.rfind("corpse.complete ", 0) == 0) ++cycles;
  if (cycles < 2) why += "  no recovery cycle after the initial mount: the loss went unnoticed\n";
  for (const ExpectationResult& e : r.expectations)
    if (!e.passed) why += "  " + e.text + ": " + e.detail.substr(0, 400) + "\n";
  return why;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_message_kind_survives_loss_and_crashes_on_either_side) {
  const Traffic t = observe_traffic();
  std::string never_sent;
  int cases = 0;
  for (std::uint8_t k = 0; k < cxfs::kKinds; ++k) {
    const std::string kind = cxfs::to_string(static_cast<cxfs::Kind>(k));
    const bool up = t.to_server.count(kind) != 0, down = t.to_client.count(kind) != 0;
    if (!up && !down) {
      never_sent += " " + kind;
      continue;
    }
    // The sender and the receiver of this kind: the client that sent it and server n2, or
    // the reverse.
    const NodeId client = up ? t.to_server.at(kind) : t.to_client.at(kind);
    const std::string client_name = "n" + std::to_string(client + 1), client_id = std::to_string(client);
    const std::string sender = up ? client_name : "n2", receiver = up ? "n2" : client_name;
    const std::string sender_id = up ? client_id : "1", receiver_id = up ? "1" : client_id;
    const std::string sent = "{observe: cxfs.request, node: " + sender + ", kind: " + kind + ", to: " + receiver_id + "}";
    const std::string handled =
        "{observe: cxfs.handled, node: " + receiver + ", kind: " + kind + ", from: " + sender_id + "}";
    const std::vector<std::pair<std::string, std::string>> matrix = {
        {"lose the request", "  - {when: " + sent + ", partition: {from: " + sender + ", to: " + receiver +
                                 "}, heal_after: 2s}\n"},
        {"lose the reply", "  - {when: " + handled + ", partition: {from: " + receiver + ", to: " + sender +
                               "}, heal_after: 2s}\n"},
        {"crash the sender", "  - {when: " + sent + ", crash: " + sender + ", restart_after: 3s}\n"},
        {"crash the receiver", "  - {when: " + handled + ", crash: " + receiver + ", restart_after: 3s}\n"},
    };
    for (const auto& [what, fault] : matrix) {
      ++cases;
      const std::string why = run_case(fault);
      BOOST_TEST(why.empty(), kind << ": " << what << "\n" << why);
    }
  }
  BOOST_TEST_MESSAGE(cases << " cases; kinds the workload never sends between client and server:" << never_sent);
  // Every kind a client sends to its server, and both kinds the server sends back, are
  // covered; white-pages lookups are not client-server traffic here, and a punch comes
  // only from the HSM beside the server, in-process.
  BOOST_TEST(never_sent == " wp_lookup punch", "kinds not covered:" << never_sent);
}
