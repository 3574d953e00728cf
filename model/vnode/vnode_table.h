// The vnodes of one node, by (file system, inode). A vnode is made on first use with
// the chain its file system has on this node at that moment (`ChainOf`), and then kept:
// it is the in-core inode, and an inode number that is reused gets the same vnode.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "engine/scheduler.h"
#include "model/vnode/vnode.h"

namespace sansim::vnode {

class VnodeTable {
 public:
  using ChainOf = std::function<std::vector<Behavior*>(std::uint32_t fs)>;

  VnodeTable(Scheduler& sched, ChainOf chain_of) : sched_(sched), chain_of_(std::move(chain_of)) {}

  Vnode& get(std::uint32_t fs, Ino ino) {
    auto it = vnodes_.find({fs, ino});
    if (it == vnodes_.end())
      it = vnodes_.emplace(std::make_pair(fs, ino), std::make_unique<Vnode>(sched_, fs, ino, chain_of_(fs))).first;
    return *it->second;
  }
  // Every vnode of file system `fs`, in inode order (relocation converts them all).
  std::vector<Vnode*> of_fs(std::uint32_t fs) const {
    std::vector<Vnode*> out;
    for (const auto& [key, v] : vnodes_)
      if (key.first == fs) out.push_back(v.get());
    return out;
  }
  std::size_t size() const { return vnodes_.size(); }

 private:
  Scheduler& sched_;
  ChainOf chain_of_;
  std::map<std::pair<std::uint32_t, Ino>, std::unique_ptr<Vnode>> vnodes_;
};

}  // namespace sansim::vnode
