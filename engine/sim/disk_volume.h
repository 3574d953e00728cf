// A volume that is one whole disk, reached over the fabric from the issuing node.
#pragma once

#include "engine/sim/fabric.h"
#include "engine/sim/volume.h"

namespace sansim {

class DiskVolume final : public Volume {
 public:
  DiskVolume(Fabric& fabric, DiskId disk) : fabric_(fabric), disk_(disk) {}

  DiskId disk() const { return disk_; }

  std::uint64_t blocks() const override { return fabric_.disk(disk_).blocks(); }
  Task<IoStatus> read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) override;
  Task<IoStatus> write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) override;
  Task<IoStatus> flush(NodeId via) override;
  void inspect(std::uint64_t block, std::span<std::uint8_t> out) const override;

 private:
  Fabric& fabric_;
  DiskId disk_;  // Constant after construction.
};

}  // namespace sansim
