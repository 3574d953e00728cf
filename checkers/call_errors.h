// call_errors: every error a user call returns is explained by the run. An error nothing
// in the run explains is a violation naming the call. What explains each (the calls and
// their errors are listed in model/cxfs/README.md):
//   ENOENT        the path may not have named the file at some instant of the call: no
//                 create, mkdir or rename onto it had completed before the call began,
//                 or a removal of it or of a directory above it (unlink, rename away)
//                 may have acted after that and before the call ended. Creates and
//                 mkdirs answer ENOENT when their directory may be missing, the same way.
//                 Or the file system was unmounted on the caller's node during the call
//                 (cxfs.unmount begin until it mounts again: lookups fail at once). A
//                 read, write or fsync resolves its path and opens the inode before its
//                 invoke is recorded (model/app/process.h), so it is judged from when its
//                 process finished its previous call, and a rename onto the path (which
//                 replaces the inode the path named) explains it too.
//   EEXIST        a create, mkdir or rename onto the path began before the call ended.
//   EISDIR        the path was made a directory before the call ended.
//   ENOTDIR       a directory above the path was made a regular file before it ended.
//   ENOTEMPTY     something was made below the path before the call ended.
//   ENAMETOOLONG  a name in the path is longer than xfs::kMaxNameLength.
//   EINVAL        a rename into its own subtree, or an empty, "." or ".." name.
//   EIO           something that can fail I/O happened before the call ended: a fault
//                 of any kind, a recovery cycle, a relocation, a crash or reset.
//   ENOSPC        an allocating call (create, mkdir, rename, write, truncate, migrate):
//                 space is not modelled here (not judged further).
//   ESTALE, EMIGRATING and anything else: never.
// Calls of a node recovery declared failed (a zombie, until readmitted) are not judged;
// what it did counts as may-have-happened for the others. Every completed call is
// counted as judged (an ok result needs no explanation), errors apart.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checkers/call_feed.h"
#include "checkers/checker.h"

namespace sansim {

class CallErrorsChecker final : public Checker {
 public:
  // `fs_ids`: the file systems in configuration order (cxfs.unmount names one by index).
  CallErrorsChecker(std::vector<std::string> node_names, std::vector<std::string> fs_ids)
      : names_(std::move(node_names)), fs_ids_(std::move(fs_ids)) {}
  const char* name() const override { return "call_errors"; }
  void on_observation(const Observation& o) override;

 private:
  // A name made (create, mkdir, rename onto it) or removed (unlink, rename away), by one
  // call: from its invoke to its completion (UINT64_MAX while open or indeterminate).
  struct Change {
    std::int64_t op = 0;
    std::uint64_t inv = 0, cmp = UINT64_MAX;
    bool sure = false;  // completed ok
    bool dir = false;   // made a directory
  };
  void invoked(const CallRecord& c, const Observation& o);
  void completed(const CallRecord& c);
  void settle(std::map<std::string, std::vector<Change>>& changes, const std::string& path, const CallRecord& c);
  // Empty: explained. `began`: when the call may have started acting (see the header).
  std::string why_not(const CallRecord& c, std::uint64_t began) const;
  bool surely_named(const std::string& path, std::uint64_t from, std::uint64_t to) const;
  bool made_before(const std::string& path, std::uint64_t before, std::int64_t except, bool* dir = nullptr) const;
  bool made_below(const std::string& path, std::uint64_t before) const;
  bool unmounted_during(const CallRecord& c) const;

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  CallFeed feed_;
  // (node, fs id) -> [unmount begin, mounted again) windows, the last open while unmounted.
  std::map<std::pair<NodeId, std::string>, std::vector<std::pair<std::uint64_t, std::uint64_t>>> unmounted_;
  std::map<std::string, std::vector<Change>> made_, removed_;  // path -> changes
  std::map<std::string, std::vector<Change>> replaced_;        // path -> renames onto it
  std::map<std::pair<NodeId, std::int64_t>, std::uint64_t> free_since_;  // (node, proc) -> its last completion
  std::map<std::int64_t, std::string> to_;                     // rename op -> its target path
  std::set<NodeId> failed_;
  std::uint64_t first_disturbance_ = UINT64_MAX;  // trace index of the first fault, cycle, relocation...
};

}  // namespace sansim
