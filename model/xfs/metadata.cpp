#include "model/xfs/metadata.h"

#include <algorithm>
#include <cassert>

namespace sansim::xfs {

Superblock Metadata::superblock() const {
  Superblock sb;
  sb.geometry = geometry;
  sb.free_blocks = free.total();
  sb.inodes_used = inodes_used();
  sb.directories = dirs.size();
  sb.orphan_head = orphans.empty() ? kNoIno : *orphans.begin();
  return sb;
}

void Metadata::encode_superblock_block(std::span<std::uint8_t> out) const { encode_superblock(superblock(), out); }

void Metadata::encode_inode_block(std::uint64_t table_index, std::span<std::uint8_t> out) const {
  std::fill(out.begin(), out.end(), 0);
  for (std::uint32_t k = 0; k < kInodesPerBlock; ++k) {
    const Ino ino = table_index * kInodesPerBlock + k;
    if (ino >= inodes.size()) break;
    const InodeRecord& r = inodes[ino];
    InodeSlot s;
    s.used = r.used;
    s.inode = r.inode;
    s.extent_blocks = r.extent_blocks;
    if (r.used && r.inode.nlink == 0) {
      // The orphan list is kept sorted, so each orphan points at the next larger one.
      auto it = orphans.upper_bound(ino);
      s.next_orphan = it == orphans.end() ? kNoIno : *it;
    }
    encode_inode_slot(s, out, ino);
  }
  seal(out);
}

void Metadata::encode_bitmap_block(std::uint64_t bitmap_index, std::span<std::uint8_t> out) const {
  // 1 = in use; bits past the end of the volume read as in use too.
  std::fill(out.begin(), out.end(), 0);
  std::fill(out.begin(), out.begin() + kSealedPayload, 0xff);
  const std::uint64_t first = bitmap_index * kBitsPerBitmapBlock;
  for (const Run& r : free.free_in(first, kBitsPerBitmapBlock))
    for (std::uint64_t b = r.start; b < r.start + r.count; ++b) set_bitmap_bit(out, b - first, false);
  seal(out);
}

void Metadata::encode_extent_block(Ino ino, std::uint32_t index, std::span<std::uint8_t> out) const {
  const std::vector<Extent>& all = inodes[ino].inode.extents;
  const std::size_t from = kInlineExtents + std::size_t{index} * kExtentsPerBlock;
  assert(from < all.size());
  const std::size_t n = std::min<std::size_t>(kExtentsPerBlock, all.size() - from);
  xfs::encode_extent_block(ino, index, std::span<const Extent>(all).subspan(from, n), out);
}

void Metadata::encode_leaf_block(Ino dir, std::uint64_t file_block, std::span<std::uint8_t> out) const {
  const Directory::Leaf* l = dirs.at(dir).leaf(file_block);
  assert(l != nullptr);
  encode_leaf(dir, file_block, l->entries, out);
}

Metadata Metadata::fresh(const Geometry& g) {
  Metadata m;
  m.geometry = g;
  m.inodes.resize(g.inodes);
  for (Ino i = 0; i < g.inodes; ++i) m.inodes[i].inode.ino = i;
  for (Ino i = kRootIno + 1; i < g.inodes; ++i) m.free_inodes.insert(i);
  InodeRecord& root = m.inodes[kRootIno];
  root.used = true;
  root.inode.type = FileType::directory;
  root.inode.nlink = 1;
  root.inode.mode = 0755;
  root.inode.generation = 1;
  root.inode.parent = kRootIno;
  m.dirs.emplace(kRootIno, Directory{});
  m.free.give(g.data_start, g.blocks - g.data_start);
  m.on_disk = m.superblock();
  return m;
}

}  // namespace sansim::xfs
