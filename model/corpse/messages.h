// The messages of recovery (§0063-0073): the recovery leader drives every member through
// the steps of a cycle with one request per step and member; the member's reply carries
// what that step collects (its vote, its manifest). Plain values that encode to bytes,
// like every other protocol's messages.
//
// Every message names its cycle. A cycle belongs to one delivered membership
// (generation, epoch) and is numbered within it (`attempt`): a member answers a request
// of any other cycle with `stale`, so a late message of an aborted cycle or of an older
// membership can never act on the next one (the classic lock-manager bug the issue
// names).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/node_id.h"
#include "engine/wire.h"
#include "model/token/token.h"

namespace sansim::corpse {

struct CycleId {
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  std::uint32_t attempt = 0;
  auto operator<=>(const CycleId&) const = default;
};
std::string to_string(const CycleId& c);

// The steps of a pass, in order (§0064).
enum class Step : std::uint8_t {
  freeze,       // credential flush, celldown callouts, detarget; answers the vote (§0061-0067)
  gather,       // answers this member's manifest of one file system (§0068)
  instantiate,  // the elected server rebuilds the file system's server state (§0069-0070)
  retarget,     // every member points its chandles at the elected servers (§0070)
  complete,     // free recovery state (§0073)
  evict,        // a member that missed a membership excluding it drops its state (see corpse.h)
};
inline constexpr std::uint8_t kSteps = 6;
const char* to_string(Step s);

// One token a client holds, as it reports it for reconstruction (§0069): the token
// server is rebuilt from the union of these.
struct Holding {
  NodeId holder = kNoNode;
  std::uint32_t fs = 0;
  std::uint64_t ino = 0;
  token::TokenType type = token::TokenType::exist;
  token::Level level = token::Level::none;
  token::GrantId grant = 0;
  token::TokenState state;  // for TIMES shared write and SIZE write: the holder's values
  bool exclusive = false;   // IOEXCL: the holder was told its I/O-exclusive state is true
  bool operator==(const Holding&) const = default;
};

struct ServerEntry {
  std::uint32_t fs = 0;
  NodeId node = kNoNode;
  bool operator==(const ServerEntry&) const = default;
};

// A node a member saw declared failed, and in which membership (of this generation).
struct Declared {
  NodeId node = kNoNode;
  std::uint64_t epoch = 0;
  bool operator==(const Declared&) const = default;
};

struct Request {
  CycleId cycle;
  Step step = Step::freeze;
  std::vector<NodeId> failed;         // freeze: every configured node outside the membership
  std::uint32_t fs = 0;               // gather, instantiate
  std::vector<Holding> holdings;      // instantiate: every member's manifest
  std::vector<ServerEntry> servers;   // retarget: the server of each file system that has one
  NodeId wp = kNoNode;                // retarget: the white-pages node
  bool operator==(const Request&) const = default;
};

enum class Status : std::uint8_t {
  ok,
  stale,    // not this member's cycle (an older one, or one it has not seen delivered yet)
  failed,   // instantiate: the file system could not be mounted here
};
inline constexpr std::uint8_t kStatuses = 3;
const char* to_string(Status s);

struct Reply {
  Status status = Status::ok;
  // freeze (the vote): whether the member holds no file-system state (just booted, or
  // reset when it left the membership), the file systems it serves, and the server it
  // targets for each file system it mounts (its white-pages knowledge, §0072).
  bool fresh = true;
  // The membership of the last cycle whose retarget this member applied (none: fresh).
  bool has_previous = false;
  std::uint64_t previous_generation = 0;
  std::uint64_t previous_epoch = 0;
  // Every node this member saw declared failed (at a freeze it applied), with the latest
  // membership that did: a member whose retarget mark is older was out of that cycle.
  std::vector<Declared> declared;
  std::vector<std::uint32_t> serving;
  std::vector<ServerEntry> targets;
  std::vector<Holding> holdings;  // gather
  bool operator==(const Reply&) const = default;
};

Bytes encode(const Request& r);
Bytes encode(const Reply& r);
// Throw DecodeError naming the field for malformed input.
Request decode_request(const Bytes& b);
Reply decode_reply(const Bytes& b);

}  // namespace sansim::corpse
