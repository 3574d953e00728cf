// fsck: when the run ends, every file system that was mounted by a metadata server during
// the run (`cxfs.mounted` with role server) is checked on its volume with xfs::fsck
// (model/xfs/fsck.h: read-only, no virtual time, replays the committed log in memory).
// Each problem it finds — a block in two files, a leaked or doubly free block, a
// dangling entry, a wrong count — is a violation at the run's final index. A file system
// never mounted is not checked: its volume may hold nothing yet.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "checkers/checker.h"
#include "engine/sim/storage.h"
#include "model/cxfs/config.h"

namespace sansim {

class FsckChecker final : public Checker {
 public:
  FsckChecker(const Storage& storage, std::vector<cxfs::FsConfig> filesystems)
      : storage_(storage), filesystems_(std::move(filesystems)) {}
  const char* name() const override { return "fsck"; }
  void on_observation(const Observation& o) override;
  void finish(Time end, std::uint64_t index) override;

 private:
  const Storage& storage_;
  std::vector<cxfs::FsConfig> filesystems_;
  std::set<std::string> mounted_;  // fs ids
};

}  // namespace sansim
