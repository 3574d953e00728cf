#include "engine/sim/concat_volume.h"

#include <algorithm>
#include <cassert>

namespace sansim {

ConcatVolume::ConcatVolume(Fabric& fabric, std::vector<DiskId> disks) : fabric_(fabric), disks_(std::move(disks)) {
  assert(!disks_.empty());
  for (DiskId d : disks_) {
    start_.push_back(blocks_);
    blocks_ += fabric_.disk(d).blocks();
  }
}

bool ConcatVolume::in_range(std::uint64_t block, std::size_t bytes) const {
  if (bytes % kBlockSize != 0) return false;
  return block <= blocks_ && bytes / kBlockSize <= blocks_ - block;
}

std::vector<ConcatVolume::Piece> ConcatVolume::split(std::uint64_t block, std::size_t bytes) const {
  assert(in_range(block, bytes));
  std::vector<Piece> pieces;
  std::uint64_t left = bytes / kBlockSize;
  std::uint64_t offset = 0;
  // The last disk that starts at or before `block`.
  std::size_t i = static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), block) - start_.begin()) - 1;
  while (left > 0) {
    const std::uint64_t on_disk = block - start_[i];
    const std::uint64_t n = std::min(left, fabric_.disk(disks_[i]).blocks() - on_disk);
    if (n > 0) pieces.push_back({disks_[i], on_disk, offset, n * kBlockSize});
    block += n;
    offset += n * kBlockSize;
    left -= n;
    ++i;
  }
  return pieces;
}

Task<IoStatus> ConcatVolume::read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) {
  if (!in_range(block, out.size())) co_return IoStatus::out_of_range;
  const std::vector<Piece> pieces = split(block, out.size());
  for (const Piece& p : pieces) {
    Task<IoStatus> rd = fabric_.read(via, p.disk, p.block, out.subspan(p.offset, p.bytes));
    const IoStatus st = co_await rd;
    if (st != IoStatus::ok) co_return st;
  }
  co_return IoStatus::ok;
}

Task<IoStatus> ConcatVolume::write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) {
  if (!in_range(block, data.size())) co_return IoStatus::out_of_range;
  const std::vector<Piece> pieces = split(block, data.size());
  for (const Piece& p : pieces) {
    Task<IoStatus> wr = fabric_.write(via, p.disk, p.block, data.subspan(p.offset, p.bytes));
    const IoStatus st = co_await wr;
    if (st != IoStatus::ok) co_return st;
  }
  co_return IoStatus::ok;
}

Task<IoStatus> ConcatVolume::flush(NodeId via) {
  IoStatus first = IoStatus::ok;
  for (DiskId d : disks_) {
    Task<IoStatus> fl = fabric_.flush(via, d);
    const IoStatus st = co_await fl;
    if (first == IoStatus::ok) first = st;
  }
  co_return first;
}

void ConcatVolume::inspect(std::uint64_t block, std::span<std::uint8_t> out) const {
  for (const Piece& p : split(block, out.size())) fabric_.disk(p.disk).inspect(p.block, out.subspan(p.offset, p.bytes));
}

}  // namespace sansim
