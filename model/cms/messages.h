// CMS messages (§0054-0060). Plain values; each encodes to bytes with the engine's wire
// format. The first byte of every message is its type.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/node_id.h"
#include "engine/simulation.h"
#include "engine/wire.h"
#include "model/cms/state.h"

namespace sansim::cms {

// A node's registered version tags as they travel (§0060).
struct NodeVersions {
  NodeId node = kNoNode;
  VersionTags tags;
  bool operator==(const NodeVersions&) const = default;
};

struct Heartbeat {
  State state = State::nascent;
  std::uint64_t epoch = 0;       // last delivered membership
  NodeId leader = kNoNode;       // of that membership
  std::int64_t member_since = -1;  // continuous membership since (ns), -1: not a member
  bool server_capable = false;
  std::uint32_t boot = 0;        // incarnation: a change means the node restarted
  std::uint64_t round = 0;       // highest round number seen: a new leader numbers above it
  std::uint64_t generation = 0;  // cluster lifetime of its membership (0: knows none)
  bool operator==(const Heartbeat&) const = default;
};

// Leader -> nodes: a membership round begins; tell me whom you can hear (§0055).
struct Probe {
  std::uint64_t round = 0;
  bool operator==(const Probe&) const = default;
};

struct Connectivity {
  std::uint64_t round = 0;
  std::vector<NodeId> seen;  // nodes this one hears, itself included
  std::int64_t member_since = -1;
  bool server_capable = false;
  std::uint32_t boot = 0;
  VersionTags tags;
  bool operator==(const Connectivity&) const = default;
};

struct Propose {
  std::uint64_t round = 0;
  std::uint64_t generation = 0;
  std::vector<NodeId> members;  // sorted
  std::vector<NodeVersions> versions;
  bool operator==(const Propose&) const = default;
};

struct Accept {
  std::uint64_t round = 0;
  bool operator==(const Accept&) const = default;
};

// Membership delivery (§0055, §0058).
struct Commit {
  std::uint64_t round = 0;
  bool operator==(const Commit&) const = default;
};

// No quorum: every node that hears this goes dead (§0055).
struct Dead {
  std::uint64_t round = 0;
  bool operator==(const Dead&) const = default;
};

// A nascent node asks the leader of the current membership to be let in.
struct JoinRequest {
  std::uint32_t boot = 0;
  bool operator==(const JoinRequest&) const = default;
};

// A node that detected a failure asks the node it thinks should lead to run a round.
struct ChangeRequest {
  NodeId suspect = kNoNode;
  std::uint64_t epoch = 0;  // the requester's membership: a request about an older one is stale
  bool operator==(const ChangeRequest&) const = default;
};

// Orderly withdrawal (§0056).
struct Withdraw {
  std::uint32_t boot = 0;
  bool operator==(const Withdraw&) const = default;
};
struct WithdrawAck {
  std::uint64_t round = 0;
  bool operator==(const WithdrawAck&) const = default;
};

// Leader -> probed nodes: the round ends without a new membership (a join the connected
// set cannot admit changes nothing): back to the membership you had.
struct Release {
  std::uint64_t round = 0;
  bool operator==(const Release&) const = default;
};

using Message = std::variant<Heartbeat, Probe, Connectivity, Propose, Accept, Commit, Dead, JoinRequest,
                             ChangeRequest, Withdraw, WithdrawAck, Release>;

Bytes encode(const Message& m);
// Throws DecodeError on malformed input.
Message decode(std::span<const std::uint8_t> bytes);
const char* name(const Message& m);

}  // namespace sansim::cms
