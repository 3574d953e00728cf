// The file-system checkers (checkers/fs_checkers.h). First each one on hand-written
// observation streams, good and bad; then the real protocol broken on purpose
// (cxfs::Mutations) on a three-node cluster driven by app::Process, where the checker
// must report the violation at the index of the offending observation and the same calls
// without the mutation must pass every checker; last, fsck on a volume corrupted by hand.
#define BOOST_TEST_MODULE fs_checkers
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <ostream>

#include "checkers/call_errors.h"
#include "checkers/calls_complete.h"
#include "checkers/data_coherent.h"
#include "checkers/fs_checkers.h"
#include "checkers/fsck_checker.h"
#include "checkers/io_exclusive.h"
#include "checkers/metadata_coherent.h"
#include "checkers/relocation_checkers.h"
#include "checkers/token_exclusion.h"
#include "engine/sim/disk.h"
#include "model/app/process.h"
#include "model/cell/cell.h"
#include "model/xfs/file_system.h"
#include "tests/fs_cluster.h"

using namespace sansim;
using xfs::Errno;

namespace sansim::xfs {
std::ostream& operator<<(std::ostream& os, Errno e) { return os << to_string(e); }
}  // namespace sansim::xfs

namespace {

const std::vector<std::string> kNodes{"n1", "n2", "n3"};
const std::vector<std::string> kFs{"fs1"};

bool mentions(const Violation& v, const std::string& what) { return v.message.find(what) != std::string::npos; }

std::string all(const Checker& c) {
  std::string s;
  for (const Violation& v : c.violations()) s += "\n  #" + std::to_string(v.index) + " " + v.message;
  return s;
}

// Hand-written observations, indexed and timed in order, given to every checker.
struct Feed {
  std::vector<Checker*> checkers;
  std::uint64_t index = 0;
  Time now = 0;

  std::uint64_t emit(NodeId node, const std::string& kind, std::vector<Field> fields) {
    Observation o;
    o.index = index++;
    o.time = now += 1'000'000;
    o.node = node;
    o.kind = kind;
    o.fields = std::move(fields);
    for (Checker* c : checkers) c->on_observation(o);
    return o.index;
  }
  static std::int64_t proc(NodeId n) { return n * 1000 + 1; }
  std::uint64_t invoke(NodeId n, std::int64_t op, const std::string& call, const std::string& path,
                       std::vector<Field> extra = {}) {
    std::vector<Field> f{{"proc", proc(n)}, {"op", op}, {"call", call}, {"path", path}};
    for (Field& e : extra) f.push_back(std::move(e));
    return emit(n, "app.invoke", std::move(f));
  }
  std::uint64_t complete(NodeId n, std::int64_t op, const std::string& call, const std::string& result,
                         std::vector<Field> extra = {}) {
    std::vector<Field> f{{"proc", proc(n)}, {"op", op}, {"call", call}, {"result", result}};
    for (Field& e : extra) f.push_back(std::move(e));
    return emit(n, "app.complete", std::move(f));
  }
  // A write of `blocks` blocks stamped with its op id.
  std::uint64_t write(NodeId n, std::int64_t op, std::int64_t ino, std::int64_t block, std::int64_t blocks = 1,
                      const std::string& mode = "buffered") {
    return invoke(n, op, "write", "/fs1/f",
                  {{"mode", mode},
                   {"ino", ino},
                   {"block", block},
                   {"blocks", blocks},
                   {"value", std::vector<std::int64_t>(static_cast<std::size_t>(blocks), op)}});
  }
  std::uint64_t read(NodeId n, std::int64_t op, std::int64_t ino, std::int64_t block, std::int64_t blocks = 1) {
    return invoke(n, op, "read", "/fs1/f",
                  {{"mode", std::string("buffered")}, {"ino", ino}, {"block", block}, {"blocks", blocks}});
  }
  std::uint64_t read_done(NodeId n, std::int64_t op, std::vector<std::int64_t> values) {
    return complete(n, op, "read", "ok", {{"value", std::move(values)}});
  }
  // A page of `ino` written back from n's cache, as the model reports it (its own spelling
  // of the result, xfs::to_string: the checker once compared with a literal of its own).
  std::uint64_t flush(NodeId n, std::int64_t ino, std::int64_t block, Errno result = Errno::ok) {
    return emit(n, "cache.flush", {{"fs", std::int64_t{0}}, {"ino", ino}, {"block", block},
                                   {"result", std::string(xfs::to_string(result))}});
  }
  std::uint64_t token(const char* what, NodeId n, std::int64_t ino, const std::string& type, const std::string& level,
                      std::int64_t holder, std::int64_t lender = -2) {
    std::vector<Field> f{{"fs", std::int64_t{0}}, {"ino", ino}, {"token", type}, {"level", level}, {"holder", holder}};
    if (lender != -2) f.push_back({"lender", lender});
    return emit(n, what, std::move(f));
  }
  std::uint64_t hold(NodeId n, std::int64_t ino, const std::string& type, const std::string& level) {
    return token("token.hold", n, ino, type, level, n);
  }
  std::uint64_t give(NodeId n, std::int64_t ino, const std::string& type, const std::string& level) {
    return token("token.give", n, ino, type, level, n);
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(relocation_liveness)

// A relocation the configuration asked for (failback, balance) must happen, unless a
// newer recovery cycle (which judges the triggers again) or a crash makes it moot: once
// it was silently lost when its first attempt was refused.
BOOST_AUTO_TEST_CASE(a_relocation_the_configuration_asked_for_must_happen) {
  const Duration bound = 2'000'000'000;
  auto trigger = [](Feed& f) {
    return f.emit(2, "kore.trigger", {{"fs", std::string("fs1")}, {"why", std::string("failback")}, {"to", std::int64_t{1}}});
  };
  {
    RelocationLivenessChecker c(kNodes, kFs, bound, false);
    Feed f{{&c}};
    trigger(f);
    f.emit(2, "kore.refused", {{"id", std::string("r1")}, {"fs", std::int64_t{0}}, {"reason", std::string("recovery is under way")}});
    c.finish(f.now + 3 * bound, f.index);
    BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
    BOOST_TEST(mentions(c.violations()[0], "n3 asked to relocate it to n2 (failback)"), c.violations()[0].message);
    BOOST_TEST(mentions(c.violations()[0], "never happened"));
  }
  {  // it happened
    RelocationLivenessChecker c(kNodes, kFs, bound, false);
    Feed f{{&c}};
    trigger(f);
    f.emit(2, "kore.phase", {{"id", std::string("r1")}, {"fs", std::int64_t{0}}, {"phase", std::string("request")},
                             {"source", std::int64_t{2}}, {"target", std::int64_t{1}}});
    f.emit(2, "kore.phase", {{"id", std::string("r1")}, {"fs", std::int64_t{0}}, {"phase", std::string("end")},
                             {"source", std::int64_t{2}}, {"target", std::int64_t{1}}});
    c.finish(f.now + 3 * bound, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
  }
  {  // a newer cycle judges again; the target crashed
    RelocationLivenessChecker c(kNodes, kFs, bound, false);
    Feed f{{&c}};
    trigger(f);
    f.emit(0, "corpse.start", {{"cycle", std::string("1.3.0")}, {"members", std::vector<std::int64_t>{0, 1, 2}},
                               {"failed", std::vector<std::int64_t>{}}});
    trigger(f);
    f.emit(1, "node.crash", {});
    c.finish(f.now + 3 * bound, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(call_errors)

BOOST_AUTO_TEST_CASE(errors_the_run_explains_pass_and_the_others_are_named) {
  CallErrorsChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.invoke(0, 1, "stat", "/fs1/a");
  f.complete(0, 1, "stat", "ENOENT");  // never made
  f.invoke(0, 2, "create", "/fs1/a");
  f.complete(0, 2, "create", "ok", {{"ino", std::int64_t{5}}});
  f.invoke(1, 3, "create", "/fs1/a");
  f.complete(1, 3, "create", "EEXIST");  // made before
  f.invoke(1, 4, "unlink", "/fs1/a");
  f.invoke(2, 5, "stat", "/fs1/a");
  f.complete(2, 5, "stat", "ENOENT");  // the unlink may have acted
  f.complete(1, 4, "unlink", "ok");
  f.invoke(0, 6, "create", "/fs1/" + std::string(300, 'x'));
  f.complete(0, 6, "create", "ENAMETOOLONG");
  f.invoke(0, 7, "mkdir", "/fs1/d");
  f.complete(0, 7, "mkdir", "ok", {{"ino", std::int64_t{6}}});
  f.invoke(0, 8, "rename", "/fs1/d", {{"to", std::string("/fs1/d/e")}});
  f.complete(0, 8, "rename", "EINVAL");  // into itself
  f.invoke(2, 9, "rename", "/fs1/x", {{"to", std::string("/fs1/d")}});
  f.complete(2, 9, "rename", "ENOENT");  // no /fs1/x
  BOOST_TEST(c.violations().empty(), all(c));

  f.invoke(1, 10, "stat", "/fs1/d");
  const std::uint64_t noent = f.complete(1, 10, "stat", "ENOENT");  // made, never removed
  f.invoke(1, 11, "create", "/fs1/b");
  const std::uint64_t exist = f.complete(1, 11, "create", "EEXIST");
  f.invoke(2, 12, "stat", "/fs1/d");
  const std::uint64_t io = f.complete(2, 12, "stat", "EIO");  // nothing failed
  f.invoke(2, 13, "stat", "/fs1/d");
  const std::uint64_t stale = f.complete(2, 13, "stat", "ESTALE");
  BOOST_REQUIRE_EQUAL(c.violations().size(), 4u);
  BOOST_TEST(c.violations()[0].index == noent);
  BOOST_TEST(mentions(c.violations()[0], "stat /fs1/d"), c.violations()[0].message);
  BOOST_TEST(mentions(c.violations()[0], "returned ENOENT, which nothing in the run explains"));
  BOOST_TEST(c.violations()[1].index == exist);
  BOOST_TEST(c.violations()[2].index == io);
  BOOST_TEST(c.violations()[3].index == stale);
  BOOST_TEST(mentions(c.violations()[3], "hand off"), c.violations()[3].message);

  f.emit(kNoNode, "fault", {{"what", std::string("at 9s: path_down n3 d1")}});
  f.invoke(2, 14, "stat", "/fs1/d");
  f.complete(2, 14, "stat", "EIO");  // a fault happened
  BOOST_TEST(c.violations().size() == 4u, all(c));
  BOOST_TEST(c.judged().size() == 2u);  // calls, errors
}

// A read resolves its path before its invoke is recorded: a rename onto the path while
// the process was between calls explains an ENOENT of the inode it had resolved; an
// unmount on the node explains a lookup's ENOENT.
BOOST_AUTO_TEST_CASE(a_replaced_file_and_an_unmount_explain_enoent) {
  CallErrorsChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.invoke(0, 1, "create", "/fs1/a");
  f.complete(0, 1, "create", "ok", {{"ino", std::int64_t{5}}});
  f.invoke(0, 2, "create", "/fs1/b");
  f.complete(0, 2, "create", "ok", {{"ino", std::int64_t{6}}});
  f.invoke(1, 3, "stat", "/fs1/a");
  f.complete(1, 3, "stat", "ok", {{"size", std::int64_t{0}}, {"mtime", std::int64_t{0}}, {"ino", std::int64_t{5}}});
  f.invoke(0, 4, "rename", "/fs1/b", {{"to", std::string("/fs1/a")}});
  f.complete(0, 4, "rename", "ok");
  // Resolved /fs1/a to inode 5 before the rename, opened it after: gone.
  f.invoke(1, 5, "read", "/fs1/a",
           {{"mode", std::string("buffered")}, {"ino", std::int64_t{5}}, {"block", std::int64_t{0}}, {"blocks", std::int64_t{1}}});
  f.complete(1, 5, "read", "ENOENT");
  f.invoke(1, 8, "stat", "/fs1/a");  // a stat looks the path up within its own call: no excuse
  const std::uint64_t bad = f.complete(1, 8, "stat", "ENOENT");
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
  f.emit(2, "cxfs.unmount", {{"fs", std::int64_t{0}}, {"step", std::string("begin")}});
  f.invoke(2, 6, "stat", "/fs1/a");
  f.complete(2, 6, "stat", "ENOENT");
  BOOST_TEST(c.violations().size() == 1u, all(c));
  f.emit(2, "cxfs.mounted", {{"fs", std::string("fs1")}, {"role", std::string("client")}, {"server", std::int64_t{0}}});
  f.invoke(2, 7, "stat", "/fs1/a");
  f.complete(2, 7, "stat", "ENOENT");
  BOOST_TEST(c.violations().size() == 2u, all(c));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(io_exclusive)

BOOST_AUTO_TEST_CASE(an_exclusive_state_beside_another_holder_is_reported) {
  IoExclusiveChecker c(kNodes);
  Feed f{{&c}};
  auto state = [&f](NodeId n, std::int64_t ino, int exclusive) {
    return f.emit(n, "cxfs.ioexcl", {{"fs", std::int64_t{0}}, {"ino", ino}, {"exclusive", std::int64_t{exclusive}}});
  };
  f.hold(0, 5, "IOEXCL", "read");
  state(0, 5, 1);  // n1 alone
  state(0, 5, 0);  // told before n2's copy
  f.hold(1, 5, "IOEXCL", "read");
  f.give(1, 5, "IOEXCL", "read");
  f.hold(2, 6, "IOEXCL", "read");  // another file
  state(0, 5, 1);  // alone again
  f.emit(0, "node.crash", {});
  f.hold(1, 5, "IOEXCL", "read");  // the believer's memory is gone
  BOOST_TEST(c.violations().empty(), all(c));
  state(2, 6, 1);
  const std::uint64_t bad = f.hold(0, 6, "IOEXCL", "read");
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "n3 believes it is the only client"), c.violations()[0].message);
  BOOST_TEST(mentions(c.violations()[0], "while n1 holds IOEXCL"), c.violations()[0].message);
  BOOST_TEST(c.judged().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(token_exclusion)

BOOST_AUTO_TEST_CASE(shared_levels_lent_copies_and_crashed_holders_pass) {
  TokenExclusionChecker c(kNodes);
  Feed f{{&c}};
  f.hold(0, 5, "IO", "read");
  f.hold(1, 5, "IO", "read");  // read shares with read
  f.hold(2, 5, "TIMES", "shared_write");
  f.hold(1, 5, "TIMES", "shared_write");  // so does shared write (§0029)
  f.give(0, 5, "IO", "read");
  f.give(1, 5, "IO", "read");
  f.hold(2, 5, "IO", "write");
  f.hold(1, 1, "NAME", "read");
  f.token("token.hold", 0, 1, "NAME", "write", -1, 1);  // the server's write while n2 lends its read
  f.token("token.give", 0, 1, "NAME", "write", -1);
  f.emit(2, "node.crash", {});  // n3's write goes with it
  f.hold(0, 5, "IO", "write");
  f.hold(1, 6, "IO", "write");  // another inode
  BOOST_TEST(c.violations().empty(), all(c));
}

BOOST_AUTO_TEST_CASE(a_conflicting_hold_is_reported_at_its_index) {
  TokenExclusionChecker c(kNodes);
  Feed f{{&c}};
  f.hold(0, 5, "PAGE_DIRTY", "write");
  f.hold(1, 5, "PAGE_DIRTY", "shared_write");
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == 1u);
  BOOST_TEST(mentions(c.violations()[0], "n2 got shared_write while n1 holds write"), c.violations()[0].message);

  // The server's own write conflicts with a reader that did not lend its copy.
  f.hold(2, 1, "NAME", "read");
  const std::uint64_t bad = f.token("token.hold", 0, 1, "NAME", "write", -1, 1);
  BOOST_REQUIRE_EQUAL(c.violations().size(), 2u);
  BOOST_TEST(c.violations()[1].index == bad);
  BOOST_TEST(mentions(c.violations()[1], "the server on n1 got write while n3 holds read"), c.violations()[1].message);
}

BOOST_AUTO_TEST_CASE(malformed_token_observations_are_reported) {
  TokenExclusionChecker c(kNodes);
  Feed f{{&c}};
  f.hold(0, 5, "NOT_A_TOKEN", "read");
  f.emit(0, "token.give", {{"fs", std::int64_t{0}}});
  BOOST_TEST(c.violations().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(data_coherent)

BOOST_AUTO_TEST_CASE(allowed_values_pass) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.read(1, 1, 5, 0, 2);
  f.read_done(1, 1, {0, 0});  // nothing written yet
  f.write(0, 10, 5, 0, 2);
  f.complete(0, 10, "write", "ok");
  f.read(1, 2, 5, 0, 2);
  f.read_done(1, 2, {10, 10});  // the last completed write
  // A write overlapping a read: either value.
  f.write(0, 11, 5, 0);
  f.read(1, 3, 5, 0);
  f.read(2, 4, 5, 0);
  f.read_done(1, 3, {10});
  f.read_done(2, 4, {11});
  f.complete(0, 11, "write", "ok");
  // Two overlapping writes that both completed before the read: either may be last.
  f.write(0, 12, 5, 0);
  f.write(2, 13, 5, 0);
  f.complete(0, 12, "write", "ok");
  f.complete(2, 13, "write", "ok");
  f.read(1, 5, 5, 0);
  f.read_done(1, 5, {12});
  // An indeterminate write (EIO) may land at any time after its invoke.
  f.write(0, 14, 5, 1);
  f.complete(0, 14, "write", "EIO");
  f.write(2, 15, 5, 1);
  f.complete(2, 15, "write", "ok");
  f.read(1, 6, 5, 1);
  f.read_done(1, 6, {14});
  // A completed truncate to 0 zeros every block; a create reusing an inode makes it new.
  f.invoke(2, 16, "truncate", "/fs1/f", {{"size", std::int64_t{0}}, {"ino", std::int64_t{5}}});
  f.complete(2, 16, "truncate", "ok");
  f.read(1, 7, 5, 0, 2);
  f.read_done(1, 7, {0, 0});
  f.write(0, 17, 7, 0);
  f.complete(0, 17, "write", "ok");
  f.invoke(2, 18, "create", "/fs1/g");
  f.complete(2, 18, "create", "ok", {{"ino", std::int64_t{7}}});
  f.invoke(1, 8, "read", "/fs1/g", {{"mode", std::string("direct")}, {"ino", std::int64_t{7}}, {"block", std::int64_t{0}}, {"blocks", std::int64_t{1}}});
  f.read_done(1, 8, {0});
  BOOST_TEST(c.violations().empty(), all(c));
}

BOOST_AUTO_TEST_CASE(a_stale_read_names_the_expected_write_and_the_tokens) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(2, 20, 5, 0);
  f.complete(2, 20, "write", "ok");
  f.hold(2, 5, "IO", "write");
  f.hold(2, 5, "PAGE_DIRTY", "write");
  f.write(2, 21, 5, 0);
  f.complete(2, 21, "write", "ok");
  f.give(2, 5, "PAGE_DIRTY", "write");  // given back without a cache.flush
  f.read(0, 22, 5, 0);
  const std::uint64_t bad = f.read_done(0, 22, {20});
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  const Violation& v = c.violations()[0];
  BOOST_TEST(v.index == bad);
  BOOST_TEST(mentions(v, "returned 20 from buffered write op 20"), v.message);
  BOOST_TEST(mentions(v, "overwritten before the read began"), v.message);
  BOOST_TEST(mentions(v, "expected 21 from buffered write op 21"), v.message);
  BOOST_TEST(mentions(v, "give PAGE_DIRTY write"), v.message);
  BOOST_TEST(mentions(v, "writer n3"), v.message);
}

BOOST_AUTO_TEST_CASE(zeros_torn_unknown_and_failed_values_are_violations) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 30, 5, 0, 4);
  f.complete(0, 30, "write", "ok");
  f.write(0, 31, 5, 3);
  f.complete(0, 31, "write", "ENOSPC");  // failed: wrote nothing
  f.read(1, 32, 5, 0, 4);
  const std::uint64_t bad = f.read_done(1, 32, {0, -1, 99, 31});
  BOOST_REQUIRE_MESSAGE(c.violations().size() == 4u, all(c));
  for (const Violation& v : c.violations()) BOOST_TEST(v.index == bad);
  BOOST_TEST(mentions(c.violations()[0], "returned zeros"));
  BOOST_TEST(mentions(c.violations()[1], "a torn block"));
  BOOST_TEST(mentions(c.violations()[2], "which no write to this block wrote"));
  BOOST_TEST(mentions(c.violations()[3], "a write that failed"));
}

BOOST_AUTO_TEST_CASE(a_truncate_is_a_write_of_zeros_past_its_size) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 40, 5, 0, 2);
  f.complete(0, 40, "write", "ok");
  f.invoke(0, 41, "truncate", "/fs1/f", {{"size", std::int64_t{4096}}, {"ino", std::int64_t{5}}});
  f.complete(0, 41, "truncate", "ok");
  f.read(1, 42, 5, 0, 2);
  f.read_done(1, 42, {40, 0});
  BOOST_TEST(c.violations().empty(), all(c));
  f.read(1, 43, 5, 1);
  const std::uint64_t bad = f.read_done(1, 43, {40});  // block 1 was cut off
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "expected zeros from truncate op 41"), c.violations()[0].message);
}

BOOST_AUTO_TEST_CASE(data_lost_with_a_crashed_cache_may_read_old) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 50, 5, 0);
  f.complete(0, 50, "write", "ok");
  f.flush(0, 5, 0);
  f.write(2, 51, 5, 0);
  f.complete(2, 51, "write", "ok");  // only in n3's page cache
  f.emit(2, "node.crash", {});
  f.read(1, 52, 5, 0);
  f.read_done(1, 52, {50});
  BOOST_TEST(c.violations().empty(), all(c));
  // A flushed write is not lost with its node's memory.
  f.write(1, 53, 5, 0);
  f.complete(1, 53, "write", "ok");
  f.flush(1, 5, 0);
  f.emit(1, "node.crash", {});
  f.read(0, 54, 5, 0);
  const std::uint64_t bad = f.read_done(0, 54, {50});
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
}

// A client that held SIZE write (I/O-exclusive) grew the size only in its own memory:
// when it crashes, what it wrote there and did not fsync may read as zeros (beyond the
// end of the file); a write made without SIZE write is judged as before (above).
BOOST_AUTO_TEST_CASE(a_crashed_clients_size_write_may_take_its_unsynced_direct_writes_along) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.emit(2, "token.hold", {{"fs", std::int64_t{0}}, {"ino", std::int64_t{5}}, {"token", std::string("SIZE")},
                           {"level", std::string("write")}, {"holder", std::int64_t{2}}});
  f.write(2, 70, 5, 3, 1, "direct");
  f.complete(2, 70, "write", "ok");  // on the disk, but the size says block 3 is not there
  f.emit(2, "node.crash", {});
  f.read(1, 71, 5, 3);
  f.read_done(1, 71, {0});
  BOOST_TEST(c.violations().empty(), all(c));
  // Without SIZE write the server had the size: the data is there to read.
  f.write(0, 72, 5, 4, 1, "direct");
  f.complete(0, 72, "write", "ok");
  f.emit(0, "node.crash", {});
  f.read(1, 73, 5, 4);
  const std::uint64_t bad = f.read_done(1, 73, {0});
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
}

BOOST_AUTO_TEST_CASE(a_power_loss_may_tear_only_what_no_fsync_made_durable) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 60, 5, 0, 1, "direct");
  f.complete(0, 60, "write", "ok");
  f.write(0, 61, 5, 1, 1, "direct");
  f.complete(0, 61, "write", "ok");
  f.invoke(0, 62, "fsync", "/fs1/f", {{"ino", std::int64_t{5}}});
  f.complete(0, 62, "fsync", "ok");
  f.write(0, 63, 5, 1, 1, "direct");
  f.complete(0, 63, "write", "ok");  // block 1 again, after the fsync
  f.emit(kNoNode, "fault", {{"what", std::string("at 10s: power_loss d1")}});
  f.read(1, 64, 5, 0, 2);
  const std::uint64_t bad = f.read_done(1, 64, {-1, -1});
  BOOST_REQUIRE_MESSAGE(c.violations().size() == 1u, all(c));  // block 0 was durable: not torn
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "block 0"), c.violations()[0].message);
}

// A buffered write its node flushed is on the disk but not durable: a power loss may tear
// it (the disk's write cache), so a torn read is no violation; a write still only in the
// page cache is untouched by the power loss. A failed flush leaves the page in the cache.
BOOST_AUTO_TEST_CASE(a_power_loss_may_tear_what_a_flush_wrote_and_not_what_it_did_not) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 80, 5, 0);
  f.complete(0, 80, "write", "ok");
  f.flush(0, 5, 0);
  f.write(0, 81, 5, 1);
  f.complete(0, 81, "write", "ok");
  f.flush(0, 5, 1, Errno::io);  // still only in n1's cache
  f.emit(kNoNode, "fault", {{"what", std::string("at 10s: power_loss d1")}});
  f.read(1, 82, 5, 0, 2);
  const std::uint64_t bad = f.read_done(1, 82, {-1, -1});
  BOOST_REQUIRE_MESSAGE(c.violations().size() == 1u, all(c));
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "block 1"), c.violations()[0].message);
}

BOOST_AUTO_TEST_CASE(malformed_app_observations_are_reported) {
  DataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.invoke(0, 70, "write", "/fs1/f", {{"ino", std::int64_t{5}}, {"block", std::int64_t{0}}, {"blocks", std::int64_t{1}}});
  BOOST_TEST(c.violations().size() == 1u);  // no values
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(metadata_coherent)

BOOST_AUTO_TEST_CASE(sizes_times_and_names_that_agree_pass) {
  MetadataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.invoke(0, 1, "create", "/fs1/f");
  f.complete(0, 1, "create", "ok", {{"ino", std::int64_t{5}}});
  f.write(0, 2, 5, 0, 2);
  const Time began = f.now;
  f.complete(0, 2, "write", "ok");
  f.invoke(1, 3, "stat", "/fs1/f");
  f.complete(1, 3, "stat", "ok", {{"size", std::int64_t{8192}}, {"mtime", began}, {"ino", std::int64_t{5}}});
  // A write that completes during the stat need not be seen.
  f.invoke(1, 4, "stat", "/fs1/f");
  f.write(0, 5, 5, 4);
  f.complete(0, 5, "write", "ok");
  f.complete(1, 4, "stat", "ok", {{"size", std::int64_t{8192}}, {"mtime", began}, {"ino", std::int64_t{5}}});
  // A truncate completed since the write voids its bound.
  f.invoke(2, 6, "truncate", "/fs1/f", {{"size", std::int64_t{0}}, {"ino", std::int64_t{5}}});
  f.complete(2, 6, "truncate", "ok");
  f.invoke(1, 7, "stat", "/fs1/f");
  f.complete(1, 7, "stat", "ok", {{"size", std::int64_t{0}}, {"mtime", began}, {"ino", std::int64_t{5}}});
  // Removed, then created again; a lookup concurrent with a rename onto it.
  f.invoke(0, 8, "unlink", "/fs1/f");
  f.complete(0, 8, "unlink", "ok");
  f.invoke(0, 9, "create", "/fs1/f");
  f.complete(0, 9, "create", "ok", {{"ino", std::int64_t{6}}});
  f.invoke(1, 10, "lookup", "/fs1/f");
  f.complete(1, 10, "lookup", "ok", {{"ino", std::int64_t{6}}});
  f.invoke(0, 11, "rename", "/fs1/f", {{"to", std::string("/fs1/g")}});
  f.complete(0, 11, "rename", "ok");
  f.invoke(1, 12, "lookup", "/fs1/f");
  f.invoke(2, 13, "rename", "/fs1/g", {{"to", std::string("/fs1/f")}});
  f.complete(1, 12, "lookup", "ok", {{"ino", std::int64_t{6}}});
  f.complete(2, 13, "rename", "ok");
  // A directory renamed back revives what is below it.
  f.invoke(0, 14, "unlink", "/fs1/d/x");
  f.complete(0, 14, "unlink", "ok");
  f.invoke(0, 15, "rename", "/fs1/e", {{"to", std::string("/fs1/d")}});
  f.complete(0, 15, "rename", "ok");
  f.invoke(1, 16, "lookup", "/fs1/d/x");
  f.complete(1, 16, "lookup", "ok", {{"ino", std::int64_t{9}}});
  BOOST_TEST(c.violations().empty(), all(c));
}

BOOST_AUTO_TEST_CASE(a_small_size_or_old_mtime_is_reported) {
  MetadataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.write(0, 2, 5, 0, 3);
  const Time began = f.now;
  f.complete(0, 2, "write", "ok");
  f.invoke(1, 3, "stat", "/fs1/f");
  const std::uint64_t bad = f.complete(1, 3, "stat", "ok", {{"size", std::int64_t{4096}}, {"mtime", began - 1}, {"ino", std::int64_t{5}}});
  BOOST_REQUIRE_MESSAGE(c.violations().size() == 2u, all(c));
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "saw size 4096, but write op 2"), c.violations()[0].message);
  BOOST_TEST(mentions(c.violations()[0], "up to byte 12288"), c.violations()[0].message);
  BOOST_TEST(mentions(c.violations()[1], "saw mtime"), c.violations()[1].message);
}

BOOST_AUTO_TEST_CASE(a_removed_name_that_is_still_found_is_reported) {
  MetadataCoherentChecker c(kNodes, kFs);
  Feed f{{&c}};
  f.invoke(0, 1, "rename", "/fs1/a", {{"to", std::string("/fs1/b")}});
  f.complete(0, 1, "rename", "ok");
  f.invoke(1, 2, "lookup", "/fs1/a");
  const std::uint64_t bad = f.complete(1, 2, "lookup", "ok", {{"ino", std::int64_t{5}}});
  BOOST_REQUIRE_EQUAL(c.violations().size(), 1u);
  BOOST_TEST(c.violations()[0].index == bad);
  BOOST_TEST(mentions(c.violations()[0], "rename to /fs1/b op 1"), c.violations()[0].message);
  // Below a directory renamed away.
  f.invoke(0, 3, "rename", "/fs1/d", {{"to", std::string("/fs1/e")}});
  f.complete(0, 3, "rename", "ok");
  f.invoke(2, 4, "stat", "/fs1/d/x");
  const std::uint64_t bad2 =
      f.complete(2, 4, "stat", "ok", {{"size", std::int64_t{0}}, {"mtime", std::int64_t{0}}, {"ino", std::int64_t{6}}});
  BOOST_REQUIRE_EQUAL(c.violations().size(), 2u);
  BOOST_TEST(c.violations()[1].index == bad2);
  BOOST_TEST(mentions(c.violations()[1], "removed /fs1/d before"), c.violations()[1].message);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------
// The real protocol on three cells sharing one disk (as tests/cxfs_test.cpp), user calls
// made through app::Process so the history is exactly the app's.
namespace {

struct Cluster : test::FsCluster {
  explicit Cluster(std::uint64_t seed, cxfs::Mutations m = {}) : FsCluster(seed, m) {
    CheckerContext ctx{sim, 5'000'000'000, 3'000'000'000, [] { return Time{0}; }, {fs}};
    for (const std::string& name : fs_checker_names()) {
      checkers.push_back(make_fs_checker(name, ctx));
      BOOST_REQUIRE(checkers.back() != nullptr);
      sim.subscribe(checkers.back().get());
    }
    sim.subscribe(&log);
    boot();
    for (NodeId n = 0; n < 3; ++n) ids.push_back(std::make_unique<app::OpIds>(n, sim.incarnation(n)));
    for (NodeId n = 0; n < 3; ++n)
      procs.push_back(std::make_unique<app::Process>(sim, n, client(n), Feed::proc(n), *ids[n]));
  }
  vnode::FileAccess& client(NodeId n) { return files(n); }

  // Makes one call on node `n` and runs the simulation until it returned.
  Errno call(NodeId n, app::CallSpec c) {
    c.node = n;
    c.fs = "fs1";
    std::optional<Errno> out;
    auto task = [](app::Process* p, app::CallSpec spec, std::optional<Errno>* result) -> Task<void> {
      const Errno e = co_await p->call(std::move(spec));
      *result = e;
    };
    sim.sched().spawn(n, task(procs[n].get(), std::move(c), &out), "test.call");
    BOOST_REQUIRE(sim.sched().run_until([&] { return out.has_value(); }, sim.now() + 60'000'000'000));
    return *out;
  }
  static app::CallSpec spec(app::Call call, const std::string& path, std::uint64_t block = 0, std::uint64_t blocks = 1) {
    app::CallSpec c;
    c.call = call;
    c.path = path;
    c.offset = block * kBlockSize;
    c.length = blocks * kBlockSize;
    return c;
  }
  Errno create(NodeId n, const std::string& path) { return call(n, spec(app::Call::create, path)); }
  Errno lookup(NodeId n, const std::string& path) { return call(n, spec(app::Call::lookup, path)); }
  Errno rename(NodeId n, const std::string& from, const std::string& to) {
    app::CallSpec c = spec(app::Call::rename, from);
    c.path2 = to;
    return call(n, c);
  }
  Errno write(NodeId n, const std::string& path, std::uint64_t block, std::uint64_t blocks = 1) {
    return call(n, spec(app::Call::write, path, block, blocks));
  }
  Errno read(NodeId n, const std::string& path, std::uint64_t block, std::uint64_t blocks = 1) {
    return call(n, spec(app::Call::read, path, block, blocks));
  }
  Errno stat(NodeId n, const std::string& path) { return call(n, spec(app::Call::stat, path)); }

  void finish() {
    for (auto& c : checkers) c->finish(sim.now(), sim.trace().count());
  }
  const Checker& checker(const std::string& name) const {
    for (const auto& c : checkers)
      if (c->name() == name) return *c;
    throw std::logic_error("no checker " + name);
  }
  std::string every_violation() const {
    std::string s;
    for (const auto& c : checkers) s += all(*c);
    return s;
  }

  // Every observation, by trace index.
  struct Log final : ObservationSink {
    std::map<std::uint64_t, Observation> by_index;
    void on_observation(const Observation& o) override { by_index.emplace(o.index, o); }
  } log;
  std::vector<std::unique_ptr<Checker>> checkers;
  std::vector<std::unique_ptr<app::OpIds>> ids;
  std::vector<std::unique_ptr<app::Process>> procs;
};

// Two writers on two nodes, one after the other; then a reader on the third.
void two_writers_then_a_reader(Cluster& c) {
  BOOST_REQUIRE(c.create(2, "/f") == Errno::ok);
  BOOST_REQUIRE(c.write(2, "/f", 0) == Errno::ok);  // n3: block 0, dirty in its cache
  BOOST_REQUIRE(c.write(1, "/f", 1) == Errno::ok);  // n2 takes PAGE_DIRTY write from n3
  BOOST_REQUIRE(c.read(0, "/f", 0, 2) == Errno::ok);
  BOOST_REQUIRE(c.stat(0, "/f") == Errno::ok);
}

void create_lookup_rename_lookup(Cluster& c, Errno* last) {
  BOOST_REQUIRE(c.create(2, "/a") == Errno::ok);
  BOOST_REQUIRE(c.lookup(2, "/a") == Errno::ok);  // cached under NAME read on n3
  BOOST_REQUIRE(c.rename(1, "/a", "/b") == Errno::ok);
  *last = c.lookup(2, "/a");
}

// The observation at `index` is an app.complete of `call` on node `n`.
void completes(const Cluster& c, std::uint64_t index, NodeId n, const std::string& call) {
  auto it = c.log.by_index.find(index);
  BOOST_REQUIRE(it != c.log.by_index.end());
  BOOST_TEST(it->second.kind == "app.complete");
  BOOST_TEST(it->second.node == n);
  BOOST_TEST(it->second.text("call") == call);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protocol_broken_on_purpose)

BOOST_AUTO_TEST_CASE(the_correct_protocol_passes_every_fs_checker) {
  Cluster c(11);
  two_writers_then_a_reader(c);
  Errno last = Errno::ok;
  create_lookup_rename_lookup(c, &last);
  BOOST_TEST(last == Errno::noent);
  c.finish();
  BOOST_TEST(c.every_violation().empty(), c.every_violation());
  BOOST_TEST(c.log.by_index.size() > 100u);  // the checkers saw a real run
}

BOOST_AUTO_TEST_CASE(grant_without_recall_breaks_token_exclusion) {
  cxfs::Mutations m;
  m.grant_without_recall = true;
  Cluster c(12, m);
  two_writers_then_a_reader(c);
  const auto& v = c.checker("token_exclusion").violations();
  BOOST_REQUIRE(!v.empty());
  // The first violation is a hold granted over another holder's conflicting level.
  auto it = c.log.by_index.find(v[0].index);
  BOOST_REQUIRE(it != c.log.by_index.end());
  const Observation& bad = it->second;
  BOOST_TEST(bad.kind == "token.hold");
  BOOST_TEST(v[0].node == bad.node);
  const auto level = *token::level_from(bad.text("level"));
  bool other_holds = false;
  std::map<std::int64_t, token::Level> held;  // holder -> level of this token
  for (const auto& [i, o] : c.log.by_index) {
    if (i >= bad.index) break;
    if (o.kind != "token.hold" && o.kind != "token.give") continue;
    if (o.integer("ino") != bad.integer("ino") || o.text("token") != bad.text("token")) continue;
    if (o.kind == "token.hold") held[o.integer("holder")] = *token::level_from(o.text("level"));
    else held.erase(o.integer("holder"));
  }
  for (const auto& [holder, l] : held)
    other_holds = other_holds || (holder != bad.integer("holder") && token::conflicts(l, level));
  BOOST_TEST(other_holds, v[0].message);
}

// The model's own conflict table broken (read and shared write mix): token_exclusion
// states §0028 itself, so it sees a stat's TIMES read granted beside a writer's TIMES
// shared write. (It once judged by the model's table, which made such a bug invisible.)
BOOST_AUTO_TEST_CASE(a_wrong_conflict_table_in_the_model_breaks_token_exclusion) {
  cxfs::Mutations m;
  m.read_shares_with_shared_write = true;
  Cluster c(14, m);
  two_writers_then_a_reader(c);
  const auto& v = c.checker("token_exclusion").violations();
  BOOST_REQUIRE(!v.empty());
  BOOST_TEST((mentions(v[0], "got read while") || mentions(v[0], "got shared_write while")), v[0].message);
  BOOST_TEST((mentions(v[0], "holds shared_write") || mentions(v[0], "holds read")), v[0].message);
}

// §0032: before a second IOEXCL copy goes out, the client that believed it was alone is
// told. Lose that message and io_exclusive sees the first still "alone" while the second
// holds IOEXCL; with it, the same calls pass (the_correct_protocol_passes_every_fs_checker).
BOOST_AUTO_TEST_CASE(a_lost_ioexcl_reset_breaks_io_exclusive) {
  cxfs::Mutations m;
  m.lose_ioexcl_reset = true;
  Cluster c(15, m);
  two_writers_then_a_reader(c);
  const auto& v = c.checker("io_exclusive").violations();
  BOOST_REQUIRE(!v.empty());
  BOOST_TEST(mentions(v[0], "believes it is the only client doing I/O"), v[0].message);
  auto it = c.log.by_index.find(v[0].index);
  BOOST_REQUIRE(it != c.log.by_index.end());
  BOOST_TEST(it->second.kind == "token.hold");  // the second copy's arrival
  BOOST_TEST(it->second.text("token") == "IOEXCL");
}

BOOST_AUTO_TEST_CASE(skip_flush_on_dirty_return_breaks_data_coherence) {
  cxfs::Mutations m;
  m.skip_flush_on_dirty_return = true;
  Cluster c(13, m);
  two_writers_then_a_reader(c);
  BOOST_TEST(c.checker("token_exclusion").violations().empty(), all(c.checker("token_exclusion")));
  const auto& v = c.checker("data_coherent").violations();
  BOOST_REQUIRE_MESSAGE(v.size() == 1u, all(c.checker("data_coherent")));
  completes(c, v[0].index, 0, "read");  // n1's read of block 0 found zeros
  BOOST_TEST(mentions(v[0], "block 0"), v[0].message);
  BOOST_TEST(mentions(v[0], "returned zeros"), v[0].message);
  BOOST_TEST(mentions(v[0], "on n3"), v[0].message);  // the write it expected
  BOOST_TEST(mentions(v[0], "give PAGE_DIRTY write"), v[0].message);  // ... given back, never flushed
}

BOOST_AUTO_TEST_CASE(keep_names_on_rename_breaks_metadata_coherence) {
  cxfs::Mutations m;
  m.keep_names_on_rename = true;
  Cluster c(14, m);
  Errno last = Errno::noent;
  create_lookup_rename_lookup(c, &last);
  BOOST_TEST(last == Errno::ok);  // n3 still resolves the old name from its cache
  const auto& v = c.checker("metadata_coherent").violations();
  BOOST_REQUIRE_MESSAGE(v.size() == 1u, all(c.checker("metadata_coherent")));
  completes(c, v[0].index, 2, "lookup");
  BOOST_TEST(mentions(v[0], "rename to /fs1/b"), v[0].message);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(fsck)

namespace {
template <class T>
Task<void> store(Task<T> t, std::optional<T>* out) {
  *out = co_await std::move(t);
}
template <class T>
T run(Simulation& sim, Task<T> t) {
  std::optional<T> out;
  sim.sched().spawn(0, store(std::move(t), &out), "test");
  sim.sched().run_until([&out] { return out.has_value(); }, kTimeNever);
  BOOST_REQUIRE(out.has_value());
  return std::move(*out);
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_corrupt_volume_is_reported_at_the_end_and_a_clean_one_is_not) {
  Simulation sim(1, {"n1"}, LanOptions{});
  StorageSpec spec;
  spec.disks.push_back({"d1", 4096});
  spec.volumes.push_back({"v1", {"d1"}});
  sim.storage().configure(spec);
  Volume& volume = *sim.storage().volume("v1");
  xfs::MkfsOptions options;
  options.inodes = 256;
  options.log_blocks = 256;
  BOOST_REQUIRE(run(sim, xfs::FileSystem::mkfs(volume, 0, options)) == Errno::ok);
  xfs::MountResult m = run(sim, xfs::FileSystem::mount(sim.sched(), volume, 0));
  BOOST_REQUIRE(m.err == Errno::ok);
  BOOST_REQUIRE(run(sim, m.fs->create(xfs::kRootIno, "a", xfs::FileType::regular, xfs::Times{1, 2, 3})).ok());
  BOOST_REQUIRE(run(sim, m.fs->sync()) == Errno::ok);  // everything in place, the log empty
  const std::uint64_t inode_table = m.fs->geometry().inode_table_start;

  cxfs::FsConfig fs;
  fs.id = "fs1";
  fs.volume = "v1";
  cxfs::FsConfig never;  // configured but never mounted: not checked
  never.id = "fs2";
  never.volume = "nowhere";
  auto mounted = [](Checker& c) {
    Observation o;
    o.kind = "cxfs.mounted";
    o.fields = {{"fs", std::string("fs1")}, {"role", std::string("server")}, {"replayed", std::int64_t{0}}};
    c.on_observation(o);
  };
  FsckChecker clean(sim.storage(), {fs, never});
  mounted(clean);
  clean.finish(sim.now(), 77);
  BOOST_TEST(clean.violations().empty(), all(clean));

  Bytes junk(kBlockSize, 0xa5);
  BOOST_REQUIRE(sim.storage().disk("d1")->write(inode_table, junk) == IoStatus::ok);
  FsckChecker corrupt(sim.storage(), {fs, never});
  mounted(corrupt);
  corrupt.finish(sim.now(), 78);
  BOOST_REQUIRE(!corrupt.violations().empty());
  for (const Violation& v : corrupt.violations()) {
    BOOST_TEST(v.index == 78u);
    BOOST_TEST(v.message.rfind("fs1 on v1: ", 0) == 0u, v.message);
  }
  FsckChecker unmounted(sim.storage(), {fs});
  unmounted.finish(sim.now(), 79);
  BOOST_TEST(unmounted.violations().empty());
}

BOOST_AUTO_TEST_SUITE_END()

// calls_complete on hand-written streams: a call open at the end on an up member is a
// hang; a crashed node's, a call too recent, one on a node outside the last membership,
// and anything while a DMAPI event is outstanding are not judged.
BOOST_AUTO_TEST_SUITE(calls_complete)

namespace {

// Three nodes boot and deliver one membership of all three; `members` then a second one.
Feed membership(std::vector<Checker*> checkers) {
  Feed f;
  f.checkers = std::move(checkers);
  for (NodeId n = 0; n < 3; ++n) f.emit(n, "node.boot", {{"incarnation", std::int64_t(1)}});
  for (NodeId n = 0; n < 3; ++n)
    f.emit(n, "cms.deliver", {{"epoch", std::int64_t(1)}, {"generation", std::int64_t(7)},
                              {"leader", std::int64_t(0)}, {"members", std::vector<std::int64_t>{0, 1, 2}}});
  return f;
}

constexpr Duration kBound = 5'000'000'000;

}  // namespace

BOOST_AUTO_TEST_CASE(a_call_open_at_the_end_on_an_up_member_is_a_hang) {
  CallsCompleteChecker c(kNodes, kBound, [] { return Time{0}; });
  Feed f = membership({&c});
  f.invoke(0, 1, "stat", "/fs1/a");
  f.complete(0, 1, "stat", "ok");
  const std::uint64_t hung = f.invoke(1, 2, "unlink", "/fs1/b");
  f.invoke(2, 3, "read", "/fs1/c");
  f.emit(2, "node.crash", {});  // its processes died with it
  c.finish(f.now + 10 * kBound, f.index);
  BOOST_TEST_REQUIRE(c.violations().size() == 1u, all(c));
  BOOST_TEST(mentions(c.violations()[0], "unlink /fs1/b by process 1001 on n2"));
  BOOST_TEST(mentions(c.violations()[0], "(event #" + std::to_string(hung) + ")"));
  BOOST_TEST(c.violations()[0].node == NodeId{1});
}

BOOST_AUTO_TEST_CASE(what_may_still_be_under_way_is_not_judged) {
  {  // invoked less than the bound before the end
    CallsCompleteChecker c(kNodes, kBound, [] { return Time{0}; });
    Feed f = membership({&c});
    f.invoke(1, 2, "unlink", "/fs1/b");
    c.finish(f.now + kBound / 2, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
  }
  {  // faults stopped less than the bound before the end
    Time faults_end = 0;
    CallsCompleteChecker c(kNodes, kBound, [&faults_end] { return faults_end; });
    Feed f = membership({&c});
    f.invoke(1, 2, "unlink", "/fs1/b");
    faults_end = f.now + 2 * kBound;
    c.finish(f.now + 2 * kBound + kBound / 2, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
  }
  {  // a DMAPI event outstanding: the tape may take minutes; answered, the hang shows
    CallsCompleteChecker c(kNodes, kBound, [] { return Time{0}; });
    Feed f = membership({&c});
    f.invoke(1, 2, "read", "/fs1/cold");
    f.emit(1, "dmapi.sent", {{"fs", std::int64_t(0)}, {"ino", std::int64_t(4)}, {"event", std::string("read")},
                             {"seq", std::int64_t(1)}});
    c.finish(f.now + 10 * kBound, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
    f.emit(1, "dmapi.reply", {{"fs", std::int64_t(0)}, {"ino", std::int64_t(4)}, {"seq", std::int64_t(1)},
                              {"result", std::string(xfs::to_string(Errno::ok))}});
    c.finish(f.now + 10 * kBound, f.index);
    BOOST_TEST(c.violations().size() == 1u, all(c));
  }
  {  // the node is not in the last membership (frozen, cut off): membership liveness judges it
    CallsCompleteChecker c(kNodes, kBound, [] { return Time{0}; });
    Feed f = membership({&c});
    f.invoke(1, 2, "unlink", "/fs1/b");
    for (NodeId n : {NodeId{0}, NodeId{2}})
      f.emit(n, "cms.deliver", {{"epoch", std::int64_t(2)}, {"generation", std::int64_t(7)},
                                {"leader", std::int64_t(0)}, {"members", std::vector<std::int64_t>{0, 2}}});
    c.finish(f.now + 10 * kBound, f.index);
    BOOST_TEST(c.violations().empty(), all(c));
  }
}

BOOST_AUTO_TEST_SUITE_END()
