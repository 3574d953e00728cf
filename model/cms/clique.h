// The largest fully connected set (§0055): given who hears whom, the largest set of
// nodes in which every pair hears each other both ways, containing the leader. Ties go
// to the set whose sorted ids compare smallest, so every leader computes the same answer
// from the same replies.
//
// Exact (Bron-Kerbosch with pivoting over 64-bit sets) for up to 64 candidates; above
// that a deterministic greedy pass (highest degree first, then lowest id), which finds
// the optimum on the near-complete graphs a cluster produces and stays polynomial at the
// 1,000-node scale of DESIGN.md's budget.
#pragma once

#include <vector>

#include "engine/node_id.h"

namespace sansim::cms {

// `hears[i]` lists the nodes candidate i hears (ids, any order). `candidates` are the
// nodes that replied. Two candidates are connected when each hears the other.
std::vector<NodeId> largest_connected_set(NodeId leader, const std::vector<NodeId>& candidates,
                                          const std::vector<std::vector<NodeId>>& hears);

}  // namespace sansim::cms
