#include "checkers/membership_view.h"

namespace sansim {

MembershipId membership_id(const Observation& o) { return {o.integer("generation"), o.integer("epoch")}; }

std::string to_string(const MembershipId& id) {
  return "epoch " + std::to_string(id.second) + " (generation " + std::to_string(id.first) + ")";
}

bool MembershipView::update(const Observation& o) {
  if (o.node == kNoNode || o.node >= nodes_.size()) return false;
  NodeMembershipView& n = nodes_[o.node];
  if (o.kind == "node.boot") {
    n = NodeMembershipView{true, "nascent", {0, 0}};
    return true;
  }
  if (o.kind == "node.crash") {
    n = NodeMembershipView{false, "down", {0, 0}};
    return true;
  }
  if (o.kind == "cms.state") {
    n.state = o.text("state");
    if (n.state == "nascent") n.membership = {0, 0};  // a CMS that starts over forgets it
    return true;
  }
  if (o.kind == "cms.deliver") {
    n.membership = membership_id(o);
    delivered_.try_emplace(n.membership, o.list("members"));
    return true;
  }
  if (o.kind == "cms.excluded") {
    n.membership = {0, 0};
    return true;
  }
  return false;
}

const std::vector<std::int64_t>* MembershipView::members(const MembershipId& id) const {
  auto it = delivered_.find(id);
  return it == delivered_.end() ? nullptr : &it->second;
}

}  // namespace sansim
