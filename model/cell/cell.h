// A cell is one node of the cluster as the model sees it: it boots the node's
// subsystems and routes operator commands to them (§0021-0023). For now it runs cell
// membership services; later subsystems (credentials, white pages, tokens, recovery)
// are added here and subscribe to membership delivery.
#pragma once

#include <memory>

#include "engine/simulation.h"
#include "model/cms/cms.h"

namespace sansim {

struct CellConfig {
  bool server_capable = false;
  std::string os;  // the OS tag of a heterogeneous cluster (§0021): informational
  cms::Options cms;
};

class Cell final : public NodeProcess {
 public:
  Cell(Simulation& sim, NodeId self, CellConfig config);

  void start() override;
  bool command(const std::string& name) override;

  const cms::Cms& membership() const { return cms_; }

 private:
  Simulation& sim_;
  NodeId self_;
  CellConfig config_;
  cms::Cms cms_;
};

}  // namespace sansim
