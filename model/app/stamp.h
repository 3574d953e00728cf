// The data a workload writes: every block written by one call carries that call's stamp
// (its op id) together with the file block it was meant for, so a reader can tell which
// write a block comes from, whether it is whole, and whether it landed in the right place.
//
// A block is kBlockSize / 16 records of 16 bytes, each {stamp, file block} as two
// little-endian 64-bit integers. Because a stamp is positive, a stamped block is never
// all zeros; because 16 divides the 512-byte sector, a write torn at any sector boundary
// (a power loss, engine/sim/disk.h) leaves records that disagree and reads as torn.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/sim/volume.h"
#include "engine/wire.h"

namespace sansim::app {

inline constexpr std::size_t kStampRecordBytes = 16;
static_assert(kBlockSize % kStampRecordBytes == 0);

// What one block of a read holds.
inline constexpr std::int64_t kZeroBlock = 0;    // all zero bytes (never written, a hole)
inline constexpr std::int64_t kTornBlock = -1;   // not one whole stamp for this block

// Fills `block` (kBlockSize bytes) with `stamp` for file block `file_block`.
// REQUIRES: stamp > 0, block.size() == kBlockSize.
void stamp_block(std::span<std::uint8_t> block, std::int64_t stamp, std::uint64_t file_block);

// `count` consecutive blocks, starting at file block `first_block`, all with `stamp`.
Bytes stamped_blocks(std::int64_t stamp, std::uint64_t first_block, std::uint64_t count);

// kZeroBlock, the stamp every record of `block` carries for `file_block`, or kTornBlock
// (records disagree, name another file block, or the block is not kBlockSize bytes).
std::int64_t read_stamp(std::span<const std::uint8_t> block, std::uint64_t file_block);

// One value per block of a read of `count` blocks from `first_block`. `data` may be
// short (a read past the end of the file): the missing bytes count as zeros.
std::vector<std::int64_t> read_stamps(std::span<const std::uint8_t> data, std::uint64_t first_block,
                                      std::uint64_t count);

}  // namespace sansim::app
