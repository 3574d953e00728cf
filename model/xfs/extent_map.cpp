#include "model/xfs/extent_map.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace sansim::xfs {

namespace {
std::uint64_t end_of(const Extent& e) { return e.file_block + e.count; }

// First extent whose end is past fb.
ExtentList::const_iterator first_ending_after(const ExtentList& map, std::uint64_t fb) {
  return std::partition_point(map.begin(), map.end(), [fb](const Extent& e) { return end_of(e) <= fb; });
}
}  // namespace

std::optional<std::uint64_t> volume_block_of(const ExtentList& map, std::uint64_t fb) {
  auto it = first_ending_after(map, fb);
  if (it == map.end() || it->file_block > fb) return std::nullopt;
  return it->volume_block + (fb - it->file_block);
}

std::vector<Run> holes(const ExtentList& map, std::uint64_t fb, std::uint64_t count) {
  std::vector<Run> out;
  const std::uint64_t end = fb + count;
  std::uint64_t at = fb;
  for (auto it = first_ending_after(map, fb); it != map.end() && at < end; ++it) {
    if (it->file_block > at) out.push_back(Run{at, std::min(it->file_block, end) - at});
    at = std::max(at, end_of(*it));
  }
  if (at < end) out.push_back(Run{at, end - at});
  return out;
}

std::optional<std::uint64_t> allocation_goal(const ExtentList& map, std::uint64_t fb) {
  auto next = first_ending_after(map, fb);
  if (next != map.begin()) {
    const Extent& prev = *std::prev(next);
    const std::uint64_t delta = fb - prev.file_block;
    if (prev.volume_block <= std::numeric_limits<std::uint64_t>::max() - delta) return prev.volume_block + delta;
    return std::nullopt;
  }
  if (next != map.end()) {
    const std::uint64_t delta = next->file_block - fb;
    if (next->volume_block >= delta) return next->volume_block - delta;
  }
  return std::nullopt;
}

void map_range(ExtentList& map, std::uint64_t fb, std::uint64_t vb, std::uint64_t count) {
  assert(count > 0);
  auto pos = std::partition_point(map.begin(), map.end(), [fb](const Extent& e) { return e.file_block < fb; });
  assert(pos == map.end() || pos->file_block >= fb + count);
  assert(pos == map.begin() || end_of(*std::prev(pos)) <= fb);
  const bool join_prev = pos != map.begin() && end_of(*std::prev(pos)) == fb &&
                         std::prev(pos)->volume_block + std::prev(pos)->count == vb;
  const bool join_next = pos != map.end() && pos->file_block == fb + count && pos->volume_block == vb + count;
  if (join_prev && join_next) {
    std::prev(pos)->count += count + pos->count;
    map.erase(pos);
  } else if (join_prev) {
    std::prev(pos)->count += count;
  } else if (join_next) {
    pos->file_block = fb;
    pos->volume_block = vb;
    pos->count += count;
  } else {
    map.insert(pos, Extent{fb, vb, count});
  }
}

std::optional<Run> unmap_tail(ExtentList& map, std::uint64_t from, std::uint64_t max_count) {
  if (map.empty() || end_of(map.back()) <= from || max_count == 0) return std::nullopt;
  Extent& last = map.back();
  const std::uint64_t first_cut = std::max(from, last.file_block);
  const std::uint64_t n = std::min(end_of(last) - first_cut, max_count);
  const Run freed{last.volume_block + (end_of(last) - n - last.file_block), n};
  last.count -= n;
  if (last.count == 0) map.pop_back();
  return freed;
}

ExtentList mappings_in(const ExtentList& map, std::uint64_t fb, std::uint64_t count) {
  ExtentList out;
  const std::uint64_t end = fb + count;
  for (auto it = first_ending_after(map, fb); it != map.end() && it->file_block < end; ++it) {
    const std::uint64_t s = std::max(fb, it->file_block);
    const std::uint64_t e = std::min(end, end_of(*it));
    out.push_back(Extent{s, it->volume_block + (s - it->file_block), e - s});
  }
  return out;
}

std::uint64_t mapped_blocks(const ExtentList& map) {
  std::uint64_t n = 0;
  for (const Extent& e : map) n += e.count;
  return n;
}

bool extents_well_formed(const ExtentList& map, std::string* why) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t i = 0; i < map.size(); ++i) {
    const Extent& e = map[i];
    if (e.count == 0 || e.file_block > kMax - e.count || e.volume_block > kMax - e.count) {
      if (why != nullptr) *why = "extent " + std::to_string(i) + " is empty or overflows";
      return false;
    }
    if (i > 0 && end_of(map[i - 1]) > e.file_block) {
      if (why != nullptr) *why = "extent " + std::to_string(i) + " overlaps or precedes the one before it";
      return false;
    }
  }
  return true;
}

}  // namespace sansim::xfs
