// Membership properties (§0054-0060):
//  agreement     every node that delivers epoch E delivers the same members and versions;
//  one_leader    every delivery of epoch E names the same leader;
//  quorum        every delivered membership holds more than half the configured nodes,
//                and no node stays stable in an epoch it was left out of (a minority
//                partition does not stay stable) for longer than a grace period;
//  liveness      once faults stop and a quorum of nodes is up, every live node (up, not
//                dead, not withdrawn) is stable in one epoch whose members are exactly
//                the live nodes, within the scenario's bound;
//  version_tags  a delivered membership carries each member's registered tags (§0060).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "checkers/checker.h"
#include "checkers/membership_view.h"
#include "engine/simulation.h"
#include "model/cxfs/config.h"

namespace sansim {

class AgreementChecker final : public Checker {
 public:
  const char* name() const override { return "agreement"; }
  void on_observation(const Observation& o) override;

 private:
  struct Seen {
    std::vector<std::int64_t> members;
    std::string versions;
    NodeId first;
  };
  std::map<MembershipId, Seen> epochs_;
};

class OneLeaderChecker final : public Checker {
 public:
  const char* name() const override { return "one_leader"; }
  void on_observation(const Observation& o) override;

 private:
  std::map<MembershipId, std::int64_t> leaders_;
};

class QuorumChecker final : public Checker {
 public:
  QuorumChecker(std::size_t configured, Duration grace, std::vector<std::string> names)
      : configured_(configured), grace_(grace), view_(configured), names_(std::move(names)) {}
  const char* name() const override { return "quorum"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  void check_stale(Time now, std::uint64_t index);
  std::size_t configured_;
  Duration grace_;
  MembershipView view_;
  std::vector<std::string> names_;
  std::map<NodeId, std::pair<MembershipId, Time>> left_out_;  // node -> (its membership, deadline)
  MembershipId latest_{0, 0};
};

class LivenessChecker final : public Checker {
 public:
  // `faults_end` tells when faults stop; `bound` is how long convergence may take.
  LivenessChecker(std::size_t nodes, Duration bound, std::function<Time()> faults_end, std::vector<std::string> names)
      : view_(nodes), bound_(bound), faults_end_(std::move(faults_end)), names_(std::move(names)) {}
  const char* name() const override { return "liveness"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  bool converged(std::string* why) const;
  MembershipView view_;
  Duration bound_;
  std::function<Time()> faults_end_;
  std::vector<std::string> names_;
  bool converged_ = false;
  Time converged_since_ = 0;
};

class VersionTagsChecker final : public Checker {
 public:
  explicit VersionTagsChecker(const Simulation& sim) : sim_(sim) {}
  const char* name() const override { return "version_tags"; }
  void on_observation(const Observation& o) override;

 private:
  const Simulation& sim_;
};

// All membership checkers by name; unknown names give nullptr.
struct CheckerContext {
  const Simulation& sim;
  Duration liveness_bound;
  Duration quorum_grace;
  std::function<Time()> faults_end;
  // The scenario's file systems, in configuration order (fs_checkers.h needs them).
  std::vector<cxfs::FsConfig> filesystems = {};
  // KORE: how long a relocation may take (relocation_completes_within).
  Duration relocation_bound = 5'000'000'000;
  bool relocation_expected = false;  // the scenario named the bound
};
std::unique_ptr<Checker> make_membership_checker(const std::string& name, const CheckerContext& ctx);
const std::vector<std::string>& membership_checker_names();

}  // namespace sansim
