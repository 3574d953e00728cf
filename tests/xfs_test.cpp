#define BOOST_TEST_MODULE xfs
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/sim/concat_volume.h"
#include "engine/sim/disk.h"
#include "engine/sim/disk_volume.h"
#include "engine/sim/fabric.h"
#include "model/xfs/file_system.h"
#include "model/xfs/fsck.h"
#include "model/xfs/extent_map.h"
#include "model/xfs/free_space.h"
#include "model/xfs/journal.h"
#include "model/xfs/layout.h"
#include "model/xfs/metadata.h"

using namespace sansim;
using namespace sansim::literals;
using namespace sansim::xfs;

namespace sansim::xfs {
std::ostream& operator<<(std::ostream& os, Errno e) { return os << to_string(e); }
std::ostream& operator<<(std::ostream& os, FileType t) { return os << to_string(t); }
}  // namespace sansim::xfs

namespace {

constexpr NodeId kServer = 0;

template <class T>
Task<void> store(Task<T> t, std::optional<T>* out) {
  T v = co_await t;
  out->emplace(std::move(v));
}

// A server node on a SAN: disks on the simulated fabric, one volume over them (a single
// disk, or a concatenation when given several sizes).
struct Rig {
  Trace trace;
  Scheduler sched{trace};
  std::vector<std::unique_ptr<Disk>> disks;
  Fabric fabric{sched, 2};
  std::unique_ptr<Volume> vol;
  Volume& volume;
  std::unique_ptr<FileSystem> fs;

  explicit Rig(std::vector<std::uint64_t> sizes = {16384}) : vol(make_volume(sizes)), volume(*vol) {}
  explicit Rig(std::uint64_t blocks) : Rig(std::vector<std::uint64_t>{blocks}) {}

  std::unique_ptr<Volume> make_volume(const std::vector<std::uint64_t>& sizes) {
    std::vector<DiskId> ids;
    for (std::uint64_t n : sizes) {
      disks.push_back(std::make_unique<Disk>("d" + std::to_string(disks.size()), n));
      ids.push_back(fabric.attach(*disks.back()));
    }
    if (ids.size() == 1) return std::make_unique<DiskVolume>(fabric, ids[0]);
    return std::make_unique<ConcatVolume>(fabric, ids);
  }

  // Power fails: every disk's cache is dropped, applied or torn, write by write.
  void power_loss(Rng& rng) {
    for (auto& d : disks) d->power_loss(rng);
  }
  // Every I/O to the disks fails with EIO while set.
  void set_failing(bool on) {
    for (auto& d : disks) {
      if (on) d->add_error(0, d->blocks(), DiskErrorKind::eio);
      else d->remove_error(0, d->blocks());
    }
  }
  // A raw, durable write straight to the (single) disk: no file system, no fabric.
  void poke(std::uint64_t block, std::span<const std::uint8_t> data) {
    BOOST_REQUIRE(disks.size() == 1u);
    BOOST_REQUIRE(disks[0]->write(block, data) == IoStatus::ok);
    disks[0]->flush();
  }

  template <class T>
  T run(Task<T> t) {
    std::optional<T> out;
    sched.spawn(kServer, store(std::move(t), &out), "test");
    sched.run_until([&out] { return out.has_value(); }, kTimeNever);
    BOOST_REQUIRE(out.has_value());
    return std::move(*out);
  }

  MountResult mount() { return run(FileSystem::mount(sched, volume, kServer)); }

  void format(MkfsOptions o = {}) {
    BOOST_REQUIRE(run(FileSystem::mkfs(volume, kServer, o)) == Errno::ok);
    remount();
  }
  void remount() {
    fs.reset();
    MountResult m = mount();
    BOOST_REQUIRE_MESSAGE(m.err == Errno::ok, m.detail);
    fs = std::move(m.fs);
  }

  Ino create(Ino dir, const std::string& name, FileType type = FileType::regular) {
    Result<Ino> r = run(fs->create(dir, name, type, Times{1, 2, 3}));
    BOOST_REQUIRE_MESSAGE(r.ok(), name << ": " << to_string(r.err));
    return r.value;
  }
  Errno unlink(Ino dir, const std::string& name) { return run(fs->unlink(dir, name)).err; }
};

std::vector<std::string> names_of(const std::vector<DirEntry>& entries) {
  std::vector<std::string> out;
  for (const DirEntry& e : entries) out.push_back(e.name);
  return out;
}

void require_clean(const Volume& v) {
  const FsckReport r = fsck(v);
  BOOST_TEST(r.clean(), r.summary());
}

bool mentions(const FsckReport& r, const std::string& what) {
  return std::any_of(r.problems.begin(), r.problems.end(),
                     [&what](const std::string& p) { return p.find(what) != std::string::npos; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(xfs_format)

BOOST_AUTO_TEST_CASE(errno_names) {
  BOOST_TEST(std::string(to_string(Errno::noent)) == "ENOENT");
  BOOST_TEST(std::string(to_string(Errno::nametoolong)) == "ENAMETOOLONG");
  BOOST_TEST(std::string(to_string(Errno::stale)) == "ESTALE");
}

BOOST_AUTO_TEST_CASE(unwritten_blocks_are_never_sealed) {
  Bytes zero(kBlockSize, 0);
  BOOST_TEST(!sealed(zero));
  Bytes b(kBlockSize, 7);
  seal(b);
  BOOST_TEST(sealed(b));
  b[100] ^= 1;
  BOOST_TEST(!sealed(b));
}

BOOST_AUTO_TEST_CASE(names_are_checked) {
  BOOST_TEST(check_name("a") == Errno::ok);
  BOOST_TEST(check_name("") == Errno::inval);
  BOOST_TEST(check_name(".") == Errno::inval);
  BOOST_TEST(check_name("..") == Errno::inval);
  BOOST_TEST(check_name("a/b") == Errno::inval);
  BOOST_TEST(check_name(std::string(255, 'x')) == Errno::ok);
  BOOST_TEST(check_name(std::string(256, 'x')) == Errno::nametoolong);
}

BOOST_AUTO_TEST_CASE(hostile_log_records_are_refused_not_trusted) {
  MkfsOptions o;
  std::string why;
  const Geometry g = *make_geometry(4096, o, &why);
  LoggedTransaction t;
  t.seq = 1;
  Bytes img(kBlockSize, 1);
  seal(img);
  t.images[g.log_start] = img;  // an image aimed at the log itself
  const Bytes rec = encode_record(g.uuid, t);
  LogScanner s(Anchor{g, 1, 0, 1});
  while (std::optional<Run> r = s.want()) {
    const std::uint64_t off = (r->start - g.log_start) * kBlockSize;
    if (off >= rec.size()) {
      s.supply(Bytes(r->count * kBlockSize, 0));
    } else {
      s.supply(std::span<const std::uint8_t>(rec).subspan(off, r->count * kBlockSize));
    }
  }
  BOOST_TEST(s.corrupt());
  BOOST_TEST(s.transactions().empty());
}

BOOST_AUTO_TEST_CASE(mkfs_and_mount_round_trip) {
  Rig rig;
  rig.format();
  const Counters c = rig.fs->counters();
  BOOST_TEST(c.inodes_used == 1u);
  BOOST_TEST(c.directories == 1u);
  BOOST_TEST(c.free_blocks == c.data_blocks);
  const Inode* root = rig.fs->inode(kRootIno);
  BOOST_REQUIRE(root != nullptr);
  BOOST_TEST(root->type == FileType::directory);
  BOOST_TEST(root->nlink == 1u);
  BOOST_TEST(rig.fs->readdir(kRootIno).value.empty());
  require_clean(rig.volume);
  rig.remount();
  BOOST_TEST(rig.fs->counters().free_blocks == c.free_blocks);
}

BOOST_AUTO_TEST_CASE(mount_of_garbage_is_an_error_not_a_crash) {
  Rig rig;
  MountResult m = rig.mount();
  BOOST_TEST(m.err == Errno::io);
  BOOST_TEST(!m.detail.empty());
  BOOST_TEST(!fsck(rig.volume).clean());
}

BOOST_AUTO_TEST_CASE(mkfs_refuses_impossible_layouts) {
  Rig rig(200);
  MkfsOptions o;
  BOOST_TEST(rig.run(FileSystem::mkfs(rig.volume, kServer, o)) == Errno::inval);
  o.log_blocks = 8;
  Rig big;
  BOOST_TEST(big.run(FileSystem::mkfs(big.volume, kServer, o)) == Errno::inval);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(xfs_namespace)

BOOST_AUTO_TEST_CASE(create_lookup_unlink_rename_readdir) {
  Rig rig;
  rig.format();
  FileSystem& fs = *rig.fs;
  const Ino a = rig.create(kRootIno, "a");
  const Ino d = rig.create(kRootIno, "dir", FileType::directory);
  const Ino b = rig.create(d, "b");
  BOOST_TEST(fs.lookup(kRootIno, "a").value == a);
  BOOST_TEST(fs.lookup(d, "b").value == b);
  BOOST_TEST(fs.lookup(kRootIno, "zz").err == Errno::noent);
  BOOST_TEST(fs.lookup(a, "x").err == Errno::notdir);
  BOOST_TEST(fs.lookup(999, "x").err == Errno::stale);
  BOOST_TEST(fs.inode(d)->parent == kRootIno);
  BOOST_TEST((names_of(fs.readdir(kRootIno).value) == std::vector<std::string>{"a", "dir"}));

  BOOST_TEST(rig.run(fs.create(kRootIno, "a", FileType::regular, Times{})).err == Errno::exist);
  BOOST_TEST(rig.run(fs.create(a, "x", FileType::regular, Times{})).err == Errno::notdir);
  BOOST_TEST(rig.run(fs.create(kRootIno, std::string(300, 'n'), FileType::regular, Times{})).err ==
             Errno::nametoolong);
  BOOST_TEST(rig.run(fs.create(kRootIno, "x/y", FileType::regular, Times{})).err == Errno::inval);
  BOOST_TEST(rig.unlink(kRootIno, "dir") == Errno::notempty);
  BOOST_TEST(rig.unlink(kRootIno, "nope") == Errno::noent);

  // rename within and across directories, replacing a regular file.
  BOOST_TEST(rig.run(fs.rename(kRootIno, "a", kRootIno, "a2")).ok());
  BOOST_TEST(fs.lookup(kRootIno, "a").err == Errno::noent);
  BOOST_TEST(fs.lookup(kRootIno, "a2").value == a);
  Result<Ino> r = rig.run(fs.rename(kRootIno, "a2", d, "b"));
  BOOST_TEST(r.ok());
  BOOST_TEST(r.value == b);  // replaced
  BOOST_TEST(fs.lookup(d, "b").value == a);
  BOOST_TEST(fs.inode(b)->nlink == 0u);
  BOOST_TEST(fs.orphans() == std::vector<Ino>{b});
  // Directories: not into their own subtree, not over a file, not onto a directory.
  const Ino sub = rig.create(d, "sub", FileType::directory);
  BOOST_TEST(rig.run(fs.rename(kRootIno, "dir", sub, "loop")).err == Errno::inval);
  BOOST_TEST(rig.run(fs.rename(kRootIno, "dir", d, "b")).err == Errno::inval);
  BOOST_TEST(rig.run(fs.rename(d, "sub", d, "b")).err == Errno::notdir);
  BOOST_TEST(rig.run(fs.rename(d, "b", d, "sub")).err == Errno::isdir);
  BOOST_TEST(rig.run(fs.rename(d, "sub", kRootIno, "top")).ok());
  BOOST_TEST(fs.inode(sub)->parent == kRootIno);
  require_clean(rig.volume);

  // Everything is in the log; a new mount replays it and keeps the orphan.
  rig.fs.reset();
  MountResult m = rig.mount();
  BOOST_REQUIRE_MESSAGE(m.err == Errno::ok, m.detail);
  BOOST_TEST(m.replayed > 0u);
  rig.fs = std::move(m.fs);
  BOOST_TEST(rig.fs->lookup(d, "b").value == a);
  BOOST_TEST(rig.fs->lookup(kRootIno, "top").value == sub);
  BOOST_TEST(rig.fs->orphans() == std::vector<Ino>{b});
  BOOST_TEST(rig.fs->inode(b) != nullptr);
  // release frees the orphan; its number is reused with a new generation.
  const std::uint32_t gen = rig.fs->inode(b)->generation;
  BOOST_TEST(rig.run(rig.fs->release(a)) == Errno::inval);  // still named
  BOOST_TEST(rig.run(rig.fs->release(b)) == Errno::ok);
  BOOST_TEST(rig.fs->inode(b) == nullptr);
  BOOST_TEST(rig.fs->orphans().empty());
  const Ino again = rig.create(kRootIno, "again");
  BOOST_TEST(again == b);
  BOOST_TEST(rig.fs->inode(again)->generation == gen + 1);
  // An unlinked directory is an orphan too, and takes no new names.
  BOOST_TEST(rig.unlink(kRootIno, "top") == Errno::ok);
  BOOST_TEST(rig.run(rig.fs->create(sub, "x", FileType::regular, Times{})).err == Errno::noent);
  BOOST_TEST(rig.run(rig.fs->release(sub)) == Errno::ok);
  BOOST_TEST(rig.fs->counters().directories == 2u);
  require_clean(rig.volume);
}

namespace {
Task<void> create_many(FileSystem* fs, std::string prefix, int n, int* ok) {
  for (int i = 0; i < n; ++i) {
    auto t = fs->create(kRootIno, prefix + std::to_string(i), FileType::regular, Times{});
    const Result<Ino> r = co_await t;
    if (r.ok()) ++*ok;
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_callers_are_serialised) {
  Rig rig;
  MkfsOptions o;
  o.log_blocks = 128;
  rig.format(o);
  int ok = 0;
  for (int k = 0; k < 3; ++k) rig.sched.spawn(kServer, create_many(rig.fs.get(), "t" + std::to_string(k) + "-", 60, &ok), "c");
  rig.sched.run_until([&ok] { return ok == 180; }, kTimeNever);
  BOOST_TEST(ok == 180);
  BOOST_TEST(rig.fs->readdir(kRootIno).value.size() == 180u);
  require_clean(rig.volume);
  rig.remount();
  BOOST_TEST(rig.fs->readdir(kRootIno).value.size() == 180u);
}

BOOST_AUTO_TEST_CASE(setattr_and_times) {
  Rig rig;
  rig.format();
  const Ino f = rig.create(kRootIno, "f");
  SetAttr s;
  s.size = 12345;
  s.mtime = 77;
  s.mode = 0600;
  s.uid = 42;
  BOOST_TEST(rig.run(rig.fs->setattr(f, s)) == Errno::ok);
  SetAttr dir_size;
  dir_size.size = 1;
  BOOST_TEST(rig.run(rig.fs->setattr(kRootIno, dir_size)) == Errno::isdir);
  rig.remount();
  const Inode* i = rig.fs->inode(f);
  BOOST_TEST(i->size == 12345u);
  BOOST_TEST(i->mtime == 77);
  BOOST_TEST(i->atime == 1);
  BOOST_TEST(i->ctime == 3);
  BOOST_TEST(i->mode == 0600u);
  BOOST_TEST(i->uid == 42u);
}

BOOST_AUTO_TEST_CASE(hundred_thousand_entries_in_one_directory) {
  Rig rig(32768);
  MkfsOptions o;
  o.inodes = 100'100;
  rig.format(o);
  constexpr int kNames = 100'000;
  std::vector<int> order(kNames);
  for (int i = 0; i < kNames; ++i) order[i] = i;
  Rng rng(11);
  for (int i = kNames - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  auto name = [](int i) { return "file-" + std::to_string(i * 7919 % 1'000'003) + "-" + std::to_string(i); };
  std::vector<Ino> inos(kNames);
  for (int i : order) inos[i] = rig.create(kRootIno, name(i));
  for (int i = 0; i < kNames; ++i) BOOST_REQUIRE(rig.fs->lookup(kRootIno, name(i)).value == inos[i]);
  const std::vector<DirEntry> all = rig.fs->readdir(kRootIno).value;
  BOOST_TEST(all.size() == std::size_t{kNames});
  BOOST_TEST(std::is_sorted(all.begin(), all.end(),
                            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; }));
  // Leaves are packed: far fewer blocks than names.
  const std::uint64_t leaves = rig.fs->inode(kRootIno)->size / kBlockSize;
  BOOST_TEST(leaves < std::uint64_t{kNames / 50});
  // Remove every other name (leaves merge), then look everything up again after a mount.
  for (int i = 0; i < kNames; i += 2) BOOST_REQUIRE(rig.unlink(kRootIno, name(i)) == Errno::ok);
  rig.remount();
  for (int i = 0; i < kNames; ++i)
    BOOST_REQUIRE(rig.fs->lookup(kRootIno, name(i)).err == (i % 2 == 0 ? Errno::noent : Errno::ok));
  BOOST_TEST(rig.fs->counters().orphans == std::uint64_t{kNames / 2});
  require_clean(rig.volume);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(xfs_space)

BOOST_AUTO_TEST_CASE(a_file_grown_in_pieces_is_one_extent) {
  Rig rig;
  rig.format();
  const Ino f = rig.create(kRootIno, "grow");
  const Ino g = rig.create(kRootIno, "other");
  for (std::uint64_t fb = 0; fb < 64; fb += 8) {
    Result<std::vector<Extent>> r = rig.run(rig.fs->allocate(f, fb, 8));
    BOOST_REQUIRE(r.ok());
    BOOST_REQUIRE(r.value.size() == 1u);
    BOOST_TEST(r.value[0].file_block == fb);
    BOOST_TEST(r.value[0].count == 8u);
  }
  BOOST_TEST(rig.fs->extent_map(f).size() == 1u);
  BOOST_TEST(rig.fs->extent_map(f)[0].count == 64u);
  // Another file's blocks land elsewhere; the first file still extends in place after it
  // is given room (best fit keeps small requests out of the large free run).
  BOOST_REQUIRE(rig.run(rig.fs->allocate(g, 0, 4)).ok());
  // Re-allocating an allocated range changes nothing and reports the same mapping.
  Result<std::vector<Extent>> same = rig.run(rig.fs->allocate(f, 10, 20));
  BOOST_REQUIRE(same.ok());
  BOOST_TEST(same.value.size() == 1u);
  BOOST_TEST(same.value[0].volume_block == rig.fs->extent_map(f)[0].volume_block + 10);
  // A hole in the middle is filled contiguously with its neighbours when they allow it.
  const Ino h = rig.create(kRootIno, "holes");
  BOOST_REQUIRE(rig.run(rig.fs->allocate(h, 0, 4)).ok());
  BOOST_REQUIRE(rig.run(rig.fs->allocate(h, 8, 4)).ok());
  BOOST_REQUIRE(rig.run(rig.fs->allocate(h, 4, 4)).ok());
  BOOST_TEST(rig.fs->extent_map(h).size() == 1u);
  require_clean(rig.volume);
  rig.remount();
  BOOST_TEST(rig.fs->extent_map(f).size() == 1u);
  BOOST_TEST(rig.fs->extent_map(h).size() == 1u);
}

BOOST_AUTO_TEST_CASE(free_space_policy) {
  FreeSpace f;
  f.give(100, 10);
  f.give(200, 50);
  f.give(300, 5);
  f.give(110, 2);  // merges with 100..109
  BOOST_TEST(f.runs() == 3u);
  BOOST_TEST(f.total() == 67u);
  const FreeSpace before = f;
  // From the goal onwards when the goal is free.
  BOOST_TEST((*f.allocate(105, 3) == std::vector<Run>{{105, 3}}));
  // Best fit: the smallest run holding the whole request.
  BOOST_TEST((*f.allocate(std::nullopt, 5) == std::vector<Run>{{100, 5}}));  // lowest of equals
  // Goal taken: best fit for the rest.
  BOOST_TEST((*f.allocate(106, 4) == std::vector<Run>{{108, 4}}));
  // Nothing holds 52: largest first, then best fit for what is left.
  BOOST_TEST((*f.allocate(std::nullopt, 52) == std::vector<Run>{{200, 50}, {300, 2}}));
  BOOST_TEST(!f.allocate(std::nullopt, 4).has_value());  // 3 left
  BOOST_TEST(f.total() == 3u);
  // Giving everything back restores the same map (it is canonical).
  for (const Run& r : std::vector<Run>{{105, 3}, {100, 5}, {108, 4}, {200, 50}, {300, 2}}) f.give(r.start, r.count);
  BOOST_TEST((f.by_start() == before.by_start()));
  // max_runs stops early on fragmented space.
  FreeSpace g;
  for (std::uint64_t b = 0; b < 20; b += 2) g.give(b, 1);
  BOOST_TEST(g.allocate(std::nullopt, 8, 3)->size() == 3u);
  BOOST_TEST(g.total() == 7u);
}

BOOST_AUTO_TEST_CASE(fragmented_space_gives_many_extents_and_extent_blocks) {
  Rig rig(4096);
  MkfsOptions o;
  o.inodes = 64;
  o.log_blocks = 128;
  rig.format(o);
  const Ino a = rig.create(kRootIno, "a");
  const Ino b = rig.create(kRootIno, "b");
  // a and b interleave block by block; the rest of the volume goes to "rest".
  for (std::uint64_t i = 0; i < 200; ++i) {
    BOOST_REQUIRE(rig.run(rig.fs->allocate(a, i, 1)).ok());
    BOOST_REQUIRE(rig.run(rig.fs->allocate(b, i, 1)).ok());
  }
  const Ino rest = rig.create(kRootIno, "rest");
  BOOST_REQUIRE(rig.run(rig.fs->allocate(rest, 0, rig.fs->counters().free_blocks)).ok());
  BOOST_TEST(rig.run(rig.fs->truncate(b, 0)) == Errno::ok);  // one-block holes (and b's extent blocks)
  const std::uint64_t holes = rig.fs->counters().free_blocks;
  BOOST_TEST(holes >= 200u);
  const Ino c = rig.create(kRootIno, "c");
  Result<std::vector<Extent>> r = rig.run(rig.fs->allocate(c, 0, 150));
  BOOST_REQUIRE(r.ok());
  const std::size_t extents = rig.fs->extent_map(c).size();
  BOOST_TEST(extents > std::size_t{kInlineExtents + 100});  // most in extent blocks
  BOOST_TEST(r.value.size() == extents);
  require_clean(rig.volume);
  rig.remount();
  BOOST_TEST(rig.fs->extent_map(c).size() == extents);
  BOOST_TEST(rig.run(rig.fs->truncate(c, 20 * kBlockSize)) == Errno::ok);
  const std::span<const Extent> left = rig.fs->extent_map(c);
  BOOST_TEST(mapped_blocks(ExtentList(left.begin(), left.end())) == 20u);
  require_clean(rig.volume);
  BOOST_TEST(rig.unlink(kRootIno, "c") == Errno::ok);
  BOOST_TEST(rig.run(rig.fs->release(c)) == Errno::ok);
  BOOST_TEST(rig.fs->counters().free_blocks == holes);
  require_clean(rig.volume);
}

BOOST_AUTO_TEST_CASE(truncate_frees_blocks) {
  Rig rig;
  rig.format();
  const Ino f = rig.create(kRootIno, "f");
  const std::uint64_t free0 = rig.fs->counters().free_blocks;
  BOOST_REQUIRE(rig.run(rig.fs->allocate(f, 0, 100)).ok());
  BOOST_TEST(rig.fs->counters().free_blocks == free0 - 100);
  BOOST_TEST(rig.run(rig.fs->truncate(f, 10 * kBlockSize + 1)) == Errno::ok);  // keeps 11 blocks
  BOOST_TEST(rig.fs->counters().free_blocks == free0 - 11);
  BOOST_TEST(rig.fs->inode(f)->size == 10u * kBlockSize + 1);
  BOOST_TEST(rig.fs->extent_map(f).back().file_block + rig.fs->extent_map(f).back().count == 11u);
  require_clean(rig.volume);
  BOOST_TEST(rig.run(rig.fs->truncate(f, 0)) == Errno::ok);
  BOOST_TEST(rig.fs->extent_map(f).empty());
  BOOST_TEST(rig.fs->counters().free_blocks == free0);
  BOOST_TEST(rig.run(rig.fs->truncate(kRootIno, 0)) == Errno::isdir);
  rig.remount();
  BOOST_TEST(rig.fs->counters().free_blocks == free0);
  require_clean(rig.volume);
}

// A block handed to a file may hold an earlier file's bytes; another node can read it
// through its extent map before the writer's data lands (direct I/O shares IO read), so
// allocation zeroes it first, durably with the allocation (found by the fs property test).
BOOST_AUTO_TEST_CASE(allocated_blocks_read_as_zeros_even_where_a_freed_file_was) {
  Rig rig;
  rig.format();
  const Ino f = rig.create(kRootIno, "f");
  BOOST_REQUIRE(rig.run(rig.fs->allocate(f, 0, 40)).ok());
  std::set<std::uint64_t> old_blocks;
  const Bytes junk(kBlockSize, 0xAB);
  for (const Extent& e : rig.fs->extent_map(f))
    for (std::uint64_t b = e.volume_block; b < e.volume_block + e.count; ++b) {
      rig.poke(b, junk);
      old_blocks.insert(b);
    }
  BOOST_TEST(rig.run(rig.fs->truncate(f, 0)) == Errno::ok);
  const Ino g = rig.create(kRootIno, "g");
  BOOST_REQUIRE(rig.run(rig.fs->allocate(g, 0, 40)).ok());
  std::size_t reused = 0;
  for (const Extent& e : rig.fs->extent_map(g))
    for (std::uint64_t b = e.volume_block; b < e.volume_block + e.count; ++b) {
      reused += old_blocks.count(b);
      Bytes now(kBlockSize, 1);
      rig.disks[0]->durable(b, now);
      BOOST_TEST_CONTEXT("volume block " << b) { BOOST_TEST((now == Bytes(kBlockSize, 0))); }
    }
  BOOST_TEST_REQUIRE(reused > 0u);  // the test means something only if space was reused
  require_clean(rig.volume);
}

BOOST_AUTO_TEST_CASE(large_operations_span_several_transactions) {
  // 40 bitmap blocks' worth of volume: one allocate and one truncate of most of it.
  const std::uint64_t blocks = 40 * kBitsPerBitmapBlock;
  Rig rig(blocks);
  rig.format();
  const Ino f = rig.create(kRootIno, "big");
  const Ino frag = rig.create(kRootIno, "frag");
  const std::uint64_t free0 = rig.fs->counters().free_blocks;
  const std::uint64_t tx0 = rig.fs->counters().transactions;
  Result<std::vector<Extent>> r = rig.run(rig.fs->allocate(f, 0, free0 - 1000));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(rig.fs->counters().transactions - tx0 > 1u);
  BOOST_TEST(rig.fs->extent_map(f).size() == 1u);
  BOOST_REQUIRE(rig.run(rig.fs->allocate(frag, 0, 10)).ok());
  rig.remount();
  BOOST_TEST(rig.fs->extent_map(f).size() == 1u);
  BOOST_TEST(rig.run(rig.fs->truncate(f, 0)) == Errno::ok);
  BOOST_TEST(rig.fs->counters().free_blocks == free0 - 10);
  require_clean(rig.volume);
  rig.remount();
  BOOST_TEST(rig.fs->counters().free_blocks == free0 - 10);
}

BOOST_AUTO_TEST_CASE(nospc_changes_nothing) {
  Rig rig(600);
  MkfsOptions o;
  o.inodes = 16;
  o.log_blocks = 128;
  rig.format(o);
  const Ino f = rig.create(kRootIno, "f");
  const std::uint64_t free0 = rig.fs->counters().free_blocks;
  BOOST_TEST(rig.run(rig.fs->allocate(f, 0, free0 + 1)).err == Errno::nospc);
  BOOST_TEST(rig.fs->counters().free_blocks == free0);
  BOOST_TEST(rig.fs->extent_map(f).empty());
  BOOST_REQUIRE(rig.run(rig.fs->allocate(f, 0, free0)).ok());
  BOOST_TEST(rig.fs->counters().free_blocks == 0u);
  // The root's one leaf has room, so names still fit; a new directory's first entry
  // needs a leaf and there is no block for it.
  const Ino d = rig.create(kRootIno, "d", FileType::directory);
  BOOST_TEST(rig.run(rig.fs->create(d, "x", FileType::regular, Times{})).err == Errno::nospc);
  BOOST_TEST(rig.fs->readdir(d).value.empty());
  // Inodes run out too (16 slots: 0 unused, root, f, d, 12 more).
  for (int i = 0; i < 12; ++i) rig.create(kRootIno, "n" + std::to_string(i));
  BOOST_TEST(rig.run(rig.fs->create(kRootIno, "last", FileType::regular, Times{})).err == Errno::nospc);
  require_clean(rig.volume);
  BOOST_TEST(rig.run(rig.fs->truncate(f, 0)) == Errno::ok);
  BOOST_TEST(rig.run(rig.fs->create(d, "x", FileType::regular, Times{})).err == Errno::nospc);  // no inode
  BOOST_TEST(rig.unlink(kRootIno, "n0") == Errno::ok);
  BOOST_TEST(rig.run(rig.fs->release(rig.fs->orphans().front())) == Errno::ok);
  BOOST_TEST(rig.run(rig.fs->create(d, "x", FileType::regular, Times{})).ok());
  require_clean(rig.volume);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(xfs_journal)

BOOST_AUTO_TEST_CASE(the_log_wraps_and_checkpoints) {
  Rig rig;
  MkfsOptions o;
  o.log_blocks = 128;
  rig.format(o);
  for (int i = 0; i < 300; ++i) rig.create(kRootIno, "n" + std::to_string(i));
  BOOST_TEST(rig.fs->counters().checkpoints > 3u);
  require_clean(rig.volume);
  rig.fs.reset();
  MountResult m = rig.mount();
  BOOST_REQUIRE_MESSAGE(m.err == Errno::ok, m.detail);
  BOOST_TEST(m.fs->readdir(kRootIno).value.size() == 300u);
  BOOST_TEST(m.replayed > 0u);
}

BOOST_AUTO_TEST_CASE(io_errors_surface_as_eio_and_shut_down) {
  Rig rig;
  rig.format();
  rig.set_failing(true);
  BOOST_TEST(rig.run(rig.fs->create(kRootIno, "x", FileType::regular, Times{})).err == Errno::io);
  BOOST_TEST(rig.fs->shut_down());
  BOOST_TEST(rig.run(rig.fs->sync()) == Errno::io);
  MountResult m = rig.mount();
  BOOST_TEST(m.err == Errno::io);
  BOOST_TEST(m.detail.find("eio") != std::string::npos, m.detail);
  rig.set_failing(false);
  rig.remount();
  require_clean(rig.volume);
}

BOOST_AUTO_TEST_CASE(a_corrupt_metadata_block_fails_the_mount) {
  Rig rig;
  rig.format();
  rig.create(kRootIno, "f");
  BOOST_REQUIRE(rig.run(rig.fs->sync()) == Errno::ok);
  Bytes junk(kBlockSize, 0xab);
  rig.poke(rig.fs->geometry().inode_table_start, junk);
  rig.fs.reset();
  MountResult m = rig.mount();
  BOOST_TEST(m.err == Errno::io);
  BOOST_TEST(m.detail.find("inode table block 0") != std::string::npos, m.detail);
  BOOST_TEST(mentions(fsck(rig.volume), "inode table block 0"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(xfs_fsck)

namespace {
// A synced file system with two files of 4 blocks each and a directory entry.
struct Corruptible {
  Rig rig;
  Ino a = 0, b = 0;
  Geometry g;
  Corruptible() {
    rig.format();
    a = rig.create(kRootIno, "a");
    b = rig.create(kRootIno, "b");
    BOOST_REQUIRE(rig.run(rig.fs->allocate(a, 0, 4)).ok());
    BOOST_REQUIRE(rig.run(rig.fs->allocate(b, 0, 4)).ok());
    BOOST_REQUIRE(rig.run(rig.fs->sync()) == Errno::ok);
    g = rig.fs->geometry();
    rig.fs.reset();
    require_clean(rig.volume);
  }
  Bytes read(std::uint64_t block) {
    Bytes out(kBlockSize);
    rig.volume.inspect(block, out);
    return out;
  }
  // Rewrites inode `ino`'s slot after `change`, resealing the block.
  template <class F>
  void edit_inode(Ino ino, F change) {
    Bytes block = read(g.inode_block(ino));
    InodeSlot s = *decode_inode_slot(block, ino, nullptr);
    change(s);
    encode_inode_slot(s, block, ino);
    seal(block);
    rig.poke(g.inode_block(ino), block);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(finds_a_block_in_two_files) {
  Corruptible c;
  const InodeSlot sa = *decode_inode_slot(c.read(c.g.inode_block(c.a)), c.a, nullptr);
  c.edit_inode(c.b, [&sa](InodeSlot& s) { s.inode.extents = {Extent{0, sa.inode.extents[0].volume_block + 2, 4}}; });
  const FsckReport r = fsck(c.rig.volume);
  BOOST_TEST(mentions(r, "doubly used"), r.summary());
  MountResult m = c.rig.mount();
  BOOST_TEST(m.err == Errno::io);
}

BOOST_AUTO_TEST_CASE(finds_a_leaked_block) {
  Corruptible c;
  c.edit_inode(c.b, [](InodeSlot& s) { s.inode.extents.clear(); });
  const FsckReport r = fsck(c.rig.volume);
  BOOST_TEST(mentions(r, "leaked"), r.summary());
  // A leak alone does not stop a mount.
  BOOST_TEST(c.rig.mount().err == Errno::ok);
}

BOOST_AUTO_TEST_CASE(finds_a_dangling_entry_and_a_wrong_nlink) {
  Corruptible c;
  // Free b's slot while "b" still names it (keeping its blocks: also a leak).
  c.edit_inode(c.b, [](InodeSlot& s) { s.used = false; });
  FsckReport r = fsck(c.rig.volume);
  BOOST_TEST(mentions(r, "entry \"b\" names inode"), r.summary());
  BOOST_TEST(mentions(r, "superblock counts"), r.summary());
  BOOST_TEST(c.rig.mount().err == Errno::io);
  Corruptible d;
  d.edit_inode(d.a, [](InodeSlot& s) { s.inode.nlink = 2; });
  r = fsck(d.rig.volume);
  BOOST_TEST(mentions(r, "has nlink 2 but 1 names"), r.summary());
}

BOOST_AUTO_TEST_CASE(finds_a_block_both_used_and_free_and_extents_off_the_volume) {
  Corruptible c;
  const InodeSlot sa = *decode_inode_slot(c.read(c.g.inode_block(c.a)), c.a, nullptr);
  const std::uint64_t vb = sa.inode.extents[0].volume_block;
  Bytes bm = c.read(c.g.bitmap_block(vb));
  set_bitmap_bit(bm, vb % kBitsPerBitmapBlock, false);
  seal(bm);
  c.rig.poke(c.g.bitmap_block(vb), bm);
  FsckReport r = fsck(c.rig.volume);
  BOOST_TEST(mentions(r, "used and free"), r.summary());
  Corruptible d;
  d.edit_inode(d.b, [&d](InodeSlot& s) { s.inode.extents = {Extent{0, d.g.blocks - 2, 4}}; });
  r = fsck(d.rig.volume);
  BOOST_TEST(mentions(r, "outside the data region"), r.summary());
  BOOST_TEST(d.rig.mount().err == Errno::io);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------- crash property

namespace {

// The state a crash must preserve: every inode (all fields, extents included), every
// directory's entries, the orphan list and the free-block count.
struct Snapshot {
  std::vector<Inode> inodes;
  std::map<Ino, std::vector<DirEntry>> dirs;
  std::vector<Ino> orphans;
  std::uint64_t free_blocks = 0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const FileSystem& fs) {
  Snapshot s;
  for (Ino i = 1; i <= fs.counters().inodes; ++i) {
    const Inode* in = fs.inode(i);
    if (in == nullptr) continue;
    s.inodes.push_back(*in);
    if (in->type == FileType::directory) s.dirs[i] = fs.readdir(i).value;
  }
  s.orphans = fs.orphans();
  s.free_blocks = fs.counters().free_blocks;
  return s;
}

using OpSpec = std::array<std::uint16_t, 4>;

// Every entry of every directory, in a fixed order.
std::vector<std::pair<Ino, DirEntry>> all_entries(const FileSystem& fs) {
  std::vector<std::pair<Ino, DirEntry>> out;
  for (Ino i = 1; i <= fs.counters().inodes; ++i) {
    const Inode* in = fs.inode(i);
    if (in == nullptr || in->type != FileType::directory) continue;
    for (const DirEntry& e : fs.readdir(i).value) out.emplace_back(i, e);
  }
  return out;
}

std::vector<Ino> live_dirs(const FileSystem& fs) {
  std::vector<Ino> out;
  for (Ino i = 1; i <= fs.counters().inodes; ++i)
    if (const Inode* in = fs.inode(i); in != nullptr && in->type == FileType::directory && in->nlink > 0)
      out.push_back(i);
  return out;
}

// File data as a client writes it (never journaled): each block it wrote and flushed,
// with the (inode, file block) it was written for. A recovered file that still maps
// that file block there must still hold the data: replay must never write an old
// metadata image over a block reused for data (revokes, journal.h).
struct ClientData {
  Volume* volume = nullptr;
  std::map<std::uint64_t, std::pair<Ino, std::uint64_t>> written;  // volume block -> owner

  static Bytes pattern(Ino ino, std::uint64_t fb) {
    Bytes b(kBlockSize, 0x5a);
    put_u64(b.data(), ino);
    put_u64(b.data() + 8, fb);
    return b;
  }
  // Forgets blocks whose owner no longer maps them there.
  void prune(const FileSystem& fs) {
    for (auto it = written.begin(); it != written.end();) {
      const auto& [ino, fb] = it->second;
      std::span<const Extent> map = fs.extent_map(ino);
      const std::optional<std::uint64_t> vb = volume_block_of(ExtentList(map.begin(), map.end()), fb);
      if (vb == it->first) ++it;
      else it = written.erase(it);
    }
  }
};

Task<void> write_data(ClientData* data, Ino ino, std::vector<Extent> extents) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> done;
  for (const Extent& e : extents) {
    for (std::uint64_t k = 0; k < e.count; ++k) {
      const Bytes b = ClientData::pattern(ino, e.file_block + k);
      auto w = data->volume->write(kServer, e.volume_block + k, b);
      if (co_await w != IoStatus::ok) co_return;
      done.emplace_back(e.volume_block + k, e.file_block + k);
    }
  }
  auto f = data->volume->flush(kServer);
  if (co_await f != IoStatus::ok) co_return;
  for (const auto& [vb, fb] : done) data->written[vb] = {ino, fb};
}

// Runs one operation chosen by `op` against the current state (choices depend only on
// the state, so a run with the same operations from the same start makes the same ones).
Task<void> apply(FileSystem& fs, ClientData* data, OpSpec op) {
  const std::vector<Ino> dirs = live_dirs(fs);
  const std::vector<std::pair<Ino, DirEntry>> entries = all_entries(fs);
  const Ino dir = dirs[op[1] % dirs.size()];
  std::vector<Ino> files;
  for (const auto& [d, e] : entries)
    if (fs.inode(e.ino)->type == FileType::regular) files.push_back(e.ino);
  switch (op[0] % 9) {
    case 0: case 1: {
      auto t = fs.create(dir, "f" + std::to_string(op[2] % 40), FileType::regular, Times{op[3], op[3], op[3]});
      (void)co_await t;
      break;
    }
    case 2: {
      auto t = fs.create(dir, "d" + std::to_string(op[2] % 10), FileType::directory, Times{});
      (void)co_await t;
      break;
    }
    case 3: {
      if (entries.empty()) break;
      const auto& [d, e] = entries[op[2] % entries.size()];
      auto t = fs.unlink(d, e.name);
      (void)co_await t;
      break;
    }
    case 4: {
      if (entries.empty()) break;
      const auto& [d, e] = entries[op[2] % entries.size()];
      auto t = fs.rename(d, e.name, dir, "r" + std::to_string(op[3] % 20));
      (void)co_await t;
      break;
    }
    case 5: {
      if (files.empty()) break;
      const Ino ino = files[op[2] % files.size()];
      auto t = fs.allocate(ino, op[3] % 48, 1 + op[3] % 13);
      Result<std::vector<Extent>> r = co_await t;
      if (r.ok()) {
        auto w = write_data(data, ino, std::move(r.value));
        co_await w;
      }
      break;
    }
    case 6: {
      if (files.empty()) break;
      auto t = fs.truncate(files[op[2] % files.size()], std::uint64_t{op[3]} * 37);
      (void)co_await t;
      break;
    }
    case 7: {
      const std::vector<Ino> orphans = fs.orphans();
      if (orphans.empty()) {
        SetAttr s;
        s.mtime = op[3];
        if (!files.empty()) {
          auto t = fs.setattr(files[op[2] % files.size()], s);
          (void)co_await t;
        }
        break;
      }
      auto t = fs.release(orphans[op[2] % orphans.size()]);
      (void)co_await t;
      break;
    }
    case 8: {
      if (op[2] % 4 != 0) break;
      auto t = fs.sync();
      (void)co_await t;
      break;
    }
  }
}

Task<void> workload(FileSystem* fs, ClientData* data, std::vector<OpSpec> ops, std::vector<Snapshot>* snaps,
                    std::size_t* done) {
  for (const OpSpec& op : ops) {
    auto t = apply(*fs, data, op);
    co_await t;
    data->prune(*fs);
    ++*done;
    if (snaps != nullptr) snaps->push_back(snapshot(*fs));
  }
}

}  // namespace

RC_BOOST_PROP(crash_at_any_point_recovers_every_returned_operation, ()) {
  // gen::inRange narrows its range at small sizes; resize keeps these draws uniform.
  const std::size_t length = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(1, 61));
  const auto field = rc::gen::resize(100, rc::gen::inRange<std::uint16_t>(0, 1000));
  const auto op = rc::gen::apply(
      [](std::uint16_t k, std::uint16_t a, std::uint16_t b, std::uint16_t c) { return OpSpec{k, a, b, c}; },
      rc::gen::resize(100, rc::gen::inRange<std::uint16_t>(0, 9)), field, field, field);
  const std::vector<OpSpec> ops = *rc::gen::container<std::vector<OpSpec>>(length, op);
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  MkfsOptions o;
  o.inodes = 64;
  o.log_blocks = 128;  // small, so checkpoints and wrap-around happen

  // The reference: the same operations without a crash, a snapshot after each.
  std::vector<Snapshot> snaps;
  std::uint64_t total_steps = 0;
  {
    Rig ref({512, 512});
    ref.format(o);
    snaps.push_back(snapshot(*ref.fs));
    std::size_t done = 0;
    const std::uint64_t before = ref.sched.steps();
    ClientData data{&ref.volume, {}};
    ref.sched.spawn(kServer, workload(ref.fs.get(), &data, ops, &snaps, &done), "workload");
    ref.sched.run_until([&done, &ops] { return done == ops.size(); }, kTimeNever);
    RC_ASSERT(done == ops.size());
    total_steps = ref.sched.steps() - before;
  }

  Rig rig({512, 512});
  rig.format(o);
  std::size_t done = 0;
  ClientData data{&rig.volume, {}};
  rig.sched.spawn(kServer, workload(rig.fs.get(), &data, ops, nullptr, &done), "workload");
  const std::uint64_t crash_after = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, total_steps + 1));
  for (std::uint64_t k = 0; k < crash_after && rig.sched.step(); ++k) {
  }
  // Power fails: the server's tasks die mid-I/O, unflushed writes are dropped or torn.
  rig.sched.kill_node_tasks(kServer);
  Rng rng(seed);
  rig.power_loss(rng);
  rig.fs.reset();

  MountResult m = rig.mount();
  if (m.err != Errno::ok) RC_FAIL("mount after the crash failed: " + m.detail);
  const FsckReport report = fsck(rig.volume);
  if (!report.clean()) RC_FAIL("fsck after the crash: " + report.summary());
  RC_TAG(done == ops.size() ? "crash after the last operation" : "crash mid-workload",
         m.replayed > 0 ? "log replayed" : "empty log");
  const Snapshot after = snapshot(*m.fs);
  // Every operation that returned is there; the one in flight is wholly there or not.
  const bool as_returned = after == snaps[done];
  const bool with_inflight = done + 1 < snaps.size() && after == snaps[done + 1];
  RC_ASSERT(as_returned || with_inflight);
  // File data written and flushed before the crash is intact wherever it is still mapped.
  data.prune(*m.fs);
  for (const auto& [vb, owner] : data.written) {
    Bytes got(kBlockSize);
    rig.volume.inspect(vb, got);
    RC_ASSERT(got == ClientData::pattern(owner.first, owner.second));
  }
  // And the recovered file system works.
  Result<Ino> r = rig.run(m.fs->create(kRootIno, "after-crash", FileType::regular, Times{}));
  RC_ASSERT(r.err != Errno::io);
  RC_ASSERT(fsck(rig.volume).clean());
}
