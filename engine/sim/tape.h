// The tape library an HSM migrates files to (§0038): SAN-attached, shared by every node,
// with a few drives. A copy lives on its own cartridge; reading or writing it takes a
// free drive, mounts the cartridge unless that drive has it mounted already, seeks, and
// moves the bytes at the drive's rate. Scenarios give the times (`hsm: {tape: ...}`).
//
// Drives are booked, not locked: an operation reserves the drive free soonest until its
// end and then sleeps until then. A node that crashes mid-operation leaves the drive
// busy until the booked end (the tape keeps moving), and nothing is left locked.
//
// An operation given a stop `Interrupt` is abandoned when it is raised (the HSM daemon
// stopped or died, so its process closed the drive): it returns `abandoned` at once, and
// the drive is free at the end of the step under way — a cartridge being loaded finishes
// loading and stays mounted, a seek or transfer stops at once. An operation that had not
// started yet gives its booking back whole. When a later operation is already booked on
// the drive, its start was fixed when it booked, so the drive keeps that plan.
//
// Faults: `fail(until)` makes every operation that ends before `until` fail (a drive or
// media error), after taking its time. Nothing here reads a clock or draws randomness:
// an operation's duration is a function of the library's state and the request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "engine/sync/event.h"
#include "engine/task.h"
#include "engine/time.h"
#include "engine/wire.h"

namespace sansim {

struct TapeOptions {
  Duration mount = 40'000'000'000;        // load and thread a cartridge
  Duration seek = 20'000'000'000;         // position to the copy
  std::uint64_t rate = 150ull << 20;      // bytes per second once positioned
  std::uint32_t drives = 1;
  bool operator==(const TapeOptions&) const = default;
};

enum class TapeStatus : std::uint8_t { ok, error, missing, abandoned };
const char* to_string(TapeStatus s);

class TapeLibrary {
 public:
  TapeLibrary(Scheduler& s, TapeOptions options);
  TapeLibrary(const TapeLibrary&) = delete;
  TapeLibrary& operator=(const TapeLibrary&) = delete;

  const TapeOptions& options() const { return options_; }

  // Writes `data` as the copy named `key` (replacing an older copy of that name).
  Task<TapeStatus> write(std::string key, Bytes data, Interrupt* stop = nullptr);
  // Reads the copy named `key` into `out`; `missing` (at once) when there is none.
  Task<TapeStatus> read(std::string key, Bytes& out, Interrupt* stop = nullptr);
  // Forgets the copy (the HSM found it out of date): no tape motion.
  void remove(const std::string& key) {
    copies_.erase(key);
    notes_.erase(key);
  }
  // The HSM's database entry for a copy (its catalog lives beside the library, so it
  // outlives the node the HSM runs on): a small value the HSM defines. 0 when none.
  void set_note(const std::string& key, std::uint8_t note) { notes_[key] = note; }
  std::uint8_t note(const std::string& key) const {
    auto it = notes_.find(key);
    return it == notes_.end() ? 0 : it->second;
  }
  bool has(const std::string& key) const { return copies_.count(key) != 0; }
  // Every copy's name, in name order (the HSM's catalog is rebuilt from this).
  std::vector<std::string> keys() const;

  // Operations ending before `until` fail (media or drive error).
  void fail(Time until) { failing_until_ = until; }
  // How long an operation on `key` moving `bytes` would take if it started now on the
  // drive it would get (for reports and tests).
  Duration duration(const std::string& key, std::uint64_t bytes) const;
  std::uint64_t operations() const { return operations_; }

 private:
  struct Drive {
    Time free_at = 0;
    std::string mounted;  // the cartridge (copy name) in the drive, empty if none
  };
  // The drive an operation starting now gets: the one free soonest, preferring one that
  // has `key` mounted among equals. Answers its index and when the operation starts.
  std::size_t pick(const std::string& key, Time& start) const;
  Duration motion(const Drive& d, const std::string& key, std::uint64_t bytes) const;
  Task<TapeStatus> book(const std::string& key, std::uint64_t bytes, Interrupt* stop);

  Scheduler& sched_;
  Event never_;  // never set: an operation with a stop interrupt sleeps on it until its end
  TapeOptions options_;
  std::vector<Drive> drives_;
  std::map<std::string, Bytes> copies_;
  std::map<std::string, std::uint8_t> notes_;
  Time failing_until_ = 0;
  std::uint64_t operations_ = 0;
};

}  // namespace sansim
