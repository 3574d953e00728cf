#include "model/xfs/fsck.h"

#include <map>
#include <optional>

#include "model/xfs/check.h"
#include "model/xfs/journal.h"
#include "model/xfs/loader.h"

namespace sansim::xfs {

std::string FsckReport::summary() const {
  if (clean())
    return "clean (" + std::to_string(inodes_used) + " inodes, " + std::to_string(directories) + " directories, " +
           std::to_string(free_blocks) + " free blocks, " + std::to_string(replayed) + " log records replayed)";
  std::string out = std::to_string(problems.size()) + " problem(s):";
  for (const std::string& p : problems) out += "\n  " + p;
  return out;
}

FsckReport fsck(const Volume& volume) {
  FsckReport report;
  auto read = [&volume](const Run& r) {
    Bytes data(r.count * kBlockSize);
    volume.inspect(r.start, data);
    return data;
  };
  if (volume.blocks() < kInodeTableStart) {
    report.problems.push_back("the volume has only " + std::to_string(volume.blocks()) + " blocks");
    return report;
  }
  const Bytes head = read(Run{kSuperblockBlock, 3});
  const std::span<const std::uint8_t> raw(head);
  std::string why;
  std::map<std::uint64_t, Bytes> overlay;
  Geometry g;
  if (std::optional<Anchor> anchor = pick_anchor(volume.blocks(), raw.subspan(kBlockSize, kBlockSize),
                                                 raw.subspan(2 * kBlockSize, kBlockSize), &why)) {
    g = anchor->geometry;
    LogScanner scanner(*anchor);
    while (std::optional<Run> r = scanner.want()) scanner.supply(read(*r));
    if (scanner.corrupt()) report.problems.push_back(scanner.error());
    overlay = replay_images(scanner.transactions());
    report.replayed = scanner.transactions().size();
  } else {
    // Without an anchor there is no log to replay; the superblock may still say enough.
    report.problems.push_back(why + "; the log was not replayed");
    std::optional<Superblock> sb = decode_superblock(raw.first(kBlockSize), &why);
    if (!sb || !geometry_sane(sb->geometry, volume.blocks(), &why)) {
      report.problems.push_back("superblock: " + why);
      return report;
    }
    g = sb->geometry;
  }

  Loader loader(g, /*tolerant=*/true);
  while (std::optional<Run> r = loader.want()) {
    Bytes data = read(*r);
    apply_overlay(*r, data, overlay);
    loader.supply(data);
  }
  report.problems.insert(report.problems.end(), loader.problems().begin(), loader.problems().end());
  const Metadata& md = loader.metadata();
  for (const CheckProblem& p : check_metadata(md)) report.problems.push_back(p.text);
  report.inodes_used = md.inodes_used();
  report.directories = md.dirs.size();
  report.free_blocks = md.free.total();
  return report;
}

}  // namespace sansim::xfs
