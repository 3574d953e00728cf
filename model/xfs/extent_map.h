// A file's block map: its extents (types.h), sorted by file block. Pure functions; the
// file system decides what to allocate and journals the inode that holds the result.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/xfs/free_space.h"
#include "model/xfs/types.h"

namespace sansim::xfs {

using ExtentList = std::vector<Extent>;

// The volume block holding file block `fb`, if mapped.
std::optional<std::uint64_t> volume_block_of(const ExtentList& map, std::uint64_t fb);

// Unmapped pieces of [fb, fb+count), as runs of file blocks, in order.
std::vector<Run> holes(const ExtentList& map, std::uint64_t fb, std::uint64_t count);

// Where to place file block `fb` so that it continues its neighbour on the volume: just
// after the previous extent's mapping, or just before the next one's. Nothing if the
// file has no extents.
std::optional<std::uint64_t> allocation_goal(const ExtentList& map, std::uint64_t fb);

// Maps [fb, fb+count) to volume blocks from `vb`, merging with neighbours that continue
// it on both sides. REQUIRES: the range is a hole.
void map_range(ExtentList& map, std::uint64_t fb, std::uint64_t vb, std::uint64_t count);

// Unmaps up to `max_count` of the highest-mapped blocks at or above file block `from`
// and returns the volume blocks they held; nothing when no block there is mapped.
std::optional<Run> unmap_tail(ExtentList& map, std::uint64_t from, std::uint64_t max_count);

// The mappings within [fb, fb+count), clipped to it.
ExtentList mappings_in(const ExtentList& map, std::uint64_t fb, std::uint64_t count);

std::uint64_t mapped_blocks(const ExtentList& map);

// Whether the list is sorted, non-overlapping in the file, non-empty per extent and free
// of overflow; says what is wrong otherwise.
bool extents_well_formed(const ExtentList& map, std::string* why);

}  // namespace sansim::xfs
