// metadata_coherent: what stat and lookup answer agrees with the calls that completed.
//
// Sizes and times (§0029, §0032 DVN_SIZE / DVN_TIMES): a stat that completed ok (its
// completion names the inode) sees
//   - size >= the end of every write to that inode that completed ok before the stat was
//     invoked, unless a truncate of the inode may have taken effect after that write
//     began (completed ok or EIO after it, or never completed);
//   - mtime >= the invoke time of each such write, unless a setattr that sets mtime may
//     have taken effect after it began (setattr does not record its inode, so any such
//     setattr of the file system counts). The model stamps mtime when the write's data
//     went into the cache, which is after the invoke: the invoke time is the safe bound.
// An ok create or mkdir answering an inode number starts a new file under that number.
//
// Names (§0032 DVN_NAME): a lookup or stat of a path never succeeds once an unlink of
// that path, or a rename away from it, completed ok before the lookup was invoked,
// unless a create, mkdir or rename onto that path (or onto a directory above it) may
// have taken effect after the removal began: it completed ok or with EIO after that, or
// had not completed when the lookup did. Removing a directory above the path counts as
// removing the path.
//
// What is legitimately lost is not judged: sizes and times of writes made by a node that
// crashed, left the membership (`cxfs.reset`) or dropped its state for a restarted
// server, and all of a file system's when
// its metadata server crashed. Violations are reported at the stat's or lookup's
// completion.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "checkers/call_feed.h"
#include "checkers/checker.h"

namespace sansim {

class MetadataCoherentChecker final : public Checker {
 public:
  MetadataCoherentChecker(std::vector<std::string> node_names, std::vector<std::string> fs_ids)
      : names_(std::move(node_names)), fs_ids_(std::move(fs_ids)) {}
  const char* name() const override { return "metadata_coherent"; }
  void on_observation(const Observation& o) override;

 private:
  static constexpr std::uint64_t kNever = UINT64_MAX;

  struct Written {  // a write that completed ok
    std::uint64_t inv = 0, cmp = 0;
    Time inv_time = 0;
    std::int64_t end = 0;  // bytes
    NodeId node = kNoNode;
    std::int64_t op = 0, proc = 0;
  };
  // Calls that may change something after they begin: open ones, and the latest end of
  // the completed ones that may have had an effect.
  struct Barrier {
    int open = 0;
    std::uint64_t done = 0;
    std::uint64_t value() const { return open > 0 ? kNever : done; }
  };
  struct Inode {
    std::vector<Written> writes;  // in completion order; dominated ones dropped
    Barrier truncates;
  };
  using InoKey = std::pair<std::string, std::int64_t>;
  struct Removal {
    std::uint64_t inv = 0, cmp = 0;
    std::int64_t op = 0, proc = 0;
    NodeId node = kNoNode;
    std::string how;  // "unlink" or "rename to /fs1/b"
  };
  struct Name {
    std::optional<Removal> removed;  // the removal invoked last among the completed ones
    Barrier revives;                 // create, mkdir, rename onto it
  };
  struct OpenCall {
    std::uint64_t inv = 0;
    NodeId node = kNoNode;
    std::vector<std::pair<std::string, Removal>> removed;  // lookup/stat: path or a parent, as at the invoke
    InoKey truncated;                                       // truncate: its inode
    std::string to;                                         // rename: the new name (only the invoke says it)
  };

  void invoke(const CallRecord& c, const Observation& o);
  void complete(const CallRecord& c, const Observation& o);
  void check_stat(const CallRecord& c, const Observation& o);
  void check_name(const CallRecord& c, const OpenCall& call, const Observation& o);
  void add_write(const CallRecord& c);
  void forget_writes(std::optional<NodeId> node, std::optional<std::string> fs);
  void node_lost(NodeId node);
  std::set<NodeId> failed_;  // declared failed by recovery and not readmitted yet
  std::string call_label(const std::string& what, std::int64_t op, std::int64_t proc, NodeId node, std::uint64_t inv,
                         std::uint64_t cmp) const;

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  CallFeed feed_;
  std::map<InoKey, Inode> inodes_;
  std::map<InoKey, std::uint64_t> created_at_;  // trace index of the server's dsvn.created
  std::map<std::string, Barrier> mtime_set_;  // fs -> setattrs of mtime
  std::map<std::string, Name> paths_;
  std::map<std::int64_t, OpenCall> open_;        // call id -> what the completion needs
  std::set<std::uint64_t> open_stats_;           // invoke indices of stats still open
  std::map<std::string, NodeId> server_of_;      // fs id -> its metadata server
};

}  // namespace sansim
