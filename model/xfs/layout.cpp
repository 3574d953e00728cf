#include "model/xfs/layout.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace sansim::xfs {

namespace {
constexpr std::uint64_t kSuperMagic = 0x3146584d4953534eULL;  // "NSSIMXF1"
constexpr std::uint32_t kAnchorMagic = 0x52484e41;            // "ANHR"
constexpr std::uint32_t kExtentMagic = 0x54584558;            // "XEXT"
constexpr std::uint32_t kLeafMagic = 0x52494458;              // "XDIR"
constexpr std::uint32_t kVersion = 1;

bool fail(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
  return false;
}

std::uint64_t div_up(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

void encode_extent(const Extent& e, std::uint8_t* p) {
  put_u64(p, e.file_block);
  put_u64(p + 8, e.volume_block);
  put_u64(p + 16, e.count);
}
Extent decode_extent(const std::uint8_t* p) { return Extent{get_u64(p), get_u64(p + 8), get_u64(p + 16)}; }

constexpr std::size_t kGeometryBytes = 80;

void encode_geometry(const Geometry& g, std::uint8_t* p) {
  const std::uint64_t v[] = {g.uuid, g.blocks, g.inodes, g.inode_table_start, g.inode_table_blocks,
                             g.bitmap_start, g.bitmap_blocks, g.log_start, g.log_blocks, g.data_start};
  for (std::size_t k = 0; k < 10; ++k) put_u64(p + 8 * k, v[k]);
}

Geometry decode_geometry(const std::uint8_t* p) {
  Geometry g;
  std::uint64_t* v[] = {&g.uuid, &g.blocks, &g.inodes, &g.inode_table_start, &g.inode_table_blocks,
                        &g.bitmap_start, &g.bitmap_blocks, &g.log_start, &g.log_blocks, &g.data_start};
  for (std::size_t k = 0; k < 10; ++k) *v[k] = get_u64(p + 8 * k);
  return g;
}
}  // namespace

Errno check_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return Errno::inval;
  if (name.size() > kMaxNameLength) return Errno::nametoolong;
  for (char c : name)
    if (c == '/' || c == '\0') return Errno::inval;
  return Errno::ok;
}

std::optional<Geometry> make_geometry(std::uint64_t volume_blocks, const MkfsOptions& o, std::string* why) {
  if (o.inodes < 2 || o.inodes > (std::uint64_t{1} << 32)) {
    fail(why, "inodes must be between 2 and 2^32, not " + std::to_string(o.inodes));
    return std::nullopt;
  }
  if (o.log_blocks < kMinLogBlocks || o.log_blocks > (std::uint64_t{1} << 32)) {
    fail(why, "log_blocks must be between " + std::to_string(kMinLogBlocks) + " and 2^32, not " +
                  std::to_string(o.log_blocks));
    return std::nullopt;
  }
  Geometry g;
  g.uuid = o.uuid;
  g.blocks = volume_blocks;
  g.inodes = o.inodes;
  g.inode_table_start = kInodeTableStart;
  g.inode_table_blocks = div_up(o.inodes, kInodesPerBlock);
  g.bitmap_start = g.inode_table_start + g.inode_table_blocks;
  g.bitmap_blocks = div_up(volume_blocks, kBitsPerBitmapBlock);
  g.log_start = g.bitmap_start + g.bitmap_blocks;
  g.log_blocks = o.log_blocks;
  g.data_start = g.log_start + g.log_blocks;
  if (g.data_start + kMinDataBlocks > volume_blocks) {
    fail(why, "the volume has " + std::to_string(volume_blocks) + " blocks but this layout needs at least " +
                  std::to_string(g.data_start + kMinDataBlocks) + "; use fewer inodes or a smaller log");
    return std::nullopt;
  }
  return g;
}

bool geometry_sane(const Geometry& g, std::uint64_t volume_blocks, std::string* why) {
  if (g.blocks > volume_blocks)
    return fail(why, "superblock says " + std::to_string(g.blocks) + " blocks but the volume has " +
                         std::to_string(volume_blocks));
  MkfsOptions o;
  o.inodes = g.inodes;
  o.log_blocks = g.log_blocks;
  o.uuid = g.uuid;
  std::string inner;
  std::optional<Geometry> expect = make_geometry(g.blocks, o, &inner);
  if (!expect) return fail(why, "superblock geometry is impossible: " + inner);
  if (!(*expect == g)) return fail(why, "superblock region boundaries do not match its sizes");
  return true;
}

void encode_superblock(const Superblock& sb, std::span<std::uint8_t> out) {
  assert(out.size() == kBlockSize);
  std::fill(out.begin(), out.end(), 0);
  std::uint8_t* p = out.data();
  put_u64(p, kSuperMagic);
  put_u32(p + 8, kVersion);
  put_u32(p + 12, kBlockSize);
  encode_geometry(sb.geometry, p + 16);
  static_assert(16 + kGeometryBytes == 96);
  put_u64(p + 96, sb.free_blocks);
  put_u64(p + 104, sb.inodes_used);
  put_u64(p + 112, sb.directories);
  put_u64(p + 120, sb.orphan_head);
  seal(out);
}

std::optional<Superblock> decode_superblock(std::span<const std::uint8_t> in, std::string* why) {
  const std::uint8_t* p = in.data();
  if (in.size() != kBlockSize || get_u64(p) != kSuperMagic) {
    fail(why, "block 0 is not a sansim xfs superblock (bad magic)");
    return std::nullopt;
  }
  if (!sealed(in)) {
    fail(why, "superblock checksum mismatch");
    return std::nullopt;
  }
  if (get_u32(p + 8) != kVersion || get_u32(p + 12) != kBlockSize) {
    fail(why, "superblock version " + std::to_string(get_u32(p + 8)) + " or block size " +
                  std::to_string(get_u32(p + 12)) + " is not supported");
    return std::nullopt;
  }
  Superblock sb;
  sb.geometry = decode_geometry(p + 16);
  sb.free_blocks = get_u64(p + 96);
  sb.inodes_used = get_u64(p + 104);
  sb.directories = get_u64(p + 112);
  sb.orphan_head = get_u64(p + 120);
  return sb;
}

void encode_anchor(const Anchor& a, std::span<std::uint8_t> out) {
  assert(out.size() == kBlockSize);
  std::fill(out.begin(), out.end(), 0);
  std::uint8_t* p = out.data();
  put_u32(p, kAnchorMagic);
  put_u32(p + 4, kVersion);
  put_u64(p + 8, a.checkpoint);
  put_u64(p + 16, a.tail_pos);
  put_u64(p + 24, a.tail_seq);
  encode_geometry(a.geometry, p + 32);
  seal(out);
}

std::optional<Anchor> decode_anchor(std::span<const std::uint8_t> in, std::string* why) {
  const std::uint8_t* p = in.data();
  if (in.size() != kBlockSize || get_u32(p) != kAnchorMagic || get_u32(p + 4) != kVersion) {
    fail(why, "bad log anchor magic");
    return std::nullopt;
  }
  if (!sealed(in)) {
    fail(why, "log anchor checksum mismatch");
    return std::nullopt;
  }
  return Anchor{decode_geometry(p + 32), get_u64(p + 8), get_u64(p + 16), get_u64(p + 24)};
}

std::uint32_t extent_blocks_needed(std::size_t extents) {
  if (extents <= kInlineExtents) return 0;
  return static_cast<std::uint32_t>(div_up(extents - kInlineExtents, kExtentsPerBlock));
}

void encode_inode_slot(const InodeSlot& s, std::span<std::uint8_t> block, Ino ino) {
  assert(block.size() == kBlockSize);
  std::uint8_t* p = block.data() + (ino % kInodesPerBlock) * kInodeSize;
  std::memset(p, 0, kInodeSize);
  const Inode& i = s.inode;
  put_u32(p + 16, i.generation);
  if (!s.used) return;
  assert(i.extents.size() <= kMaxExtents);
  assert(s.extent_blocks.size() == extent_blocks_needed(i.extents.size()));
  put_u8(p, static_cast<std::uint8_t>(i.type));
  put_u8(p + 1, static_cast<std::uint8_t>(s.extent_blocks.size()));
  put_u32(p + 4, i.mode);
  put_u32(p + 8, i.uid);
  put_u32(p + 12, i.nlink);
  put_u32(p + 20, static_cast<std::uint32_t>(i.extents.size()));
  put_u64(p + 24, i.size);
  put_i64(p + 32, i.atime);
  put_i64(p + 40, i.mtime);
  put_i64(p + 48, i.ctime);
  put_u64(p + 56, i.parent);
  put_u64(p + 64, s.next_orphan);
  for (std::size_t k = 0; k < s.extent_blocks.size(); ++k) put_u64(p + 72 + 8 * k, s.extent_blocks[k]);
  const std::size_t inline_count = std::min<std::size_t>(i.extents.size(), kInlineExtents);
  for (std::size_t k = 0; k < inline_count; ++k) encode_extent(i.extents[k], p + 104 + kExtentSize * k);
}

std::optional<InodeSlot> decode_inode_slot(std::span<const std::uint8_t> block, Ino ino, std::string* why) {
  const std::uint8_t* p = block.data() + (ino % kInodesPerBlock) * kInodeSize;
  const std::string where = "inode " + std::to_string(ino) + ": ";
  InodeSlot s;
  s.inode.ino = ino;
  s.inode.generation = get_u32(p + 16);
  const std::uint8_t type = get_u8(p);
  if (type == 0) return s;
  if (type != static_cast<std::uint8_t>(FileType::regular) && type != static_cast<std::uint8_t>(FileType::directory)) {
    fail(why, where + "unknown file type " + std::to_string(type));
    return std::nullopt;
  }
  s.used = true;
  Inode& i = s.inode;
  i.type = static_cast<FileType>(type);
  const std::uint32_t ext_blocks = get_u8(p + 1);
  i.mode = get_u32(p + 4);
  i.uid = get_u32(p + 8);
  i.nlink = get_u32(p + 12);
  s.extent_count = get_u32(p + 20);
  i.size = get_u64(p + 24);
  i.atime = get_i64(p + 32);
  i.mtime = get_i64(p + 40);
  i.ctime = get_i64(p + 48);
  i.parent = get_u64(p + 56);
  s.next_orphan = get_u64(p + 64);
  if (s.extent_count > kMaxExtents || ext_blocks != extent_blocks_needed(s.extent_count)) {
    fail(why, where + std::to_string(s.extent_count) + " extents with " + std::to_string(ext_blocks) +
                  " extent blocks is inconsistent");
    return std::nullopt;
  }
  for (std::uint32_t k = 0; k < ext_blocks; ++k) s.extent_blocks.push_back(get_u64(p + 72 + 8 * k));
  const std::uint32_t inline_count = std::min(s.extent_count, kInlineExtents);
  for (std::uint32_t k = 0; k < inline_count; ++k) i.extents.push_back(decode_extent(p + 104 + kExtentSize * k));
  return s;
}

void encode_extent_block(Ino owner, std::uint32_t index, std::span<const Extent> extents, std::span<std::uint8_t> out) {
  assert(out.size() == kBlockSize && extents.size() <= kExtentsPerBlock);
  std::fill(out.begin(), out.end(), 0);
  std::uint8_t* p = out.data();
  put_u32(p, kExtentMagic);
  put_u32(p + 4, static_cast<std::uint32_t>(extents.size()));
  put_u64(p + 8, owner);
  put_u32(p + 16, index);
  for (std::size_t k = 0; k < extents.size(); ++k) encode_extent(extents[k], p + kExtentBlockHeader + kExtentSize * k);
  seal(out);
}

std::optional<std::vector<Extent>> decode_extent_block(std::span<const std::uint8_t> in, Ino owner,
                                                       std::uint32_t index, std::string* why) {
  const std::uint8_t* p = in.data();
  const std::string where = "inode " + std::to_string(owner) + " extent block " + std::to_string(index) + ": ";
  if (get_u32(p) != kExtentMagic || !sealed(in)) {
    fail(why, where + "not a sealed extent block");
    return std::nullopt;
  }
  const std::uint32_t count = get_u32(p + 4);
  if (get_u64(p + 8) != owner || get_u32(p + 16) != index || count > kExtentsPerBlock) {
    fail(why, where + "header names another owner or index, or too many extents");
    return std::nullopt;
  }
  std::vector<Extent> out;
  for (std::uint32_t k = 0; k < count; ++k) out.push_back(decode_extent(p + kExtentBlockHeader + kExtentSize * k));
  return out;
}

void encode_leaf(Ino dir, std::uint64_t file_block, std::span<const DirEntry> entries, std::span<std::uint8_t> out) {
  assert(out.size() == kBlockSize);
  std::fill(out.begin(), out.end(), 0);
  std::uint8_t* p = out.data();
  put_u32(p, kLeafMagic);
  put_u32(p + 4, static_cast<std::uint32_t>(entries.size()));
  put_u64(p + 8, dir);
  put_u64(p + 16, file_block);
  std::uint32_t off = kLeafHeader;
  for (const DirEntry& e : entries) {
    assert(off + entry_bytes(e.name) <= kSealedPayload);
    put_u64(p + off, e.ino);
    put_u8(p + off + 8, static_cast<std::uint8_t>(e.name.size()));
    std::memcpy(p + off + 9, e.name.data(), e.name.size());
    off += entry_bytes(e.name);
  }
  put_u32(p + 24, off - kLeafHeader);
  seal(out);
}

std::optional<std::vector<DirEntry>> decode_leaf(std::span<const std::uint8_t> in, Ino dir, std::uint64_t file_block,
                                                 std::string* why) {
  const std::uint8_t* p = in.data();
  const std::string where = "directory " + std::to_string(dir) + " leaf " + std::to_string(file_block) + ": ";
  if (get_u32(p) != kLeafMagic || !sealed(in)) {
    fail(why, where + "not a sealed directory leaf");
    return std::nullopt;
  }
  if (get_u64(p + 8) != dir || get_u64(p + 16) != file_block) {
    fail(why, where + "header names directory " + std::to_string(get_u64(p + 8)) + " block " +
                  std::to_string(get_u64(p + 16)));
    return std::nullopt;
  }
  const std::uint32_t count = get_u32(p + 4);
  const std::uint32_t bytes = get_u32(p + 24);
  if (bytes > kLeafCapacity) {
    fail(why, where + "entry bytes overflow the block");
    return std::nullopt;
  }
  std::vector<DirEntry> out;
  std::uint32_t off = kLeafHeader;
  const std::uint32_t end = kLeafHeader + bytes;
  for (std::uint32_t k = 0; k < count; ++k) {
    if (off + 9 > end) {
      fail(why, where + "entry " + std::to_string(k) + " runs past the end");
      return std::nullopt;
    }
    const std::uint32_t len = get_u8(p + off + 8);
    if (off + 9 + len > end) {
      fail(why, where + "entry " + std::to_string(k) + " runs past the end");
      return std::nullopt;
    }
    DirEntry e{std::string(reinterpret_cast<const char*>(p + off + 9), len), get_u64(p + off)};
    if (check_name(e.name) != Errno::ok) {
      fail(why, where + "entry " + std::to_string(k) + " has an invalid name");
      return std::nullopt;
    }
    if (!out.empty() && !(out.back().name < e.name)) {
      fail(why, where + "entries out of order at \"" + e.name + "\"");
      return std::nullopt;
    }
    off += 9 + len;
    out.push_back(std::move(e));
  }
  if (off != end) {
    fail(why, where + "entry count and byte count disagree");
    return std::nullopt;
  }
  return out;
}

}  // namespace sansim::xfs
