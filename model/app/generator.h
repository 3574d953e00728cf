// What one generator process asks for next. A CallSource is a pure function of its spec,
// its place among the generator's processes and its Rng: it never looks at results, so
// the same seed gives the same sequence of calls whatever the file system answers.
//
//   mixed       file names "/mix<G>.<i>" for i < files (G: the generator's index in the
//               workload); weighted random reads, writes, creates, unlinks, renames (to
//               another of the names) and stats. Reads and writes are `size` bytes at a
//               random whole-block offset below file_size.
//   hot         every process of the generator on every node reads and writes `size`
//               bytes at random whole-block offsets below file_size of one file, `path`
//               or "/hot<G>"; the mix's read and write weights split them (default half
//               each).
//   sequential  process k writes "/seq<G>.<k mod files>" from offset 0 to file_size in
//               `size` calls, then reads it back the same way, and so on.
//
// Each process first creates the file it starts on (EEXIST is an expected answer).
// Reads and writes pick their I/O mode uniformly from `modes`.
#pragma once

#include <cstdint>
#include <string>

#include "engine/random.h"
#include "model/app/workload.h"

namespace sansim::app {

class CallSource {
 public:
  // `generator`: the spec's index in Workload::generators; `slot`: this process among all
  // of the generator's processes (position of the node in spec.nodes * processes + k).
  CallSource(const GeneratorSpec& spec, std::size_t generator, std::uint64_t slot, Rng rng);

  // The next call (its `at` and `node` are left for the caller).
  CallSpec next();
  // How long to pause after a call: uniform in [1/2, 3/2] of 1s / rate, so that
  // processes drift apart instead of calling in lockstep.
  Duration pause();

 private:
  CallSpec data(Call call, const std::string& path, std::uint64_t offset);
  std::uint64_t random_offset();
  std::string mixed_name(std::uint64_t i) const;

  GeneratorSpec spec_;
  std::size_t generator_;
  std::uint64_t slot_;
  Rng rng_;
  bool started_ = false;
  // sequential: where the next call goes, and whether this pass writes.
  std::uint64_t cursor_ = 0;
  bool writing_ = true;
};

}  // namespace sansim::app
