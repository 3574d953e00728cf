// A simulated SAN disk: a fixed number of kBlockSize blocks holding real bytes.
//
// Fault model, all deterministic given the Rng handed in:
//  - volatile write cache: an acknowledged write sits in the cache until a flush makes it
//    durable. Reads see the cache. A power loss ends the cache: each cached block write,
//    in the order it was acknowledged, is dropped, applied, or torn (a prefix of its
//    512-byte sectors is new, the rest is what the block held before), so a later cached
//    write to a block lands over an earlier one. A write of several blocks is cached as
//    one entry per block: after a power loss any subset of them may have landed, as on a
//    disk that reorders its destaging.
//  - error ranges (eio): every read and write touching the range fails while it is set.
//  - latent sector errors: a read touching the block fails with eio until the block is
//    rewritten (the write reallocates the sector, as real disks do).
// No time passes here: the fabric adds latency and transfer time.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/random.h"
#include "engine/sim/volume.h"
#include "engine/wire.h"

namespace sansim {

inline constexpr std::uint32_t kSectorSize = 512;

enum class DiskErrorKind : std::uint8_t { eio, latent };

const char* to_string(DiskErrorKind k);

class Disk {
 public:
  Disk(std::string name, std::uint64_t blocks);
  Disk(const Disk&) = delete;
  Disk& operator=(const Disk&) = delete;

  const std::string& name() const { return name_; }
  std::uint64_t blocks() const { return blocks_; }

  // The media operations the fabric performs at an I/O's completion. Sizes must be whole
  // blocks (else out_of_range). read: eio if the range overlaps an eio range or a latent
  // block; `out` is untouched then. write: eio if it overlaps an eio range (nothing is
  // cached), else every block is cached and its latent error, if any, is gone.
  IoStatus read(std::uint64_t block, std::span<std::uint8_t> out) const;
  IoStatus write(std::uint64_t block, std::span<const std::uint8_t> data);
  // Makes every cached write durable.
  void flush();
  // Drops, applies or tears each cached write (see the fault model above).
  void power_loss(Rng& rng);

  // Error ranges. An eio range stays until removed (ranges are counted: each add needs one
  // remove of the same first/count); a latent block until it is rewritten.
  void add_error(std::uint64_t first, std::uint64_t count, DiskErrorKind kind);
  // Removes one eio range equal to [first, first+count). Returns whether there was one.
  bool remove_error(std::uint64_t first, std::uint64_t count);
  bool latent(std::uint64_t block) const { return any_latent(block, block + 1); }

  // What the disk holds now, cache included; no error applies. REQUIRES: in range.
  void inspect(std::uint64_t block, std::span<std::uint8_t> out) const;
  // What would survive a power loss that drops every cached write. REQUIRES: in range.
  void durable(std::uint64_t block, std::span<std::uint8_t> out) const;

  std::size_t cached_writes() const { return cache_.size(); }

 private:
  struct CachedWrite {
    std::uint64_t block;
    Bytes data;
  };
  struct Range {
    std::uint64_t first;
    std::uint64_t count;
  };

  bool in_range(std::uint64_t block, std::size_t bytes) const;
  bool overlaps_eio(std::uint64_t block, std::uint64_t count) const;
  bool any_latent(std::uint64_t first, std::uint64_t end) const;
  void add_latent(std::uint64_t first, std::uint64_t end);
  void clear_latent(std::uint64_t first, std::uint64_t end);

  std::string name_;      // Constant after construction.
  std::uint64_t blocks_;  // Constant after construction.
  std::map<std::uint64_t, Bytes> durable_;  // absent: zeros
  std::vector<CachedWrite> cache_;          // in acknowledgement order
  std::map<std::uint64_t, std::size_t> newest_;  // block -> its last entry in cache_
  std::vector<Range> eio_;
  // Latent blocks as disjoint, non-adjacent [first, end) ranges keyed by first, so a huge
  // range costs one entry.
  std::map<std::uint64_t, std::uint64_t> latent_;
};

}  // namespace sansim
