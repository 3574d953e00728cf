// A Volume is a block address space the file system sits on (§0020, §0024). Today it is
// one disk or a plain concatenation of disks reached over the simulated Fibre Channel
// fabric; the volume manager (model/xvm: stripes, mirrors, revive) implements the same
// interface later, so nothing above it changes.
//
// Every I/O is issued *from a node* (`via`): data moves between that node and the disks
// over that node's fabric paths, never over the LAN (§0023). An I/O takes virtual time
// (path latency + transfer at the path's bandwidth) and can fail: the path is down, the
// disk returns EIO or has a latent sector error in the range, or the node is fenced.
#pragma once

#include <cstdint>
#include <span>

#include "engine/node_id.h"
#include "engine/task.h"

namespace sansim {

// Bytes per block everywhere in sansim: disks, volumes, the file system's allocation
// unit and the page cache's page.
inline constexpr std::uint32_t kBlockSize = 4096;

enum class IoStatus : std::uint8_t {
  ok = 0,
  eio,         // the disk failed the request (an error range or a latent sector error)
  path_down,   // no working fabric path from this node to the disk
  fenced,      // the node has been fenced off the fabric (recovery, §0021)
  out_of_range,
};

const char* to_string(IoStatus s);

class Volume {
 public:
  virtual ~Volume() = default;

  virtual std::uint64_t blocks() const = 0;

  // Reads out.size() / kBlockSize whole blocks starting at `block`. REQUIRES out.size()
  // is a multiple of kBlockSize. Unwritten blocks read as zeros. The buffer must stay
  // alive until the task completes (callers await at once).
  virtual Task<IoStatus> read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) = 0;

  // Writes whole blocks into the disks' volatile write caches: durable only after a
  // flush completes. A power loss may drop or tear writes that were not flushed.
  virtual Task<IoStatus> write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) = 0;

  // Makes every write this volume acknowledged before the flush started durable.
  virtual Task<IoStatus> flush(NodeId via) = 0;

  // What the disks hold now (cache included) without taking time or going through a
  // path: for checkers (fsck, coherency) only, never for model code.
  virtual void inspect(std::uint64_t block, std::span<std::uint8_t> out) const = 0;
};

}  // namespace sansim
