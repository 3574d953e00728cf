// A plain concatenation of whole disks (§0020, §0044): volume block b lives on the first
// disk while b < its size, then on the second, and so on. An I/O crossing a disk boundary
// is split and its pieces go out one after another, in block order; the first piece that
// fails ends the I/O with its status, so a failed write may have landed in part (as on a
// real volume). A flush flushes every disk, even after one failed, and reports the first
// failure.
#pragma once

#include <vector>

#include "engine/sim/fabric.h"
#include "engine/sim/volume.h"

namespace sansim {

class ConcatVolume final : public Volume {
 public:
  // REQUIRES: at least one disk.
  ConcatVolume(Fabric& fabric, std::vector<DiskId> disks);

  const std::vector<DiskId>& disks() const { return disks_; }

  std::uint64_t blocks() const override { return blocks_; }
  Task<IoStatus> read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) override;
  Task<IoStatus> write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) override;
  Task<IoStatus> flush(NodeId via) override;
  void inspect(std::uint64_t block, std::span<std::uint8_t> out) const override;

 private:
  // One disk's share of a volume range.
  struct Piece {
    DiskId disk;
    std::uint64_t block;   // on that disk
    std::uint64_t offset;  // bytes into the caller's buffer
    std::uint64_t bytes;
  };
  bool in_range(std::uint64_t block, std::size_t bytes) const;
  std::vector<Piece> split(std::uint64_t block, std::size_t bytes) const;

  Fabric& fabric_;
  std::vector<DiskId> disks_;         // Constant after construction.
  std::vector<std::uint64_t> start_;  // volume block where each disk begins
  std::uint64_t blocks_ = 0;
};

}  // namespace sansim
