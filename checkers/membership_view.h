// What the membership checkers need to know about each node, rebuilt from observations:
// up or down, CMS state, and the membership (generation, epoch) it last delivered.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/observation.h"

namespace sansim {

// A membership's name: (generation, epoch); see model/cms/cms.h.
using MembershipId = std::pair<std::int64_t, std::int64_t>;

MembershipId membership_id(const Observation& deliver);
std::string to_string(const MembershipId& id);

struct NodeMembershipView {
  bool up = false;
  std::string state = "down";
  MembershipId membership{0, 0};  // last delivered; epoch 0: none
};

class MembershipView {
 public:
  explicit MembershipView(std::size_t nodes) : nodes_(nodes) {}
  // Returns true if `o` changed anything.
  bool update(const Observation& o);
  const std::vector<NodeMembershipView>& nodes() const { return nodes_; }
  // The members of a delivered membership, as first delivered; nullptr if never.
  const std::vector<std::int64_t>* members(const MembershipId& id) const;

 private:
  std::vector<NodeMembershipView> nodes_;
  std::map<MembershipId, std::vector<std::int64_t>> delivered_;
};

}  // namespace sansim
