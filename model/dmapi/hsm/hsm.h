// The HSM daemon of one DMAPI-enabled file system (our stand-in for DMF, §0038-0041). It
// runs on the file system's metadata server node, beside DMAPI, and moves with the
// server: recovery and relocation start one on the new server node and stop the old.
//
// What it does:
//   migrate     copy a file to tape (dual-state: write and truncate raise events); with
//               release, punch its disk blocks out too (offline: read raises events)
//   read event  on an offline file: recall the copy from tape and write it back to disk
//               with invisible I/O; the file becomes dual-state
//   write or truncate event
//               recall first if offline (the operation may keep part of the old data),
//               then drop the tape copy: the file is regular again
//
// Masks only shrink while users wait on an event (their DMAPI read token stays where it
// is: a copy with more events than the server's only costs an extra event); migrate
// grows a mask, and that takes the DMAPI token at write level first (§0039), before it
// copies anything: from then on every operation on the file raises an event, which
// waits for the copy. The HSM does one thing at a time per file system (`busy_`), never
// while it waits for the DMAPI token.
//
// The catalog (which files have a copy, and whether offline) lives with the tape library,
// so a new server's HSM finds it after a failover.
//
// A crashed daemon (`hsm_crash`) stops taking events: queued ones stay queued, the one in
// progress is put back at the head of the queue, and users keep waiting until the daemon
// is back (`undo_after`) — or until a relocation hands their calls to another server.
// A daemon that dies or stops abandons the recall it has on a drive (its process closed
// the drive), so the daemon that takes the event next does not wait out a transfer
// nobody will use. A node crash leaves the drive moving until the booked end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/sim/tape.h"
#include "engine/simulation.h"
#include "engine/sync/interrupt.h"
#include "engine/sync/mutex.h"
#include "engine/task.h"
#include "model/dmapi/event_queue.h"
#include "model/dmapi/events.h"
#include "model/xfs/types.h"

namespace sansim::dmapi {

// What the HSM does to files through DMAPI on its node: invisible I/O (no events, no
// timestamp changes), punching blocks out, and changing a file's event mask.
class FileIo {
 public:
  virtual ~FileIo() = default;
  // The whole file's data.
  virtual Task<xfs::Errno> read_invisible(xfs::Ino ino, Bytes& out) = 0;
  // Writes `data` from offset 0 (within the file's size).
  virtual Task<xfs::Errno> write_invisible(xfs::Ino ino, Bytes data) = 0;
  // Frees the file's data blocks, keeping its size.
  virtual Task<xfs::Errno> punch(xfs::Ino ino) = 0;
  // Sets the file's event mask. Growing it takes the DMAPI token at write level (every
  // client's copy of the old mask is recalled first); shrinking it does not.
  virtual Task<xfs::Errno> set_events(xfs::Ino ino, EventMask mask) = 0;
  // The file's current mask on the server.
  virtual EventMask events(xfs::Ino ino) const = 0;
};

// What the catalog notes about a copy.
enum class CopyState : std::uint8_t { none = 0, dual = 1, offline = 2 };

class Hsm {
 public:
  Hsm(Simulation& sim, NodeId self, std::string fs, TapeLibrary& tape, EventQueue& queue, FileIo& io);
  Hsm(const Hsm&) = delete;
  Hsm& operator=(const Hsm&) = delete;

  // Starts the daemon on this node.
  void start();
  // The server role ended here: the daemon takes no more events.
  void stop();
  // The daemon dies (a fault) or comes back.
  void crash();
  void restart();
  bool running() const { return running_ && !stopped_; }

  // dmput: copies the file to tape; with `release`, leaves it offline.
  Task<xfs::Errno> migrate(xfs::Ino ino, bool release);
  // The file is gone: so is its copy.
  void forget(xfs::Ino ino);
  // Every file of this file system with a copy, and the mask its state implies (a new
  // server's DMAPI rebuilds its masks from this after a failover).
  std::map<xfs::Ino, EventMask> catalog() const;
  static EventMask mask_of(CopyState s);

 private:
  std::string key(xfs::Ino ino) const { return fs_ + "/" + std::to_string(ino); }
  Task<void> daemon(std::uint64_t life);
  Task<xfs::Errno> process(const QueuedEvent& e, std::uint64_t life);
  Task<xfs::Errno> recall(xfs::Ino ino, std::uint64_t life);
  void observe(const char* what, std::vector<Field> f);

  Simulation& sim_;
  NodeId self_;
  std::string fs_;
  TapeLibrary& tape_;
  EventQueue& queue_;
  FileIo& io_;
  bool running_ = false;
  bool stopped_ = false;
  std::uint64_t life_ = 0;  // bumped by crash and stop: a daemon of an older life quits
  // Raised by crash and stop: a recall under way is abandoned, and its drive is free at
  // the end of the step under way (engine/sim/tape.h), so the next daemon's recall of the
  // same file finds the cartridge loaded. Cleared when a daemon starts.
  Interrupt stopping_;
  std::optional<QueuedEvent> current_;  // being processed
  Mutex busy_;
};

}  // namespace sansim::dmapi
