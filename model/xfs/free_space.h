// Free space as an ordered map of free extents (runs), indexed both by start and by
// length, and the allocation policy of §0024: data goes in large contiguous chunks.
//
// The map is canonical: neighbouring runs are always merged, so giving back exactly
// what was taken restores the same map (a failed multi-step allocation can be undone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sansim::xfs {

struct Run {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  bool operator==(const Run&) const = default;
};

class FreeSpace {
 public:
  // REQUIRES: [start, start+count) is not free already (and count > 0).
  void give(std::uint64_t start, std::uint64_t count);
  // REQUIRES: [start, start+count) is wholly free.
  void take(std::uint64_t start, std::uint64_t count);

  bool is_free(std::uint64_t block) const;
  // Whether any block of [start, start+count) is free.
  bool any_free(std::uint64_t start, std::uint64_t count) const;
  // The free run holding `block`, if it is free.
  std::optional<Run> run_containing(std::uint64_t block) const;
  // Free runs overlapping [start, start+count), clipped to it, in block order.
  std::vector<Run> free_in(std::uint64_t start, std::uint64_t count) const;

  std::uint64_t total() const { return total_; }
  std::size_t runs() const { return by_start_.size(); }
  const std::map<std::uint64_t, std::uint64_t>& by_start() const { return by_start_; }

  // Takes `count` blocks and says where they went, in the order chosen:
  //   1. from `goal` onwards if `goal` is free (extends the file's previous extent),
  //   2. else the smallest run that holds all that is left (best fit),
  //   3. else the largest run (largest first), then back to 2 for what is left.
  // Returns nothing and takes nothing if fewer than `count` blocks are free. Stops after
  // `max_runs` runs, having taken less than `count` if space is that fragmented.
  std::optional<std::vector<Run>> allocate(std::optional<std::uint64_t> goal, std::uint64_t count,
                                           std::size_t max_runs = SIZE_MAX);

 private:
  void insert_run(std::uint64_t start, std::uint64_t count);
  void erase_run(std::map<std::uint64_t, std::uint64_t>::iterator it);

  std::map<std::uint64_t, std::uint64_t> by_start_;         // start -> count
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_size_;  // (count, start)
  std::uint64_t total_ = 0;
};

}  // namespace sansim::xfs
