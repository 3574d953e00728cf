// Scenario texts shared by the tests: small clusters with one fault each. A test adds
// `mutations:` with with_mutation() to break the protocol on purpose.
#pragma once

#include <string>

namespace sansim::samples {

inline std::string with_mutation(const std::string& yaml, const std::string& mutation) {
  return yaml + "mutations: [" + mutation + "]\n";
}

inline const std::string kLeaderCrash = R"(
name: leader-crash
seed: 2
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 4s, crash: n1}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

inline const std::string kFollowerCrash = R"(
name: follower-crash
seed: 3
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2}
    - {id: n3}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 4s, crash: n5}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

inline const std::string kPartition = R"(
name: partition
seed: 4
duration: 12s
cluster:
  nodes:
    - {id: n1, server_capable: true}
    - {id: n2, server_capable: true}
    - {id: n3, server_capable: true}
    - {id: n4}
    - {id: n5}
faults:
  - {at: 3s, partition: [[n1, n2], [n3, n4, n5]]}
expect:
  - checkers: [agreement, one_leader, quorum, version_tags]
)";

inline const std::string kVersions = R"(
name: versions
seed: 5
duration: 5s
cluster:
  nodes:
    - {id: n1, server_capable: true, version_tags: {cms: 2}}
    - {id: n2, version_tags: {cms: 1}}
    - {id: n3, version_tags: {cms: 1}}
expect:
  - checkers: [agreement, one_leader, quorum, liveness, version_tags]
  - membership_stable_within: 3s
)";

}  // namespace sansim::samples
