// What a user process on a node calls (the POSIX-like surface of §0011-0012, §0026):
// every node, the metadata server's own included, goes through the same paths — the
// vnode, its behavior chain, the token client — so applications on the server node and
// on client nodes see one file system (§0027).
//
// Paths are absolute within a file system ("/dir/file"); `fs` names the file system as
// the scenario does ("fs1"). Calls never throw for protocol or I/O failures: they
// answer an Errno. A call made while the file system has no reachable server answers
// Errno::io.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "engine/wire.h"
#include "model/xfs/types.h"

namespace sansim::vnode {

using xfs::Errno;
using xfs::Ino;

// §0011-0012: how data moves between the application and the file.
enum class IoMode : std::uint8_t {
  buffered,  // through this node's page cache
  direct,    // between the disk and the caller, bypassing the page cache
  mapped,    // loads and stores on a memory-mapped range: a page fault per page (Behavior::fault)
};

constexpr const char* to_string(IoMode m) {
  switch (m) {
    case IoMode::buffered: return "buffered";
    case IoMode::direct: return "direct";
    case IoMode::mapped: return "mapped";
  }
  return "?";
}

struct Stat {
  Ino ino = 0;
  xfs::FileType type = xfs::FileType::regular;
  std::uint32_t nlink = 0;
  std::uint64_t size = 0;
  std::int64_t atime = 0;
  std::int64_t mtime = 0;
  std::int64_t ctime = 0;
  std::uint32_t mode = 0;
  std::uint32_t uid = 0;
};

class FileAccess {
 public:
  virtual ~FileAccess() = default;

  // Resolves a path to its inode (lookups may be answered from the NAME cache).
  virtual Task<xfs::Result<Ino>> lookup(std::string fs, std::string path) = 0;
  virtual Task<xfs::Result<Ino>> create(std::string fs, std::string path) = 0;
  virtual Task<xfs::Result<Ino>> mkdir(std::string fs, std::string path) = 0;
  // Removes the name. The file itself goes once no node holds it open (§0032 EXIST).
  virtual Task<Errno> unlink(std::string fs, std::string path) = 0;
  virtual Task<Errno> rename(std::string fs, std::string from, std::string to) = 0;
  virtual Task<xfs::Result<Stat>> getattr(std::string fs, std::string path) = 0;
  // Explicit timestamps take TIMES at write level on the server (§0032 DVN_TIMES).
  virtual Task<Errno> setattr(std::string fs, std::string path, xfs::SetAttr attrs) = 0;
  virtual Task<Errno> truncate(std::string fs, std::string path, std::uint64_t size) = 0;

  // Open-file calls: `ino` from lookup/create; the node keeps the inode (EXIST) while
  // any process has it open.
  virtual Task<Errno> open(std::string fs, Ino ino) = 0;
  virtual Task<Errno> close(std::string fs, Ino ino) = 0;
  // Reads up to `length` bytes at `offset` (short at end of file) into `out`.
  virtual Task<Errno> read(std::string fs, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode,
                           Bytes& out) = 0;
  virtual Task<Errno> write(std::string fs, Ino ino, std::uint64_t offset, Bytes data, IoMode mode) = 0;
  // Makes this node's modified data of the file durable on disk.
  virtual Task<Errno> fsync(std::string fs, Ino ino) = 0;
  // dmput (HSM, §0038-0041): copies the file to tape; with `release` its disk blocks are
  // freed and the data comes back from tape when next read. EINVAL unless the file
  // system is DMAPI-enabled with a tape library.
  virtual Task<Errno> migrate(std::string fs, std::string path, bool release) = 0;
};

}  // namespace sansim::vnode
