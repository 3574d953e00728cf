#include "model/xfs/loader.h"

#include <algorithm>
#include <cassert>

#include "model/xfs/extent_map.h"

namespace sansim::xfs {

namespace {
constexpr std::uint64_t kReadChunk = 256;  // blocks per read
}

Loader::Loader(const Geometry& geometry, bool tolerant) : tolerant_(tolerant) {
  md_.geometry = geometry;
  md_.inodes.resize(geometry.inodes);
  for (Ino i = 0; i < geometry.inodes; ++i) md_.inodes[i].inode.ino = i;
}

void Loader::problem(std::string text) {
  problems_.push_back(std::move(text));
  if (!tolerant_) stage_ = Stage::done;
}

std::optional<Run> Loader::want() const {
  const Geometry& g = md_.geometry;
  switch (stage_) {
    case Stage::superblock:
      return Run{kSuperblockBlock, 1};
    case Stage::inodes:
      return Run{g.inode_table_start + next_, std::min(kReadChunk, g.inode_table_blocks - next_)};
    case Stage::bitmap:
      return Run{g.bitmap_start + next_, std::min(kReadChunk, g.bitmap_blocks - next_)};
    case Stage::extent_blocks:
    case Stage::leaves: {
      std::uint64_t n = 1;
      while (pending_at_ + n < pending_.size() && n < kReadChunk &&
             pending_[pending_at_ + n].block == pending_[pending_at_].block + n)
        ++n;
      return Run{pending_[pending_at_].block, n};
    }
    case Stage::done:
      return std::nullopt;
  }
  return std::nullopt;
}

void Loader::supply(std::span<const std::uint8_t> data) {
  const Geometry& g = md_.geometry;
  const std::uint64_t n = data.size() / kBlockSize;
  auto block = [&](std::uint64_t i) { return data.subspan(i * kBlockSize, kBlockSize); };
  switch (stage_) {
    case Stage::superblock: {
      std::string why;
      std::optional<Superblock> sb = decode_superblock(block(0), &why);
      if (!sb) {
        problem("superblock: " + why);
      } else if (!(sb->geometry == g)) {
        problem("superblock: the logged superblock's geometry differs from the one on disk");
      } else {
        md_.on_disk = *sb;
      }
      if (stop_now()) return;
      stage_ = Stage::inodes;
      next_ = 0;
      return;
    }
    case Stage::inodes: {
      for (std::uint64_t i = 0; i < n && !stop_now(); ++i) {
        const std::uint64_t table_index = next_ + i;
        if (!sealed(block(i))) {
          problem("inode table block " + std::to_string(table_index) + " (volume block " +
                  std::to_string(g.inode_table_start + table_index) + "): checksum mismatch");
          continue;
        }
        for (std::uint32_t k = 0; k < kInodesPerBlock && !stop_now(); ++k) {
          const Ino ino = table_index * kInodesPerBlock + k;
          if (ino >= g.inodes) break;
          std::string why;
          std::optional<InodeSlot> s = decode_inode_slot(block(i), ino, &why);
          if (!s) {
            problem(why);
            continue;
          }
          if (ino == kNoIno && s->used) {
            problem("inode 0 is in use");
            continue;
          }
          InodeRecord& r = md_.inodes[ino];
          r.used = s->used;
          r.inode = std::move(s->inode);
          r.extent_blocks = std::move(s->extent_blocks);
          if (!r.extent_blocks.empty()) slot_extents_[ino] = s->extent_count;
          if (s->next_orphan != kNoIno) next_orphan_[ino] = s->next_orphan;
        }
      }
      next_ += n;
      if (stop_now()) return;
      if (next_ == g.inode_table_blocks) {
        stage_ = Stage::bitmap;
        next_ = 0;
      }
      return;
    }
    case Stage::bitmap: {
      for (std::uint64_t i = 0; i < n && !stop_now(); ++i) {
        const std::uint64_t index = next_ + i;
        const std::uint64_t first = index * kBitsPerBitmapBlock;
        const bool ok = sealed(block(i));
        if (!ok) problem("bitmap block " + std::to_string(index) + ": checksum mismatch (its blocks count as in use)");
        for (std::uint64_t bit = 0; bit < kBitsPerBitmapBlock && first + bit < g.blocks; ++bit) {
          const std::uint64_t b = first + bit;
          bool is_free = ok && !bitmap_bit(block(i), bit);
          if (is_free && b < g.data_start) {
            problem("metadata block " + std::to_string(b) + " is marked free");
            is_free = false;
          }
          if (is_free && !free_run_) free_run_ = b;
          if (!is_free && free_run_) {
            md_.free.give(*free_run_, b - *free_run_);
            free_run_.reset();
          }
        }
      }
      next_ += n;
      if (stop_now()) return;
      if (next_ == g.bitmap_blocks) {
        if (free_run_) md_.free.give(*free_run_, g.blocks - *free_run_);
        free_run_.reset();
        start_extent_blocks();
      }
      return;
    }
    case Stage::extent_blocks: {
      for (std::uint64_t i = 0; i < n && !stop_now(); ++i) {
        const Pending& p = pending_[pending_at_ + i];
        std::string why;
        auto extents = decode_extent_block(block(i), p.ino, static_cast<std::uint32_t>(p.index), &why);
        if (!extents) problem(why);
        else ext_parts_[p.ino][p.index] = std::move(*extents);
      }
      pending_at_ += n;
      if (stop_now()) return;
      if (pending_at_ == pending_.size()) finish_extents();
      return;
    }
    case Stage::leaves: {
      for (std::uint64_t i = 0; i < n && !stop_now(); ++i) {
        const Pending& p = pending_[pending_at_ + i];
        std::string why;
        auto entries = decode_leaf(block(i), p.ino, p.index, &why);
        if (!entries) problem(why);
        else md_.dirs[p.ino].load_leaf(p.index, std::move(*entries));
      }
      pending_at_ += n;
      if (stop_now()) return;
      if (pending_at_ == pending_.size()) finish();
      return;
    }
    case Stage::done:
      return;
  }
}

void Loader::start_extent_blocks() {
  const Geometry& g = md_.geometry;
  pending_.clear();
  pending_at_ = 0;
  for (const auto& [ino, count] : slot_extents_) {
    const InodeRecord& r = md_.inodes[ino];
    for (std::size_t k = 0; k < r.extent_blocks.size(); ++k) {
      const std::uint64_t b = r.extent_blocks[k];
      if (b < g.data_start || b >= g.blocks) {
        problem("inode " + std::to_string(ino) + ": extent block " + std::to_string(b) + " is outside the data region");
        if (stop_now()) return;
        continue;
      }
      pending_.push_back(Pending{b, ino, k});
    }
  }
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.block < b.block; });
  stage_ = Stage::extent_blocks;
  if (pending_.empty()) finish_extents();
}

void Loader::finish_extents() {
  for (const auto& [ino, count] : slot_extents_) {
    InodeRecord& r = md_.inodes[ino];
    for (const auto& [index, part] : ext_parts_[ino])
      r.inode.extents.insert(r.inode.extents.end(), part.begin(), part.end());
    if (r.inode.extents.size() != count) {
      problem("inode " + std::to_string(ino) + ": the slot claims " + std::to_string(count) +
              " extents but its extent blocks hold " + std::to_string(r.inode.extents.size()));
      if (stop_now()) return;
    }
  }
  for (InodeRecord& r : md_.inodes) {
    if (!r.used) continue;
    std::string why;
    if (!extents_well_formed(r.inode.extents, &why)) {
      problem("inode " + std::to_string(r.inode.ino) + ": " + why);
      if (stop_now()) return;
      r.inode.extents.clear();  // tolerant: do not build on a broken map
    }
    if (r.inode.type == FileType::directory) md_.dirs.emplace(r.inode.ino, Directory{});
  }
  start_leaves();
}

void Loader::start_leaves() {
  const Geometry& g = md_.geometry;
  pending_.clear();
  pending_at_ = 0;
  for (const auto& [dir, d] : md_.dirs) {
    for (const Extent& e : md_.inodes[dir].inode.extents) {
      if (e.volume_block < g.data_start || e.volume_block >= g.blocks || e.count > g.blocks - e.volume_block) {
        problem("directory " + std::to_string(dir) + ": extent at volume block " + std::to_string(e.volume_block) +
                " is outside the data region");
        if (stop_now()) return;
        continue;
      }
      for (std::uint64_t k = 0; k < e.count; ++k) pending_.push_back(Pending{e.volume_block + k, dir, e.file_block + k});
    }
  }
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.block < b.block; });
  stage_ = Stage::leaves;
  if (pending_.empty()) finish();
}

void Loader::finish() {
  for (auto& [dir, d] : md_.dirs) {
    std::string why;
    if (!d.finish_load(&why)) {
      problem("directory " + std::to_string(dir) + ": " + why);
      if (stop_now()) return;
    }
  }
  // The orphan list, followed from the superblock (bounded: it may loop if corrupt).
  Ino cur = md_.on_disk.orphan_head;
  for (std::uint64_t steps = 0; cur != kNoIno; ++steps) {
    if (steps >= md_.inodes.size() || md_.orphans.count(cur) != 0) {
      problem("the orphan list loops at inode " + std::to_string(cur));
      break;
    }
    if (!md_.used(cur)) {
      problem("the orphan list names inode " + std::to_string(cur) + ", which is not in use");
      break;
    }
    md_.orphans.insert(cur);
    auto next = next_orphan_.find(cur);
    cur = next == next_orphan_.end() ? kNoIno : next->second;
  }
  if (stop_now()) return;
  for (Ino i = 1; i < md_.inodes.size(); ++i)
    if (!md_.inodes[i].used) md_.free_inodes.insert(i);
  stage_ = Stage::done;
}

}  // namespace sansim::xfs
