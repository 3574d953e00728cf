// The whole file system's metadata in memory: what mount loads, what fsck checks, and
// what the running file system changes and serialises back into block images for the
// journal. Nothing here does I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "model/xfs/directory.h"
#include "model/xfs/free_space.h"
#include "model/xfs/layout.h"
#include "model/xfs/types.h"

namespace sansim::xfs {

struct InodeRecord {
  bool used = false;
  Inode inode;  // inode.ino always set; a free slot keeps only its generation
  std::vector<std::uint64_t> extent_blocks;
};

struct Metadata {
  Geometry geometry;
  std::vector<InodeRecord> inodes;     // indexed by inode number; slot 0 never used
  FreeSpace free;                      // free data blocks
  std::map<Ino, Directory> dirs;       // every used directory inode, orphans included
  std::set<Ino> orphans;               // nlink 0, still allocated (the on-disk orphan list)
  std::set<Ino> free_inodes;           // unused inode numbers >= 1, lowest reused first
  Superblock on_disk;                  // the superblock as loaded (fsck compares counters)

  bool used(Ino ino) const { return ino < inodes.size() && inodes[ino].used; }
  std::uint64_t inodes_used() const { return inodes.size() - 1 - free_inodes.size(); }
  // The superblock this state writes: counters and orphan head computed from the state.
  Superblock superblock() const;

  // Block images of the current state (each sealed), by region.
  void encode_superblock_block(std::span<std::uint8_t> out) const;
  void encode_inode_block(std::uint64_t table_index, std::span<std::uint8_t> out) const;
  void encode_bitmap_block(std::uint64_t bitmap_index, std::span<std::uint8_t> out) const;
  void encode_extent_block(Ino ino, std::uint32_t index, std::span<std::uint8_t> out) const;
  // REQUIRES: `dir` has a leaf at `file_block`.
  void encode_leaf_block(Ino dir, std::uint64_t file_block, std::span<std::uint8_t> out) const;

  // A fresh file system: the root directory (empty) and all data blocks free.
  static Metadata fresh(const Geometry& g);
};

}  // namespace sansim::xfs
