#include "checkers/membership_checkers.h"

#include <algorithm>
#include <optional>

#include "engine/trace.h"

namespace sansim {
namespace {

std::string render(const std::vector<std::int64_t>& v, const std::vector<std::string>& names) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) s += ",";
    s += node_label(static_cast<NodeId>(v[i]), names);
  }
  return s + "}";
}

}  // namespace

void AgreementChecker::on_observation(const Observation& o) {
  if (o.kind != "cms.deliver") return;
  const MembershipId id = membership_id(o);
  auto members = o.list("members");
  auto versions = o.text("versions");
  auto [it, fresh] = epochs_.try_emplace(id, Seen{members, versions, o.node});
  if (fresh) return;
  count("deliveries compared");
  if (it->second.members != members)
    report(o, to_string(id) + " delivered with different members on node #" + std::to_string(o.node) +
                  " than on node #" + std::to_string(it->second.first));
  else if (it->second.versions != versions)
    report(o, to_string(id) + " delivered with different version tags on node #" + std::to_string(o.node) +
                  " than on node #" + std::to_string(it->second.first));
}

void OneLeaderChecker::on_observation(const Observation& o) {
  if (o.kind != "cms.deliver") return;
  const MembershipId id = membership_id(o);
  const std::int64_t leader = o.integer("leader");
  auto [it, fresh] = leaders_.try_emplace(id, leader);
  if (!fresh) count("deliveries compared");
  if (!fresh && it->second != leader)
    report(o, to_string(id) + " has two leaders: node #" + std::to_string(it->second) +
                  " and node #" + std::to_string(leader));
}

void QuorumChecker::on_observation(const Observation& o) {
  view_.update(o);
  if (o.kind == "cms.deliver") {
    const auto members = o.list("members");
    const MembershipId id = membership_id(o);
    count("deliveries");
    if (2 * members.size() <= configured_)
      report(o, to_string(id) + " delivered " + render(members, names_) + ": " + std::to_string(members.size()) +
                    " of " + std::to_string(configured_) + " configured nodes is no quorum");
    // Newer: a later epoch of the same lifetime, or a new lifetime.
    if (id.first != latest_.first || id.second > latest_.second) {
      latest_ = id;
      // Every node stable in another membership and not in this one must leave stable soon.
      const auto& nodes = view_.nodes();
      for (NodeId n = 0; n < nodes.size(); ++n) {
        if (std::find(members.begin(), members.end(), n) != members.end()) continue;
        if (nodes[n].up && nodes[n].state == "stable" && nodes[n].membership != id)
          left_out_.try_emplace(n, std::make_pair(nodes[n].membership, o.time + grace_));
      }
    }
  }
  check_stale(o.time, o.index);
}

void QuorumChecker::check_stale(Time now, std::uint64_t index) {
  const auto& nodes = view_.nodes();
  for (auto it = left_out_.begin(); it != left_out_.end();) {
    const auto& n = nodes[it->first];
    if (!n.up || n.state != "stable" || n.membership != it->second.first) {
      it = left_out_.erase(it);
      continue;
    }
    if (now > it->second.second) {
      report(index, now, it->first,
             node_label(it->first, names_) + " stayed stable in " + to_string(it->second.first) + " although " +
                 to_string(latest_) + " was delivered without it");
      it = left_out_.erase(it);
      continue;
    }
    ++it;
  }
}

void QuorumChecker::finish(Time end, std::uint64_t index) { check_stale(end, index); }

bool LivenessChecker::converged(std::string* why) const {
  const auto& nodes = view_.nodes();
  std::vector<std::int64_t> live;
  std::optional<MembershipId> epoch;
  for (NodeId n = 0; n < nodes.size(); ++n) {
    const auto& v = nodes[n];
    if (!v.up || v.state == "dead" || v.state == "shutdown") continue;
    live.push_back(n);
    if (v.state != "stable") {
      if (why) *why = node_label(n, names_) + " is " + v.state;
      return false;
    }
    if (epoch && v.membership != *epoch) {
      if (why) *why = "live nodes are stable in different memberships (" + to_string(*epoch) + " and " +
                      to_string(v.membership) + ")";
      return false;
    }
    epoch = v.membership;
  }
  if (live.empty()) return true;  // nothing left that could form a membership
  std::size_t up = 0;
  for (const auto& v : nodes) up += v.up ? 1 : 0;
  if (2 * up <= nodes.size()) return true;  // no quorum is up: waiting is the right answer
  const auto* members = view_.members(*epoch);
  if (members == nullptr || *members != live) {
    if (why) *why = to_string(*epoch) + " has members " + (members ? render(*members, names_) : "?") +
                    " but the live nodes are " + render(live, names_);
    return false;
  }
  return true;
}

void LivenessChecker::on_observation(const Observation& o) {
  if (!view_.update(o)) return;
  const bool now_converged = converged(nullptr);
  if (now_converged && !converged_) converged_since_ = o.time;
  converged_ = now_converged;
}

void LivenessChecker::finish(Time end, std::uint64_t index) {
  const Time faults_end = faults_end_();
  const Time deadline = faults_end + bound_;
  count("final memberships");
  std::string why;
  if (!converged(&why)) {
    if (end < deadline) {
      report(index, end, kNoNode,
             "the run ended at " + format_duration(end) + ", before the liveness bound (faults end " +
                 format_duration(faults_end) + " + " + format_duration(bound_) + "), without a stable membership: " + why);
    } else {
      report(index, end, kNoNode,
             "no stable membership " + format_duration(bound_) + " after faults stopped at " +
                 format_duration(faults_end) + ": " + why);
    }
    return;
  }
  const Time since = std::max(converged_since_, faults_end);
  if (converged_since_ > deadline)
    report(index, end, kNoNode,
           "membership became stable at " + format_duration(since) + ", later than " + format_duration(bound_) +
               " after faults stopped at " + format_duration(faults_end));
}

void VersionTagsChecker::on_observation(const Observation& o) {
  if (o.kind != "cms.deliver") return;
  // Rebuild what the delivery should say from what each member runs.
  std::string want;
  for (std::int64_t m : o.list("members")) {
    if (!want.empty()) want += ';';
    want += sim_.name(static_cast<NodeId>(m)) + ":";
    bool first = true;
    for (const auto& [k, level] : sim_.version_tags(static_cast<NodeId>(m))) {
      if (!first) want += ',';
      first = false;
      want += k + "=" + std::to_string(level);
    }
  }
  const std::string got = o.text("versions");
  count("deliveries");
  if (got != want)
    report(o, "epoch " + std::to_string(o.integer("epoch")) + " delivered version tags '" + got +
                  "' but the members run '" + want + "'");
}

const std::vector<std::string>& membership_checker_names() {
  static const std::vector<std::string> kNames{"agreement", "one_leader", "quorum", "liveness", "version_tags"};
  return kNames;
}

std::unique_ptr<Checker> make_membership_checker(const std::string& name, const CheckerContext& ctx) {
  if (name == "agreement") return std::make_unique<AgreementChecker>();
  if (name == "one_leader") return std::make_unique<OneLeaderChecker>();
  if (name == "quorum")
    return std::make_unique<QuorumChecker>(ctx.sim.node_count(), ctx.quorum_grace, ctx.sim.node_names());
  if (name == "liveness")
    return std::make_unique<LivenessChecker>(ctx.sim.node_count(), ctx.liveness_bound, ctx.faults_end,
                                             ctx.sim.node_names());
  if (name == "version_tags") return std::make_unique<VersionTagsChecker>(ctx.sim);
  return nullptr;
}

}  // namespace sansim
