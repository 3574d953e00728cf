// fsck: checks the file system on a volume as it stands, without changing it and without
// taking virtual time. It reads through Volume::inspect only (a checker's view, no
// fabric path), replays the committed part of the log in memory, loads the metadata in
// tolerant mode (one bad block does not hide the rest) and applies check_metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/sim/volume.h"

namespace sansim::xfs {

struct FsckReport {
  std::vector<std::string> problems;  // one readable sentence each; empty = clean
  std::uint64_t replayed = 0;         // log transactions applied in memory
  std::uint64_t inodes_used = 0;
  std::uint64_t directories = 0;
  std::uint64_t free_blocks = 0;
  bool clean() const { return problems.empty(); }
  // "clean (N inodes, ...)" or the problems, one per line.
  std::string summary() const;
};

FsckReport fsck(const Volume& volume);

}  // namespace sansim::xfs
