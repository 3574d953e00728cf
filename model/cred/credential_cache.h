// The credential cache of one node (§0061): what it knows of the users behind other
// nodes' requests, so a request carries a small handle instead of a whole set of
// credentials. A node learns an entry the first time another node presents it and
// answers later requests that name the handle. The first step of recovery flushes the
// entries of failed nodes on every node: a handle a failed node handed out must not
// match anything once the node comes back with fresh handles; recovery waits for every
// node to acknowledge the flush before object recovery starts (§0062).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "engine/node_id.h"

namespace sansim::cred {

struct Credentials {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> groups;
  bool operator==(const Credentials&) const = default;
};

class CredentialCache {
 public:
  // Remembers `c` as presented by `node` under the node's `handle`.
  void remember(NodeId node, std::uint64_t handle, Credentials c) { entries_[{node, handle}] = std::move(c); }
  // The credentials `node` presented under `handle`, if still cached.
  std::optional<Credentials> lookup(NodeId node, std::uint64_t handle) const {
    auto it = entries_.find({node, handle});
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  // Drops every entry of the failed nodes; answers how many went.
  std::size_t flush(const std::set<NodeId>& failed) {
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (failed.count(it->first.first) != 0) {
        it = entries_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<NodeId, std::uint64_t>, Credentials> entries_;
};

}  // namespace sansim::cred
