// The trace: every event the scheduler runs and every observation, in order, folded
// into a running 64-bit hash. Same seed + same scenario + same build = same hash.
//
// What is kept besides the hash is chosen per run, because a fuzz campaign runs millions
// of events and cannot afford to keep them all:
//  - always: the hash, the count, a ring of the last records (context for a failure),
//    a checkpoint (index, hash) every `checkpoint_every` records, and a one-byte digest
//    of every record up to a cap. A replay compares against the checkpoints to find the
//    interval where it first diverged and then the digests to name the first divergent
//    record;
//  - optionally: every record in memory (replay, determinism checks) and/or a JSON-lines
//    stream to a file (--trace FILE).
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <string>
#include <vector>

#include "engine/node_id.h"
#include "engine/time.h"

namespace sansim {

struct Observation;

enum class TraceKind : std::uint8_t {
  start,        // a spawned task runs for the first time
  resume,       // a parked task resumes (sleep over, woken)
  deliver,      // a LAN message reaches its receiver's port
  bounce,       // a LAN send failed; the sender learns of it
  fault,        // a fault of the plan is applied
  timer,        // a subsystem timer
  observation,  // model code reported something
};

const char* to_string(TraceKind k);

struct TraceRecord {
  std::uint64_t index = 0;
  Time time = 0;
  NodeId node = kNoNode;
  TraceKind kind = TraceKind::start;
  std::uint64_t detail = 0;  // task slot, message digest, fault number, ...
  std::string text;          // observations: kind and fields
};

struct TraceCheckpoint {
  std::uint64_t index;  // hash after this many records
  std::uint64_t hash;
};

class Trace {
 public:
  static constexpr std::size_t kRing = 64;
  static constexpr std::size_t kDigestCap = 4'000'000;

  explicit Trace(std::uint64_t checkpoint_every = 1024)
      : checkpoint_every_(checkpoint_every), until_checkpoint_(checkpoint_every) {}

  void keep_records(bool on) { keep_records_ = on; }
  // Streams every record as a JSON line; `names` renders node ids. The stream must
  // outlive the trace's use.
  void stream_to(std::ostream* out, std::vector<std::string> names);

  void record_event(Time time, NodeId node, TraceKind kind, std::uint64_t detail);
  void record_observation(Observation& o);  // sets o.index

  std::uint64_t hash() const { return hash_; }
  std::uint64_t count() const { return count_; }
  const std::vector<TraceCheckpoint>& checkpoints() const { return checkpoints_; }
  const std::vector<std::uint8_t>& digests() const { return digests_; }
  const std::vector<TraceRecord>& records() const { return records_; }
  // The last few records, oldest first.
  std::vector<TraceRecord> recent() const;

 private:
  static std::uint64_t record_hash(Time time, NodeId node, TraceKind kind, std::uint64_t detail,
                                   std::uint64_t text_hash);
  void fold(std::uint64_t record_hash);
  void emit(const TraceRecord& r, std::uint64_t record_hash);

  std::uint64_t checkpoint_every_;
  std::uint64_t until_checkpoint_;
  bool keep_records_ = false;
  std::ostream* stream_ = nullptr;
  std::vector<std::string> names_;
  std::uint64_t hash_ = 0x5a5a5a5a5a5a5a5aULL;
  std::uint64_t count_ = 0;
  std::vector<TraceCheckpoint> checkpoints_;
  std::vector<std::uint8_t> digests_;
  std::vector<TraceRecord> records_;
  std::vector<TraceRecord> ring_ = std::vector<TraceRecord>(kRing);
};

// Where two runs' traces first differ.
struct Divergence {
  bool diverged = false;
  std::uint64_t index = 0;     // first record that differs (best knowledge)
  bool exact = false;          // index proven by per-record digests, not only a checkpoint
  std::string detail;          // a sentence for the user
};

// Compares a run against checkpoints and digests saved from an earlier run.
// What a run leaves for later comparison.
struct TraceSummary {
  std::uint64_t count = 0;
  std::uint64_t hash = 0;
  std::vector<TraceCheckpoint> checkpoints;
  std::vector<std::uint8_t> digests;
};
Divergence find_divergence(const TraceSummary& expected, const TraceSummary& actual);

std::string hex64(std::uint64_t v);
std::string node_label(NodeId n, const std::vector<std::string>& names);
std::string describe(const TraceRecord& r, const std::vector<std::string>& names);

}  // namespace sansim
