#include "model/cell/cell.h"

namespace sansim {

Cell::Cell(Simulation& sim, NodeId self, CellConfig config)
    : sim_(sim), self_(self), config_(std::move(config)), cms_(sim, self, config_.server_capable, sim.node_count(), config_.cms) {}

void Cell::start() { cms_.start(); }

bool Cell::command(const std::string& name) {
  if (name == "withdraw") {
    cms_.withdraw();
    return true;
  }
  return false;
}

}  // namespace sansim
