// A 4-ary min-heap: half the depth of a binary heap, and the four children of a node
// sit next to each other in memory, so a pop touches fewer cache lines. The scheduler
// pops and pushes one event per step, which makes this its hottest structure.
// Deterministic: the order of equal keys depends only on the order of operations.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sansim {

// `Less(a, b)`: a runs before b.
template <class T, class Less>
class EventHeap {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const T& top() const { return items_.front(); }
  void reserve(std::size_t n) { items_.reserve(n); }

  void push(const T& item) {
    std::size_t i = items_.size();
    items_.push_back(item);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!less_(item, items_[parent])) break;
      items_[i] = items_[parent];
      i = parent;
    }
    items_[i] = item;
  }

  // REQUIRES: !empty().
  T pop() {
    T out = items_.front();
    const T last = items_.back();
    items_.pop_back();
    const std::size_t n = items_.size();
    if (n == 0) return out;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (less_(items_[c], items_[best])) best = c;
      if (!less_(items_[best], last)) break;
      items_[i] = items_[best];
      i = best;
    }
    items_[i] = last;
    return out;
  }

 private:
  std::vector<T> items_;
  Less less_;
};

}  // namespace sansim
