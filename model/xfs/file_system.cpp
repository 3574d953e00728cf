#include "model/xfs/file_system.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <set>
#include <utility>

#include "engine/random.h"

#include "model/xfs/check.h"
#include "model/xfs/extent_map.h"
#include "model/xfs/journal.h"
#include "model/xfs/loader.h"

namespace sansim::xfs {

namespace {
// Bounds one transaction: free-space changes touch at most this many bitmap blocks
// (plus two) before the operation commits and goes on in a new transaction.
constexpr std::size_t kTxBitmapBudget = 32;
// Free runs one allocation step may take (fragmented space yields many small ones).
constexpr std::size_t kRunsPerPiece = 4;
// Spare directory leaves given back per transaction.
constexpr int kTrimPerTxn = 8;
// Blocks per volume request when writing or reading runs.
constexpr std::uint64_t kIoChunk = 256;

std::string io_failure(const char* what, std::uint64_t block, IoStatus st) {
  return std::string(what) + " at block " + std::to_string(block) + " failed: " + to_string(st);
}
}  // namespace

FileSystem::FileSystem(Scheduler& sched, Volume& volume, NodeId via, Metadata md)
    : volume_(volume), via_(via), mutex_(sched), md_(std::move(md)) {}

// ---------------------------------------------------------------------------- mkfs

Task<Errno> FileSystem::mkfs(Volume& volume, NodeId via, MkfsOptions options) {
  std::optional<Geometry> g = make_geometry(volume.blocks(), options, nullptr);
  if (!g) co_return Errno::inval;
  Bytes buf(3 * kBlockSize);
  {
    auto rd = volume.read(via, kSuperblockBlock, buf);
    const IoStatus st = co_await rd;
    if (st != IoStatus::ok) co_return Errno::io;
  }
  // A log left by an earlier file system with the same uuid must never replay here.
  const std::span<const std::uint8_t> raw(buf);
  std::set<std::uint64_t> old_uuids;
  if (std::optional<Superblock> old = decode_superblock(raw.first(kBlockSize), nullptr))
    old_uuids.insert(old->geometry.uuid);
  for (std::uint64_t k = 1; k <= 2; ++k)
    if (std::optional<Anchor> old = decode_anchor(raw.subspan(k * kBlockSize, kBlockSize), nullptr))
      old_uuids.insert(old->geometry.uuid);
  std::uint64_t mix = g->uuid;
  while (old_uuids.count(g->uuid) != 0) g->uuid = splitmix64(mix);
  const Metadata md = Metadata::fresh(*g);
  // Inode table and bitmap, in chunks.
  for (int region = 0; region < 2; ++region) {
    const std::uint64_t start = region == 0 ? g->inode_table_start : g->bitmap_start;
    const std::uint64_t count = region == 0 ? g->inode_table_blocks : g->bitmap_blocks;
    for (std::uint64_t at = 0; at < count; at += kIoChunk) {
      const std::uint64_t n = std::min(kIoChunk, count - at);
      Bytes chunk(n * kBlockSize);
      for (std::uint64_t k = 0; k < n; ++k) {
        std::span<std::uint8_t> out(chunk.data() + k * kBlockSize, kBlockSize);
        if (region == 0) md.encode_inode_block(at + k, out);
        else md.encode_bitmap_block(at + k, out);
      }
      auto wr = volume.write(via, start + at, chunk);
      const IoStatus st = co_await wr;
      if (st != IoStatus::ok) co_return Errno::io;
    }
  }
  // An empty first log block; then, once all that is durable, the superblock, an empty
  // anchor slot 0 and anchor 1 (checkpoint 1: the log is empty, starting at record 1).
  // Checkpoint c writes slot c % 2, so the next one leaves this anchor intact.
  {
    Bytes zero(kBlockSize, 0);
    auto wr = volume.write(via, g->log_start, zero);
    const IoStatus s1 = co_await wr;
    auto fl = volume.flush(via);
    const IoStatus s2 = co_await fl;
    if (s1 != IoStatus::ok || s2 != IoStatus::ok) co_return Errno::io;
  }
  static_assert(kAnchorBlocks[0] == kSuperblockBlock + 1 && kAnchorBlocks[1] == kSuperblockBlock + 2);
  Bytes head(3 * kBlockSize, 0);
  md.encode_superblock_block(std::span<std::uint8_t>(head.data(), kBlockSize));
  encode_anchor(Anchor{*g, 1, 0, 1}, std::span<std::uint8_t>(head.data() + 2 * kBlockSize, kBlockSize));
  auto wr = volume.write(via, kSuperblockBlock, head);
  const IoStatus s4 = co_await wr;
  auto fl = volume.flush(via);
  const IoStatus s5 = co_await fl;
  if (s4 != IoStatus::ok || s5 != IoStatus::ok) co_return Errno::io;
  co_return Errno::ok;
}

// --------------------------------------------------------------------------- mount

Task<MountResult> FileSystem::mount(Scheduler& sched, Volume& volume, NodeId via) {
  MountResult res;
  res.err = Errno::io;
  Bytes head(3 * kBlockSize);
  {
    auto rd = volume.read(via, kSuperblockBlock, head);
    const IoStatus st = co_await rd;
    if (st != IoStatus::ok) {
      res.detail = io_failure("reading the superblock", kSuperblockBlock, st);
      co_return std::move(res);
    }
  }
  // The anchors, not the superblock, say where everything is: a checkpoint may have torn
  // the superblock's in-place write, and replay puts it right.
  const std::span<const std::uint8_t> raw(head);
  std::string why;
  std::optional<Anchor> anchor = pick_anchor(volume.blocks(), raw.subspan(kBlockSize, kBlockSize),
                                             raw.subspan(2 * kBlockSize, kBlockSize), &why);
  if (!anchor) {
    if (!decode_superblock(raw.first(kBlockSize), &why)) {
      why = "no sansim xfs file system here: " + why;
      res.unformatted = true;
    }
    res.detail = why;
    co_return std::move(res);
  }
  const Geometry g = anchor->geometry;

  LogScanner scanner(*anchor);
  while (std::optional<Run> r = scanner.want()) {
    Bytes data(r->count * kBlockSize);
    auto rd = volume.read(via, r->start, data);
    const IoStatus st = co_await rd;
    if (st != IoStatus::ok) {
      res.detail = io_failure("reading the log", r->start, st);
      co_return std::move(res);
    }
    scanner.supply(data);
  }
  if (scanner.corrupt()) {
    res.detail = scanner.error();
    co_return std::move(res);
  }
  std::map<std::uint64_t, Bytes> overlay = replay_images(scanner.transactions());

  Loader loader(g, /*tolerant=*/false);
  while (std::optional<Run> r = loader.want()) {
    Bytes data(r->count * kBlockSize);
    auto rd = volume.read(via, r->start, data);
    const IoStatus st = co_await rd;
    if (st != IoStatus::ok) {
      res.detail = io_failure("reading metadata", r->start, st);
      co_return std::move(res);
    }
    apply_overlay(*r, data, overlay);
    loader.supply(data);
  }
  if (loader.failed()) {
    res.detail = "corrupt metadata: " + loader.problems().front();
    co_return std::move(res);
  }
  Metadata md = loader.take();
  for (const CheckProblem& p : check_metadata(md)) {
    if (p.leak) continue;
    res.detail = "inconsistent metadata (run fsck): " + p.text;
    co_return std::move(res);
  }

  std::unique_ptr<FileSystem> fs(new FileSystem(sched, volume, via, std::move(md)));
  fs->head_pos_ = scanner.end_pos();
  fs->next_seq_ = scanner.next_seq();
  fs->checkpoint_no_ = anchor->checkpoint;
  fs->log_used_ = scanner.scanned();
  fs->unwritten_ = std::move(overlay);
  if (fs->log_used_ > 0) {
    // Write what replay found in place and empty the log, so that the records are
    // never needed again.
    auto op = fs->checkpoint();
    const Errno e = co_await op;
    if (e != Errno::ok) {
      res.detail = "writing the replayed blocks in place failed";
      co_return std::move(res);
    }
  }
  res.err = Errno::ok;
  res.replayed = scanner.transactions().size();
  res.fs = std::move(fs);
  co_return std::move(res);
}

// ------------------------------------------------------------------------- queries

Errno FileSystem::check_dir(Ino dir) const {
  if (!md_.used(dir)) return Errno::stale;
  if (md_.inodes[dir].inode.type != FileType::directory) return Errno::notdir;
  return Errno::ok;
}

Result<Ino> FileSystem::lookup(Ino dir, std::string_view name) const {
  if (Errno e = check_dir(dir); e != Errno::ok) return {e, kNoIno};
  if (Errno e = check_name(name); e != Errno::ok) return {e, kNoIno};
  std::optional<Ino> ino = md_.dirs.at(dir).lookup(name);
  if (!ino) return {Errno::noent, kNoIno};
  return {Errno::ok, *ino};
}

const Inode* FileSystem::inode(Ino ino) const { return md_.used(ino) ? &md_.inodes[ino].inode : nullptr; }

Result<std::vector<DirEntry>> FileSystem::readdir(Ino dir) const {
  if (Errno e = check_dir(dir); e != Errno::ok) return {e, {}};
  return {Errno::ok, md_.dirs.at(dir).list()};
}

std::span<const Extent> FileSystem::extent_map(Ino ino) const {
  if (!md_.used(ino)) return {};
  return md_.inodes[ino].inode.extents;
}

Counters FileSystem::counters() const {
  Counters c;
  c.blocks = md_.geometry.blocks;
  c.data_blocks = md_.geometry.blocks - md_.geometry.data_start;
  c.free_blocks = md_.free.total();
  c.inodes = md_.geometry.inodes - 1;
  c.inodes_used = md_.inodes_used();
  c.directories = md_.dirs.size();
  c.orphans = md_.orphans.size();
  c.transactions = transactions_;
  c.checkpoints = checkpoints_;
  c.log_blocks_used = log_used_;
  return c;
}

std::vector<Ino> FileSystem::orphans() const { return {md_.orphans.begin(), md_.orphans.end()}; }

std::vector<Ino> FileSystem::past_eof() const {
  std::vector<Ino> out;
  for (Ino ino = 1; ino < md_.inodes.size(); ++ino) {
    if (!md_.used(ino)) continue;
    const Inode& in = md_.inodes[ino].inode;
    if (in.type != FileType::regular) continue;
    const std::uint64_t keep = in.size / kBlockSize + (in.size % kBlockSize != 0 ? 1 : 0);
    for (const Extent& e : in.extents)
      if (e.file_block + e.count > keep) {
        out.push_back(ino);
        break;
      }
  }
  return out;
}

// ------------------------------------------------------------- in-memory changes

void FileSystem::touch_inode(Txn& t, Ino ino) { t.inode_blocks.insert(ino / kInodesPerBlock); }

void FileSystem::touch_space(Txn& t, std::uint64_t start, std::uint64_t count) {
  for (std::uint64_t i = start / kBitsPerBitmapBlock; i <= (start + count - 1) / kBitsPerBitmapBlock; ++i)
    t.bitmap_blocks.insert(i);
  t.superblock = true;
}

void FileSystem::give_blocks(Txn& t, std::uint64_t start, std::uint64_t count) {
  md_.free.give(start, count);
  touch_space(t, start, count);
  t.freed.push_back(Run{start, count});
}

Errno FileSystem::set_extents(Txn& t, Ino ino, ExtentList extents) {
  if (extents.size() > kMaxExtents) return Errno::nospc;
  InodeRecord& r = md_.inodes[ino];
  const std::size_t need = extent_blocks_needed(extents.size());
  std::vector<std::uint64_t> got;
  while (r.extent_blocks.size() + got.size() < need) {
    std::optional<std::uint64_t> goal;
    if (!got.empty()) goal = got.back() + 1;
    else if (!r.extent_blocks.empty()) goal = r.extent_blocks.back() + 1;
    std::optional<std::vector<Run>> runs = md_.free.allocate(goal, 1);
    if (!runs) {
      for (std::uint64_t b : got) md_.free.give(b, 1);
      return Errno::nospc;
    }
    got.push_back(runs->front().start);
  }
  for (std::uint64_t b : got) {
    touch_space(t, b, 1);
    r.extent_blocks.push_back(b);
  }
  while (r.extent_blocks.size() > need) {
    const std::uint64_t b = r.extent_blocks.back();
    r.extent_blocks.pop_back();
    give_blocks(t, b, 1);
  }
  r.inode.extents = std::move(extents);
  touch_inode(t, ino);
  t.extent_lists.insert(ino);
  return Errno::ok;
}

Errno FileSystem::add_leaf(Txn& t, Ino dir) {
  Directory& d = md_.dirs.at(dir);
  InodeRecord& r = md_.inodes[dir];
  const std::uint64_t fb = d.next_file_block();
  std::optional<std::vector<Run>> runs = md_.free.allocate(allocation_goal(r.inode.extents, fb), 1);
  if (!runs) return Errno::nospc;
  const std::uint64_t b = runs->front().start;
  ExtentList list = r.inode.extents;
  map_range(list, fb, b, 1);
  if (Errno e = set_extents(t, dir, std::move(list)); e != Errno::ok) {
    md_.free.give(b, 1);
    return e;
  }
  touch_space(t, b, 1);
  d.add_spare(fb);
  t.leaves.insert({dir, fb});
  r.inode.size = d.next_file_block() * kBlockSize;
  return Errno::ok;
}

void FileSystem::trim_leaves(Txn& t, Ino dir) {
  Directory& d = md_.dirs.at(dir);
  InodeRecord& r = md_.inodes[dir];
  for (int k = 0; k < kTrimPerTxn; ++k) {
    std::optional<std::uint64_t> fb = d.trailing_spare();
    if (!fb) break;
    ExtentList list = r.inode.extents;
    std::optional<Run> freed = unmap_tail(list, *fb, 1);
    assert(freed && freed->count == 1);
    [[maybe_unused]] const Errno e = set_extents(t, dir, std::move(list));
    assert(e == Errno::ok);  // shrinking never needs a block
    give_blocks(t, freed->start, 1);
    d.drop_spare(*fb);
  }
  r.inode.size = d.next_file_block() * kBlockSize;
  touch_inode(t, dir);
}

void FileSystem::add_orphan(Txn& t, Ino ino) {
  auto it = md_.orphans.insert(ino).first;
  if (it == md_.orphans.begin()) t.superblock = true;
  else touch_inode(t, *std::prev(it));
  touch_inode(t, ino);
  t.superblock = true;
}

void FileSystem::remove_orphan(Txn& t, Ino ino) {
  auto it = md_.orphans.find(ino);
  assert(it != md_.orphans.end());
  if (it != md_.orphans.begin()) touch_inode(t, *std::prev(it));
  md_.orphans.erase(it);
  touch_inode(t, ino);
  t.superblock = true;
}

void FileSystem::drop_name(Txn& t, Ino ino) {
  Inode& i = md_.inodes[ino].inode;
  assert(i.nlink > 0);
  --i.nlink;
  touch_inode(t, ino);
  if (i.nlink == 0) add_orphan(t, ino);
}

bool FileSystem::free_tail(Txn& t, Ino ino, std::uint64_t from) {
  InodeRecord& r = md_.inodes[ino];
  ExtentList list = r.inode.extents;
  bool more = false;
  while (true) {
    if (t.bitmap_blocks.size() >= kTxBitmapBudget) {
      more = !list.empty() && list.back().file_block + list.back().count > from;
      break;
    }
    std::optional<Run> freed = unmap_tail(list, from, kBitsPerBitmapBlock);
    if (!freed) break;
    give_blocks(t, freed->start, freed->count);
  }
  [[maybe_unused]] const Errno e = set_extents(t, ino, std::move(list));
  assert(e == Errno::ok);  // shrinking never needs a block
  return more;
}

// ---------------------------------------------------------------------- journaling

Errno FileSystem::fail_io() {
  shut_down_ = true;
  return Errno::io;
}

Task<Errno> FileSystem::write_blocks(std::uint64_t start, std::span<const std::uint8_t> data) {
  auto wr = volume_.write(via_, start, data);
  const IoStatus st = co_await wr;
  co_return st == IoStatus::ok ? Errno::ok : fail_io();
}

Task<Errno> FileSystem::zero_blocks(std::uint64_t start, std::uint64_t count) {
  constexpr std::uint64_t kChunk = 256;  // blocks per write: bounds the buffer
  const Bytes zeros(std::min(count, kChunk) * kBlockSize, 0);
  for (std::uint64_t at = start; at < start + count;) {
    const std::uint64_t n = std::min(start + count - at, kChunk);
    auto op = write_blocks(at, std::span<const std::uint8_t>(zeros).first(n * kBlockSize));
    if (const Errno e = co_await op; e != Errno::ok) co_return e;
    at += n;
  }
  co_return Errno::ok;
}

Task<Errno> FileSystem::commit(Txn& t) {
  if (t.empty()) co_return Errno::ok;
  const Geometry& g = md_.geometry;
  LoggedTransaction rec;
  rec.seq = next_seq_;
  auto image = [&rec](std::uint64_t b) -> std::span<std::uint8_t> {
    Bytes& x = rec.images[b];
    x.assign(kBlockSize, 0);
    return x;
  };
  if (t.superblock) md_.encode_superblock_block(image(kSuperblockBlock));
  for (std::uint64_t i : t.inode_blocks) md_.encode_inode_block(i, image(g.inode_table_start + i));
  for (std::uint64_t i : t.bitmap_blocks) md_.encode_bitmap_block(i, image(g.bitmap_start + i));
  for (Ino ino : t.extent_lists) {
    const InodeRecord& r = md_.inodes[ino];
    if (!r.used) continue;
    for (std::size_t k = 0; k < r.extent_blocks.size(); ++k)
      md_.encode_extent_block(ino, static_cast<std::uint32_t>(k), image(r.extent_blocks[k]));
  }
  for (const auto& [dir, fb] : t.leaves) {
    auto d = md_.dirs.find(dir);
    if (d == md_.dirs.end() || d->second.leaf(fb) == nullptr) continue;  // given back since
    const std::optional<std::uint64_t> b = volume_block_of(md_.inodes[dir].inode.extents, fb);
    assert(b.has_value());  // a directory's leaves are exactly its mapped file blocks
    if (b) md_.encode_leaf_block(dir, fb, image(*b));
  }
  // Blocks given back that the log holds images of: revoke them, so replay never
  // writes those images over what the blocks hold next (file data).
  auto find_revokes = [this, &t, &rec] {
    rec.revokes.clear();
    for (const Run& f : t.freed)
      for (auto it = unwritten_.lower_bound(f.start); it != unwritten_.end() && it->first < f.start + f.count; ++it)
        rec.revokes.push_back(it->first);
    std::sort(rec.revokes.begin(), rec.revokes.end());
  };
  find_revokes();

  const std::uint64_t log_blocks = g.log_blocks;
  std::uint64_t size = record_blocks(rec.images.size(), rec.revokes.size());
  assert(size <= log_blocks);  // bounded by kTxBitmapBudget and kMaxExtents
  if (log_used_ + size > log_blocks) {
    // The checkpoint writes the images of blocks this transaction frees too: until it
    // commits, the state on disk is the one before it, where they are still metadata.
    auto op = checkpoint();
    const Errno e = co_await op;
    if (e != Errno::ok) co_return e;
    find_revokes();  // none now: the log is empty
    size = record_blocks(rec.images.size(), rec.revokes.size());
  }
  const Bytes bytes = encode_record(g.uuid, rec);
  const std::uint64_t first = std::min(size, log_blocks - head_pos_);
  const std::span<const std::uint8_t> all(bytes);
  {
    auto op = write_blocks(g.log_start + head_pos_, all.first(first * kBlockSize));
    const Errno e = co_await op;
    if (e != Errno::ok) co_return e;
  }
  if (size > first) {
    auto op = write_blocks(g.log_start, all.subspan(first * kBlockSize));
    const Errno e = co_await op;
    if (e != Errno::ok) co_return e;
  }
  {
    auto fl = volume_.flush(via_);
    const IoStatus st = co_await fl;
    if (st != IoStatus::ok) co_return fail_io();
  }
  head_pos_ = (head_pos_ + size) % log_blocks;
  log_used_ += size;
  ++next_seq_;
  ++transactions_;
  for (std::uint64_t b : rec.revokes) unwritten_.erase(b);
  for (auto& [b, img] : rec.images) unwritten_[b] = std::move(img);
  co_return Errno::ok;
}

Task<Errno> FileSystem::checkpoint() {
  if (log_used_ == 0 && unwritten_.empty()) co_return Errno::ok;
  // Latest images in place, in runs of consecutive blocks.
  for (auto it = unwritten_.begin(); it != unwritten_.end();) {
    const std::uint64_t start = it->first;
    Bytes run;
    std::uint64_t n = 0;
    for (; it != unwritten_.end() && it->first == start + n && n < kIoChunk; ++it, ++n)
      run.insert(run.end(), it->second.begin(), it->second.end());
    auto op = write_blocks(start, run);
    const Errno e = co_await op;
    if (e != Errno::ok) co_return e;
  }
  {
    auto fl = volume_.flush(via_);
    const IoStatus st = co_await fl;
    if (st != IoStatus::ok) co_return fail_io();
  }
  // Only now may the tail move past the records: the anchor in the other slot.
  const Anchor a{md_.geometry, checkpoint_no_ + 1, head_pos_, next_seq_};
  Bytes block(kBlockSize);
  encode_anchor(a, block);
  {
    auto op = write_blocks(kAnchorBlocks[a.checkpoint % 2], block);
    const Errno e = co_await op;
    if (e != Errno::ok) co_return e;
  }
  {
    auto fl = volume_.flush(via_);
    const IoStatus st = co_await fl;
    if (st != IoStatus::ok) co_return fail_io();
  }
  checkpoint_no_ = a.checkpoint;
  log_used_ = 0;
  unwritten_.clear();
  ++checkpoints_;
  co_return Errno::ok;
}

// ---------------------------------------------------------------------- operations

Task<Result<Ino>> FileSystem::create(Ino dir, std::string name, FileType type, Times times, std::uint32_t mode,
                                     std::uint32_t uid) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Result<Ino>{Errno::io, kNoIno};
  if (Errno e = check_dir(dir); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  if (Errno e = check_name(name); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  // A directory that lost its last name takes no new entries.
  if (md_.inodes[dir].inode.nlink == 0) co_return Result<Ino>{Errno::noent, kNoIno};
  Directory& d = md_.dirs.at(dir);
  if (d.lookup(name)) co_return Result<Ino>{Errno::exist, kNoIno};
  if (md_.free_inodes.empty()) co_return Result<Ino>{Errno::nospc, kNoIno};
  Txn t;
  if (d.needs_spare(name)) {
    if (Errno e = add_leaf(t, dir); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  }
  const Ino ino = *md_.free_inodes.begin();
  md_.free_inodes.erase(md_.free_inodes.begin());
  InodeRecord& r = md_.inodes[ino];
  assert(!r.used && r.extent_blocks.empty());
  const std::uint32_t generation = r.inode.generation + 1;
  r.used = true;
  r.inode = Inode{};
  r.inode.ino = ino;
  r.inode.type = type;
  r.inode.nlink = 1;
  r.inode.atime = times.atime;
  r.inode.mtime = times.mtime;
  r.inode.ctime = times.ctime;
  r.inode.mode = mode;
  r.inode.uid = uid;
  r.inode.generation = generation;
  if (type == FileType::directory) {
    r.inode.parent = dir;
    md_.dirs.emplace(ino, Directory{});
  }
  touch_inode(t, ino);
  t.superblock = true;
  std::vector<std::uint64_t> changed;
  d.insert(DirEntry{name, ino}, changed);
  for (std::uint64_t fb : changed) t.leaves.insert({dir, fb});
  auto op = commit(t);
  const Errno e = co_await op;
  co_return Result<Ino>{e, ino};
}

Task<Result<Ino>> FileSystem::unlink(Ino dir, std::string name) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Result<Ino>{Errno::io, kNoIno};
  if (Errno e = check_dir(dir); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  if (Errno e = check_name(name); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  Directory& d = md_.dirs.at(dir);
  std::optional<Ino> ino = d.lookup(name);
  if (!ino) co_return Result<Ino>{Errno::noent, kNoIno};
  if (md_.inodes[*ino].inode.type == FileType::directory && !md_.dirs.at(*ino).empty())
    co_return Result<Ino>{Errno::notempty, kNoIno};
  Txn t;
  std::vector<std::uint64_t> changed;
  d.remove(name, changed);
  for (std::uint64_t fb : changed) t.leaves.insert({dir, fb});
  trim_leaves(t, dir);
  drop_name(t, *ino);
  auto op = commit(t);
  const Errno e = co_await op;
  co_return Result<Ino>{e, *ino};
}

Task<Result<Ino>> FileSystem::rename(Ino src_dir, std::string src_name, Ino dst_dir, std::string dst_name) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Result<Ino>{Errno::io, kNoIno};
  for (Ino dir : {src_dir, dst_dir})
    if (Errno e = check_dir(dir); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  for (const std::string* n : {&src_name, &dst_name})
    if (Errno e = check_name(*n); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  if (md_.inodes[dst_dir].inode.nlink == 0) co_return Result<Ino>{Errno::noent, kNoIno};
  Directory& sd = md_.dirs.at(src_dir);
  Directory& dd = md_.dirs.at(dst_dir);
  const std::optional<Ino> src = sd.lookup(src_name);
  if (!src) co_return Result<Ino>{Errno::noent, kNoIno};
  const std::optional<Ino> tgt = dd.lookup(dst_name);
  if (tgt == src) co_return Result<Ino>{Errno::ok, kNoIno};  // same name, or two names of one inode
  const bool src_is_dir = md_.inodes[*src].inode.type == FileType::directory;
  if (src_is_dir) {
    // Not into itself or its own subtree: walk up from the destination.
    Ino at = dst_dir;
    for (std::size_t steps = 0; steps <= md_.inodes.size(); ++steps) {
      if (at == *src) co_return Result<Ino>{Errno::inval, kNoIno};
      if (at == kRootIno) break;
      at = md_.inodes[at].inode.parent;
    }
  }
  if (tgt) {
    if (md_.inodes[*tgt].inode.type == FileType::directory) co_return Result<Ino>{Errno::isdir, kNoIno};
    if (src_is_dir) co_return Result<Ino>{Errno::notdir, kNoIno};
  }
  Txn t;
  if (!tgt && dd.needs_spare(dst_name)) {
    if (Errno e = add_leaf(t, dst_dir); e != Errno::ok) co_return Result<Ino>{e, kNoIno};
  }
  std::vector<std::uint64_t> changed;
  if (tgt) {
    dd.replace(dst_name, *src, changed);
  } else {
    dd.insert(DirEntry{dst_name, *src}, changed);
  }
  for (std::uint64_t fb : changed) t.leaves.insert({dst_dir, fb});
  changed.clear();
  sd.remove(src_name, changed);
  for (std::uint64_t fb : changed) t.leaves.insert({src_dir, fb});
  trim_leaves(t, src_dir);
  if (src_is_dir && src_dir != dst_dir) {
    md_.inodes[*src].inode.parent = dst_dir;
    touch_inode(t, *src);
  }
  if (tgt) drop_name(t, *tgt);
  auto op = commit(t);
  const Errno e = co_await op;
  co_return Result<Ino>{e, tgt.value_or(kNoIno)};
}

Task<Errno> FileSystem::setattr(Ino ino, SetAttr attrs) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Errno::io;
  if (!md_.used(ino)) co_return Errno::stale;
  Inode& i = md_.inodes[ino].inode;
  if (attrs.size && i.type == FileType::directory) co_return Errno::isdir;
  if (attrs.size) i.size = *attrs.size;
  if (attrs.atime) i.atime = *attrs.atime;
  if (attrs.mtime) i.mtime = *attrs.mtime;
  if (attrs.ctime) i.ctime = *attrs.ctime;
  if (attrs.mode) i.mode = *attrs.mode;
  if (attrs.uid) i.uid = *attrs.uid;
  Txn t;
  touch_inode(t, ino);
  auto op = commit(t);
  const Errno e = co_await op;
  co_return e;
}

Task<Result<std::vector<Extent>>> FileSystem::allocate(Ino ino, std::uint64_t file_block, std::uint64_t count) {
  using R = Result<std::vector<Extent>>;
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return R{Errno::io, {}};
  if (!md_.used(ino)) co_return R{Errno::stale, {}};
  InodeRecord& r = md_.inodes[ino];
  if (r.inode.type == FileType::directory) co_return R{Errno::isdir, {}};
  if (count == 0 || file_block > std::numeric_limits<std::uint64_t>::max() - count) co_return R{Errno::inval, {}};
  const std::vector<Run> todo = holes(r.inode.extents, file_block, count);
  std::uint64_t need = 0;
  for (const Run& h : todo) need += h.count;
  if (need > md_.free.total()) co_return R{Errno::nospc, {}};
  Txn t;
  Errno result = Errno::ok;
  for (const Run& h : todo) {
    for (std::uint64_t at = h.start; at < h.start + h.count && result == Errno::ok;) {
      if (t.bitmap_blocks.size() >= kTxBitmapBudget) {
        auto op = commit(t);
        const Errno e = co_await op;
        if (e != Errno::ok) co_return R{e, {}};
        t = Txn{};
      }
      // A piece touches at most 2 bitmap blocks per run it takes.
      const std::uint64_t piece = std::min(h.start + h.count - at, kBitsPerBitmapBlock);
      std::optional<std::vector<Run>> runs =
          md_.free.allocate(allocation_goal(r.inode.extents, at), piece, kRunsPerPiece);
      if (!runs) {
        result = Errno::nospc;  // extent blocks took the last free blocks
        break;
      }
      // The blocks may hold an earlier file's bytes, and another node may read them
      // through its map (direct I/O, IO read shared with our writer) before the writer's
      // data lands: they read as zeros from the start. (XFS marks them unwritten
      // instead; zeroing keeps the map simple.) The commit's flush makes the zeros
      // durable together with the allocation.
      for (const Run& run : *runs) {
        auto z = zero_blocks(run.start, run.count);
        if (const Errno e = co_await z; e != Errno::ok) {
          for (const Run& back : *runs) md_.free.give(back.start, back.count);
          co_return R{e, {}};
        }
      }
      ExtentList list = r.inode.extents;
      std::uint64_t f = at;
      for (const Run& run : *runs) {
        map_range(list, f, run.start, run.count);
        f += run.count;
      }
      if (set_extents(t, ino, std::move(list)) != Errno::ok) {
        for (const Run& run : *runs) md_.free.give(run.start, run.count);
        result = Errno::nospc;
        break;
      }
      for (const Run& run : *runs) touch_space(t, run.start, run.count);
      at = f;
    }
    if (result != Errno::ok) break;
  }
  auto op = commit(t);
  const Errno e = co_await op;
  if (e != Errno::ok) co_return R{e, {}};
  if (result != Errno::ok) co_return R{result, {}};
  co_return R{Errno::ok, mappings_in(r.inode.extents, file_block, count)};
}

Task<Errno> FileSystem::truncate(Ino ino, std::uint64_t new_size) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Errno::io;
  if (!md_.used(ino)) co_return Errno::stale;
  InodeRecord& r = md_.inodes[ino];
  if (r.inode.type == FileType::directory) co_return Errno::isdir;
  const std::uint64_t keep = new_size / kBlockSize + (new_size % kBlockSize != 0 ? 1 : 0);
  r.inode.size = new_size;
  Txn t;
  touch_inode(t, ino);
  while (true) {
    const bool more = free_tail(t, ino, keep);
    auto op = commit(t);
    const Errno e = co_await op;
    if (e != Errno::ok || !more) co_return e;
    t = Txn{};
  }
}

Task<Errno> FileSystem::punch(Ino ino) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Errno::io;
  if (!md_.used(ino)) co_return Errno::stale;
  if (md_.inodes[ino].inode.type == FileType::directory) co_return Errno::isdir;
  while (true) {
    Txn t;
    touch_inode(t, ino);
    const bool more = free_tail(t, ino, 0);
    auto op = commit(t);
    const Errno e = co_await op;
    if (e != Errno::ok || !more) co_return e;
  }
}

Task<Errno> FileSystem::release(Ino ino) {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Errno::io;
  if (!md_.used(ino)) co_return Errno::stale;
  if (md_.orphans.count(ino) == 0) co_return Errno::inval;
  InodeRecord& r = md_.inodes[ino];
  assert(r.inode.nlink == 0);
  if (r.inode.type == FileType::directory) {
    // An unlinked directory is empty: all its leaves are spares; its blocks go below.
    Directory& d = md_.dirs.at(ino);
    assert(d.empty());
    while (std::optional<std::uint64_t> fb = d.trailing_spare()) d.drop_spare(*fb);
  }
  while (true) {
    Txn t;
    const bool more = free_tail(t, ino, 0);
    if (!more) {
      assert(r.inode.extents.empty() && r.extent_blocks.empty());
      remove_orphan(t, ino);
      const std::uint32_t generation = r.inode.generation;
      r.used = false;
      r.inode = Inode{};
      r.inode.ino = ino;
      r.inode.generation = generation;
      md_.free_inodes.insert(ino);
      md_.dirs.erase(ino);
      touch_inode(t, ino);
    }
    auto op = commit(t);
    const Errno e = co_await op;
    if (e != Errno::ok || !more) co_return e;
  }
}

Task<Errno> FileSystem::sync() {
  const WaitStatus ws = co_await mutex_.lock();
  assert(ws == WaitStatus::ok);
  Guard guard(&mutex_);
  if (shut_down_) co_return Errno::io;
  auto op = checkpoint();
  const Errno e = co_await op;
  co_return e;
}

}  // namespace sansim::xfs
