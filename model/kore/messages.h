// The messages of KORE relocation (§0074-0076, Fig. 13): the source metadata server
// drives one relocation of one file system through the target and every member, one
// request per step and node. Plain values that encode to bytes.
//
// Every message names its relocation: the membership it started in (generation, epoch)
// and a number the source gives it. A node answers `stale` to a relocation it does not
// know or has abandoned (a membership change aborts every relocation, §0063-0074: pass
// 1 of recovery), so nothing of an aborted relocation acts later.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/node_id.h"
#include "engine/wire.h"
#include "model/corpse/messages.h"

namespace sansim::kore {

struct RelocationId {
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  NodeId source = kNoNode;
  std::uint32_t number = 0;  // per source
  auto operator<=>(const RelocationId&) const = default;
};
std::string to_string(const RelocationId& r);

// What moves from the source server to the target (§0076): every token grant and the
// server objects' state. Timestamps and sizes returned with tokens are written to disk
// before bagging, orphans are on disk, and the journal is replayed by the target.
struct Bag {
  std::vector<corpse::Holding> tokens;  // the source's token table (grant numbers kept)
  std::vector<std::pair<std::uint64_t, std::uint8_t>> events;  // DMAPI event masks by inode
  std::uint64_t grants = 0;  // the source's last grant number: the target numbers above it
  bool operator==(const Bag&) const = default;
};

// The phases, in order (Fig. 13, Fig. 14A-14H).
enum class Phase : std::uint8_t {
  request,         // an administrator (or a trigger) asks the source to move `fs` to `to`
  source_prepare,  // the source quiesces the file system (§0075)
  target_prepare,  // the manifest goes to the target, which prepares a prototype server (Fig. 14B)
  convert,         // every node converts its vnodes' chains where its role changes (§0076)
  detarget,        // every member detargets the source (Fig. 14C-D)
  bag,             // the source bags tokens and server state; the target unbags and serves (Fig. 14E)
  retarget,        // every member retargets the target; white pages updated (Fig. 14F)
  end,             // the source ends its server role (Fig. 14G-H)
};
inline constexpr std::uint8_t kPhases = 8;
const char* to_string(Phase p);

struct Request {
  RelocationId id;
  Phase phase = Phase::request;
  std::uint32_t fs = 0;
  NodeId to = kNoNode;    // the target
  Bag bag;                // bag
  bool operator==(const Request&) const = default;
};

enum class Status : std::uint8_t {
  ok,
  stale,    // not a relocation this node knows (any more)
  refused,  // request, target_prepare: cannot (not the server, not a candidate, busy)
  failed,   // bag: the target could not mount the file system
};
inline constexpr std::uint8_t kStatuses = 4;
const char* to_string(Status s);

struct Reply {
  Status status = Status::ok;
  std::string reason;  // refused, failed: why
  bool operator==(const Reply&) const = default;
};

Bytes encode(const Request& r);
Bytes encode(const Reply& r);
// Throw DecodeError naming the field for malformed input.
Request decode_request(const Bytes& b);
Reply decode_reply(const Bytes& b);

}  // namespace sansim::kore
