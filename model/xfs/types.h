// The vocabulary of the local file system under the metadata server (§0024-0026): inode
// numbers, file types, extents, inodes as the rest of sansim sees them, and the errno
// values every operation answers with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sansim::xfs {

using Ino = std::uint64_t;

// Inode number 0 names no inode (the end of the orphan list, "no parent").
inline constexpr Ino kNoIno = 0;
// The root directory; made by mkfs, never unlinked.
inline constexpr Ino kRootIno = 1;

enum class FileType : std::uint8_t { regular = 1, directory = 2 };

const char* to_string(FileType t);

// What an operation answers. `io` covers every failed I/O (any IoStatus other than ok)
// and metadata found corrupt on disk; `stale` an inode number that names no live inode.
// `migrating` is internal (§0080): a metadata server being relocated (KORE) woke the
// request or would not take it. The dmapi behavior and the vnode layer hand the call
// over to the new server; no user call ever sees it (the dmapi_transparent checker).
enum class Errno : std::uint8_t { ok, noent, exist, notdir, isdir, notempty, nospc, io, inval, nametoolong, stale, migrating };
inline constexpr std::uint8_t kErrnos = 12;

// "ok", "ENOENT", "EEXIST", ...: the one spelling of each result, used by the model in
// its observations (app.complete, cache.flush, ...) and by the checkers that read them.
const char* to_string(Errno e);
// The Errno a name spells, if any (the inverse of to_string).
std::optional<Errno> errno_from(std::string_view name);

// `count` blocks of a file starting at file block `file_block` live at volume blocks
// `volume_block`.. onwards. A file's extents are sorted by file_block, never overlap, and
// two neighbours that are contiguous both in the file and on the volume are one extent.
struct Extent {
  std::uint64_t file_block = 0;
  std::uint64_t volume_block = 0;
  std::uint64_t count = 0;
  bool operator==(const Extent&) const = default;
};

// An inode as the cluster layer sees it. Times are virtual nanoseconds.
struct Inode {
  Ino ino = kNoIno;
  FileType type = FileType::regular;
  std::uint32_t nlink = 0;  // directory entries naming this inode (the root counts 1)
  std::uint64_t size = 0;   // bytes
  std::int64_t atime = 0;
  std::int64_t mtime = 0;
  std::int64_t ctime = 0;
  std::uint32_t mode = 0;
  std::uint32_t uid = 0;
  std::uint32_t generation = 0;  // bumped each time the inode number is reused
  Ino parent = kNoIno;           // directories: the directory naming it (root: itself)
  std::vector<Extent> extents;
  bool operator==(const Inode&) const = default;
};

struct Times {
  std::int64_t atime = 0;
  std::int64_t mtime = 0;
  std::int64_t ctime = 0;
};

// setattr: only the fields present change.
struct SetAttr {
  std::optional<std::uint64_t> size;
  std::optional<std::int64_t> atime;
  std::optional<std::int64_t> mtime;
  std::optional<std::int64_t> ctime;
  std::optional<std::uint32_t> mode;
  std::optional<std::uint32_t> uid;
};

struct DirEntry {
  std::string name;
  Ino ino = kNoIno;
  bool operator==(const DirEntry&) const = default;
};

template <class T>
struct Result {
  Errno err = Errno::ok;
  T value{};
  bool ok() const { return err == Errno::ok; }
};

struct MkfsOptions {
  std::uint64_t inodes = 4096;      // inode table slots, inode 0 included (never used)
  std::uint64_t log_blocks = 1024;  // the circular metadata log
  // Identity of this file system, stamped into the superblock and every log record so
  // that a log left behind by an earlier file system on the volume is never replayed.
  // Callers draw it from their Rng; mkfs changes it if the volume already carries it.
  std::uint64_t uuid = 0x5eed'0f'c0ffee'01ULL;
};

struct Counters {
  std::uint64_t blocks = 0;       // the volume
  std::uint64_t data_blocks = 0;  // blocks past the fixed metadata regions
  std::uint64_t free_blocks = 0;
  std::uint64_t inodes = 0;       // usable inode numbers (1 .. inodes)
  std::uint64_t inodes_used = 0;  // orphans included
  std::uint64_t directories = 0;  // orphans included
  std::uint64_t orphans = 0;
  std::uint64_t transactions = 0;  // committed since mount
  std::uint64_t checkpoints = 0;   // since mount
  std::uint64_t log_blocks_used = 0;
};

}  // namespace sansim::xfs
