// Consistency rules over loaded metadata, shared by fsck (reports them all) and mount
// (refuses a file system that breaks any rule but a leak).
#pragma once

#include <string>
#include <vector>

#include "model/xfs/metadata.h"

namespace sansim::xfs {

struct CheckProblem {
  bool leak = false;  // blocks in use by nobody: space lost, nothing else wrong
  std::string text;
};

// Checks: extents and extent blocks inside the data region; no block in two files, or
// in a file and free; no leaked block (each data block free or owned); every directory
// entry names an inode in use; nlink equals the names (the root counts one more); nlink
// 0 exactly for orphans; every named directory's parent chain reaches the root; the
// superblock's free-block, inode and directory counts agree with what is there.
std::vector<CheckProblem> check_metadata(const Metadata& md);

}  // namespace sansim::xfs
