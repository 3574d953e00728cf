// The on-disk format (§0024-0025). Block numbers are volume blocks of kBlockSize bytes.
//
//   block 0                 superblock: geometry, uuid, counters, orphan list head
//   blocks 1, 2             log anchors: geometry and where the log tail is; written
//                           alternately, so a torn anchor write leaves the other good
//   inode table             kInodesPerBlock fixed-size inode slots per block
//   free-space bitmap       one bit per volume block, 1 = in use (metadata regions too)
//   log                     the circular metadata journal (journal.h)
//   data                    file data, directory leaf blocks, extent-list blocks
//
// Every metadata block ends in an 8-byte seal (codec.h). Decoders never trust content:
// they return nullopt and say why, and the caller turns that into an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/xfs/codec.h"
#include "model/xfs/types.h"

namespace sansim::xfs {

inline constexpr std::uint64_t kSuperblockBlock = 0;
inline constexpr std::uint64_t kAnchorBlocks[2] = {1, 2};
inline constexpr std::uint64_t kInodeTableStart = 3;

inline constexpr std::uint32_t kInodeSize = 504;
inline constexpr std::uint32_t kInodesPerBlock = kSealedPayload / kInodeSize;  // 8
inline constexpr std::uint32_t kInlineExtents = 16;
inline constexpr std::uint32_t kExtentSize = 24;
inline constexpr std::uint32_t kExtentBlockHeader = 24;
inline constexpr std::uint32_t kExtentsPerBlock = (kSealedPayload - kExtentBlockHeader) / kExtentSize;  // 169
inline constexpr std::uint32_t kMaxExtentBlocks = 4;
// A file with more extents than this cannot grow (allocate answers nospc): it bounds the
// size of one transaction.
inline constexpr std::uint32_t kMaxExtents = kInlineExtents + kMaxExtentBlocks * kExtentsPerBlock;
inline constexpr std::uint64_t kBitsPerBitmapBlock = std::uint64_t{kSealedPayload} * 8;
inline constexpr std::uint32_t kMaxNameLength = 255;
inline constexpr std::uint32_t kLeafHeader = 32;
inline constexpr std::uint32_t kLeafCapacity = kSealedPayload - kLeafHeader;  // entry bytes
inline constexpr std::uint64_t kMinLogBlocks = 128;
inline constexpr std::uint64_t kMinDataBlocks = 16;

// Bytes one directory entry takes in a leaf: ino, name length, name.
inline std::uint32_t entry_bytes(std::string_view name) { return 9 + static_cast<std::uint32_t>(name.size()); }

// ok, or why `name` cannot be a directory entry (empty, ".", "..", '/' or NUL inside:
// inval; longer than kMaxNameLength: nametoolong).
Errno check_name(std::string_view name);

struct Geometry {
  std::uint64_t uuid = 0;
  std::uint64_t blocks = 0;
  std::uint64_t inodes = 0;  // slots, inode 0 included
  std::uint64_t inode_table_start = 0;
  std::uint64_t inode_table_blocks = 0;
  std::uint64_t bitmap_start = 0;
  std::uint64_t bitmap_blocks = 0;
  std::uint64_t log_start = 0;
  std::uint64_t log_blocks = 0;
  std::uint64_t data_start = 0;
  bool operator==(const Geometry&) const = default;

  std::uint64_t inode_block(Ino ino) const { return inode_table_start + ino / kInodesPerBlock; }
  std::uint64_t bitmap_block(std::uint64_t block) const { return bitmap_start + block / kBitsPerBitmapBlock; }
};

// The geometry mkfs lays out on a volume of `volume_blocks`, or why it cannot.
std::optional<Geometry> make_geometry(std::uint64_t volume_blocks, const MkfsOptions& options, std::string* why);
// Whether a decoded geometry is self-consistent and fits a volume of `volume_blocks`.
bool geometry_sane(const Geometry& g, std::uint64_t volume_blocks, std::string* why);

struct Superblock {
  Geometry geometry;
  std::uint64_t free_blocks = 0;
  std::uint64_t inodes_used = 0;
  std::uint64_t directories = 0;
  Ino orphan_head = kNoIno;
  bool operator==(const Superblock&) const = default;
};

void encode_superblock(const Superblock& sb, std::span<std::uint8_t> out);
std::optional<Superblock> decode_superblock(std::span<const std::uint8_t> in, std::string* why);

// Where replay starts: the log position (0 .. log_blocks-1) of the oldest transaction
// not yet written in place, and its sequence number. `checkpoint` counts anchors
// written; the higher of the two good anchors wins. The anchor repeats the geometry so
// that replay can start even when a checkpoint tore the superblock's in-place write (the
// log then holds the superblock's image).
struct Anchor {
  Geometry geometry;
  std::uint64_t checkpoint = 0;
  std::uint64_t tail_pos = 0;
  std::uint64_t tail_seq = 0;
  bool operator==(const Anchor&) const = default;
};

void encode_anchor(const Anchor& a, std::span<std::uint8_t> out);
std::optional<Anchor> decode_anchor(std::span<const std::uint8_t> in, std::string* why);

// One inode-table slot. When encoding, `inode.extents` holds every extent and the slot
// keeps the first kInlineExtents; when decoding it holds those inline ones only and
// `extent_count` says how many there are in all (the rest are in `extent_blocks`).
struct InodeSlot {
  bool used = false;  // a free slot keeps only inode.generation
  Inode inode;
  std::uint32_t extent_count = 0;
  std::vector<std::uint64_t> extent_blocks;
  Ino next_orphan = kNoIno;
};

// Extent-list blocks an inode with `extents` extents needs.
std::uint32_t extent_blocks_needed(std::size_t extents);

// Slot `ino % kInodesPerBlock` of an inode-table block (`out` is the whole block; the
// caller seals it after filling every slot).
void encode_inode_slot(const InodeSlot& s, std::span<std::uint8_t> block, Ino ino);
std::optional<InodeSlot> decode_inode_slot(std::span<const std::uint8_t> block, Ino ino, std::string* why);

// Extent-list block `index` of inode `owner`: extents [kInlineExtents + index *
// kExtentsPerBlock, ...) of its list.
void encode_extent_block(Ino owner, std::uint32_t index, std::span<const Extent> extents, std::span<std::uint8_t> out);
std::optional<std::vector<Extent>> decode_extent_block(std::span<const std::uint8_t> in, Ino owner,
                                                       std::uint32_t index, std::string* why);

// A directory leaf: directory `dir`'s file block `file_block`, entries sorted by name.
// A leaf with no entries is a spare kept for the next split.
void encode_leaf(Ino dir, std::uint64_t file_block, std::span<const DirEntry> entries, std::span<std::uint8_t> out);
std::optional<std::vector<DirEntry>> decode_leaf(std::span<const std::uint8_t> in, Ino dir, std::uint64_t file_block,
                                                 std::string* why);

inline bool bitmap_bit(std::span<const std::uint8_t> block, std::uint64_t bit) {
  return (block[bit / 8] >> (bit % 8)) & 1;
}
inline void set_bitmap_bit(std::span<std::uint8_t> block, std::uint64_t bit, bool v) {
  if (v) block[bit / 8] = static_cast<std::uint8_t>(block[bit / 8] | (1u << (bit % 8)));
  else block[bit / 8] = static_cast<std::uint8_t>(block[bit / 8] & ~(1u << (bit % 8)));
}

}  // namespace sansim::xfs
