// Builds the in-memory Metadata from disk blocks, in stages: superblock, inode table,
// bitmap, extent-list blocks, directory leaves, orphan list. Like LogScanner it names
// the blocks it wants and is handed them, so mount (timed reads through the volume) and
// fsck (inspect) share it; both lay the replayed log images over what they read first.
//
// Strict mode (mount) stops at the first problem. Tolerant mode (fsck) notes problems,
// skips what it cannot decode and goes on, so one bad block does not hide the rest.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/xfs/metadata.h"

namespace sansim::xfs {

class Loader {
 public:
  // `geometry`: from the superblock on disk (the log may carry a newer superblock image,
  // whose geometry must be the same).
  Loader(const Geometry& geometry, bool tolerant);

  std::optional<Run> want() const;
  void supply(std::span<const std::uint8_t> data);
  bool done() const { return stage_ == Stage::done; }

  bool failed() const { return !problems_.empty(); }
  const std::vector<std::string>& problems() const { return problems_; }
  Metadata take() { return std::move(md_); }
  const Metadata& metadata() const { return md_; }

 private:
  enum class Stage { superblock, inodes, bitmap, extent_blocks, leaves, done };
  struct Pending {
    std::uint64_t block;
    Ino ino;
    std::uint64_t index;  // extent-block index, or directory file block
  };

  void problem(std::string text);
  void advance();  // to the next stage with something to read
  void start_extent_blocks();
  void finish_extents();
  void start_leaves();
  void finish();

  Metadata md_;
  bool tolerant_;
  Stage stage_ = Stage::superblock;
  std::uint64_t next_ = 0;          // next block of the current stage
  std::vector<Pending> pending_;    // extent blocks or leaves to read, in block order
  std::size_t pending_at_ = 0;
  bool stop_now() const { return !tolerant_ && failed(); }

  std::map<Ino, std::uint32_t> slot_extents_;                    // inodes with extent blocks: extents in all
  std::map<Ino, std::map<std::uint64_t, std::vector<Extent>>> ext_parts_;  // their extent-block contents
  std::map<Ino, Ino> next_orphan_;                                // slot -> next orphan it names
  std::optional<std::uint64_t> free_run_;                        // start of the free run being read
  std::vector<std::string> problems_;
};

}  // namespace sansim::xfs
