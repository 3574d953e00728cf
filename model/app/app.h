// The user processes of one node (§0011-0012: what applications do with files). An App
// takes the node's part of the scenario's workload and runs it through the node's
// vnode::FileAccess, one task per process, recording every call (process.h):
//
//   setup     (index 0) on a file system's first candidate server: makes the initial
//             files (and their parent directories) and fills them with stamped blocks,
//             then fsyncs them. Until the file system answers, it retries a call that
//             fails with EIO every kSetupRetry, at most kSetupAttempts times. It runs on
//             the node's first boot only.
//   calls     (index 1) the node's explicit calls in time order, each at its time or as
//             soon as the call before it returns. After a restart, only calls whose time
//             has not passed run.
//   generator (index 2..) one process per generator process of this node, calling from
//             `from` (or the boot, if later) until `until` at the generator's rate.
//
// A process id is node * kProcsPerNode + index (workload.h). Randomness comes only from
// the Rng handed in, split per process and per incarnation.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "engine/random.h"
#include "engine/simulation.h"
#include "engine/task.h"
#include "model/app/generator.h"
#include "model/app/process.h"
#include "model/app/workload.h"
#include "model/vnode/file_access.h"

namespace sansim::app {

inline constexpr Duration kSetupRetry = 100'000'000;  // 100ms
inline constexpr int kSetupAttempts = 300;            // 30s of a file system that does not answer
inline constexpr std::uint64_t kSetupWriteBytes = 64 * kBlockSize;  // per write call

class App {
 public:
  // Keeps what of `workload` belongs to `self`. `files` must outlive the App.
  App(Simulation& sim, NodeId self, vnode::FileAccess& files, const Workload& workload, Rng rng);
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Spawns the node's processes (at most once). Call from the node's start().
  void start();

 private:
  struct GeneratorProcess {
    GeneratorSpec spec;
    std::size_t generator;  // index in Workload::generators
    std::uint64_t slot;     // among the generator's processes on all nodes
  };

  Process& process(std::int64_t index);
  Task<void> run_setup(Process* p);
  Task<xfs::Errno> setup_call(Process* p, CallSpec c, bool exist_ok);
  Task<void> run_calls(Process* p);
  Task<void> run_generator(Process* p, GeneratorProcess g, Rng rng);

  Simulation& sim_;
  NodeId self_;
  vnode::FileAccess& files_;
  Rng rng_;
  std::uint32_t incarnation_;
  OpIds ids_;
  bool started_ = false;
  std::vector<InitialFile> initial_files_;  // this node's
  std::vector<CallSpec> calls_;             // this node's, in time order
  std::vector<GeneratorProcess> generators_;
  std::deque<Process> processes_;  // deque: tasks hold pointers to them
};

}  // namespace sansim::app
