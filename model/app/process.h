// A user process on a node: it makes one POSIX-like call at a time through the node's
// vnode::FileAccess and records each in the history, as the checkers read it:
//
//   app.invoke   proc, op, call, path; read/write also mode, ino, block, blocks, and for
//                writes value (the stamp of each block); rename also `to`, truncate
//                `size` and `ino` (what the path named just before), setattr the times
//                it sets, fsync `ino`
//   app.complete proc, op, call, result (xfs::to_string of its Errno: "ok", "ENOENT", ...); ok
//                reads also value (per block: 0 zeros, the stamp it holds, -1 torn); ok
//                stat also size, mtime, ino; ok lookup/create/mkdir also ino
//
// Paths are recorded with their file system in front ("/fs1/a"), so they are unique in
// the simulation. A read, write or fsync resolves and opens its file before the invoke
// (so `ino` is known) and closes it after the complete; if the lookup or open fails, the
// call is still recorded, with ino 0 when no inode was found, and completes with that
// error at once. A call whose node crashes never completes.
#pragma once

#include <cstdint>

#include "engine/simulation.h"
#include "engine/task.h"
#include "model/app/workload.h"
#include "model/vnode/file_access.h"

namespace sansim::app {

// Call ids (app.invoke's `op`) unique across nodes and node restarts without shared
// state: (node + 1) << 50 | (incarnation mod 2^14) << 36 | a count kept by this node's
// App. They are positive, so a write uses its op id as its stamp (stamp.h).
class OpIds {
 public:
  OpIds(NodeId node, std::uint32_t incarnation);
  // Throws std::logic_error once 2^36 ids were handed out (a reported invariant failure).
  std::int64_t next();

 private:
  std::int64_t base_;  // Constant after construction.
  std::int64_t count_ = 0;
};

class Process {
 public:
  Process(Simulation& sim, NodeId node, vnode::FileAccess& files, std::int64_t proc, OpIds& ids);

  std::int64_t proc() const { return proc_; }

  // Makes the call `c` describes and records it. Answers the call's outcome; never
  // throws for a failed call.
  Task<xfs::Errno> call(CallSpec c);

 private:
  Task<xfs::Errno> data_call(CallSpec c);   // read, write
  Task<xfs::Errno> fsync_call(CallSpec c);
  Task<xfs::Errno> name_call(CallSpec c);   // everything else
  void invoke(std::int64_t op, const CallSpec& c, std::vector<Field> extra);
  void complete(std::int64_t op, Call call, xfs::Errno result, std::vector<Field> extra = {});

  Simulation& sim_;
  NodeId node_;
  vnode::FileAccess& files_;
  std::int64_t proc_;
  OpIds& ids_;
};

}  // namespace sansim::app
