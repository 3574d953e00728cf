#include "checkers/fsck_checker.h"

#include "checkers/call_feed.h"
#include "model/xfs/fsck.h"

namespace sansim {

void FsckChecker::on_observation(const Observation& o) {
  if (o.kind == "cxfs.mounted" && text_field(o, "role") == "server") mounted_.insert(text_field(o, "fs").value_or(""));
}

void FsckChecker::finish(Time end, std::uint64_t index) {
  for (const cxfs::FsConfig& fs : filesystems_) {
    if (mounted_.count(fs.id) == 0) continue;
    const Volume* volume = storage_.volume(fs.volume);
    if (volume == nullptr) {
      report(index, end, kNoNode, fs.id + ": its volume '" + fs.volume + "' does not exist");
      continue;
    }
    const xfs::FsckReport r = xfs::fsck(*volume);
    count("volumes");
    for (const std::string& p : r.problems) report(index, end, kNoNode, fs.id + " on " + fs.volume + ": " + p);
  }
}

}  // namespace sansim
