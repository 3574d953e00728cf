#include "model/cell/cell.h"

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
    cms_.set_listener([this](cms::State s, const cms::Membership& m) { corpse_->membership(s, m); });
  }
  if (cxfs_) app_ = std::make_unique<app::App>(sim, self, cxfs_->files(), config_.workload, sim.rng("app", self));
}

void Cell::start() {
  cms_.start();
  if (cxfs_) cxfs_->start();
  if (corpse_) corpse_->start();
  if (app_) app_->start();
}

bool Cell::command(const std::string& name) {
  if (name == "withdraw") {
    cms_.withdraw();
    return true;
  }
  return false;
}

}  // namespace sansim
