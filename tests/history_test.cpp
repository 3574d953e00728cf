// The call history, its Jepsen JSON lines, and the register linearizability checker:
// textbook histories each way, indeterminate writes, the budget, the recorder fed with
// app.* observations, strict reading of bad lines, and properties over histories built
// from random sequential executions.
#define BOOST_TEST_MODULE history
#include <boost/test/unit_test.hpp>
#include <rapidcheck.h>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <sstream>

#include "checkers/jepsen.h"
#include "checkers/linearizability.h"
#include "checkers/linearizable_checker.h"

using namespace sansim;

namespace {

// Builds a history line by line; index and time count up by one per line.
struct Builder {
  History h;
  Builder& add(std::int64_t p, OpType t, const char* f, std::optional<std::int64_t> v, const std::string& key = "k") {
    const auto i = h.size();
    h.push_back(HistoryOp{p, t, f, key, v, i, static_cast<Time>(i)});
    return *this;
  }
  Builder& write(std::int64_t p, std::int64_t v, const std::string& key = "k") {
    return add(p, OpType::invoke, "write", v, key);
  }
  Builder& wrote(std::int64_t p, std::int64_t v, const std::string& key = "k") { return add(p, OpType::ok, "write", v, key); }
  Builder& read(std::int64_t p, const std::string& key = "k") { return add(p, OpType::invoke, "read", std::nullopt, key); }
  Builder& got(std::int64_t p, std::int64_t v, const std::string& key = "k") { return add(p, OpType::ok, "read", v, key); }
};

LinearizabilityResult check_one(const History& h, Budget b = {}) {
  HistoryCheck c = check_history(h, b);
  BOOST_REQUIRE_EQUAL(c.keys.size(), 1u);
  return c.keys[0].result;
}

Verdict verdict(const History& h) { return check_one(h).verdict; }

}  // namespace

BOOST_AUTO_TEST_SUITE(linearizability)

BOOST_AUTO_TEST_CASE(sequential_write_then_read_is_linearizable) {
  Builder b;
  b.write(1, 5).wrote(1, 5).read(2).got(2, 5);
  BOOST_TEST(to_string(verdict(b.h)) == "linearizable");
}

BOOST_AUTO_TEST_CASE(stale_read_after_a_completed_write_is_not) {
  Builder b;
  b.write(1, 5).wrote(1, 5).read(2).got(2, 0);
  const auto r = check_one(b.h);
  BOOST_TEST(to_string(r.verdict) == "not linearizable");
  BOOST_REQUIRE(r.culprit);
  BOOST_TEST(!r.culprit->write);
  BOOST_TEST(r.culprit->process == 2);
  BOOST_TEST(r.culprit->complete_index == 3u);
  BOOST_TEST(r.candidates == std::vector<std::int64_t>{5});
  BOOST_TEST(r.message.find("returned 0, but the register could only hold 5") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(a_read_of_a_value_never_written_is_not) {
  Builder b;
  b.write(1, 5).wrote(1, 5).read(2).got(2, 7);
  const auto r = check_one(b.h);
  BOOST_TEST(to_string(r.verdict) == "not linearizable");
  BOOST_TEST(r.message.find("returned 7, a value no write") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(a_torn_read_is_never_linearizable) {
  Builder b;
  b.write(1, 5).read(2).got(2, -1).wrote(1, 5);
  const auto r = check_one(b.h);
  BOOST_TEST(to_string(r.verdict) == "not linearizable");
  BOOST_TEST(r.message.find("torn") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(concurrent_writes_may_land_in_either_order) {
  for (std::int64_t last : {1, 2}) {
    Builder b;
    b.write(1, 1).write(2, 2).wrote(2, 2).wrote(1, 1).read(3).got(3, last);
    BOOST_TEST(to_string(verdict(b.h)) == "linearizable", "final read " << last);
  }
  Builder b;
  b.write(1, 1).write(2, 2).wrote(2, 2).wrote(1, 1).read(3).got(3, 0);
  BOOST_TEST(to_string(verdict(b.h)) == "not linearizable");
  // But two reads after both writes cannot disagree.
  Builder c;
  c.write(1, 1).write(2, 2).wrote(2, 2).wrote(1, 1).read(3).got(3, 1).read(4).got(4, 2);
  BOOST_TEST(to_string(verdict(c.h)) == "not linearizable");
}

BOOST_AUTO_TEST_CASE(a_read_overlapping_a_write_sees_old_or_new) {
  for (std::int64_t v : {0, 9}) {
    Builder b;
    b.write(1, 9).read(2).got(2, v).wrote(1, 9);
    BOOST_TEST(to_string(verdict(b.h)) == "linearizable");
  }
  // New then old, both inside the write's interval: the second read went back in time.
  Builder b;
  b.write(1, 9).read(2).got(2, 9).read(3).got(3, 0).wrote(1, 9);
  BOOST_TEST(to_string(verdict(b.h)) == "not linearizable");
}

BOOST_AUTO_TEST_CASE(an_indeterminate_write_may_apply_later_or_never) {
  // Never completed: later reads may see it or not...
  for (std::int64_t v : {0, 4}) {
    Builder b;
    b.write(1, 4).read(2).got(2, v).read(2).got(2, v);
    BOOST_TEST(to_string(verdict(b.h)) == "linearizable");
  }
  // ...long after its invoke, with an info completion too...
  Builder late;
  late.write(1, 4).add(1, OpType::info, "write", 4).read(2).got(2, 0).read(2).got(2, 4);
  BOOST_TEST(to_string(verdict(late.h)) == "linearizable");
  // ...but once seen it stays applied...
  Builder once;
  once.write(1, 4).read(2).got(2, 4).read(2).got(2, 0);
  BOOST_TEST(to_string(verdict(once.h)) == "not linearizable");
  // ...and it cannot apply before its invoke.
  Builder early;
  early.read(2).got(2, 4).write(1, 4);
  BOOST_TEST(to_string(verdict(early.h)) == "not linearizable");
}

BOOST_AUTO_TEST_CASE(failed_writes_and_unfinished_reads_do_not_count) {
  Builder failed;
  failed.write(1, 4).add(1, OpType::fail, "write", 4).read(2).got(2, 4);
  BOOST_TEST(to_string(verdict(failed.h)) == "not linearizable");
  Builder unfinished;  // a read that never returned constrains nothing
  unfinished.write(1, 4).wrote(1, 4).read(2).add(2, OpType::info, "read", std::nullopt).read(3).got(3, 4);
  BOOST_TEST(to_string(verdict(unfinished.h)) == "linearizable");
}

BOOST_AUTO_TEST_CASE(keys_are_checked_apart) {
  Builder b;
  b.write(1, 5, "a").wrote(1, 5, "a").read(2, "b").got(2, 5, "b").read(2, "a").got(2, 5, "a");
  HistoryCheck c = check_history(b.h);
  BOOST_REQUIRE_EQUAL(c.keys.size(), 2u);
  BOOST_TEST(c.keys[0].key == "a");
  BOOST_TEST(to_string(c.keys[0].result.verdict) == "linearizable");
  BOOST_TEST(c.keys[1].key == "b");
  BOOST_TEST(to_string(c.keys[1].result.verdict) == "not linearizable");
  BOOST_TEST(to_string(c.verdict()) == "not linearizable");
  BOOST_TEST(c.count(Verdict::linearizable) == 1u);
}

BOOST_AUTO_TEST_CASE(an_exhausted_budget_is_undecided_not_a_pass) {
  // Ten concurrent writes and a final read of the initial value: no order works, and
  // proving it means trying every subset of the writes.
  Builder b;
  for (int p = 1; p <= 10; ++p) b.write(p, p);
  for (int p = 1; p <= 10; ++p) b.wrote(p, p);
  b.read(11).got(11, 0);
  const auto small = check_one(b.h, Budget{50});
  BOOST_TEST(to_string(small.verdict) == "undecided");
  BOOST_TEST(small.configurations == 50u);
  BOOST_TEST(small.message.find("budget") != std::string::npos, small.message);
  HistoryCheck c = check_history(b.h, Budget{50});
  BOOST_TEST(to_string(c.verdict()) == "undecided");
  const auto big = check_one(b.h);
  BOOST_TEST(to_string(big.verdict) == "not linearizable");
  BOOST_TEST(big.configurations > 50u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recorder)

namespace {

struct Feed {
  const char* path = "/fs1/a";
  HistoryRecorder rec{{"fs1", "fs2"}};
  LinearizableChecker checker{{"fs1", "fs2"}};
  std::uint64_t index = 0;
  void observe(NodeId node, const char* kind, std::vector<Field> fields) {
    Observation o{static_cast<Time>(index * 1000), node, kind, std::move(fields), index};
    ++index;
    rec.on_observation(o);
    checker.on_observation(o);
  }
  using L = std::vector<std::int64_t>;
  void invoke(NodeId node, std::int64_t proc, std::int64_t op, const char* call, std::int64_t ino, std::int64_t block,
              std::int64_t blocks, std::optional<L> value = std::nullopt) {
    std::vector<Field> f{{"proc", proc}, {"op", op}, {"call", std::string(call)}, {"path", std::string(path)},
                         {"ino", ino},   {"block", block}, {"blocks", blocks}};
    if (value) f.push_back({"value", *value});
    observe(node, "app.invoke", std::move(f));
  }
  void complete(NodeId node, std::int64_t proc, std::int64_t op, const char* call, const char* result,
                std::optional<L> value = std::nullopt) {
    std::vector<Field> f{{"proc", proc}, {"op", op}, {"call", std::string(call)}, {"result", std::string(result)}};
    if (value) f.push_back({"value", *value});
    observe(node, "app.complete", std::move(f));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(calls_split_per_block_and_a_stale_block_is_reported) {
  Feed s;
  s.invoke(0, 1, 10, "write", 5, 2, 2, Feed::L{11, 12});
  s.complete(0, 1, 10, "write", "ok");
  s.invoke(1, 2, 11, "read", 5, 2, 2);
  s.complete(1, 2, 11, "read", "ok", Feed::L{11, 0});  // block 3 reads stale zeros
  s.observe(1, "app.invoke", {{"proc", 2}, {"op", 12}, {"call", std::string("stat")}, {"path", std::string("/fs1/a")}});
  s.observe(1, "app.complete", {{"proc", 2}, {"op", 12}, {"call", std::string("stat")}, {"result", std::string("ok")},
                                {"size", 8192}, {"mtime", 77}});

  const History h = s.rec.history();
  BOOST_REQUIRE_EQUAL(h.size(), 8u);
  BOOST_TEST(h[0].key == "fs1:5/2");
  BOOST_TEST(h[1].key == "fs1:5/3");
  BOOST_TEST(*h[1].value == 12);
  BOOST_TEST(to_string(h[2].type) == "ok");
  BOOST_TEST(h[7].value.value_or(-9) == 0);
  BOOST_TEST(h[7].index == 3u);
  BOOST_REQUIRE_EQUAL(s.rec.calls().size(), 3u);
  BOOST_TEST(*s.rec.calls()[2].size == 8192);
  BOOST_TEST(*s.rec.calls()[2].mtime == 77);
  BOOST_TEST(s.rec.problems().empty());

  s.checker.finish(6000, 6);
  BOOST_REQUIRE_EQUAL(s.checker.violations().size(), 1u);
  const Violation& v = s.checker.violations()[0];
  BOOST_TEST(v.checker == "linearizable");
  BOOST_TEST(v.index == 3u);  // the read's completion
  BOOST_TEST(v.node == 1u);
  BOOST_TEST(v.message.find("block fs1:5/3 (call 11: read /fs1/a)") != std::string::npos, v.message);
  BOOST_TEST(s.checker.undecided().empty());
}

BOOST_AUTO_TEST_CASE(eio_writes_and_unfinished_calls_are_indeterminate) {
  Feed s;
  s.invoke(0, 1, 1, "write", 5, 0, 1, Feed::L{7});
  s.complete(0, 1, 1, "write", "EIO");  // may have reached the disk
  s.invoke(0, 1, 2, "mmap_write", 5, 0, 1, Feed::L{8});
  s.complete(0, 1, 2, "mmap_write", "ENOSPC");  // definitely did not
  s.invoke(0, 1, 3, "read", 5, 0, 1);
  s.complete(0, 1, 3, "read", "ok", Feed::L{7});
  s.invoke(2, 3, 4, "write", 5, 0, 1, Feed::L{9});  // its node crashed
  s.invoke(0, 1, 5, "read", 5, 0, 1);
  s.complete(0, 1, 5, "read", "EIO");

  BOOST_TEST(to_string(s.rec.calls()[0].outcome()) == "info");
  BOOST_TEST(to_string(s.rec.calls()[1].outcome()) == "fail");
  BOOST_TEST(to_string(s.rec.calls()[3].outcome()) == "info");
  BOOST_TEST(to_string(s.rec.calls()[4].outcome()) == "fail");
  const History h = s.rec.history();
  // proc 1 is retired after its EIO write: its later calls come from process 1 + 4.
  BOOST_TEST(h[0].process == 1);
  BOOST_TEST(to_string(h[1].type) == "info");
  BOOST_TEST(h[2].process == 5);
  BOOST_TEST(to_string(h[3].type) == "fail");
  s.checker.finish(10000, 10);
  BOOST_TEST(s.checker.violations().empty());
  BOOST_TEST(to_string(s.checker.result().verdict()) == "linearizable");
}

// Two file systems number their inodes apart: inode 5 of fs1 and inode 5 of fs2 are two
// files, and a create in one does not make a new register in the other. (Keys once
// lacked the file system: a clean two-file-system run was judged not linearizable.)
BOOST_AUTO_TEST_CASE(registers_of_two_file_systems_are_apart) {
  Feed s;
  s.invoke(0, 1, 1, "write", 5, 0, 1, Feed::L{7});
  s.complete(0, 1, 1, "write", "ok");
  s.path = "/fs2/b";
  s.observe(0, "dsvn.created", {{"fs", std::int64_t{1}}, {"ino", std::int64_t{5}}});  // fs2 reuses 5
  s.invoke(1, 2, 2, "write", 5, 0, 1, Feed::L{8});
  s.complete(1, 2, 2, "write", "ok");
  s.path = "/fs1/a";
  s.invoke(0, 1, 3, "read", 5, 0, 1);
  s.complete(0, 1, 3, "read", "ok", Feed::L{7});  // fs1's block still holds 7
  s.path = "/fs2/b";
  s.invoke(1, 2, 4, "read", 5, 0, 1);
  s.complete(1, 2, 4, "read", "ok", Feed::L{8});

  const History h = s.rec.history();
  BOOST_TEST(h[0].key == "fs1:5/0");  // fs2's create did not make a new fs1 register
  BOOST_TEST(h[2].key == "fs2:5.1/0");
  BOOST_TEST(s.rec.problems().empty());
  s.checker.finish(10000, 10);
  BOOST_TEST(s.checker.violations().empty());
  BOOST_TEST(s.checker.result().keys.size() == 2u);
  BOOST_TEST(to_string(s.checker.result().verdict()) == "linearizable");
}

// A loss cuts a register's history, and judging resumes after it: the next segment may
// start from any value the register held before (the loss may roll it back), but once a
// later write completed, a read must not go back. (The cut once ended judging of every
// block at the first loss of any node that ever served: a failover hid everything after it.)
BOOST_AUTO_TEST_CASE(judging_resumes_after_a_server_loss) {
  Feed s;
  s.observe(0, "cxfs.mounted", {{"fs", std::string("fs1")}, {"role", std::string("server")}});
  s.invoke(1, 2, 1, "write", 5, 0, 1, Feed::L{7});
  s.complete(1, 2, 1, "write", "ok");
  s.invoke(1, 2, 2, "write", 5, 0, 1, Feed::L{8});  // under way when the server is lost
  s.observe(0, "node.crash", {});
  s.complete(1, 2, 2, "write", "ok");
  s.invoke(2, 3, 3, "read", 5, 0, 1);
  s.complete(2, 3, 3, "read", "ok", Feed::L{7});  // the loss may have taken 8 back: allowed
  s.observe(2, "cxfs.mounted", {{"fs", std::string("fs1")}, {"role", std::string("server")}});
  s.invoke(1, 2, 4, "write", 5, 0, 1, Feed::L{9});
  s.complete(1, 2, 4, "write", "ok");
  s.invoke(2, 3, 5, "read", 5, 0, 1);
  const std::uint64_t stale = s.index;  // the completion that follows
  s.complete(2, 3, 5, "read", "ok", Feed::L{7});  // after 9 completed: stale
  s.checker.finish(100000, 100);
  BOOST_REQUIRE_EQUAL(s.checker.violations().size(), 1u);
  BOOST_TEST(s.checker.violations()[0].index == stale);
  BOOST_TEST(s.checker.violations()[0].message.find("block fs1:5/0@1") != std::string::npos,
             s.checker.violations()[0].message);
  BOOST_TEST(s.checker.judged().at(0).count == 6u);  // 2 + 4 register operations, in two segments
}

// A node that was down at boot (or not serving at the time) and later serves: its loss
// before it served cuts nothing, and neither does a loss of a node that never wrote.
BOOST_AUTO_TEST_CASE(a_loss_cuts_only_what_it_can_change) {
  Feed s;
  s.observe(2, "node.crash", {});  // n3, down at boot; it serves later
  s.observe(2, "cxfs.mounted", {{"fs", std::string("fs1")}, {"role", std::string("server")}});
  s.invoke(0, 1, 1, "write", 5, 0, 1, Feed::L{7});
  s.complete(0, 1, 1, "write", "ok");
  s.observe(1, "node.crash", {});  // n2 never wrote block 5/0
  s.invoke(0, 1, 2, "write", 5, 0, 1, Feed::L{8});
  s.complete(0, 1, 2, "write", "ok");
  s.observe(1, "cxfs.mounted", {{"fs", std::string("fs2")}, {"role", std::string("server")}});
  s.observe(1, "node.crash", {});  // fs2's server is lost, but nobody wrote fs2
  s.path = "/fs2/b";
  s.invoke(0, 1, 3, "read", 5, 0, 1);
  s.complete(0, 1, 3, "read", "ok", Feed::L{0});
  s.path = "/fs1/a";
  s.invoke(0, 1, 4, "read", 5, 0, 1);
  s.complete(0, 1, 4, "read", "ok", Feed::L{8});
  s.invoke(1, 2, 5, "read", 5, 0, 1);
  const std::uint64_t stale = s.index;  // the completion that follows
  s.complete(1, 2, 5, "read", "ok", Feed::L{7});
  s.checker.finish(100000, 100);
  BOOST_REQUIRE_EQUAL(s.checker.violations().size(), 1u);
  BOOST_TEST(s.checker.violations()[0].index == stale);
  BOOST_TEST(s.checker.violations()[0].message.find("block fs1:5/0 ") != std::string::npos,
             s.checker.violations()[0].message);
}

// A zombie server (declared failed, not yet aware) reports a creation the cluster never
// saw: it must not start a new register for the inode (fs property seed 4018).
BOOST_AUTO_TEST_CASE(a_zombie_server_s_creation_starts_no_new_register) {
  Feed s;
  s.observe(0, "dsvn.created", {{"fs", std::int64_t{0}}, {"ino", std::int64_t{5}}});
  s.invoke(1, 2, 1, "write", 5, 0, 1, Feed::L{7});
  s.complete(1, 2, 1, "write", "ok");
  s.observe(1, "corpse.start", {{"cycle", std::string("1.2.0")}, {"members", std::vector<std::int64_t>{1, 2}},
                                {"failed", std::vector<std::int64_t>{0}}});
  s.observe(0, "dsvn.created", {{"fs", std::int64_t{0}}, {"ino", std::int64_t{5}}});  // the zombie's
  s.invoke(1, 2, 2, "read", 5, 0, 1);
  s.complete(1, 2, 2, "read", "ok", Feed::L{7});
  const History h = s.rec.history();
  BOOST_TEST(h.back().key == "fs1:5.1/0");  // the same register as the write
  s.observe(1, "corpse.readmitted", {{"cycle", std::string("1.2.0")}, {"node", std::int64_t{0}}});
  s.observe(0, "dsvn.created", {{"fs", std::int64_t{0}}, {"ino", std::int64_t{5}}});  // readmitted: counts
  s.invoke(1, 2, 3, "read", 5, 0, 1);
  s.complete(1, 2, 3, "read", "ok", Feed::L{0});
  BOOST_TEST(s.rec.history().back().key == "fs1:5.2/0");
  s.checker.finish(10000, 10);
  BOOST_TEST(s.checker.violations().empty());
}

BOOST_AUTO_TEST_CASE(malformed_observations_are_reported_not_trusted) {
  Feed s;
  s.complete(0, 1, 99, "read", "ok", Feed::L{1});                   // never invoked
  s.invoke(0, 1, 1, "write", 5, 0, 2, Feed::L{7});                  // two blocks, one value
  s.observe(0, "app.invoke", {{"proc", std::string("x")}, {"op", 2}});  // proc not an integer
  s.invoke(0, 1, 3, "read", 5, 0, 1);
  s.invoke(0, 1, 3, "read", 5, 0, 1);                               // op id reused
  BOOST_REQUIRE_EQUAL(s.rec.problems().size(), 4u);
  BOOST_TEST(s.rec.problems()[0].message.find("never invoked") != std::string::npos);
  BOOST_TEST(s.rec.problems()[1].message.find("holds 1 values for 2 blocks") != std::string::npos,
             s.rec.problems()[1].message);
  BOOST_TEST(s.rec.problems()[2].message.find("non-integer 'proc'") != std::string::npos);
  BOOST_TEST(s.rec.problems()[3].message.find("reuses call id 3") != std::string::npos);
  s.checker.finish(10000, 10);
  BOOST_TEST(s.checker.violations().size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(jepsen)

BOOST_AUTO_TEST_CASE(write_then_read_gives_the_same_history) {
  Builder b;
  b.write(1, 5, "3/0").read(2, "3/0").got(2, 0, "3/0").wrote(1, 5, "3/0");
  b.write(1, 6, "3/1").add(1, OpType::fail, "write", 6, "3/1").read(2, "3/1").add(2, OpType::info, "read", {}, "3/1");
  std::stringstream s;
  write_jepsen(s, b.h);
  BOOST_TEST(s.str().substr(0, s.str().find('\n')) ==
             R"({"process":1,"type":"invoke","f":"write","value":["3/0",5],"index":0,"time":0})");
  const History back = read_jepsen(s, "h.jsonl");
  BOOST_TEST((back == b.h));
}

BOOST_AUTO_TEST_CASE(open_invokes_are_closed_with_info_lines_at_the_end) {
  Builder b;
  b.write(1, 5).read(2).got(2, 5).read(3);
  std::stringstream s;
  write_jepsen(s, b.h, HistoryEnd{40, 4000});
  const History back = read_jepsen(s, "h.jsonl");
  BOOST_REQUIRE_EQUAL(back.size(), 6u);
  BOOST_TEST((back[4] == HistoryOp{1, OpType::info, "write", "k", 5, 40, 4000}));
  BOOST_TEST((back[5] == HistoryOp{3, OpType::info, "read", "k", std::nullopt, 40, 4000}));
  BOOST_TEST(to_string(verdict(back)) == "linearizable");
}

BOOST_AUTO_TEST_CASE(every_bad_line_is_named_with_its_line_number) {
  const std::string good = R"({"process":1,"type":"invoke","f":"write","value":["k",5],"index":10,"time":100})";
  struct Row {
    std::string line;
    std::string error;
  };
  const std::vector<Row> rows{
      {"{not json", "not valid JSON"},
      {"[1,2]", "a line must be a JSON object"},
      {R"({"type":"invoke","f":"read","value":["k",null],"index":10,"time":100})", "'process' is missing"},
      {R"({"process":"p2","type":"invoke","f":"read","value":["k",null],"index":10,"time":100})",
       "'process' must be an integer"},
      {R"({"process":2,"type":"done","f":"read","value":["k",null],"index":10,"time":100})",
       "'type' must be one of invoke, ok, fail, info"},
      {R"({"process":2,"type":"invoke","f":"cas","value":["k",null],"index":10,"time":100})",
       "a cas 'value' must be [\"<key>\", [old, new]]"},
      {R"({"process":2,"type":"invoke","f":"append","value":["k",1],"index":10,"time":100})",
       "'f' must be read, write or cas"},
      {R"({"process":2,"type":"invoke","f":"read","value":"k","index":10,"time":100})", "'value' must be a pair"},
      {R"({"process":2,"type":"invoke","f":"read","value":[3,null],"index":10,"time":100})", "'value' must be a pair"},
      {R"({"process":2,"type":"invoke","f":"write","value":["k",1.5],"index":10,"time":100})",
       "the value in 'value' must be an integer"},
      {R"({"process":2,"type":"invoke","f":"write","value":["k",18446744073709551615],"index":10,"time":100})",
       "the value in 'value' is too large"},
      {R"({"process":2,"type":"invoke","f":"read","value":["k",null],"index":-1,"time":100})",
       "'index' must not be negative"},
      {R"({"process":2,"type":"invoke","f":"read","value":["k",null],"index":9,"time":100})",
       "'index' 9 is smaller than the previous line's 10"},
      {R"({"process":2,"type":"invoke","f":"read","value":["k",null],"index":10,"time":99})",
       "'time' 99 is earlier than the previous line's 100"},
      {R"({"process":2,"type":"ok","f":"read","value":["k",5],"index":10,"time":100})",
       "a completion (ok) with no open invoke of process 2 on key 'k'"},
      {R"({"process":1,"type":"invoke","f":"write","value":["k",6],"index":10,"time":100})",
       "process 1 on key 'k' invokes again while its invoke at line 1 is still open"},
      {R"({"process":1,"type":"ok","f":"read","value":["k",5],"index":10,"time":100})",
       "the completion says f=read but the invoke at line 1 says f=write"},
      {R"({"process":1,"type":"ok","f":"write","value":["k",6],"index":10,"time":100})",
       "a write's completion must carry the value of its invoke at line 1"},
      {R"({"process":2,"type":"invoke","f":"write","value":["k",null],"index":10,"time":100})",
       "a write invoke must carry the value it writes"},
      {R"({"process":2,"type":"invoke","f":"write","value":["k",-1],"index":10,"time":100})",
       "a written value must be 0 or more"},
      {R"({"process":2,"type":"invoke","f":"read","value":["k",3],"index":10,"time":100})",
       "a read invoke must have a null value"},
  };
  for (const Row& r : rows) {
    std::stringstream s(good + "\n" + r.line + "\n");
    try {
      read_jepsen(s, "history.jsonl");
      BOOST_ERROR("accepted: " << r.line);
    } catch (const JepsenFormatError& e) {
      const std::string want = "history.jsonl:2: " + r.error;
      BOOST_TEST(std::string(e.what()).find(want) == 0, e.what() << " does not start with " << want);
    }
  }
  // Reads: an ok read needs its value, and a read value is -1, 0 or a stamp.
  for (const auto& [completion, error] : std::vector<std::pair<std::string, std::string>>{
           {R"({"process":2,"type":"ok","f":"read","value":["k","x"],"index":11,"time":101})",
            "history.jsonl:3: the value in 'value' must be an integer"},
           {R"({"process":2,"type":"ok","f":"read","value":["k",-2],"index":11,"time":101})",
            "history.jsonl:3: a read value must be null (nil), -1 (torn), 0 (initial) or a written stamp"}}) {
    std::stringstream s(good + "\n" + R"({"process":2,"type":"invoke","f":"read","value":["k",null],"index":10,"time":100})" +
                        "\n" + completion + "\n");
    BOOST_CHECK_EXCEPTION(read_jepsen(s, "history.jsonl"), JepsenFormatError,
                          [&](const JepsenFormatError& e) { return std::string(e.what()).find(error) == 0; });
  }
  BOOST_CHECK_THROW(read_jepsen_file("/no/such/history.jsonl"), JepsenFormatError);
}

// Jepsen's register workload: cas, nil, and the keys Jepsen adds (noted, not refused).
BOOST_AUTO_TEST_CASE(jepsen_register_histories_are_read_with_cas_nil_and_notes) {
  std::stringstream s(R"({"process":1,"type":"invoke","f":"read","value":["k",null],"index":1,"time":1}
{"process":1,"type":"ok","f":"read","value":["k",null],"index":2,"time":2,"node":"n1"}
{"process":2,"type":"invoke","f":"cas","value":["k",[null,3]],"index":3,"time":3}
{"process":2,"type":"ok","f":"cas","value":["k",[null,3]],"index":4,"time":4}
{"process":3,"type":"invoke","f":"cas","value":["k",[1,2]],"index":5,"time":5}
{"process":3,"type":"fail","f":"cas","value":["k",[1,2]],"index":6,"time":6,"error":"mismatch"}
)");
  std::vector<std::string> notes;
  const History h = read_jepsen(s, "j.jsonl", &notes);
  BOOST_REQUIRE_EQUAL(h.size(), 6u);
  BOOST_TEST(*h[1].value == kNil);
  BOOST_TEST(*h[2].from == kNil);
  BOOST_TEST(*h[2].value == 3);
  BOOST_REQUIRE_EQUAL(notes.size(), 2u);  // error, node
  BOOST_TEST(notes[0].find("ignored the key 'error'") != std::string::npos, notes[0]);
  BOOST_TEST(notes[1].find("j.jsonl:2: ignored the key 'node'") == 0u, notes[1]);
  std::map<std::string, std::vector<std::int64_t>> nil{{"k", {kNil}}};
  BOOST_TEST(to_string(check_history(h, {}, nil).verdict()) == "linearizable");
  BOOST_TEST(to_string(check_history(h).verdict()) == "not linearizable");  // from 0, the read of nil is wrong
  // Written back out, the same history.
  std::stringstream out;
  write_jepsen(out, h);
  BOOST_TEST((read_jepsen(out, "again.jsonl") == h));
}

// cas: ok only where the value was the one it expects; fail only where it was another;
// unknown (info) either way or never.
BOOST_AUTO_TEST_CASE(cas_is_judged_as_jepsen_s_cas_register) {
  auto run = [](const std::string& text) {
    std::stringstream s(text);
    const History h = read_jepsen_edn(s, "h.edn");
    return to_string(check_history(h, {}, {{"", {kNil}}}).verdict());
  };
  const std::string writes = "{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type :ok, :f :write, :value 1}\n";
  BOOST_TEST(run(writes + "{:process 1, :type :invoke, :f :cas, :value [1 2]}\n{:process 1, :type :ok, :f :cas, :value [1 2]}\n"
                          "{:process 2, :type :invoke, :f :read, :value nil}\n{:process 2, :type :ok, :f :read, :value 2}\n") ==
             "linearizable");
  BOOST_TEST(run(writes + "{:process 1, :type :invoke, :f :cas, :value [3 2]}\n{:process 1, :type :ok, :f :cas, :value [3 2]}\n") ==
             "not linearizable");  // the value was 1, not 3
  BOOST_TEST(run(writes + "{:process 1, :type :invoke, :f :cas, :value [1 2]}\n{:process 1, :type :fail, :f :cas, :value [1 2]}\n") ==
             "not linearizable");  // it was 1: a cas expecting 1 cannot have failed
  BOOST_TEST(run(writes + "{:process 1, :type :invoke, :f :cas, :value [3 2]}\n{:process 1, :type :info, :f :cas, :value :timed-out}\n"
                          "{:process 2, :type :invoke, :f :read, :value nil}\n{:process 2, :type :ok, :f :read, :value 1}\n") ==
             "linearizable");  // an unknown cas that could not have taken effect
  // Porcupine's test_data/jepsen log lines, tabs or spaces.
  BOOST_TEST(run("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tnil\n"
                 "INFO  jepsen.util - 1   :invoke :cas    [1 2]\nINFO  jepsen.util - 1   :fail   :cas    [1 2]\n"
                 "some other log line\n") == "linearizable");
}

// Where a key goes wrong: the longest linearizable prefix and the smallest failing window.
BOOST_AUTO_TEST_CASE(the_longest_prefix_and_the_smallest_window_are_found) {
  Builder b;
  b.write(1, 5).wrote(1, 5);     // 0-1
  b.read(2).got(2, 5);           // 2-3
  b.write(1, 6).wrote(1, 6);     // 4-5
  b.read(3).got(3, 6);           // 6-7
  b.read(2).got(2, 5);           // 8-9: stale, after 6 was read
  b.read(3).got(3, 6);           // 10-11
  const auto ops = register_ops(b.h).at("k");
  const Explanation x = explain(ops);
  BOOST_REQUIRE(x.found);
  BOOST_TEST(x.prefix_ops == 4u);  // everything before the stale read (open at the prefix end, so dropped)
  BOOST_TEST(x.prefix_last_index == 8u);
  BOOST_TEST(x.window_last_index == 9u);  // the stale read's completion
  BOOST_TEST(x.window_ops <= 3u);  // at most: the write of 6 (or the read of it) and the stale read
  BOOST_TEST(x.window_first_index >= 4u);
  BOOST_TEST(!explain(register_ops(Builder{}.write(1, 5).wrote(1, 5).h).at("k")).found);  // linearizable
}

RC_BOOST_PROP(the_reader_never_crashes_on_garbage, (const std::vector<std::string>& lines)) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::stringstream s(text);
  try {
    read_jepsen(s, "g.jsonl");
  } catch (const JepsenFormatError& e) {
    RC_ASSERT(std::string(e.what()).rfind("g.jsonl:", 0) == 0);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(properties)

namespace {

// A random register program run sequentially: operation i takes effect at instant
// 100 * i, and the history gives it a real-time interval around that instant (wide
// enough that neighbours overlap). Some writes end indeterminate (info or never
// completed) whether or not they took effect; some fail and take no effect.
struct Generated {
  History history;
  std::vector<std::size_t> ok_reads;  // positions of ok read completions
};

Generated generate_history() {
  enum Kind { read, write, write_info_applied, write_info_lost, write_open, write_failed };
  const auto count = *rc::gen::inRange<int>(1, 40);
  struct Event {
    Time time;
    HistoryOp op;
  };
  std::vector<Event> events;
  std::int64_t value = 0;
  for (int i = 0; i < count; ++i) {
    const Kind kind = *rc::gen::weightedElement<Kind>(
        {{6, read}, {4, write}, {1, write_info_applied}, {1, write_info_lost}, {1, write_open}, {1, write_failed}});
    const Time at = 100 * static_cast<Time>(i + 1);
    const Time begin = at - *rc::gen::inRange<Time>(0, 250);
    const Time end = at + *rc::gen::inRange<Time>(0, 250);
    const std::int64_t process = i;
    if (kind == read) {
      events.push_back({begin, HistoryOp{process, OpType::invoke, "read", "k", std::nullopt, 0, 0}});
      events.push_back({end, HistoryOp{process, OpType::ok, "read", "k", value, 0, 0}});
      continue;
    }
    const std::int64_t stamp = i + 1;
    events.push_back({begin, HistoryOp{process, OpType::invoke, "write", "k", stamp, 0, 0}});
    if (kind == write || kind == write_info_applied) value = stamp;
    if (kind == write) events.push_back({end, HistoryOp{process, OpType::ok, "write", "k", stamp, 0, 0}});
    if (kind == write_info_applied || kind == write_info_lost)
      events.push_back({end, HistoryOp{process, OpType::info, "write", "k", stamp, 0, 0}});
    if (kind == write_failed) events.push_back({end, HistoryOp{process, OpType::fail, "write", "k", stamp, 0, 0}});
  }
  // Ties may land in either order: both are consistent with the instants chosen.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
  Generated g;
  for (std::size_t i = 0; i < events.size(); ++i) {
    HistoryOp op = events[i].op;
    op.index = i;
    op.time = events[i].time + 1000;
    if (op.type == OpType::ok && op.f == "read") g.ok_reads.push_back(i);
    g.history.push_back(op);
  }
  return g;
}

}  // namespace

RC_BOOST_PROP(sequential_executions_are_linearizable, ()) {
  const Generated g = generate_history();
  const HistoryCheck c = check_history(g.history);
  RC_ASSERT(c.verdict() == Verdict::linearizable);
}

RC_BOOST_PROP(a_read_of_a_value_never_written_is_caught, ()) {
  Generated g = generate_history();
  RC_PRE(!g.ok_reads.empty());
  const std::size_t pos = *rc::gen::elementOf(g.ok_reads);
  g.history[pos].value = 1'000'000;
  const HistoryCheck c = check_history(g.history);
  RC_ASSERT(c.verdict() == Verdict::not_linearizable);
  RC_ASSERT(c.keys.at(0).result.culprit.has_value());
  RC_ASSERT(c.keys.at(0).result.culprit->complete_index == g.history[pos].index);
}

RC_BOOST_PROP(generated_histories_survive_the_round_trip, ()) {
  const Generated g = generate_history();
  std::stringstream s;
  write_jepsen(s, g.history, HistoryEnd{g.history.back().index, g.history.back().time});
  const History back = read_jepsen(s, "g.jsonl");
  RC_ASSERT(back.size() >= g.history.size());
  RC_ASSERT(std::equal(g.history.begin(), g.history.end(), back.begin()));
  RC_ASSERT(check_history(back).verdict() == Verdict::linearizable);
}

// The search against brute force on small random histories (any values, any overlap):
// every order that respects real time, each indeterminate write placed or left out.
bool brute_force_linearizable(std::vector<RegisterOp> ops) {
  std::vector<bool> used(ops.size(), false);
  auto go = [&](auto&& self, std::int64_t value, std::size_t placed) -> bool {
    bool any_pending = false;
    for (std::size_t i = 0; i < ops.size(); ++i) any_pending = any_pending || (!used[i] && !ops[i].indeterminate);
    if (!any_pending) return true;  // the indeterminate writes left never took effect
    (void)placed;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (used[i]) continue;
      bool ready = true;  // nothing unplaced returned before this one was invoked
      for (std::size_t j = 0; j < ops.size(); ++j)
        if (!used[j] && j != i && ops[j].return_pos < ops[i].call_pos) ready = false;
      if (!ready) continue;
      if (!ops[i].write && ops[i].value != value) continue;
      used[i] = true;
      const bool ok = self(self, ops[i].write ? ops[i].value : value, placed + 1);
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(go, 0, 0);
}

RC_BOOST_PROP(the_search_agrees_with_brute_force, ()) {
  const auto count = *rc::gen::inRange<int>(1, 7);
  struct Event {
    int time;
    HistoryOp op;
  };
  std::vector<Event> events;
  for (int i = 0; i < count; ++i) {
    const int begin = *rc::gen::inRange(0, 10);
    const int end = begin + *rc::gen::inRange(1, 6);
    const int kind = *rc::gen::inRange(0, 4);  // read, write, info write, open write
    if (kind == 0) {
      events.push_back({begin, HistoryOp{i, OpType::invoke, "read", "k", std::nullopt, 0, 0}});
      events.push_back({end, HistoryOp{i, OpType::ok, "read", "k", *rc::gen::inRange<std::int64_t>(0, 4), 0, 0}});
      continue;
    }
    const std::int64_t stamp = *rc::gen::inRange<std::int64_t>(1, 4);  // values may repeat
    events.push_back({begin, HistoryOp{i, OpType::invoke, "write", "k", stamp, 0, 0}});
    if (kind == 1) events.push_back({end, HistoryOp{i, OpType::ok, "write", "k", stamp, 0, 0}});
    if (kind == 2) events.push_back({end, HistoryOp{i, OpType::info, "write", "k", stamp, 0, 0}});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
  History h;
  for (std::size_t i = 0; i < events.size(); ++i) {
    h.push_back(events[i].op);
    h.back().index = i;
  }
  const auto ops = register_ops(h);
  const bool expected = ops.empty() || brute_force_linearizable(ops.begin()->second);
  RC_CLASSIFY(expected, "linearizable");
  RC_CLASSIFY(!expected, "not linearizable");
  RC_ASSERT((check_history(h).verdict() == Verdict::linearizable) == expected);
}

BOOST_AUTO_TEST_CASE(a_long_history_is_decided_well_within_the_budget) {
  // 20,000 operations, each overlapping a few neighbours, from a deterministic LCG.
  std::uint64_t x = 12345;
  auto next = [&x](std::uint64_t bound) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % bound;
  };
  struct Event {
    Time time;
    HistoryOp op;
  };
  std::vector<Event> events;
  std::int64_t value = 0;
  for (std::int64_t i = 0; i < 20000; ++i) {
    const Time at = 100 * (i + 1), begin = at - static_cast<Time>(next(250)), end = at + static_cast<Time>(next(250));
    if (next(2) == 0) {
      events.push_back({begin, HistoryOp{i, OpType::invoke, "read", "k", std::nullopt, 0, 0}});
      events.push_back({end, HistoryOp{i, OpType::ok, "read", "k", value, 0, 0}});
    } else {
      value = i + 1;
      events.push_back({begin, HistoryOp{i, OpType::invoke, "write", "k", value, 0, 0}});
      events.push_back({end, HistoryOp{i, OpType::ok, "write", "k", value, 0, 0}});
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
  History h;
  for (std::size_t i = 0; i < events.size(); ++i) {
    h.push_back(events[i].op);
    h.back().index = i;
    h.back().time = events[i].time;
  }
  const auto r = check_one(h);
  BOOST_TEST(to_string(r.verdict) == "linearizable", r.message);
  BOOST_TEST(r.configurations < Budget{}.max_configurations / 10);
}

BOOST_AUTO_TEST_SUITE_END()
