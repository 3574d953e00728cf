// White pages: the cluster's name service for file-system ids (§0037). The first node to
// register an id becomes its metadata server; a later registrant gets the existing
// entry back, naming the server. The white-pages server runs on one node (the first
// server-capable node of the cluster); every other node reaches it by message.
//
// Entries are lost with the node that holds them; rebuilding them from survivors is
// recovery's second pass (§0063, §0072), not done here.
#pragma once

#include <map>
#include <string>

#include "engine/node_id.h"

namespace sansim::wp {

class WhitePages {
 public:
  // Registers `fs` with `node` as server unless it is registered: answers the server.
  NodeId register_fs(const std::string& fs, NodeId node) { return entries_.try_emplace(fs, node).first->second; }
  // The server of `fs`, or kNoNode.
  NodeId lookup(const std::string& fs) const {
    auto it = entries_.find(fs);
    return it == entries_.end() ? kNoNode : it->second;
  }
  // Points `fs` at a new server (relocation and recovery use this).
  void update(const std::string& fs, NodeId node) { entries_[fs] = node; }
  const std::map<std::string, NodeId>& entries() const { return entries_; }

 private:
  std::map<std::string, NodeId> entries_;
};

}  // namespace sansim::wp
