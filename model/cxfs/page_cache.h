// The page cache of one node (§0011-0012, §0033): file blocks held in memory, clean or
// modified. Which pages a node may hold is decided by its PAGE_CLEAN / PAGE_DIRTY
// tokens; the client flushes and discards pages when it gives those tokens back.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "engine/wire.h"
#include "model/token/token.h"

namespace sansim::cxfs {

struct Page {
  Bytes data;  // kBlockSize bytes
  bool dirty = false;
  std::uint64_t version = 0;  // bumped by every change, so a flush knows if it raced one
};

class PageCache {
 public:
  using Key = std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>;  // fs, ino, block

  Page* find(token::ObjectId o, std::uint64_t block) {
    auto it = pages_.find({o.fs, o.ino, block});
    return it == pages_.end() ? nullptr : &it->second;
  }
  Page& put(token::ObjectId o, std::uint64_t block, Bytes data, bool dirty) {
    Page& p = pages_[{o.fs, o.ino, block}];
    p.data = std::move(data);
    p.dirty = dirty;
    ++p.version;
    return p;
  }
  // Blocks of the object that are modified, in block order.
  std::vector<std::uint64_t> dirty_blocks(token::ObjectId o) const {
    std::vector<std::uint64_t> out;
    for (auto it = pages_.lower_bound({o.fs, o.ino, 0}); it != pages_.end(); ++it) {
      if (std::get<0>(it->first) != o.fs || std::get<1>(it->first) != o.ino) break;
      if (it->second.dirty) out.push_back(std::get<2>(it->first));
    }
    return out;
  }
  // Drops the object's pages from `from_block` on (clean or not: callers flush first).
  std::size_t discard(token::ObjectId o, std::uint64_t from_block = 0) {
    auto first = pages_.lower_bound({o.fs, o.ino, from_block});
    auto last = pages_.lower_bound({o.fs, o.ino + 1, 0});
    const auto n = static_cast<std::size_t>(std::distance(first, last));
    pages_.erase(first, last);
    return n;
  }
  // Drops the object's unmodified pages; modified ones stay for their flush.
  void discard_clean(token::ObjectId o) {
    auto it = pages_.lower_bound({o.fs, o.ino, 0});
    while (it != pages_.end() && std::get<0>(it->first) == o.fs && std::get<1>(it->first) == o.ino)
      it = it->second.dirty ? std::next(it) : pages_.erase(it);
  }
  void discard_fs(std::uint32_t fs) {
    pages_.erase(pages_.lower_bound({fs, 0, 0}), pages_.lower_bound({fs + 1, 0, 0}));
  }
  std::size_t size() const { return pages_.size(); }

 private:
  std::map<Key, Page> pages_;
};

}  // namespace sansim::cxfs
