// The call history of user processes. The app layer reports every POSIX-like call as an
// `app.invoke` and (unless its node crashed or the run ended first) an `app.complete`
// observation. HistoryRecorder keeps one CallRecord per call and derives from them the
// register history the linearizability checker and the Jepsen export work on: every
// file block is one register, keyed "<fs>:<ino>[.<generation>]/<block>" (register_key),
// initially 0, and a read or write call over N blocks becomes N register operations
// sharing the call's interval.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "engine/observation.h"
#include "model/xfs/types.h"

namespace sansim {

// Jepsen's operation types: an invocation, and its completion as definitely done (ok),
// definitely without effect (fail), or indeterminate (info).
enum class OpType { invoke, ok, fail, info };
const char* to_string(OpType t);

struct HistoryOp {
  std::int64_t process = 0;  // a proc id, renumbered after an indeterminate call (see history())
  OpType type = OpType::invoke;
  std::string f;                      // "read", "write", or "cas" (Jepsen's register workload)
  std::string key;                    // register_key(), or a Jepsen key
  std::optional<std::int64_t> value;  // written stamp (cas: the new value); read value on an ok read; else none
  std::uint64_t index = 0;            // trace index of the observation it comes from
  Time time = 0;
  std::optional<std::int64_t> from = std::nullopt;  // cas: the value it expects
  friend bool operator==(const HistoryOp&, const HistoryOp&) = default;
};

// Jepsen's nil, the value of a register nobody wrote (histories read from Jepsen's own
// formats start from it; sansim's start from 0, a block of zeros).
inline constexpr std::int64_t kNil = INT64_MIN;
// "nil" for kNil, else the number.
std::string value_text(std::int64_t v);

// In real-time order: an operation precedes another iff it comes earlier in the vector.
using History = std::vector<HistoryOp>;

// One user call, as observed.
struct CallRecord {
  std::int64_t proc = 0;
  std::int64_t op = 0;  // unique call id
  NodeId node = kNoNode;
  std::string call;  // read, write, create, mkdir, unlink, rename, stat, mmap_read, ...
  std::string path;
  std::string fs;  // the file system the path names (fs_of_path), empty if none
  // Register calls (read, write, mmap_read, mmap_write) only:
  std::int64_t ino = -1, block = 0, blocks = 0;
  // Inode numbers are reused once a file is gone: the register is (fs, ino, generation,
  // block), where the generation counts the files this file system's server created with
  // this number so far (dsvn.created observations; each file system counts its own).
  std::int64_t generation = 0;
  std::vector<std::int64_t> written;  // writes: the stamp written into each block
  // Truncates of a known inode (`ino` and `size` recorded): the first block it zeroes. In
  // the register history it is a write of 0 to each block of the inode from there on
  // that some read or write touches.
  std::optional<std::int64_t> zeroes_from;
  std::uint64_t invoke_index = 0;
  Time invoke_time = 0;

  bool completed = false;
  std::string result;              // xfs::to_string of the call's Errno ("ok", "ENOENT"); empty while open
  std::vector<std::int64_t> read;  // ok reads: per block 0 (zeros), a stamp, or -1 (torn)
  std::optional<std::int64_t> size, mtime;  // ok stat
  std::uint64_t complete_index = 0;
  Time complete_time = 0;
  // False when its invoke or complete did not fit the format (a HistoryProblem says
  // why); such a call is left out of history().
  bool well_formed = true;

  // The result compared with the model's own spelling of it (xfs::to_string), never with a
  // literal of our own.
  bool ok() const { return completed && result == xfs::to_string(xfs::Errno::ok); }
  bool failed_with(xfs::Errno e) const { return completed && result == xfs::to_string(e); }

  bool is_read() const { return call == "read" || call == "mmap_read"; }
  bool is_write() const { return call == "write" || call == "mmap_write"; }
  bool is_truncate() const { return call == "truncate"; }
  // ok; fail (definitely no effect); info (never completed, or EIO on a write or
  // truncate: the data may have reached part of the disk).
  OpType outcome() const;
};

// An app.* observation that does not fit the format (a bug in whoever emitted it).
struct HistoryProblem {
  std::uint64_t index = 0;
  Time time = 0;
  NodeId node = kNoNode;
  std::string message;
};

class HistoryRecorder final : public ObservationSink {
 public:
  // `fs_ids`: the file systems' ids in configuration order, as dsvn.created names a file
  // system by that index while paths name it by id. Without them (a history from
  // elsewhere) a dsvn.created of file system i counts for "#i".
  explicit HistoryRecorder(std::vector<std::string> fs_ids = {}) : fs_ids_(std::move(fs_ids)) {}
  void on_observation(const Observation& o) override;

  // Every call in invoke order, with its completion if one was seen.
  const std::vector<CallRecord>& calls() const { return calls_; }
  // The call invoked by the observation with this trace index, if any.
  const CallRecord* call_invoked_at(std::uint64_t index) const;
  const std::vector<HistoryProblem>& problems() const { return problems_; }

  // The register history in trace order. Calls that never completed keep an open
  // invoke (write_jepsen closes them with info lines; the checker treats them as info).
  // As in Jepsen, a process that had an indeterminate (info) call is retired: its later
  // calls appear as process proc + k * (largest proc + 1) for its k-th retirement, so a
  // process never has two open operations on one key.
  History history() const;

 private:
  void invoke(const Observation& o);
  void complete(const Observation& o);
  void problem(const Observation& o, std::string message);

  std::vector<CallRecord> calls_;
  std::map<std::int64_t, std::size_t> by_op_;          // call id -> calls_ position
  std::vector<std::string> fs_ids_;  // Constant after construction.
  std::set<NodeId> failed_;          // declared failed by recovery, not readmitted yet
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> generations_;  // (fs, ino) -> files created with it
  std::map<std::uint64_t, std::size_t> by_invoke_;     // invoke trace index -> calls_ position
  std::vector<HistoryProblem> problems_;
};

// The register key of block `block` of inode `ino` of file system `fs`:
// "<fs>:<ino>/<block>", or "<fs>:<ino>.<generation>/<block>" once the inode number was
// handed out by a create (a reused number then names a new register). Two file systems
// number their inodes independently, so the file system is part of the key. Without a
// file system (a path that names none): "<ino>/<block>".
std::string register_key(const std::string& fs, std::int64_t ino, std::int64_t block, std::int64_t generation = 0);

// The file system a register key names ("fs1:5/0" -> "fs1"), empty if none.
std::string fs_of_key(const std::string& key);

// The file system a recorded path names: "/fs1/dir/a" -> "fs1" (the app puts the file
// system's id in front of every path). Empty if the path has no such component.
std::string fs_of_path(const std::string& path);

}  // namespace sansim
