// A three-node cluster with one file system for the end-to-end cxfs and checker tests:
// fs1 on volume v1 (one 16384-block disk), candidate servers n1 and n2, white pages on
// n1. Subscribe observers before boot(); boot() runs until every node mounted fs1.
#pragma once

#include <boost/test/unit_test.hpp>

#include "model/cell/cell.h"

namespace sansim::test {

struct FsCluster {
  explicit FsCluster(std::uint64_t seed, cxfs::Mutations m = {}) : sim(seed, {"n1", "n2", "n3"}, LanOptions{}) {
    StorageSpec spec;
    spec.disks.push_back({"d1", 16384});
    spec.volumes.push_back({"v1", {"d1"}});
    sim.storage().configure(spec);
    fs.id = "fs1";
    fs.volume = "v1";
    fs.servers = {0, 1};
    fs.inodes = 256;
    fs.log_blocks = 256;
    sim.set_factory([f = fs, m](Simulation& s, NodeId n) -> std::unique_ptr<NodeProcess> {
      CellConfig cfg;
      cfg.server_capable = n < 2;
      cfg.filesystems = {f};
      cfg.fs_mutations = m;
      return std::make_unique<Cell>(s, n, cfg);
    });
  }

  void boot() {
    sim.boot_all();
    const bool up = sim.sched().run_until(
        [&] {
          for (NodeId n = 0; n < 3; ++n)
            if (!cell(n).cxfs()->client().mounted(0)) return false;
          return true;
        },
        20'000'000'000);
    BOOST_REQUIRE(up);
  }

  Cell& cell(NodeId n) { return *static_cast<Cell*>(sim.process(n)); }
  // What user processes on node n call (through its vnodes and behavior chains).
  vnode::FileAccess& files(NodeId n) { return cell(n).cxfs()->files(); }
  const cxfs::PageCache& pages(NodeId n) { return cell(n).cxfs()->client().pages(); }

  Simulation sim;
  cxfs::FsConfig fs;
};

}  // namespace sansim::test
