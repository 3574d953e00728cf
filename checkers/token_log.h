// The recent data-token history of each node and file, kept only to explain a data
// coherency violation: which IO / PAGE_DIRTY / PAGE_CLEAN levels the writer's and the
// reader's nodes held around the write, and whether the writer's modified page reached
// the disk (`cache.flush`) before the token left (§0033). Bounded: the last kKeep events
// per (fs, ino, node).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/observation.h"

namespace sansim {

class TokenLog {
 public:
  static constexpr std::size_t kKeep = 16;

  explicit TokenLog(std::vector<std::string> node_names) : names_(std::move(node_names)) {}

  // token.hold / token.give of a client (holder = the node) and cache.flush.
  void on_observation(const Observation& o);
  // "n3: #95 hold PAGE_DIRTY write, #125 give PAGE_DIRTY write; holds IO write" — the
  // events of `node` on (fs, ino) from event `since` on, then what it holds now.
  std::string describe(std::int64_t fs, std::int64_t ino, NodeId node, std::uint64_t since) const;

 private:
  using Key = std::tuple<std::int64_t, std::int64_t, NodeId>;
  struct Event {
    std::uint64_t index;
    std::string what;
  };
  struct Log {
    std::deque<Event> recent;
    std::map<std::string, std::string> levels;  // token -> level held now
  };

  std::vector<std::string> names_;
  std::map<Key, Log> logs_;
};

}  // namespace sansim
