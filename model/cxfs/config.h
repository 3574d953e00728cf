// How a cluster file system is set up in a scenario: which volume it lives on and which
// nodes may be its metadata server, in order of preference (the first that registers
// with white pages mounts as server, §0037; later recovery elects the next surviving
// candidate).
#pragma once

#include <string>
#include <vector>

#include "engine/node_id.h"

namespace sansim::cxfs {

struct FsConfig {
  std::string id;                // "fs1"
  std::string volume;            // a volume of the scenario's storage
  std::vector<NodeId> servers;   // candidate metadata servers, in order
  std::vector<NodeId> mount;     // nodes that mount it, in mount order (all if empty)
  std::uint64_t inodes = 4096;
  std::uint64_t log_blocks = 1024;
  bool dmapi = false;  // DMAPI-enabled: the dmapi behavior heads every chain, HSM on the server (§0038)
  // Relocation without the DMAPI hand-off (`relocation: {mode: hold-lock}`): source
  // prepare waits until no DMAPI event is outstanding, as a waiter that keeps the
  // behavior head locked would make it (§0079). For measuring what the hand-off buys.
  bool hold_lock = false;
  // KORE triggers (§0074), both off by default: `failback` moves the file system back to
  // a more preferred candidate once it is a member again after a recovery (return to a
  // previously failed node); `balance` moves one of the file systems a node serves to a
  // candidate that serves none (load shifting). Judged on the server at the end of every
  // recovery cycle.
  bool failback = false;
  bool balance = false;
};

// Deliberate protocol bugs, for showing that the checkers catch them. Never set in a
// real run; scenarios may set them under `mutations:`.
struct Mutations {
  bool skip_flush_on_dirty_return = false;  // return PAGE_DIRTY without flushing (§0033)
  bool grant_without_recall = false;        // grant write without recalling readers (§0028)
  bool read_shares_with_shared_write = false;  // the server's conflict table lets read and shared write mix (§0028)
  bool lose_ioexcl_reset = false;  // a second IOEXCL copy goes out without telling the first client (§0032)
  bool keep_names_on_rename = false;        // rename without recalling NAME (§0032 DVN_NAME)
  bool keep_pages_on_clean_return = false;  // return PAGE_CLEAN read without discarding
  bool keep_dead_tokens = false;            // celldown keeps the failed nodes' tokens (§0067)
  // The DMAPI hand-off broken on purpose (§0080-0081).
  bool keep_head_locked = false;    // the dmapi behavior waits out a relocation with the head locked
  bool surface_migrating = false;   // the dmapi behavior returns `migrating` to the caller
  bool reissue_to_old_server = false;  // a handed-off DMAPI event goes back to the old server
  bool lose_events_in_bag = false;  // the relocation bag leaves the DMAPI event masks out
  bool lose_tokens_in_bag = false;  // the relocation bag leaves out the tokens of other nodes' clients
  bool stale_white_pages = false;   // a relocation's retarget leaves the white-pages entries alone (§0076)
};

}  // namespace sansim::cxfs
