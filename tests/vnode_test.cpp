// model/vnode: the behavior chain, the behavior head lock, path walking and page
// faults, against a recording behavior (the cluster behaviors are covered end to end by
// test_cxfs and the fs scenarios, which all run through this layer).
#define BOOST_TEST_MODULE vnode
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim/volume.h"
#include "engine/simulation.h"
#include "model/vnode/vnode_access.h"
#include "model/vnode/vnode_table.h"

using namespace sansim;
using namespace sansim::vnode;
using namespace sansim::literals;

namespace {

// A file system in memory: directory entries and file contents, every operation
// recorded with the vnode it ran on. Calls take `delay` of virtual time.
class Recorder final : public Behavior {
 public:
  Recorder(Scheduler& s, const char* name) : sched_(s), name_(name) {}
  const char* name() const override { return name_; }

  std::vector<std::string> log;
  std::map<std::pair<Ino, std::string>, Ino> entries;
  std::map<Ino, Bytes> data;
  Duration delay = 0;
  Ino next_ino = 100;

  Task<xfs::Result<Ino>> lookup(Vnode& dir, std::string name) override {
    note("lookup", dir, name);
    co_await sched_.sleep(delay);
    auto it = entries.find({dir.ino(), name});
    if (it == entries.end()) co_return xfs::Result<Ino>{Errno::noent, 0};
    co_return xfs::Result<Ino>{Errno::ok, it->second};
  }
  Task<xfs::Result<Ino>> create(Vnode& dir, std::string name, xfs::FileType) override {
    note("create", dir, name);
    const Ino ino = next_ino++;
    entries[{dir.ino(), name}] = ino;
    co_return xfs::Result<Ino>{Errno::ok, ino};
  }
  Task<Errno> unlink(Vnode& dir, std::string name) override {
    note("unlink", dir, name);
    co_return entries.erase({dir.ino(), name}) != 0 ? Errno::ok : Errno::noent;
  }
  Task<Errno> rename(Vnode& dir, std::string name, Vnode& to_dir, std::string to_name) override {
    note("rename", dir, name + "->" + std::to_string(to_dir.ino()) + "/" + to_name);
    co_return Errno::ok;
  }
  Task<xfs::Result<Stat>> getattr(Vnode& v) override {
    note("getattr", v, "");
    Stat s;
    s.ino = v.ino();
    s.size = data[v.ino()].size();
    co_return xfs::Result<Stat>{Errno::ok, s};
  }
  Task<Errno> setattr(Vnode& v, xfs::SetAttr) override {
    note("setattr", v, "");
    co_return Errno::ok;
  }
  Task<Errno> truncate(Vnode& v, std::uint64_t size) override {
    note("truncate", v, std::to_string(size));
    co_return Errno::ok;
  }
  Task<Errno> open(Vnode& v) override {
    note("open", v, "");
    co_return Errno::ok;
  }
  Task<Errno> close(Vnode& v) override {
    note("close", v, "");
    co_return Errno::ok;
  }
  Task<Errno> read(Vnode& v, std::uint64_t offset, std::uint64_t length, IoMode mode, Bytes& out) override {
    note("read", v, std::string(to_string(mode)));
    co_await sched_.sleep(delay);
    const Bytes& d = data[v.ino()];
    const std::uint64_t end = std::min<std::uint64_t>(d.size(), offset + length);
    out.assign(d.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(offset, end)),
               d.begin() + static_cast<std::ptrdiff_t>(end));
    co_return Errno::ok;
  }
  Task<Errno> write(Vnode& v, std::uint64_t offset, Bytes bytes, IoMode mode) override {
    note("write", v, std::string(to_string(mode)));
    put(v.ino(), offset, bytes);
    co_return Errno::ok;
  }
  Task<Errno> fsync(Vnode& v) override {
    note("fsync", v, "");
    co_return Errno::ok;
  }
  Task<Errno> migrate(Vnode& v, bool release) override {
    note("migrate", v, release ? "release" : "");
    co_return Errno::ok;
  }
  Task<Errno> fault(Vnode& v, std::uint64_t page, bool store, std::uint64_t in_page, Bytes& bytes) override {
    note(store ? "fault.store" : "fault.load", v, std::to_string(page));
    if (store) {
      put(v.ino(), page * kBlockSize + in_page, bytes);
      co_return Errno::ok;
    }
    const Bytes& d = data[v.ino()];
    const std::uint64_t from = std::min<std::uint64_t>(d.size(), page * kBlockSize);
    const std::uint64_t to = std::min<std::uint64_t>(d.size(), from + kBlockSize);
    bytes.assign(d.begin() + static_cast<std::ptrdiff_t>(from), d.begin() + static_cast<std::ptrdiff_t>(to));
    co_return Errno::ok;
  }

 private:
  void note(const char* op, const Vnode& v, const std::string& arg) {
    log.push_back(std::string(name_) + ":" + op + "@" + std::to_string(v.ino()) + (arg.empty() ? "" : " " + arg));
  }
  void put(Ino ino, std::uint64_t offset, const Bytes& bytes) {
    Bytes& d = data[ino];
    if (d.size() < offset + bytes.size()) d.resize(offset + bytes.size(), 0);
    std::copy(bytes.begin(), bytes.end(), d.begin() + static_cast<std::ptrdiff_t>(offset));
  }

  Scheduler& sched_;
  const char* name_;
};

// fs1 is mounted; fs8's mount did not come in time (EIO); anything else is not there.
Task<xfs::Result<std::uint32_t>> mount_of(const std::string& fs, bool) {
  if (fs == "fs1") co_return xfs::Result<std::uint32_t>{Errno::ok, 0};
  co_return xfs::Result<std::uint32_t>{fs == "fs8" ? Errno::io : Errno::noent, 0};
}

struct World {
  Simulation sim{1, {"n1"}, LanOptions{}};
  Recorder first{sim.sched(), "first"};
  Recorder second{sim.sched(), "second"};
  VnodeTable table{sim.sched(), [this](std::uint32_t) { return std::vector<Behavior*>{&first}; }};
  VnodeAccess files{table, mount_of};

  // Runs `t` on n1 to its end.
  void run(Task<void> t) {
    sim.sched().spawn(0, std::move(t), "test");
    sim.sched().run_until(sim.now() + 10_s);
  }
};

Task<void> do_lookup_in(VnodeAccess* f, std::string fs, std::string path, xfs::Result<Ino>* out) {
  *out = co_await f->lookup(fs, path);
}

Task<void> do_lookup(VnodeAccess* f, std::string path, xfs::Result<Ino>* out) {
  *out = co_await f->lookup("fs1", path);
}

Task<void> do_read(VnodeAccess* f, Ino ino, std::uint64_t off, std::uint64_t len, IoMode mode, Bytes* out,
                   Errno* err) {
  *err = co_await f->read("fs1", ino, off, len, mode, *out);
}

Task<void> do_write(VnodeAccess* f, Ino ino, std::uint64_t off, Bytes data, IoMode mode, Errno* err) {
  *err = co_await f->write("fs1", ino, off, std::move(data), mode);
}

// Takes the head exclusively (as KORE's conversion does, §0076), swaps the chain, and
// notes when it got the lock.
Task<void> convert(Simulation* sim, Vnode* v, std::vector<Behavior*> chain, Time* locked_at) {
  co_await v->head().lock();
  *locked_at = sim->now();
  v->convert(std::move(chain));
  v->head().unlock();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_vnode_is_made_once_with_its_file_systems_chain) {
  World w;
  Vnode& a = w.table.get(0, 5);
  BOOST_TEST(&w.table.get(0, 5) == &a);
  BOOST_TEST(&a.first() == &w.first);
  BOOST_TEST(a.next(w.first) == nullptr);
  a.convert({&w.second, &w.first});
  BOOST_TEST(&a.first() == &w.second);
  BOOST_TEST(a.next(w.second) == &w.first);
  BOOST_TEST(a.next(w.first) == nullptr);
  w.table.get(1, 5);
  BOOST_TEST(w.table.size() == 2u);
  BOOST_TEST(w.table.of_fs(0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(paths_are_walked_one_directory_vnode_at_a_time) {
  World w;
  w.first.entries[{xfs::kRootIno, "a"}] = 10;
  w.first.entries[{10, "b"}] = 11;
  xfs::Result<Ino> r;
  w.run(do_lookup(&w.files, "/a//b/", &r));
  BOOST_TEST(r.ok());
  BOOST_TEST(r.value == 11u);
  const std::vector<std::string> want{"first:lookup@" + std::to_string(xfs::kRootIno) + " a", "first:lookup@10 b"};
  BOOST_TEST(w.first.log == want, boost::test_tools::per_element());
  w.first.log.clear();
  w.run(do_lookup(&w.files, "/a/x/b", &r));
  BOOST_TEST((r.err == Errno::noent));
  BOOST_TEST(w.first.log.size() == 2u);  // stops at the first missing component
}

// The mount's answer goes to the caller, and no behavior is called.
BOOST_AUTO_TEST_CASE(a_file_system_that_is_not_mounted_answers_why) {
  World w;
  xfs::Result<Ino> r;
  w.run(do_lookup_in(&w.files, "fs9", "/a", &r));
  BOOST_TEST((r.err == Errno::noent));
  w.run(do_lookup_in(&w.files, "fs8", "/a", &r));
  BOOST_TEST((r.err == Errno::io));
  BOOST_TEST(w.first.log.empty());
}

BOOST_AUTO_TEST_CASE(mapped_access_is_one_page_fault_per_page) {
  World w;
  Bytes content(2 * kBlockSize + 100);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7);
  w.first.data[20] = content;
  Bytes out;
  Errno err = Errno::io;
  // From the middle of page 0 to past the end of the file (page 2 is short).
  w.run(do_read(&w.files, 20, 100, 3 * kBlockSize, IoMode::mapped, &out, &err));
  BOOST_TEST((err == Errno::ok));
  BOOST_TEST(out.size() == content.size() - 100);
  BOOST_TEST(std::equal(out.begin(), out.end(), content.begin() + 100));
  const std::vector<std::string> loads{"first:fault.load@20 0", "first:fault.load@20 1", "first:fault.load@20 2"};
  BOOST_TEST(w.first.log == loads, boost::test_tools::per_element());

  w.first.log.clear();
  w.run(do_write(&w.files, 20, kBlockSize - 2, Bytes{1, 2, 3, 4}, IoMode::mapped, &err));
  BOOST_TEST((err == Errno::ok));
  const std::vector<std::string> stores{"first:fault.store@20 0", "first:fault.store@20 1"};
  BOOST_TEST(w.first.log == stores, boost::test_tools::per_element());
  BOOST_TEST(w.first.data[20][kBlockSize - 2] == 1);
  BOOST_TEST(w.first.data[20][kBlockSize + 1] == 4);

  w.first.log.clear();  // buffered and direct calls are not faults
  w.run(do_read(&w.files, 20, 0, 10, IoMode::buffered, &out, &err));
  BOOST_TEST(w.first.log == std::vector<std::string>{"first:read@20 buffered"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(conversion_waits_for_operations_inside_the_chain_and_later_ones_take_the_new_chain) {
  World w;
  w.first.delay = 50_ms;  // an operation that is inside the chain for a while
  w.first.data[30] = Bytes(10, 9);
  w.second.data[30] = Bytes(10, 8);
  Vnode& v = w.table.get(0, 30);
  Bytes out;
  Errno err = Errno::io;
  Time locked_at = -1;
  w.sim.sched().spawn(0, do_read(&w.files, 30, 0, 10, IoMode::buffered, &out, &err), "reader");
  w.sim.sched().run_until(w.sim.now() + 10_ms);  // the read is in the chain now
  const Time asked = w.sim.now();
  w.sim.sched().spawn(0, convert(&w.sim, &v, {&w.second}, &locked_at), "convert");
  w.sim.sched().run_until(w.sim.now() + 1_s);
  BOOST_TEST((err == Errno::ok));
  BOOST_TEST(out == Bytes(10, 9));
  BOOST_TEST(locked_at >= asked + 40_ms);  // the head lock waited for the read to leave
  Bytes again;
  w.run(do_read(&w.files, 30, 0, 10, IoMode::buffered, &again, &err));
  BOOST_TEST(again == Bytes(10, 8));  // entered the converted chain
  BOOST_TEST(w.second.log == std::vector<std::string>{"second:read@30 buffered"}, boost::test_tools::per_element());
}
