#include "model/xfs/journal.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace sansim::xfs {

namespace {
constexpr std::uint32_t kLogMagic = 0x474f4c58;  // "XLOG"
constexpr std::uint32_t kLogVersion = 1;
constexpr std::size_t kChecksumOffset = 40;

std::uint64_t descriptors_for(std::size_t entries) {
  return std::max<std::uint64_t>(1, (entries + kDescriptorEntries - 1) / kDescriptorEntries);
}

std::uint64_t record_checksum(std::uint64_t uuid, std::span<const std::uint8_t> record) {
  // The checksum field itself reads as zero.
  std::uint64_t h = checksum64(record.first(kChecksumOffset), uuid);
  const std::uint8_t zero[8] = {};
  h = checksum64(std::span<const std::uint8_t>(zero, 8), h);
  return checksum64(record.subspan(kChecksumOffset + 8), h);
}
}  // namespace

std::uint64_t record_blocks(std::size_t images, std::size_t revokes) {
  return descriptors_for(images + revokes) + images;
}

Bytes encode_record(std::uint64_t uuid, const LoggedTransaction& t) {
  const std::size_t entries = t.images.size() + t.revokes.size();
  const std::uint64_t d = descriptors_for(entries);
  Bytes out(record_blocks(t.images.size(), t.revokes.size()) * kBlockSize, 0);
  std::vector<std::uint64_t> list;
  list.reserve(entries);
  for (const auto& [b, image] : t.images) list.push_back(b);
  list.insert(list.end(), t.revokes.begin(), t.revokes.end());
  for (std::uint64_t k = 0; k < d; ++k) {
    std::uint8_t* p = out.data() + k * kBlockSize;
    put_u32(p, kLogMagic);
    put_u32(p + 4, kLogVersion);
    put_u64(p + 8, uuid);
    put_u64(p + 16, t.seq);
    put_u32(p + 24, static_cast<std::uint32_t>(k));
    put_u32(p + 28, static_cast<std::uint32_t>(d));
    put_u32(p + 32, static_cast<std::uint32_t>(t.images.size()));
    put_u32(p + 36, static_cast<std::uint32_t>(t.revokes.size()));
    for (std::size_t e = k * kDescriptorEntries; e < std::min<std::size_t>(entries, (k + 1) * kDescriptorEntries); ++e)
      put_u64(p + kDescriptorHeader + 8 * (e - k * kDescriptorEntries), list[e]);
  }
  std::size_t at = d * kBlockSize;
  for (const auto& [b, image] : t.images) {
    assert(image.size() == kBlockSize);
    std::memcpy(out.data() + at, image.data(), kBlockSize);
    at += kBlockSize;
  }
  put_u64(out.data() + kChecksumOffset, record_checksum(uuid, out));
  return out;
}

LogScanner::LogScanner(const Anchor& anchor)
    : g_(anchor.geometry), pos_(anchor.tail_pos), seq_(anchor.tail_seq) {
  assert(pos_ < g_.log_blocks);
}

std::optional<Run> LogScanner::want() const {
  if (done_) return std::nullopt;
  if (record_ == 0) return Run{g_.log_start + pos_, 1};
  const std::uint64_t got = buf_.size() / kBlockSize;
  const std::uint64_t at = (pos_ + got) % g_.log_blocks;
  return Run{g_.log_start + at, std::min(record_ - got, g_.log_blocks - at)};
}

void LogScanner::stop(std::string why) {
  done_ = true;
  stop_reason_ = std::move(why);
}

void LogScanner::supply(std::span<const std::uint8_t> data) {
  assert(!done_ && data.size() % kBlockSize == 0);
  if (record_ == 0) {
    const std::uint8_t* p = data.data();
    const std::string at = "log block " + std::to_string(pos_) + ": ";
    if (get_u32(p) != kLogMagic || get_u32(p + 4) != kLogVersion || get_u64(p + 8) != g_.uuid)
      return stop(at + "no record (end of log)");
    if (get_u64(p + 16) != seq_)
      return stop(at + "record " + std::to_string(get_u64(p + 16)) + " is not the next one, " + std::to_string(seq_));
    const std::uint64_t d = get_u32(p + 28), n = get_u32(p + 32), r = get_u32(p + 36);
    if (get_u32(p + 24) != 0 || d != descriptors_for(n + r) || d + n > g_.log_blocks - scanned_)
      return stop(at + "record header is inconsistent (torn write)");
    record_ = d + n;
    buf_.assign(data.begin(), data.end());
  } else {
    buf_.insert(buf_.end(), data.begin(), data.end());
  }
  if (buf_.size() / kBlockSize == record_) finish_record();
}

void LogScanner::finish_record() {
  const std::uint8_t* p = buf_.data();
  const std::string at = "log record " + std::to_string(seq_) + " at " + std::to_string(pos_) + ": ";
  if (get_u64(p + kChecksumOffset) != record_checksum(g_.uuid, buf_)) return stop(at + "checksum mismatch (torn write)");
  const std::uint64_t d = get_u32(p + 28), n = get_u32(p + 32), r = get_u32(p + 36);
  LoggedTransaction t;
  t.seq = seq_;
  std::vector<std::uint64_t> list;
  for (std::uint64_t k = 0; k < d; ++k) {
    const std::uint8_t* q = p + k * kBlockSize;
    if (get_u32(q) != kLogMagic || get_u64(q + 16) != seq_ || get_u32(q + 24) != k) {
      error_ = at + "descriptor " + std::to_string(k) + " does not belong to the record";
      return stop(error_);
    }
    for (std::uint64_t e = k * kDescriptorEntries; e < std::min<std::uint64_t>(n + r, (k + 1) * kDescriptorEntries); ++e)
      list.push_back(get_u64(q + kDescriptorHeader + 8 * (e - k * kDescriptorEntries)));
  }
  for (std::uint64_t i = 0; i < n + r; ++i) {
    const std::uint64_t b = list[i];
    const bool image = i < n;
    // Images are metadata blocks outside the log and anchors; revokes are data blocks.
    const bool ok = b < g_.blocks &&
                    (image ? (b == kSuperblockBlock || (b >= g_.inode_table_start && b < g_.log_start) ||
                              b >= g_.data_start)
                           : b >= g_.data_start);
    if (!ok) {
      error_ = at + (image ? "image of block " : "revoke of block ") + std::to_string(b) + " is out of place";
      return stop(error_);
    }
    if (image) {
      if (t.images.count(b) != 0) {
        error_ = at + "block " + std::to_string(b) + " logged twice";
        return stop(error_);
      }
      const std::size_t off = (d + i) * kBlockSize;
      t.images.emplace(b, Bytes(buf_.begin() + static_cast<std::ptrdiff_t>(off),
                                buf_.begin() + static_cast<std::ptrdiff_t>(off + kBlockSize)));
    } else {
      t.revokes.push_back(b);
    }
  }
  txs_.push_back(std::move(t));
  scanned_ += record_;
  pos_ = (pos_ + record_) % g_.log_blocks;
  ++seq_;
  record_ = 0;
  buf_.clear();
  if (scanned_ >= g_.log_blocks) stop("the log is full");
}

std::map<std::uint64_t, Bytes> replay_images(const std::vector<LoggedTransaction>& txs) {
  std::map<std::uint64_t, std::uint64_t> last_revoke;  // block -> latest revoking seq
  for (const LoggedTransaction& t : txs)
    for (std::uint64_t b : t.revokes) last_revoke[b] = t.seq;
  std::map<std::uint64_t, Bytes> out;
  for (const LoggedTransaction& t : txs) {
    for (const auto& [b, image] : t.images) {
      auto r = last_revoke.find(b);
      if (r != last_revoke.end() && r->second > t.seq) continue;
      out[b] = image;
    }
  }
  return out;
}

}  // namespace sansim::xfs

namespace sansim::xfs {

std::optional<Anchor> pick_anchor(std::uint64_t volume_blocks, std::span<const std::uint8_t> anchor0,
                                  std::span<const std::uint8_t> anchor1, std::string* why) {
  std::optional<Anchor> best;
  std::string reasons;
  int k = 0;
  for (std::span<const std::uint8_t> raw : {anchor0, anchor1}) {
    std::string w;
    std::optional<Anchor> a = decode_anchor(raw, &w);
    if (a && !geometry_sane(a->geometry, volume_blocks, &w)) a.reset();
    if (a && a->tail_pos >= a->geometry.log_blocks) w = "tail outside the log";
    if (!w.empty()) {
      reasons += (reasons.empty() ? "" : "; ") + std::string("anchor ") + std::to_string(k) + ": " + w;
      a.reset();
    }
    if (a && (!best || a->checkpoint > best->checkpoint)) best = a;
    ++k;
  }
  if (!best && why != nullptr) *why = "no usable log anchor (" + reasons + ")";
  return best;
}

void apply_overlay(const Run& run, std::span<std::uint8_t> data, const std::map<std::uint64_t, Bytes>& overlay) {
  for (auto it = overlay.lower_bound(run.start); it != overlay.end() && it->first < run.start + run.count; ++it)
    std::copy(it->second.begin(), it->second.end(), data.begin() + static_cast<std::ptrdiff_t>((it->first - run.start) * kBlockSize));
}

}  // namespace sansim::xfs
