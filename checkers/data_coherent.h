// data_coherent: the protocol-aware oracle for file data, linear in the history.
//
// Every file block is a register (fs, ino, block), initially zeros. A read of it that
// completed ok must return
//   - the value of a write that completed before the read was invoked and that no later
//     write had overwritten by then (a write W' overwrites W when W' was invoked after W
//     completed, and completed itself; several mutually overlapping writes can each be the
//     last), or
//   - the value of a write whose call overlapped the read, or
//   - the value of an indeterminate write (not completed, or completed with EIO) invoked
//     before the read completed.
// A torn block (-1) or a value nobody wrote to that block is always a violation; so is
// the value of a write that failed with another error (it had no effect).
//
// Buffered reads and writes of one file never overlap in time (the IO token, §0032-0033),
// so for buffered calls this is exact: the allowed value is the one last write's. Each
// block is judged alone: that a multi-block read is atomic across blocks is not checked.
//
// Zeros are written too: a truncate to size s (`ino`, `size` on its invoke) writes zeros
// to every block at or past ceil(s / block size) over its interval (the loader only takes
// whole-block sizes); an ok create or mkdir answering an inode number makes that number a
// new, empty file (xfs reuses freed inodes). unlink needs nothing: a later read of the
// path fails its lookup.
//
// What may legitimately be lost widens the allowed values instead of being judged (that
// is the "no lost acknowledged write" property's business): from the instant it happens,
// a block whose newest data sat only in a node's page cache may hold any value written to
// it before, when that node crashes (`node.crash`), leaves the membership and drops its
// state (`cxfs.reset`), drops its caches for a restarted
// server (`cxfs.server_restarted`), or the file system's server crashes; and a block whose
// newest data was on a disk but not yet made durable by an fsync may also read torn after
// a disk power loss (a `fault` whose `what` says power_loss). Data is on the disk when
// written direct, or when its node reports `cache.flush` of that block after the write;
// it is durable once an fsync invoked after that completed ok (or an fsync of that file on
// the writer's node, which flushes it itself).
//
// A violation is reported at the read's completion and gives the witness: the write the
// read should have returned, and the IO / PAGE_DIRTY / PAGE_CLEAN holds and flushes of the
// writer's and the reader's nodes from that write's invoke on (token_log.h). App
// observations that do not fit the history format are violations too.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/call_feed.h"
#include "checkers/checker.h"
#include "checkers/token_log.h"

namespace sansim {

class DataCoherentChecker final : public Checker {
 public:
  // `fs_ids`: the file systems' ids in configuration order (the index token and flush
  // observations use).
  DataCoherentChecker(std::vector<std::string> node_names, std::vector<std::string> fs_ids);
  const char* name() const override { return "data_coherent"; }
  void on_observation(const Observation& o) override;

 private:
  static constexpr std::uint64_t kNever = UINT64_MAX;

  // A write to registers: a user write, or a reset writing zeros (truncate, reused inode).
  struct Write {
    std::int64_t op = 0, proc = 0;
    NodeId node = kNoNode;
    std::string call, path, mode;
    std::string fs;
    std::int64_t ino = 0, first_block = 0;
    std::vector<std::int64_t> values;  // per block from first_block; empty for a reset (zeros, no end)
    bool reset = false;
    bool cached = false;  // buffered or mapped: the data waits in the node's page cache
    bool size_held = false;  // completed while its node held SIZE write on the file
    std::uint64_t inv_index = 0;
    Time inv_time = 0;
    bool completed = false;
    std::string result;
    std::uint64_t cmp_index = 0;
    Time cmp_time = 0;
    OpType outcome() const;
    std::int64_t value(std::int64_t block) const { return reset ? 0 : values[static_cast<std::size_t>(block - first_block)]; }
  };
  // One value a register may hold, given the writes completed so far.
  struct Candidate {
    enum class Kind { initial, write, any } kind = Kind::initial;
    std::size_t write = 0;           // kind write
    std::uint64_t since = 0;         // write: its completion; any: the loss
    bool torn = false;               // any: a torn block too (power loss)
    std::uint64_t on_disk = kNever;  // write: when its data reached the disk
  };
  using RegKey = std::tuple<std::string, std::int64_t, std::int64_t>;  // fs, ino, block
  using InoKey = std::pair<std::string, std::int64_t>;
  struct Register {
    std::vector<Candidate> stable{Candidate{}};
    std::map<std::int64_t, std::vector<std::size_t>> by_value;  // value -> writes of it here
    std::map<NodeId, std::size_t> unflushed;  // node -> its completed write only in its page cache
    std::size_t resets_applied = 0;           // of the inode's reset events
  };
  struct ResetEvent {
    std::size_t write;
    bool completion;
  };
  struct OpenRead {
    std::vector<std::vector<Candidate>> snapshot;  // per block, at the invoke
  };

  void invoke(const CallRecord& c, const Observation& o);
  void complete(const CallRecord& c, const Observation& o);
  void created(const Observation& o);
  std::size_t add_write(const CallRecord& c, bool reset, std::int64_t ino, std::int64_t first_block);
  Register& reg(const RegKey& key);  // brought up to date with its inode's resets
  void complete_write(Register& r, const RegKey& key, std::size_t id);
  void judge(const CallRecord& c, std::int64_t block, const std::vector<Candidate>& snapshot, const Observation& o);
  void flushed(const Observation& o);
  void lose(std::optional<NodeId> node, std::optional<std::string> fs, std::uint64_t index);
  // The node (and any server on it) lost what it had not written back.
  void node_lost(NodeId node, std::uint64_t index);
  void lose_unsynced(std::optional<std::string> fs, std::optional<NodeId> writer, std::uint64_t index);
  std::set<NodeId> failed_;  // declared failed by recovery and not readmitted yet
  std::set<std::tuple<std::string, std::int64_t, NodeId>> size_write_;  // fs, ino, client holding SIZE write
  std::map<NodeId, std::set<std::string>> lost_servers_;  // such nodes: the file systems they served
  void power_loss(std::uint64_t index);
  bool durable(const Candidate& c) const;
  std::string fs_name(std::int64_t index) const;
  std::int64_t fs_index(const std::string& name) const;
  std::string describe_write(const Write& w) const;
  std::string describe_value(const Register& r, std::int64_t block, std::int64_t v) const;

  std::vector<std::string> names_;
  std::vector<std::string> fs_ids_;
  CallFeed feed_;
  TokenLog tokens_;
  std::vector<Write> writes_;
  std::map<RegKey, Register> registers_;
  std::map<InoKey, std::vector<ResetEvent>> resets_;
  std::map<InoKey, std::uint64_t> created_at_;  // trace index of the server's dsvn.created
  std::map<std::int64_t, std::size_t> open_writes_;  // call id -> writes_
  std::map<std::int64_t, OpenRead> open_reads_;      // call id -> snapshot
  std::map<std::int64_t, std::int64_t> fsync_ino_;   // open fsync call id -> its inode
  std::map<NodeId, std::set<RegKey>> unflushed_;     // node -> registers it may hold modified pages of
  std::map<std::string, std::uint64_t> fs_durable_;  // fs -> data on disk before this index is durable
  std::map<std::tuple<std::string, NodeId, std::int64_t>, std::uint64_t> own_durable_;  // (fs, node, ino) -> same
  std::map<std::string, NodeId> server_of_;          // fs id -> its metadata server
};

}  // namespace sansim
