#include "checkers/membership_view.h"

namespace sansim {

bool MembershipView::update(const Observation& o) {
  if (o.node == kNoNode || o.node >= nodes_.size()) return false;
  NodeMembershipView& n = nodes_[o.node];
  if (o.kind == "node.boot") {
    n = NodeMembershipView{true, "nascent", 0};
    return true;
  }
  if (o.kind == "node.crash") {
    n = NodeMembershipView{false, "down", 0};
    return true;
  }
  if (o.kind == "cms.state") {
    n.state = o.text("state");
    return true;
  }
  if (o.kind == "cms.deliver") {
    n.epoch = o.integer("epoch");
    if (members(n.epoch) == nullptr) delivered_.emplace_back(n.epoch, o.list("members"));
    return true;
  }
  if (o.kind == "cms.excluded") {
    n.epoch = 0;
    return true;
  }
  return false;
}

const std::vector<std::int64_t>* MembershipView::members(std::int64_t epoch) const {
  for (auto it = delivered_.rbegin(); it != delivered_.rend(); ++it)
    if (it->first == epoch) return &it->second;
  return nullptr;
}

}  // namespace sansim
