#include "model/dmapi/hsm/hsm.h"

namespace sansim::dmapi {

Hsm::Hsm(Simulation& sim, NodeId self, std::string fs, TapeLibrary& tape, EventQueue& queue, FileIo& io)
    : sim_(sim), self_(self), fs_(std::move(fs)), tape_(tape), queue_(queue), io_(io), stopping_(sim.sched()),
      busy_(sim.sched()) {}

EventMask Hsm::mask_of(CopyState s) {
  switch (s) {
    case CopyState::none: return kNoEvents;
    case CopyState::dual: return kDualState;
    case CopyState::offline: return kOffline;
  }
  return kNoEvents;
}

void Hsm::observe(const char* what, std::vector<Field> f) {
  f.insert(f.begin(), Field{"fs", fs_});
  sim_.observe(self_, what, std::move(f));
}

void Hsm::start() {
  running_ = true;
  stopping_.clear();
  sim_.sched().spawn(self_, daemon(life_), "hsm.daemon");
}

void Hsm::stop() {
  stopped_ = true;
  ++life_;
  stopping_.raise();
}

void Hsm::crash() {
  if (!running() ) return;
  running_ = false;
  ++life_;
  if (current_) queue_.requeue(*current_);
  current_.reset();
  stopping_.raise();
  observe("hsm.crashed", {});
}

void Hsm::restart() {
  if (running_ || stopped_) return;
  observe("hsm.restarted", {});
  start();
}

std::map<xfs::Ino, EventMask> Hsm::catalog() const {
  std::map<xfs::Ino, EventMask> out;
  const std::string prefix = fs_ + "/";
  for (const std::string& k : tape_.keys()) {
    if (k.compare(0, prefix.size(), prefix) != 0) continue;
    const xfs::Ino ino = std::stoull(k.substr(prefix.size()));
    out[ino] = mask_of(static_cast<CopyState>(tape_.note(k)));
  }
  return out;
}

void Hsm::forget(xfs::Ino ino) { tape_.remove(key(ino)); }

Task<void> Hsm::daemon(std::uint64_t life) {
  for (;;) {
    std::optional<QueuedEvent> e = co_await queue_.next();
    if (life != life_ || !e) {
      // Taken after this daemon died or stopped: the next daemon takes it.
      if (e) queue_.requeue(*e);
      co_return;
    }
    current_ = e;
    observe("hsm.event", {{"id", std::int64_t(e->id)},
                          {"ino", std::int64_t(e->ino)},
                          {"event", std::string(to_string(e->event))},
                          {"from", std::int64_t(e->from)}});
    co_await busy_.lock();
    auto op = process(*e, life);
    const xfs::Errno result = co_await op;
    busy_.unlock();
    if (life != life_) co_return;  // died meanwhile: crash() put the event back
    current_.reset();
    observe("hsm.answered", {{"id", std::int64_t(e->id)}, {"result", std::string(xfs::to_string(result))}});
    queue_.respond(e->id, result);
  }
}

Task<xfs::Errno> Hsm::recall(xfs::Ino ino, std::uint64_t life) {
  Bytes data;
  auto rd = tape_.read(key(ino), data, &stopping_);
  const TapeStatus st = co_await rd;
  observe("tape.read", {{"ino", std::int64_t(ino)}, {"status", std::string(to_string(st))},
                        {"bytes", std::int64_t(data.size())}});
  if (st != TapeStatus::ok) co_return xfs::Errno::io;
  // Died or stopped (the server moved) while the tape moved: the daemon that takes the
  // event next recalls again; this one touches nothing more.
  if (life != life_) co_return xfs::Errno::io;
  auto wr = io_.write_invisible(ino, std::move(data));
  const xfs::Errno e = co_await wr;
  if (e != xfs::Errno::ok) co_return e;
  tape_.set_note(key(ino), static_cast<std::uint8_t>(CopyState::dual));
  auto ev = io_.set_events(ino, kDualState);
  co_return co_await ev;
}

Task<xfs::Errno> Hsm::process(const QueuedEvent& e, std::uint64_t life) {
  const EventMask mask = io_.events(e.ino);
  if (!has(mask, e.event)) co_return xfs::Errno::ok;  // an older copy of the mask raised it
  if (has(mask, Event::read)) {
    // Offline: every operation needs the data back first (§0041).
    auto op = recall(e.ino, life);
    const xfs::Errno r = co_await op;
    if (r != xfs::Errno::ok || e.event == Event::read) co_return r;
  }
  // A write or a truncate: the tape copy will be out of date (§0041).
  forget(e.ino);
  auto ev = io_.set_events(e.ino, kNoEvents);
  co_return co_await ev;
}

Task<xfs::Errno> Hsm::migrate(xfs::Ino ino, bool release) {
  const EventMask target = release ? kOffline : kDualState;
  xfs::Errno e = xfs::Errno::ok;
  for (;;) {
    // Grow only: a dmput without release of an offline file must keep its read event
    // (found by the relocation property: the mask became dual-state over the holes).
    auto grow = io_.set_events(ino, static_cast<EventMask>(io_.events(ino) | target));
    e = co_await grow;
    if (e != xfs::Errno::ok) co_return e;
    co_await busy_.lock();
    // An event processed while we waited for the lock shrank the mask again (a recall
    // makes the file dual-state): copying or punching under that mask would let a read
    // past the holes (found by the recovery matrix: a dmput sent twice).
    if ((io_.events(ino) & target) == target) break;
    busy_.unlock();
  }
  const CopyState had = tape_.has(key(ino)) ? static_cast<CopyState>(tape_.note(key(ino))) : CopyState::none;
  if (had == CopyState::offline || (had == CopyState::dual && !release)) {
    // Already done (a dmput sent again): an offline file's disk holds holes, and copying
    // them would overwrite the only copy of its data (found by the recovery matrix).
    busy_.unlock();
    co_return xfs::Errno::ok;
  }
  if (had == CopyState::dual) {
    // The copy is current (a write would have dropped it): only the release is left.
    tape_.set_note(key(ino), static_cast<std::uint8_t>(CopyState::offline));
    auto p = io_.punch(ino);
    const xfs::Errno punched = co_await p;
    busy_.unlock();
    co_return punched;
  }
  Bytes data;
  auto rd = io_.read_invisible(ino, data);
  e = co_await rd;
  TapeStatus st = TapeStatus::error;
  if (e == xfs::Errno::ok) {
    auto wr = tape_.write(key(ino), data);
    st = co_await wr;
    if (stopped_) st = TapeStatus::error;  // the server moved meanwhile: the new one's HSM does it again
    observe("tape.write", {{"ino", std::int64_t(ino)}, {"status", std::string(to_string(st))},
                           {"bytes", std::int64_t(data.size())}});
    if (st != TapeStatus::ok) e = xfs::Errno::io;
  }
  if (e == xfs::Errno::ok) {
    tape_.set_note(key(ino), static_cast<std::uint8_t>(release ? CopyState::offline : CopyState::dual));
    if (release) {
      auto p = io_.punch(ino);
      e = co_await p;
    }
  }
  if (e != xfs::Errno::ok && !(release && tape_.has(key(ino)))) {
    // Nothing usable on tape: the file is a regular file again. (A punch that failed
    // after the copy was made leaves the file offline: its data is on tape.)
    forget(ino);
    auto none = io_.set_events(ino, kNoEvents);
    co_await none;
  }
  busy_.unlock();
  if (e == xfs::Errno::ok)
    observe("hsm.migrated", {{"ino", std::int64_t(ino)}, {"release", std::int64_t(release ? 1 : 0)},
                             {"bytes", std::int64_t(data.size())}});
  co_return e;
}

}  // namespace sansim::dmapi
