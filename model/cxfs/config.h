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
};

// Deliberate protocol bugs, for showing that the checkers catch them. Never set in a
// real run; scenarios may set them under `mutations:`.
struct Mutations {
  bool skip_flush_on_dirty_return = false;  // return PAGE_DIRTY without flushing (§0033)
  bool grant_without_recall = false;        // grant write without recalling readers (§0028)
  bool keep_names_on_rename = false;        // rename without recalling NAME (§0032 DVN_NAME)
  bool keep_pages_on_clean_return = false;  // return PAGE_CLEAN read without discarding
  bool keep_dead_tokens = false;            // celldown keeps the failed nodes' tokens (§0067)
};

}  // namespace sansim::cxfs
