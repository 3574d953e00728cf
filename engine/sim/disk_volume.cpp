#include "engine/sim/disk_volume.h"

namespace sansim {

Task<IoStatus> DiskVolume::read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) {
  return fabric_.read(via, disk_, block, out);
}

Task<IoStatus> DiskVolume::write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) {
  return fabric_.write(via, disk_, block, data);
}

Task<IoStatus> DiskVolume::flush(NodeId via) { return fabric_.flush(via, disk_); }

void DiskVolume::inspect(std::uint64_t block, std::span<std::uint8_t> out) const {
  fabric_.disk(disk_).inspect(block, out);
}

}  // namespace sansim
