// The SAN of a simulation: its disks, the fabric joining every node to every disk, and
// the named volumes built on the disks. Volumes are shared hardware: one instance, used
// from every node through the `via` argument of each I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/sim/disk.h"
#include "engine/sim/fabric.h"
#include "engine/sim/tape.h"
#include "engine/sim/volume.h"

namespace sansim {

// What storage to build: plain values, names resolved to node ids (the scenario loader
// validates a scenario's storage section and fills this in).
struct StorageSpec {
  struct DiskSpec {
    std::string id;
    std::uint64_t blocks = 0;
  };
  struct PathSpec {  // overrides the fabric defaults on one path
    NodeId node = 0;
    std::string disk;
    std::optional<Duration> latency;
    std::optional<std::uint64_t> bandwidth;
  };
  struct VolumeSpec {
    std::string id;
    std::vector<std::string> disks;  // one disk, or a concatenation in this order
  };
  std::vector<DiskSpec> disks;
  PathOptions fabric;
  std::vector<PathSpec> paths;
  std::vector<VolumeSpec> volumes;
  std::optional<TapeOptions> tape;  // a tape library for HSM (`hsm:` in a scenario)
};

class Storage {
 public:
  Storage(Scheduler& s, Rng rng, std::size_t nodes);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // Builds disks, paths and volumes. REQUIRES: nothing built yet. Throws
  // std::invalid_argument naming the problem if the spec is inconsistent (duplicate or
  // unknown ids, a node out of range, an empty disk or volume, zero bandwidth).
  void configure(const StorageSpec& spec);

  Fabric& fabric() { return fabric_; }
  const Fabric& fabric() const { return fabric_; }

  std::optional<DiskId> disk_id(std::string_view name) const;
  Disk* disk(std::string_view name);
  Disk& disk(DiskId d) { return fabric_.disk(d); }
  Volume* volume(std::string_view name);
  // The tape library, or null when the scenario has none.
  TapeLibrary* tape() { return tape_.get(); }
  const Volume* volume(std::string_view name) const;
  std::size_t disk_count() const { return disks_.size(); }
  // Volume names in the order they were configured.
  std::vector<std::string> volume_names() const;

  // Ends the write cache of disk `d` (see Disk::power_loss), drawing from this storage's
  // own random stream, so the outcome depends only on the seed and the order of faults.
  void power_loss(DiskId d);

 private:
  Rng rng_;
  Scheduler& sched_;
  Fabric fabric_;
  std::unique_ptr<TapeLibrary> tape_;
  std::vector<std::unique_ptr<Disk>> disks_;  // index = DiskId
  std::vector<std::pair<std::string, std::unique_ptr<Volume>>> volumes_;
};

}  // namespace sansim
