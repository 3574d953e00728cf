// io_exclusive (§0032 DVN_IOEXCL): a client whose I/O-exclusive state is true is the only
// client doing read/write on the file. At no instant does a node believe it is alone
// (cxfs.ioexcl exclusive=1, until exclusive=0) while another node holds IOEXCL of the
// same file (token.hold / token.give with the node as holder). The server must tell the
// first client before it gives a second copy out, so the first client's exclusive=0
// comes before the second's hold.
//
// As in token_exclusion, a crashed node believes and holds nothing any more, and a node
// recovery declared failed is void (a zombie) until it is readmitted. A violation is
// reported at the observation that made the two overlap, naming both nodes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/checker.h"

namespace sansim {

class IoExclusiveChecker final : public Checker {
 public:
  explicit IoExclusiveChecker(std::vector<std::string> node_names) : names_(std::move(node_names)) {}
  const char* name() const override { return "io_exclusive"; }
  void on_observation(const Observation& o) override;

 private:
  using File = std::pair<std::int64_t, std::int64_t>;  // fs, ino
  void forget(NodeId n);
  void judge(const Observation& o, const File& f);

  std::vector<std::string> names_;
  std::map<File, std::set<NodeId>> holders_;  // nodes holding IOEXCL (any level)
  std::map<File, NodeId> alone_;              // the node whose state is true
  std::set<NodeId> failed_;                   // declared failed, not readmitted yet
};

}  // namespace sansim
