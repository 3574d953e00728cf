#include "model/xfs/free_space.h"

#include <algorithm>
#include <cassert>

namespace sansim::xfs {

void FreeSpace::insert_run(std::uint64_t start, std::uint64_t count) {
  by_start_.emplace(start, count);
  by_size_.emplace(count, start);
}

void FreeSpace::erase_run(std::map<std::uint64_t, std::uint64_t>::iterator it) {
  by_size_.erase({it->second, it->first});
  by_start_.erase(it);
}

void FreeSpace::give(std::uint64_t start, std::uint64_t count) {
  assert(count > 0);
  assert(!any_free(start, count));
  std::uint64_t s = start, n = count;
  auto next = by_start_.lower_bound(start);
  if (next != by_start_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      s = prev->first;
      n += prev->second;
      erase_run(prev);
    }
  }
  next = by_start_.lower_bound(start);
  if (next != by_start_.end() && next->first == start + count) {
    n += next->second;
    erase_run(next);
  }
  insert_run(s, n);
  total_ += count;
}

void FreeSpace::take(std::uint64_t start, std::uint64_t count) {
  assert(count > 0);
  auto it = by_start_.upper_bound(start);
  assert(it != by_start_.begin());
  --it;
  const std::uint64_t rs = it->first, rn = it->second;
  assert(rs <= start && start + count <= rs + rn);
  erase_run(it);
  if (start > rs) insert_run(rs, start - rs);
  if (start + count < rs + rn) insert_run(start + count, rs + rn - start - count);
  total_ -= count;
}

bool FreeSpace::is_free(std::uint64_t block) const { return run_containing(block).has_value(); }

std::optional<Run> FreeSpace::run_containing(std::uint64_t block) const {
  auto it = by_start_.upper_bound(block);
  if (it == by_start_.begin()) return std::nullopt;
  --it;
  if (block - it->first < it->second) return Run{it->first, it->second};
  return std::nullopt;
}

bool FreeSpace::any_free(std::uint64_t start, std::uint64_t count) const {
  if (count == 0) return false;
  if (is_free(start)) return true;
  auto it = by_start_.upper_bound(start);
  return it != by_start_.end() && it->first - start < count;
}

std::vector<Run> FreeSpace::free_in(std::uint64_t start, std::uint64_t count) const {
  std::vector<Run> out;
  if (count == 0) return out;
  const std::uint64_t end = start + count;
  auto it = by_start_.upper_bound(start);
  if (it != by_start_.begin()) --it;
  for (; it != by_start_.end() && it->first < end; ++it) {
    const std::uint64_t s = std::max(it->first, start);
    const std::uint64_t e = std::min(it->first + it->second, end);
    if (s < e) out.push_back(Run{s, e - s});
  }
  return out;
}

std::optional<std::vector<Run>> FreeSpace::allocate(std::optional<std::uint64_t> goal, std::uint64_t count,
                                                    std::size_t max_runs) {
  if (count == 0 || count > total_ || max_runs == 0) return std::nullopt;
  std::vector<Run> out;
  std::uint64_t left = count;
  if (goal) {
    if (std::optional<Run> r = run_containing(*goal)) {
      const std::uint64_t n = std::min(left, r->start + r->count - *goal);
      take(*goal, n);
      out.push_back(Run{*goal, n});
      left -= n;
    }
  }
  while (left > 0 && out.size() < max_runs) {
    auto fit = by_size_.lower_bound({left, 0});
    if (fit != by_size_.end()) {
      const std::uint64_t s = fit->second;
      take(s, left);
      out.push_back(Run{s, left});
      break;
    }
    // No run holds the rest: take the largest (it is shorter than what is left), then
    // look again for one that holds the remainder.
    assert(!by_size_.empty());
    auto largest = std::prev(by_size_.end());
    const std::uint64_t s = largest->second, n = largest->first;
    take(s, n);
    out.push_back(Run{s, n});
    left -= n;
  }
  return out;
}

}  // namespace sansim::xfs
