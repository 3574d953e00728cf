// What the membership checkers need to know about each node, rebuilt from observations:
// up or down, CMS state, and the epoch it last delivered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/observation.h"

namespace sansim {

struct NodeMembershipView {
  bool up = false;
  std::string state = "down";
  std::int64_t epoch = 0;  // last delivered
};

class MembershipView {
 public:
  explicit MembershipView(std::size_t nodes) : nodes_(nodes) {}
  // Returns true if `o` changed anything.
  bool update(const Observation& o);
  const std::vector<NodeMembershipView>& nodes() const { return nodes_; }
  // epoch -> members, as first delivered.
  const std::vector<std::int64_t>* members(std::int64_t epoch) const;

 private:
  std::vector<NodeMembershipView> nodes_;
  std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> delivered_;
};

}  // namespace sansim
