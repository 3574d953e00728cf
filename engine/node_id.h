// Node identity. Nodes are numbered 0..N-1 in the order a scenario lists them; the
// scenario's names ("n1") are a presentation detail kept by the cluster description.
#pragma once

#include <cstdint>

namespace sansim {

using NodeId = std::uint32_t;

// Work that belongs to no node: the fault injector and the harness itself.
constexpr NodeId kNoNode = UINT32_MAX;

}  // namespace sansim
