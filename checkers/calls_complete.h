// calls_complete: once faults stop, every user call finishes. A call that is still open
// at the end of the run — on a node that is up and a member of the last membership,
// invoked more than the liveness bound before the end, with faults stopped that long —
// hung: nothing will ever answer it (say, its file system has no server and nothing
// will elect one). Judged at the end only, and not at all while the HSM has work it may
// legitimately take minutes over: a DMAPI event outstanding, or an HSM daemon down.
// Crashed and reset nodes lose their processes, and their calls with them.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/checker.h"
#include "checkers/membership_view.h"

namespace sansim {

class CallsCompleteChecker final : public Checker {
 public:
  CallsCompleteChecker(std::vector<std::string> names, Duration bound, std::function<Time()> faults_end)
      : names_(std::move(names)), view_(names_.size()), bound_(bound), faults_end_(std::move(faults_end)) {}
  const char* name() const override { return "calls_complete"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  struct Open {
    Time invoked = 0;
    std::uint64_t index = 0;
    std::string call, path;
  };
  void forget(NodeId n);

  std::vector<std::string> names_;
  MembershipView view_;
  Duration bound_;
  std::function<Time()> faults_end_;
  MembershipId latest_{0, 0};
  std::map<std::tuple<NodeId, std::int64_t, std::int64_t>, Open> open_;  // (node, proc, op)
  std::uint64_t completed_ = 0;  // calls invoked and completed
  std::map<std::tuple<NodeId, std::int64_t, std::int64_t>, int> dmapi_;  // (node, fs, seq) sent, not answered
  std::set<std::string> hsm_down_;                                          // fs of crashed HSM daemons
};

}  // namespace sansim
