// What one metadata operation changed, named by structure rather than by block: the file
// system turns it into block images (the journal record) when it commits. Block images
// are made from the state at commit, so touching a structure twice costs nothing.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "model/xfs/free_space.h"
#include "model/xfs/types.h"

namespace sansim::xfs {

struct Txn {
  bool superblock = false;
  std::set<std::uint64_t> inode_blocks;               // inode-table block index
  std::set<std::uint64_t> bitmap_blocks;              // bitmap block index
  std::set<Ino> extent_lists;                         // inodes whose extent blocks to rewrite
  std::set<std::pair<Ino, std::uint64_t>> leaves;     // (directory, file block)
  std::vector<Run> freed;                             // blocks given back (revoke candidates)

  bool empty() const {
    return !superblock && inode_blocks.empty() && bitmap_blocks.empty() && extent_lists.empty() && leaves.empty();
  }
};

}  // namespace sansim::xfs
