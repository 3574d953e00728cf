// White pages: the cluster's name service for file-system ids (§0037): which node is
// the metadata server of each. The table that answers lookups lives on the white-pages
// node (the recovery leader); recovery rebuilds it from the members' votes every cycle
// (§0072, model/corpse) and sends it to every node, whose copy is its name-service
// client's entries; a relocation updates the entry on every node (§0076).
#pragma once

#include <map>
#include <string>

#include "engine/node_id.h"

namespace sansim::wp {

class WhitePages {
 public:
  // The server of `fs`, or kNoNode.
  NodeId lookup(const std::string& fs) const {
    auto it = entries_.find(fs);
    return it == entries_.end() ? kNoNode : it->second;
  }
  // Points `fs` at a new server (relocation and recovery use this).
  void update(const std::string& fs, NodeId node) { entries_[fs] = node; }
  void remove(const std::string& fs) { entries_.erase(fs); }
  const std::map<std::string, NodeId>& entries() const { return entries_; }

 private:
  std::map<std::string, NodeId> entries_;
};

}  // namespace sansim::wp
