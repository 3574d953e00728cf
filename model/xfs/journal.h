// The metadata journal: a write-ahead log in a circular region of the volume.
//
// Each metadata-changing operation is one transaction: the new images of every metadata
// block it changed, plus the "revoked" blocks it gave back to free space. The record is
// written at the log head and flushed BEFORE any of those blocks is written in place;
// in-place writes wait for a checkpoint (when the log fills, on sync, after replay),
// which writes the latest image of every logged block, flushes, and only then moves the
// tail (anchor, layout.h) past the records.
//
// A record is D descriptor blocks then N image blocks, wrapping at the end of the region.
// Descriptor 0 carries the uuid, the sequence number, D, N, the number of revokes and a
// checksum over the whole record; the descriptors list the images' block numbers and
// then the revoked blocks. Replay reads records from the tail while each one has the next
// sequence number and a matching checksum: a torn or partial last record, or an older
// record from an earlier lap, ends the log.
//
// Revokes: a block logged as metadata, then freed and reused for file data (which is
// never journaled), must not get the old image back at replay. An image of block b in
// record s is skipped if a later record revoked b.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/xfs/codec.h"
#include "model/xfs/free_space.h"
#include "model/xfs/layout.h"

namespace sansim::xfs {

struct LoggedTransaction {
  std::uint64_t seq = 0;
  std::map<std::uint64_t, Bytes> images;  // block -> new image
  std::vector<std::uint64_t> revokes;
};

inline constexpr std::uint32_t kDescriptorHeader = 48;
inline constexpr std::uint32_t kDescriptorEntries = (kBlockSize - kDescriptorHeader) / 8;

// Blocks a record with these many images and revokes takes in the log.
std::uint64_t record_blocks(std::size_t images, std::size_t revokes);

// The record's bytes: record_blocks(...) blocks, descriptors first.
Bytes encode_record(std::uint64_t uuid, const LoggedTransaction& t);

// Reads the log from the tail, one block range at a time (the caller fetches what
// want() names and hands it to supply()), so mount (timed volume reads) and fsck
// (inspect) share it.
class LogScanner {
 public:
  explicit LogScanner(const Anchor& anchor);

  // The volume blocks to read next; nothing once done().
  std::optional<Run> want() const;
  void supply(std::span<const std::uint8_t> data);
  bool done() const { return done_; }

  // A record whose checksum matched but whose content is impossible: not a torn write,
  // a corrupt log. Mount refuses it.
  bool corrupt() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Why the scan ended (for diagnostics).
  const std::string& stop_reason() const { return stop_reason_; }

  const std::vector<LoggedTransaction>& transactions() const { return txs_; }
  // Where the next record goes, and its sequence number.
  std::uint64_t end_pos() const { return pos_; }
  std::uint64_t next_seq() const { return seq_; }
  // Log blocks the complete records take.
  std::uint64_t scanned() const { return scanned_; }

 private:
  void stop(std::string why);
  void finish_record();

  Geometry g_;
  std::uint64_t pos_;       // log position of the record being read
  std::uint64_t seq_;       // its expected sequence number
  std::uint64_t scanned_ = 0;
  std::uint64_t record_ = 0;  // blocks in the record being read (0: reading a header)
  Bytes buf_;                 // the record so far
  bool done_ = false;
  std::string error_;
  std::string stop_reason_;
  std::vector<LoggedTransaction> txs_;
};

// What replay writes in place: the latest image of each logged block, in block order,
// leaving out images a later record revoked.
std::map<std::uint64_t, Bytes> replay_images(const std::vector<LoggedTransaction>& txs);

}  // namespace sansim::xfs

namespace sansim::xfs {

// The anchor replay starts from: of the two anchor blocks, the good one (sealed, a sane
// geometry that fits the volume, tail inside the log) with the higher checkpoint number.
std::optional<Anchor> pick_anchor(std::uint64_t volume_blocks, std::span<const std::uint8_t> anchor0,
                                  std::span<const std::uint8_t> anchor1, std::string* why);

// Lays the replayed images over blocks [run.start, run.start + run.count) just read.
void apply_overlay(const Run& run, std::span<std::uint8_t> data, const std::map<std::uint64_t, Bytes>& overlay);

}  // namespace sansim::xfs
