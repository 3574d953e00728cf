#include "model/cell/cell.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace sansim {

Cell::Cell(Simulation& sim, NodeId self, CellConfig config)
    : sim_(sim), self_(self), config_(std::move(config)), cms_(sim, self, config_.server_capable, sim.node_count(), config_.cms) {
  if (!config_.filesystems.empty()) {
    cxfs_ = std::make_unique<cxfs::Node>(sim, self, config_.filesystems, config_.fs_mutations);
    corpse::Config rc;
    rc.nodes = sim.node_count();
    for (const cxfs::FsConfig& f : config_.filesystems) rc.candidates.push_back(f.servers);
    rc.options = config_.recovery;
    corpse_ = std::make_unique<corpse::Corpse>(sim, self, std::move(rc), *cxfs_, creds_);
    kore_ = std::make_unique<kore::Kore>(sim, self, *cxfs_);
    cxfs_->set_relocate([this](std::uint32_t fs, NodeId to) { kore_->relocate(fs, to); });
    cxfs_->set_unserved([this] { sim_.sched().spawn(self_, ask_for_server(), "cell.unserved"); });
    // Calls in flight to a node that rebooted wait for replies its old incarnation took
    // with it; if it is back before anyone declared it failed, no membership change fails
    // them (fs property seed 2036, calls_complete: a write's size update sent just before
    // the server crashed waited for ever). They fail now, as for a member that left.
    cms_.set_restart_listener([this](NodeId n) { cxfs_->departed({n}); });
    cms_.set_listener([this](cms::State s, const cms::Membership& m) {
      if (s == cms::State::stable && std::find(m.members.begin(), m.members.end(), self_) != m.members.end()) {
        std::set<NodeId> gone;
        for (NodeId n : members_)
          if (std::find(m.members.begin(), m.members.end(), n) == m.members.end()) gone.insert(n);
        if (!gone.empty()) cxfs_->departed(gone);
        members_ = m.members;
      } else {
        members_.clear();
      }
      kore_->membership(s, m);  // first: a relocation in progress is abandoned before recovery freezes
      corpse_->membership(s, m);
    });
  }
  if (cxfs_) app_ = std::make_unique<app::App>(sim, self, cxfs_->files(), config_.workload, sim.rng("app", self));
}

void Cell::start() {
  cms_.start();
  if (cxfs_) cxfs_->start();
  if (corpse_) corpse_->start();
  if (kore_) kore_->start();
  if (app_) app_->start();
}

bool Cell::command(const std::string& name) {
  if (name == "withdraw") {
    if (cxfs_) sim_.sched().spawn(self_, shut_down(), "cell.shutdown");
    else cms_.withdraw();
    return true;
  }
  std::istringstream in(name);
  std::string verb, fs;
  in >> verb >> fs;
  if (!cxfs_) return false;
  const std::optional<std::uint32_t> index = cxfs_->fs_index(fs);
  if (!index) return false;
  if (verb == "relocate") {
    NodeId to = kNoNode;
    if (!(in >> to) || to >= sim_.node_count()) return false;
    kore_->relocate(*index, to);
    return true;
  }
  if (verb == "unmount") {
    sim_.sched().spawn(self_, unmount(*index), "cell.unmount");
    return true;
  }
  if (verb == "mount") {
    ++mounts_[*index];
    cxfs_->client().remount(*index);  // also ends an unmount still under way
    // A file system nobody serves (its other candidates failed while it was unmounted
    // here, so recovery could elect no one) gets a server only from a recovery cycle:
    // ask for one, and its pass 3 elects this node (relocation property seed 652).
    if (cxfs_->unserved_candidate(*index)) {
      sim_.observe(self_, "cell.mount_wants_server", {{"fs", std::int64_t(*index)}});
      cms_.request_round("mount");
    }
    return true;
  }
  if (verb == "hsm_crash" || verb == "hsm_restart") {
    cxfs_->hsm_crash(*index, verb == "hsm_crash");  // only the node serving fs has one
    return true;
  }
  return false;
}

Task<void> Cell::ask_for_server() {
  if (asking_for_server_) co_return;
  asking_for_server_ = true;
  const Duration wait = unserved_backoff_;
  unserved_backoff_ = std::min<Duration>(unserved_backoff_ * 2, 16'000'000'000);
  co_await sim_.sched().sleep(wait);
  asking_for_server_ = false;
  if (!cxfs_->unserved_anywhere()) {
    unserved_backoff_ = 1'000'000'000;
    co_return;
  }
  sim_.observe(self_, "cell.unserved_round", {{"after", std::int64_t(wait)}});
  cms_.request_round("unserved");
}

// An orderly shutdown of a metadata server's node relocates its file systems to their
// next candidate in the membership first (§0074), then withdraws (§0056). A file system
// nobody else can take is left to recovery after the withdrawal.
Task<void> Cell::shut_down() {
  for (std::uint32_t fs = 0; fs < config_.filesystems.size(); ++fs) {
    if (cxfs_->live_server(fs) == nullptr) continue;
    auto op = move_away(fs);
    const bool moved = co_await op;
    sim_.observe(self_, "cell.shutdown_relocated", {{"fs", std::int64_t(fs)}, {"moved", std::int64_t(moved ? 1 : 0)}});
  }
  cms_.withdraw();
}

Task<bool> Cell::move_away(std::uint32_t fs) {
  for (NodeId c : config_.filesystems[fs].servers) {
    if (c == self_ || std::find(members_.begin(), members_.end(), c) == members_.end()) continue;
    auto op = kore_->move(fs, c);  // a candidate that unmounted it, say, refuses
    if (co_await op) co_return true;
    if (cxfs_->live_server(fs) == nullptr) co_return true;  // gone meanwhile (recovery moved it)
  }
  co_return false;
}

// Unmount on a metadata server (§0074): the server role moves first, to a candidate
// that has the file system mounted, so every other node keeps using it; then this node's
// client returns what it holds, as any client's unmount does. New calls on the file
// system fail from the start, and this node takes no server role for it meanwhile.
Task<void> Cell::unmount(std::uint32_t fs) {
  cxfs::Client& client = cxfs_->client();
  const std::vector<NodeId>& mount = config_.filesystems[fs].mount;
  if (!mount.empty() && std::find(mount.begin(), mount.end(), self_) == mount.end()) {
    unmount_refused(fs, "this node does not mount the file system");
    co_return;
  }
  if (client.unmounted(fs)) {
    unmount_refused(fs, "already unmounted");
    co_return;
  }
  // From begin_unmount on, no relocation target or recovery instantiation starts here;
  // one already under way would make this node a server behind the unmount's back.
  if (kore_->busy(fs)) {
    unmount_refused(fs, "a relocation of the file system is under way here");
    co_return;
  }
  if (cxfs_->settling(fs)) {
    unmount_refused(fs, "recovery is under way");
    co_return;
  }
  const std::uint64_t mounts = mounts_[fs];
  client.begin_unmount(fs);
  bool ok = true;
  if (cxfs_->live_server(fs) != nullptr) {
    auto op = move_away(fs);
    ok = co_await op;
  }
  if (mounts_[fs] != mounts) co_return;  // mounted again meanwhile (perhaps unmounted again since)
  if (!ok) {
    unmount_refused(fs, "no other candidate server took the file system");
    client.remount(fs);
    co_return;
  }
  auto op = client.finish_unmount(fs);  // a mount from here on cancels it
  co_await op;
}

void Cell::unmount_refused(std::uint32_t fs, const std::string& why) {
  sim_.observe(self_, "cell.unmount_refused", {{"fs", std::int64_t(fs)}, {"reason", why}});
}

}  // namespace sansim
