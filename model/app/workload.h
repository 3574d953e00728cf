// What the user processes of a scenario do: explicit calls at given times, generators
// that issue calls at a rate, and the files that exist before the workload starts. Plain
// values, filled in by the scenario loader (scenarios/load_files.cpp) and handed whole to
// every node; each node's App (app.h) picks out its own part.
//
// Paths are within their file system ("/dir/file"), as vnode::FileAccess takes them;
// `fs` names the file system ("fs1"). Offsets and lengths of reads and writes are whole
// blocks (kBlockSize), so that every block of a file is one register a checker can follow
// (stamp.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/node_id.h"
#include "engine/sim/volume.h"
#include "engine/time.h"
#include "model/vnode/file_access.h"
#include "model/xfs/types.h"

namespace sansim::app {

// The calls a process makes, as recorded in app.invoke's `call` field.
// `migrate` is dmput: the file system's HSM copies the file to tape (`release`: and
// leaves it offline). It changes no data or attribute a user can see.
enum class Call : std::uint8_t { read, write, create, mkdir, unlink, rename, stat, truncate, fsync, setattr, lookup, migrate };

const char* to_string(Call c);
std::optional<Call> parse_call(std::string_view name);

// "buffered", "direct", "mapped" (app.invoke's `mode` field).
const char* mode_name(vnode::IoMode m);
std::optional<vnode::IoMode> parse_mode(std::string_view name);

struct CallSpec {
  Time at = 0;  // explicit calls: when the node's call process issues it (or right after the one before)
  NodeId node = 0;
  Call call = Call::stat;
  std::string fs;
  std::string path;
  std::string path2;                      // rename: the new name (same file system)
  std::uint64_t offset = 0;               // read, write: bytes, a multiple of kBlockSize
  std::uint64_t length = kBlockSize;      // read, write: bytes, a positive multiple of kBlockSize
  std::uint64_t size = 0;                 // truncate: the new size in bytes
  vnode::IoMode mode = vnode::IoMode::buffered;  // read, write
  xfs::SetAttr attrs;                     // setattr
  bool release = false;                   // migrate: leave the file offline
};

// One line for logs and tests: "write fs1:/a 8192+4096 direct", "rename fs1:/a /b".
std::string describe(const CallSpec& c);

enum class GeneratorKind : std::uint8_t {
  mixed,       // random read/write/create/unlink/rename/stat over `files` files
  hot,         // every process reads and writes small ranges of one file
  sequential,  // each process writes its file front to back in large calls, then reads it back
};

const char* to_string(GeneratorKind k);
std::optional<GeneratorKind> parse_generator_kind(std::string_view name);

// Relative weights of the mixed generator's calls.
struct Mix {
  std::uint32_t read = 30, write = 30, create = 10, unlink = 8, rename = 8, stat = 14;
  std::uint32_t total() const { return read + write + create + unlink + rename + stat; }
  bool operator==(const Mix&) const = default;
};

struct GeneratorSpec {
  GeneratorKind kind = GeneratorKind::mixed;
  std::string fs;
  std::vector<NodeId> nodes;
  std::uint32_t files = 8;                 // mixed: names used; sequential: files shared round-robin
  std::uint32_t processes = 1;             // per node
  std::uint32_t rate = 10;                 // calls per virtual second per process, at most
  Time from = 0;
  Time until = kTimeNever;
  std::uint64_t size = kBlockSize;         // bytes per read or write call
  std::uint64_t file_size = 16 * kBlockSize;  // mixed, hot: offsets fall below; sequential: file length
  std::vector<vnode::IoMode> modes = {vnode::IoMode::buffered};  // each read/write picks one uniformly
  std::string path;                        // hot: the file (default "/hot<generator index>")
  Mix mix;                                 // mixed; hot uses its read and write weights
  bool operator==(const GeneratorSpec&) const = default;
};

// A file made before the workload, by the setup process on `node` (the file system's
// first candidate server), and filled with stamped blocks.
struct InitialFile {
  NodeId node = 0;
  std::string fs;
  std::string path;
  std::uint64_t size = 0;  // bytes, a multiple of kBlockSize
  bool offline = false;    // migrated to tape and released once written (DMAPI file systems)
  bool operator==(const InitialFile&) const = default;
};

struct Workload {
  std::vector<CallSpec> calls;  // sorted by time (stable: same time keeps file order)
  std::vector<GeneratorSpec> generators;
  std::vector<InitialFile> files;
  bool empty() const { return calls.empty() && generators.empty() && files.empty(); }
};

// Process numbering on one node, so that a process id (app.invoke's `proc`) is the same
// on every run and unique in the simulation: node * kProcsPerNode + index, where index 0
// is the setup process, 1 the explicit-call process, and 2.. the generator processes in
// generator order.
inline constexpr std::int64_t kProcsPerNode = 1000;
inline constexpr std::int64_t kSetupProcess = 0;
inline constexpr std::int64_t kCallProcess = 1;
inline constexpr std::int64_t kFirstGeneratorProcess = 2;

// How many generator processes `w` runs on `node`.
std::uint64_t generator_processes(const Workload& w, NodeId node);

}  // namespace sansim::app
