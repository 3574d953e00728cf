// The simulated Fibre Channel fabric (§0023): every node has one path to every disk, and
// file data moves over these paths, never over the LAN.
//
// Fault and timing model, all deterministic:
//  - each (node, disk) path has a latency and a bandwidth (bytes per virtual second),
//    the fabric's defaults unless overridden for that path;
//  - an I/O on a path occupies it for its transfer time (bytes / bandwidth); transfers on
//    one path run one after another in issue order (the path keeps a busy-until time), so
//    concurrent I/Os share its bandwidth deterministically. An I/O completes one latency
//    after its transfer ends. A flush transfers nothing: it takes one latency;
//  - a path can be down (counted: each path_down needs one path_up). An I/O on a down path
//    fails with path_down when issued; one whose path goes down before it completes fails
//    the same way at completion, and a write is then not applied;
//  - a node can be fenced (§0021, counted): its I/O fails with fenced, at issue and at
//    completion, so a fenced node's in-flight writes never land. A node that is declared
//    dead but not fenced still writes ("zombie" writes): recovery must fence it first;
//  - a write is applied to the disk's cache when it completes, a flush when it completes.
//    If the issuing task is destroyed first (its node crashed) nothing is applied: the
//    data never left the node. Its transfer still occupied the path.
// An I/O outside the disk fails with out_of_range when issued. Disk errors (eio, latent)
// come from the Disk, at completion.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/node_id.h"
#include "engine/scheduler.h"
#include "engine/sim/disk.h"
#include "engine/sim/volume.h"
#include "engine/task.h"
#include "engine/time.h"

namespace sansim {

// A disk's index in its fabric (attach order).
using DiskId = std::uint32_t;

struct PathOptions {
  Duration latency = 50'000;                   // 50us
  std::uint64_t bandwidth = 400ull << 20;      // bytes per virtual second; > 0
};

struct FabricStats {
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t flushes = 0;
  std::uint64_t bytes_read = 0;     // by reads that succeeded
  std::uint64_t bytes_written = 0;  // by writes that were applied
  std::uint64_t errors = 0;         // I/Os that completed with a status other than ok
};

// What the observer is told about every write that completed (applied or failed).
struct FabricWrite {
  NodeId node = kNoNode;
  DiskId disk = 0;
  std::uint64_t block = 0;
  std::uint64_t count = 0;
  IoStatus status = IoStatus::ok;
};

class Fabric {
 public:
  using WriteObserver = std::function<void(const FabricWrite&)>;

  Fabric(Scheduler& s, std::size_t nodes, PathOptions defaults = {});
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  // Connects a disk to every node. The disk must outlive the fabric's I/O.
  DiskId attach(Disk& disk);
  std::size_t nodes() const { return nodes_; }
  std::size_t disks() const { return disks_.size(); }
  Disk& disk(DiskId d) { return *disks_[d]; }
  const Disk& disk(DiskId d) const { return *disks_[d]; }

  // Changes the options of every path not overridden by set_path.
  void set_defaults(PathOptions o);
  void set_path(NodeId n, DiskId d, PathOptions o);
  const PathOptions& path_options(NodeId n, DiskId d) const { return path(n, d).options; }

  void path_down(NodeId n, DiskId d);
  void path_up(NodeId n, DiskId d);
  bool path_is_up(NodeId n, DiskId d) const { return path(n, d).down == 0; }

  void fence(NodeId n);
  void unfence(NodeId n);
  bool fenced(NodeId n) const { return fenced_[n] != 0; }
  // The fabric switch cannot fence `n` while broken (a fault: the switch's management
  // port is unreachable, say); recovery must fall back to the reset line. Counted.
  void break_fencing(NodeId n) { ++fence_broken_[n]; }
  void repair_fencing(NodeId n) {
    if (fence_broken_[n] > 0) --fence_broken_[n];
  }
  bool fencing_broken(NodeId n) const { return fence_broken_[n] != 0; }

  // I/O from node `via` to disk `d`. Buffers stay alive until the task completes.
  // REQUIRES: via < nodes(), d < disks().
  Task<IoStatus> read(NodeId via, DiskId d, std::uint64_t block, std::span<std::uint8_t> out);
  Task<IoStatus> write(NodeId via, DiskId d, std::uint64_t block, std::span<const std::uint8_t> data);
  Task<IoStatus> flush(NodeId via, DiskId d);

  // Called on every completed write, after it was applied (or not). Observes only.
  void set_write_observer(WriteObserver o) { observer_ = std::move(o); }

  const FabricStats& stats() const { return stats_; }
  const FabricStats& stats(DiskId d) const { return disk_stats_[d]; }

 private:
  struct Path {
    PathOptions options;
    bool overridden = false;
    int down = 0;
    Time busy_until = 0;
  };

  Path& path(NodeId n, DiskId d) { return paths_[static_cast<std::size_t>(d) * nodes_ + n]; }
  const Path& path(NodeId n, DiskId d) const { return paths_[static_cast<std::size_t>(d) * nodes_ + n]; }
  IoStatus open(NodeId via, DiskId d) const;
  bool fits(DiskId d, std::uint64_t block, std::size_t bytes) const;
  // Reserves the path for `bytes` and returns how long until the I/O completes.
  Duration occupy(NodeId via, DiskId d, std::uint64_t bytes);
  void count(DiskId d, IoStatus st, std::uint64_t FabricStats::*ops, std::uint64_t FabricStats::*bytes_field,
             std::uint64_t bytes);

  Scheduler& s_;
  std::size_t nodes_;  // Constant after construction.
  PathOptions defaults_;
  std::vector<Disk*> disks_;
  std::vector<Path> paths_;  // disk-major: [d * nodes_ + n]
  std::vector<int> fenced_;
  std::vector<int> fence_broken_;
  WriteObserver observer_;
  FabricStats stats_;
  std::vector<FabricStats> disk_stats_;
};

}  // namespace sansim
