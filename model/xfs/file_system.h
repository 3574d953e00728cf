// The local file system on the shared volume (§0024-0025), run by the metadata server
// only (§0026): the cluster layer (dsvn) calls it; metadata clients never do.
//
// All metadata lives in memory once mounted: lookups, readdir and extent maps do no I/O.
// Each operation that changes metadata is one journal transaction (journal.h), durable
// in the log before it returns; in-place writes wait for checkpoints. File data is
// never journaled: clients write it straight to the blocks `allocate` hands out (§0024).
//
// Operations are serialised by a FIFO mutex, so concurrent callers commit in the order
// they arrived. Allocate, truncate and release may take several transactions when they
// touch much free space (each transaction is bounded so it always fits the log); a crash
// between them leaves a consistent, partly done operation (blocks past EOF allocated, or
// some of a file's blocks freed).
//
// After an I/O error while committing, the file system shuts down (like XFS): every later
// change answers io, queries still answer from memory, and a new mount replays the log.
//
// Orphans (§0032, DVN_EXIST): unlinking the last name leaves the inode and its blocks
// allocated, with nlink 0, on the on-disk orphan list, until release() frees them; the
// cluster layer calls it once no node holds an existence token. Mount keeps orphans on
// the list untouched: whoever recovers the file system decides when to release them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/node_id.h"
#include "engine/scheduler.h"
#include "engine/sim/volume.h"
#include "engine/sync/mutex.h"
#include "engine/task.h"
#include "model/xfs/extent_map.h"
#include "model/xfs/metadata.h"
#include "model/xfs/transaction.h"
#include "model/xfs/types.h"

namespace sansim::xfs {

class FileSystem;

struct MountResult {
  Errno err = Errno::ok;
  std::unique_ptr<FileSystem> fs;  // set iff err == ok
  std::uint64_t replayed = 0;      // journal transactions applied
  std::string detail;              // why, when err != ok
  bool unformatted = false;        // err: the volume holds no file system at all (read fine)
};

class FileSystem {
 public:
  // Lays out an empty file system (root directory only) on `volume`, issuing I/O from
  // node `via`. inval: the options or the volume size do not allow a layout.
  static Task<Errno> mkfs(Volume& volume, NodeId via, MkfsOptions options = {});

  // Reads the superblock, replays the journal from the tail (complete records only),
  // writes the replayed blocks in place, loads all metadata and checks it. io (with a
  // detail) on an I/O error, a corrupt block or inconsistent metadata (leaked blocks
  // alone do not stop a mount; fsck reports them). `sched` runs the mutex that serialises
  // operations. Only tasks of node `via` may call the file system, and it must outlive
  // them: a crash kills the node's tasks first, then drops the FileSystem.
  static Task<MountResult> mount(Scheduler& sched, Volume& volume, NodeId via);

  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // --- Queries: in memory, no I/O. ---
  // stale: `dir` is not an inode in use; notdir; inval/nametoolong: bad name; noent.
  Result<Ino> lookup(Ino dir, std::string_view name) const;
  // nullptr if `ino` is not in use.
  const Inode* inode(Ino ino) const;
  // Entries sorted by name. stale / notdir as lookup.
  Result<std::vector<DirEntry>> readdir(Ino dir) const;
  // Empty if `ino` is not in use.
  std::span<const Extent> extent_map(Ino ino) const;
  Counters counters() const;
  std::vector<Ino> orphans() const;
  // Regular files with blocks past their end of file (the block holding the last byte):
  // what a writer that extended the file in memory and was lost left behind.
  std::vector<Ino> past_eof() const;
  bool shut_down() const { return shut_down_; }
  const Geometry& geometry() const { return md_.geometry; }

  // --- Changes: one journal transaction each (see above for the exceptions). ---
  // A new inode named `name` in `dir`, nlink 1, times as given. exist, nospc (no free
  // inode, or no block for a directory leaf), stale, notdir, inval, nametoolong, io.
  Task<Result<Ino>> create(Ino dir, std::string name, FileType type, Times times, std::uint32_t mode = 0644,
                           std::uint32_t uid = 0);
  // Removes the name; returns the inode it named. At nlink 0 the inode joins the orphan
  // list (release frees it). notempty for a directory with entries.
  Task<Result<Ino>> unlink(Ino dir, std::string name);
  // Moves a name. An existing regular-file target is replaced (its nlink drops as for
  // unlink) and returned; kNoIno if nothing was replaced. isdir: the target is a
  // directory; notdir: a directory onto a regular file; inval: a directory into itself
  // or its own subtree.
  Task<Result<Ino>> rename(Ino src_dir, std::string src_name, Ino dst_dir, std::string dst_name);
  // Sets the given attributes. A size here only records it (a client holding the SIZE
  // token reports a new EOF); truncate is what frees blocks. isdir for a directory size.
  Task<Errno> setattr(Ino ino, SetAttr attrs);
  // Allocates the holes of file blocks [file_block, file_block + count) and returns the
  // extents now covering the range. Favours contiguity (free_space.h). nospc when the
  // holes exceed free space (nothing changes) or the file would pass kMaxExtents (holes
  // allocated until then stay allocated). isdir, inval (count 0 or overflow), stale.
  Task<Result<std::vector<Extent>>> allocate(Ino ino, std::uint64_t file_block, std::uint64_t count);
  // Sets the size and frees every block past it.
  Task<Errno> truncate(Ino ino, std::uint64_t new_size);
  // Frees every data block of a regular file and keeps its size: the file reads as holes
  // until its data is written again (an HSM releasing a migrated file's disk space,
  // DMAPI's punch hole, §0041).
  Task<Errno> punch(Ino ino);
  // Frees an orphan and its blocks. inval if `ino` is not on the orphan list.
  Task<Errno> release(Ino ino);
  // Checkpoint: writes every logged block in place and empties the log.
  Task<Errno> sync();

 private:
  FileSystem(Scheduler& sched, Volume& volume, NodeId via, Metadata md);

  struct Guard {
    Mutex* m = nullptr;
    Guard() = default;
    explicit Guard(Mutex* mu) : m(mu) {}
    Guard(Guard&& o) noexcept : m(std::exchange(o.m, nullptr)) {}
    Guard& operator=(Guard&&) = delete;
    ~Guard() {
      if (m != nullptr) m->unlock();
    }
  };

  Errno check_dir(Ino dir) const;
  void touch_inode(Txn& t, Ino ino);
  void touch_space(Txn& t, std::uint64_t start, std::uint64_t count);
  void give_blocks(Txn& t, std::uint64_t start, std::uint64_t count);
  // Replaces `ino`'s extent list, allocating or freeing extent blocks to fit it. nospc
  // (nothing changed) if it is too long or no block is left for an extent block.
  Errno set_extents(Txn& t, Ino ino, ExtentList extents);
  // Maps a new spare leaf at the end of `dir`. nospc: nothing changed.
  Errno add_leaf(Txn& t, Ino dir);
  // Gives back spare leaves at the end of `dir` (a few per transaction).
  void trim_leaves(Txn& t, Ino dir);
  void add_orphan(Txn& t, Ino ino);
  void remove_orphan(Txn& t, Ino ino);
  void drop_name(Txn& t, Ino ino);  // nlink - 1, orphaned at 0
  // Frees up to a transaction's worth of `ino`'s blocks at file blocks >= from; returns
  // whether any remain.
  bool free_tail(Txn& t, Ino ino, std::uint64_t from);

  Task<Errno> commit(Txn& t);
  Task<Errno> checkpoint();
  // Writes zeros over [start, start + count) (newly allocated file blocks).
  Task<Errno> zero_blocks(std::uint64_t start, std::uint64_t count);
  Task<Errno> write_blocks(std::uint64_t start, std::span<const std::uint8_t> data);
  Errno fail_io();

  Volume& volume_;
  NodeId via_;
  Mutex mutex_;
  Metadata md_;
  bool shut_down_ = false;

  // Journal state. The log holds [tail, head); unwritten_ holds the latest logged image
  // of every block not yet written in place.
  std::uint64_t head_pos_ = 0;
  std::uint64_t log_used_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t checkpoint_no_ = 0;
  std::map<std::uint64_t, Bytes> unwritten_;
  std::uint64_t transactions_ = 0;
  std::uint64_t checkpoints_ = 0;
};

}  // namespace sansim::xfs
