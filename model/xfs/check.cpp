#include "model/xfs/check.h"

#include <algorithm>
#include <map>

namespace sansim::xfs {

namespace {
struct Claim {
  std::uint64_t start;
  std::uint64_t count;
  Ino owner;
  const char* what;
};

std::string blocks_text(std::uint64_t start, std::uint64_t count) {
  return count == 1 ? "block " + std::to_string(start)
                    : "blocks " + std::to_string(start) + ".." + std::to_string(start + count - 1);
}

class Problems {
 public:
  explicit Problems(std::vector<CheckProblem>& out) : out_(out) {}
  void add(std::string text, bool leak = false) { out_.push_back(CheckProblem{leak, std::move(text)}); }

 private:
  std::vector<CheckProblem>& out_;
};
}  // namespace

std::vector<CheckProblem> check_metadata(const Metadata& md) {
  std::vector<CheckProblem> out;
  Problems p(out);
  const Geometry& g = md.geometry;

  // Ownership of data blocks.
  std::vector<Claim> claims;
  for (const InodeRecord& r : md.inodes) {
    if (!r.used) continue;
    const Ino ino = r.inode.ino;
    const char* what = r.inode.type == FileType::directory ? "directory leaf" : "data";
    auto claim = [&](std::uint64_t start, std::uint64_t count, const char* kind) {
      if (start < g.data_start || start >= g.blocks || count > g.blocks - start) {
        p.add("inode " + std::to_string(ino) + ": " + kind + " " + blocks_text(start, count) +
              " lies outside the data region");
        return;
      }
      claims.push_back(Claim{start, count, ino, kind});
    };
    for (const Extent& e : r.inode.extents) claim(e.volume_block, e.count, what);
    for (std::uint64_t b : r.extent_blocks) claim(b, 1, "extent block");
  }
  std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    return a.start != b.start ? a.start < b.start : a.owner < b.owner;
  });
  // Sweep: `reach` is the furthest end so far and who claimed it.
  std::uint64_t covered_to = g.data_start;  // data blocks below this are claimed or checked
  const Claim* reach = nullptr;
  auto leak_or_free = [&](std::uint64_t from, std::uint64_t to) {
    // Blocks [from, to) are claimed by nobody: they must be free.
    if (from >= to) return;
    std::uint64_t at = from;
    for (const Run& f : md.free.free_in(from, to - from)) {
      if (f.start > at) p.add("leaked: " + blocks_text(at, f.start - at) + " marked in use but owned by no inode", true);
      at = f.start + f.count;
    }
    if (at < to) p.add("leaked: " + blocks_text(at, to - at) + " marked in use but owned by no inode", true);
  };
  for (const Claim& c : claims) {
    if (reach != nullptr && c.start < reach->start + reach->count) {
      const std::uint64_t end = std::min(c.start + c.count, reach->start + reach->count);
      p.add("doubly used: " + blocks_text(c.start, end - c.start) + " in inode " + std::to_string(reach->owner) + " (" +
            reach->what + ") and inode " + std::to_string(c.owner) + " (" + c.what + ")");
    }
    for (const Run& f : md.free.free_in(c.start, c.count))
      p.add("used and free: " + blocks_text(f.start, f.count) + " of inode " + std::to_string(c.owner) + " (" +
            c.what + ") marked free");
    leak_or_free(covered_to, c.start);
    covered_to = std::max(covered_to, c.start + c.count);
    if (reach == nullptr || c.start + c.count > reach->start + reach->count) reach = &c;
  }
  leak_or_free(covered_to, g.blocks);

  // Names.
  std::map<Ino, std::uint64_t> names;
  for (const auto& [dir, d] : md.dirs) {
    d.for_each([&, dir = dir](const DirEntry& e) {
      const std::string where = "directory " + std::to_string(dir) + " entry \"" + e.name + "\"";
      if (!md.used(e.ino)) {
        p.add(where + " names inode " + std::to_string(e.ino) + ", which is not in use");
        return;
      }
      ++names[e.ino];
      if (e.ino == kRootIno) p.add(where + " names the root directory");
      const Inode& child = md.inodes[e.ino].inode;
      if (child.type == FileType::directory && child.parent != dir)
        p.add(where + " names directory " + std::to_string(e.ino) + " whose parent is " + std::to_string(child.parent));
    });
  }
  if (!md.used(kRootIno) || md.inodes[kRootIno].inode.type != FileType::directory)
    p.add("the root inode is not a directory in use");
  std::uint64_t used = 0, dirs = 0;
  for (const InodeRecord& r : md.inodes) {
    if (!r.used) continue;
    ++used;
    const Inode& i = r.inode;
    const bool is_dir = i.type == FileType::directory;
    if (is_dir) ++dirs;
    const std::uint64_t n = names.count(i.ino) ? names.at(i.ino) : 0;
    const std::uint64_t expect = n + (i.ino == kRootIno ? 1 : 0);
    if (i.nlink != expect)
      p.add("inode " + std::to_string(i.ino) + " has nlink " + std::to_string(i.nlink) + " but " + std::to_string(n) +
            " names");
    if (is_dir && n > 1) p.add("directory " + std::to_string(i.ino) + " has " + std::to_string(n) + " names");
    const bool orphan = md.orphans.count(i.ino) != 0;
    if (i.nlink == 0 && !orphan) p.add("inode " + std::to_string(i.ino) + " has nlink 0 but is not on the orphan list");
    if (i.nlink != 0 && orphan) p.add("inode " + std::to_string(i.ino) + " is on the orphan list with nlink " + std::to_string(i.nlink));
    if (is_dir && n > 0) {
      // The parent chain must reach the root.
      Ino at = i.ino;
      std::uint64_t steps = 0;
      while (at != kRootIno) {
        const Ino up = md.used(at) ? md.inodes[at].inode.parent : kNoIno;
        if (!md.used(up) || md.inodes[up].inode.type != FileType::directory || ++steps > md.inodes.size()) {
          p.add("directory " + std::to_string(i.ino) + " is not connected to the root");
          break;
        }
        at = up;
      }
    }
  }

  // Counters.
  const Superblock& sb = md.on_disk;
  if (sb.free_blocks != md.free.total())
    p.add("superblock counts " + std::to_string(sb.free_blocks) + " free blocks but the bitmap has " +
          std::to_string(md.free.total()));
  if (sb.inodes_used != used)
    p.add("superblock counts " + std::to_string(sb.inodes_used) + " inodes in use but there are " + std::to_string(used));
  if (sb.directories != dirs)
    p.add("superblock counts " + std::to_string(sb.directories) + " directories but there are " + std::to_string(dirs));
  return out;
}

}  // namespace sansim::xfs
