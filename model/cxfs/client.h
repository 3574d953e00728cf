// dcvn: the metadata client of every node (§0026, §0034-0036), and the FileAccess that
// user processes call. Metadata and tokens go to the file system's server over the LAN;
// file data goes directly between this node and the disks over the fabric, at the
// places the extent map (held under EXTENT read) names.
//
// The token sets of §0033, acquired in TokenType order:
//   buffered read   IOEXCL r, IO r, PAGE_CLEAN r, SIZE r, EXTENT r
//   buffered write  IOEXCL r, IO w, PAGE_DIRTY w, PAGE_CLEAN w, TIMES sw, SIZE w|r, EXTENT r
//   direct read     IOEXCL r, IO r, PAGE_CLEAN sw, SIZE r, EXTENT r
//   direct write    IOEXCL r, IO r, PAGE_DIRTY sw, PAGE_CLEAN sw, TIMES sw, SIZE w|r, EXTENT r
//   mapped read/write  as buffered, without IO (page faults are not read/write calls)
// SIZE is held for write only with a true I/O-exclusive state; otherwise a write that
// extends the file asks the server (lending SIZE read).
#pragma once

#include <map>
#include <set>

#include "engine/sim/storage.h"
#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/sync/mutex.h"
#include "model/cell/rpc.h"
#include "model/cxfs/config.h"
#include "model/cxfs/file_access.h"
#include "model/cxfs/messages.h"
#include "model/cxfs/page_cache.h"
#include "model/cxfs/path_retry.h"
#include "model/token/token_client.h"

namespace sansim::cxfs {

inline constexpr Duration kMountWait = 30'000'000'000;
// Allocation races with other writers' allocations and truncations; give up after this many.
inline constexpr int kAllocateAttempts = 8;
// A flush that must succeed before a token goes back is retried this often, this long.
// Passes a flush makes over pages changed while it wrote them.
inline constexpr int kFlushPasses = 4;
inline constexpr Duration kFlushRetry = 100'000'000;
inline constexpr Duration kFlushGiveUp = 60'000'000'000;

class Client final : public FileAccess {
 public:
  Client(Simulation& sim, NodeId self, Rpc& rpc, const std::vector<FsConfig>& filesystems, const Mutations& mutations);

  // Targets `server` for file system `fs` (an index into the configuration).
  void set_server(std::uint32_t fs, NodeId server);
  bool mounted(std::uint32_t fs) const { return servers_.count(fs) != 0; }

  // Requests from the server: recall and I/O-exclusive change.
  Task<Reply> handle(NodeId from, Request r);

  Task<xfs::Result<Ino>> lookup(std::string fs, std::string path) override;
  Task<xfs::Result<Ino>> create(std::string fs, std::string path) override;
  Task<xfs::Result<Ino>> mkdir(std::string fs, std::string path) override;
  Task<Errno> unlink(std::string fs, std::string path) override;
  Task<Errno> rename(std::string fs, std::string from, std::string to) override;
  Task<xfs::Result<Stat>> getattr(std::string fs, std::string path) override;
  Task<Errno> setattr(std::string fs, std::string path, xfs::SetAttr attrs) override;
  Task<Errno> truncate(std::string fs, std::string path, std::uint64_t size) override;
  Task<Errno> open(std::string fs, Ino ino) override;
  Task<Errno> close(std::string fs, Ino ino) override;
  Task<Errno> read(std::string fs, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode,
                   Bytes& out) override;
  Task<Errno> write(std::string fs, Ino ino, std::uint64_t offset, Bytes data, IoMode mode) override;
  Task<Errno> fsync(std::string fs, Ino ino) override;

  const PageCache& pages() const { return pages_; }


 private:
  struct Held;  // tokens held for one call, released in reverse order
  // The file system's index once it is mounted here; a call made before the mount
  // finished waits for it (up to kMountWait), so a workload may start with the cluster.
  Task<std::optional<std::uint32_t>> fs_index(const std::string& name);
  Task<std::optional<Reply>> call(std::uint32_t fs, Request r);
  Task<bool> acquire_set(Held& h, token::ObjectId o, std::vector<std::pair<token::TokenType, token::Level>> want);
  void release_set(Held& h);
  void server_restarted(std::uint32_t fs);
  Task<token::Grant> request_token(token::ObjectId o, token::TokenType t, token::Level l, token::GrantId given,
                                   token::TokenState st);
  Task<void> before_return(token::ObjectId o, token::TokenType t, token::Level l);
  Task<void> give_back(token::ObjectId o, token::TokenType t, token::Level l, token::Grants given,
                       token::TokenState st);
  Task<xfs::Result<Ino>> lookup_name(std::uint32_t fs, Ino dir, std::string name);
  Task<xfs::Result<Ino>> resolve(std::uint32_t fs, const std::string& path, bool parent, std::string* leaf);
  Task<xfs::Result<Ino>> make(std::string fs, std::string path, xfs::FileType type);
  Task<Errno> flush(token::ObjectId o);
  Task<void> flush_for_return(token::ObjectId o);
  Task<Errno> read_block(token::ObjectId o, std::uint64_t block, Bytes& out);
  Task<Errno> write_block(token::ObjectId o, std::uint64_t block, const Bytes& data);
  Task<Errno> hold_allocated(Held& h, token::ObjectId o, std::uint64_t first, std::uint64_t count);
  std::optional<std::uint64_t> volume_block(token::ObjectId o, std::uint64_t block) const;

  Simulation& sim_;
  NodeId self_;
  Rpc& rpc_;
  std::vector<FsConfig> filesystems_;
  std::vector<std::unique_ptr<PathRetry>> volumes_;  // by file-system index
  Mutations mutations_;
  Condition mounted_;
  token::TokenClient tokens_;
  PageCache pages_;
  std::map<std::uint32_t, NodeId> servers_;
  std::map<std::uint32_t, std::uint32_t> server_boot_;  // incarnation of each server we talk to
  std::map<token::ObjectId, std::vector<xfs::Extent>> extents_;       // under EXTENT read
  std::map<token::ObjectId, std::map<std::string, Ino>> names_;       // under NAME read (directory)
  std::map<token::ObjectId, Stat> attrs_;                             // as of the last grant
  std::set<token::ObjectId> exclusive_;
  std::map<token::ObjectId, std::unique_ptr<Mutex>> flushing_;  // one flush per file at a time                               // I/O-exclusive state true
};

}  // namespace sansim::cxfs
