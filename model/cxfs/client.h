// The cluster file system's client side on a node (§0026, §0034-0036): the token
// client, NAME and attribute caches, extent maps and the page cache, and the operations
// the dcvn and dsvn behaviors (dcvn.h, dsvn.h) run on them. Metadata and tokens go to
// the file system's server: over the LAN, or in-process on the node that serves it (the
// dsvn's token client talking to its own token server, §0026). File data goes directly
// between this node and the disks over the fabric, at the places the extent map (held
// under EXTENT read) names. Paths are walked above, by the vnode layer.
//
// The token sets of §0033, acquired in TokenType order:
//   buffered read   IOEXCL r, IO r, PAGE_CLEAN r, SIZE r, EXTENT r
//   buffered write  IOEXCL r, IO w, PAGE_DIRTY w, PAGE_CLEAN w, TIMES sw, SIZE w|r, EXTENT r
//   direct read     IOEXCL r, IO r, PAGE_CLEAN sw, SIZE r, EXTENT r
//   direct write    IOEXCL r, IO r, PAGE_DIRTY sw, PAGE_CLEAN sw, TIMES sw, SIZE w|r, EXTENT r
//   mapped page fault  as buffered, without IO (§0033: faults are not read/write calls)
// SIZE is held for write only with a true I/O-exclusive state; otherwise a write that
// extends the file asks the server (lending SIZE read).
//
// On a DMAPI-enabled file system, read, write and truncate first take the DMAPI token at
// read level and raise the event the file's mask asks for (Fig. 7-8, `raise_event`),
// and hold it to the end of the call: the one exception to the TokenType order (the
// only holder of DMAPI at write level is the server's HSM, which holds nothing else).
//
// Relocation (model/kore): a call answered `migrating`, or made while KORE has this
// node detargeted, gives up everything it holds and answers `migrating`; the layer that
// holds the behavior head hands it off (model/vnode/handoff.h). The client is the
// node's `vnode::Relocations`: its epoch per file system moves at every retarget.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>

#include "engine/sim/storage.h"
#include "engine/simulation.h"
#include "engine/sync/condition.h"
#include "engine/sync/mutex.h"
#include "model/cell/rpc.h"
#include "model/chandle/chandle.h"
#include "model/corpse/messages.h"
#include "model/cxfs/config.h"
#include "model/vnode/file_access.h"
#include "model/cxfs/messages.h"
#include "model/cxfs/page_cache.h"
#include "model/dmapi/events.h"
#include "model/vnode/handoff.h"
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

class Client final : public vnode::Relocations {
 public:
  Client(Simulation& sim, NodeId self, Rpc& rpc, const std::vector<FsConfig>& filesystems, const Mutations& mutations);

  // Recovery's callouts (model/corpse). Retarget: from now on, file system `fs` (an
  // index into the configuration) is served by `server`; the first retarget mounts it
  // here. Detarget: messages for `fs` wait until the next retarget (§0065-0067).
  // Waits for a detarget still draining.
  Task<void> retarget(std::uint32_t fs, NodeId server);
  Task<void> detarget(std::uint32_t fs);
  // KORE's detarget (§0076): as detarget, and until the next retarget every call for
  // `fs` answers `migrating` at once (a token return waits and goes to the new server).
  Task<void> detarget_for_relocation(std::uint32_t fs);
  // vnode::Relocations.
  std::uint64_t epoch(std::uint32_t fs) const override;
  Task<void> wait(std::uint32_t fs, std::uint64_t since) override;
  // The server this node targets for `fs` (the old one while detargeted), or kNoNode.
  NodeId target(std::uint32_t fs) const;
  // This node's incarnation and how often it reset since it booted: a server that sees a
  // newer session from a node knows the node dropped every token it had (Server::heard_from).
  std::uint64_t session() const { return (std::uint64_t{sim_.incarnation(self_)} << 32) | resets_; }
  // The chandle of `fs` points at a server (not detargeted by recovery or a relocation).
  bool targeted(std::uint32_t fs) const;
  bool mounted(std::uint32_t fs) const { return chandles_.count(fs) != 0; }
  // Every token of `fs` held here, with the state it protects (the manifest, §0068).
  std::vector<corpse::Holding> manifest(std::uint32_t fs) const;
  // This node left the membership: every token, cached name, attribute, extent map and
  // page goes (modified pages too: they were never acknowledged), and calls under way
  // act on nothing they held (their era changed). The chandles keep their targets: the
  // node's transport is cut off from everyone until recovery retargets it (Node::left).
  void reset();

  // Requests from the server: recall and I/O-exclusive change.
  Task<Reply> handle(NodeId from, Request r);

  // The file system's index once it is mounted here; a call made before the mount
  // finished waits for it (up to kMountWait, then EIO), so a workload may start with the
  // cluster. ENOENT for an unknown file system, and for a path `lookup` in one
  // unmounted here (files open before the unmount still work, as after umount -l).
  Task<xfs::Result<std::uint32_t>> mounted_index(const std::string& name, bool lookup);
  // An unmount of `fs` on this node (operator command): from begin_unmount on, path
  // lookups on it fail ENOENT and this node takes no server role for it (a relocation
  // target or a recovery candidate refuses). finish_unmount gives every token back,
  // writing modified pages first, once the calls under way and the files still open let
  // go of them, and drops the caches. remount lets lookups in again and ends a
  // finish_unmount still waiting.
  void begin_unmount(std::uint32_t fs);
  Task<void> finish_unmount(std::uint32_t fs);
  void remount(std::uint32_t fs);
  bool unmounted(std::uint32_t fs) const { return unmounted_.count(fs) != 0; }
  // A node that serves file system `fs` answers its own requests in-process.
  using LocalServer = std::function<Task<Reply>(Request)>;
  void set_local_server(std::uint32_t fs, LocalServer serve) { local_[fs] = std::move(serve); }
  void clear_local_server(std::uint32_t fs) { local_.erase(fs); }
  bool serves_locally(std::uint32_t fs) const { return local_.count(fs) != 0; }

  // The vnode operations, by file-system index and inode (directory operations on the
  // directory's inode).
  Task<xfs::Result<Ino>> lookup(std::uint32_t fs, Ino dir, std::string name);
  Task<xfs::Result<Ino>> create(std::uint32_t fs, Ino dir, std::string name, xfs::FileType type);
  Task<Errno> unlink(std::uint32_t fs, Ino dir, std::string name);
  Task<Errno> rename(std::uint32_t fs, Ino from_dir, std::string from, Ino to_dir, std::string to);
  Task<xfs::Result<Stat>> getattr(std::uint32_t fs, Ino ino);
  Task<Errno> setattr(std::uint32_t fs, Ino ino, xfs::SetAttr attrs);
  Task<Errno> truncate(std::uint32_t fs, Ino ino, std::uint64_t size);
  Task<Errno> open(std::uint32_t fs, Ino ino);
  Task<Errno> close(std::uint32_t fs, Ino ino);
  // `invisible`: DMAPI's invisible I/O (the HSM's): no event, no timestamp change.
  Task<Errno> read(std::uint32_t fs, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode, Bytes& out,
                   bool invisible = false);
  Task<Errno> write(std::uint32_t fs, Ino ino, std::uint64_t offset, Bytes data, IoMode mode,
                    bool invisible = false);
  // The HSM's punch (§0041): every node's pages of the file come back, then the server
  // frees its blocks; the size stays.
  Task<Errno> punch(std::uint32_t fs, Ino ino);
  // dmput: asks the file system's HSM to migrate the file (`release`: leave it offline).
  Task<Errno> migrate(std::uint32_t fs, Ino ino, bool release);
  Task<Errno> fsync(std::uint32_t fs, Ino ino);
  Task<Errno> fault(std::uint32_t fs, Ino ino, std::uint64_t page, bool store, std::uint64_t in_page, Bytes& data);

  const PageCache& pages() const { return pages_; }


 private:
  struct Held;  // tokens held for one call, released in reverse order
  Task<void> retarget_now(std::uint32_t fs, NodeId server);
  Task<Errno> raise_event(Held& dm, token::ObjectId o, dmapi::Event e);
  // What a call that could not get its tokens answers: `migrating` while the file
  // system's server is being relocated, else EIO.
  Errno failed(std::uint32_t fs) const;
  bool moving(std::uint32_t fs) const;
  Interrupt* moving_interrupt(std::uint32_t fs);
  void repointed(std::uint32_t fs);
  Task<void> return_later(token::ObjectId o, token::TokenType t, token::GrantId grant, token::TokenState st);
  // With `era`, nothing is sent once this node's tokens of `fs` are of a newer era (the
  // node reset or lost the server while the call waited for the chandle).
  Task<std::optional<Reply>> call(std::uint32_t fs, Request r, std::optional<std::uint64_t> era = std::nullopt);
  Task<bool> acquire_set(Held& h, token::ObjectId o, std::vector<std::pair<token::TokenType, token::Level>> want);
  void release_set(Held& h);
  bool voided(const Held& h, token::ObjectId o) const;
  void server_restarted(std::uint32_t fs);
  void drop_cached(std::uint32_t fs);
  Task<token::Grant> request_token(token::ObjectId o, token::TokenType t, token::Level l, token::GrantId given,
                                   token::TokenState st);
  Task<void> before_return(token::ObjectId o, token::TokenType t, token::Level l);
  Task<void> give_back(token::ObjectId o, token::TokenType t, token::Level l, token::Grants given,
                       token::TokenState st);
  xfs::Result<Ino> named(token::ObjectId d, const std::string& name, const std::optional<Reply>& rep,
                         std::uint64_t since);
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
  // One chandle per mounted file system (service file_system), never destroyed: a call
  // in flight may hold it.
  std::map<std::uint32_t, std::unique_ptr<chandle::Chandle>> chandles_;
  std::map<std::uint32_t, LocalServer> local_;  // the file systems this node serves
  std::set<std::uint32_t> void_targets_;  // file systems whose chandle predates this node's reset
  std::map<std::uint32_t, std::uint32_t> server_boot_;  // incarnation of each server we talk to
  std::map<token::ObjectId, std::vector<xfs::Extent>> extents_;       // under EXTENT read
  std::map<token::ObjectId, std::map<std::string, Ino>> names_;       // under NAME read (directory)
  std::map<token::ObjectId, std::uint64_t> name_changes_;              // per directory: names_ dropped or changed
  std::map<token::ObjectId, Stat> attrs_;                             // as of the last grant
  std::set<token::ObjectId> exclusive_;  // I/O-exclusive state true (§0032); changed through set_exclusive
  std::map<token::ObjectId, int> ioexcl_asking_;  // IOEXCL requests on their way to the server
  std::map<token::ObjectId, Errno> exist_refused_;  // why the last EXIST request failed (open)
  // Per file system: bumped each time the chandle is pointed at a server (retarget,
  // repoint) and at a reset, so a recall answers only the server instance that asked.
  std::map<std::uint32_t, std::uint64_t> pointed_;
  std::set<token::ObjectId> told_off_;            // an ioexcl_off came while one was
  // Changes the I/O-exclusive state and reports it (cxfs.ioexcl {fs, ino, exclusive}).
  void set_exclusive(token::ObjectId o, bool exclusive);
  void observe_exclusive(token::ObjectId o, bool exclusive);
  std::map<token::ObjectId, std::unique_ptr<Mutex>> flushing_;
  std::map<token::ObjectId, dmapi::EventMask> events_;  // under DMAPI read: the file's event mask
  std::uint64_t events_sent_ = 0;
  // Relocation: per file system, how often this node was pointed at its server, whether
  // KORE has it detargeted, the epoch at which a server last answered `migrating`, and
  // the interrupt that ends token and chandle waits while it is detargeted.
  std::map<std::uint32_t, std::uint64_t> epochs_;
  std::set<std::uint32_t> relocating_;
  std::uint32_t resets_ = 0;  // reset() calls since boot (session())
  std::map<std::uint32_t, std::uint64_t> migrating_seen_;
  std::set<std::uint32_t> unmounted_;  // by the operator: lookups on these fail ENOENT
  std::map<std::uint32_t, std::unique_ptr<Interrupt>> remounted_;  // ends finish_unmount
  // The node that last answered `migrating` for each file system: only the
  // reissue_to_old_server mutation sends anything there again.
  std::map<std::uint32_t, NodeId> migrated_from_;
  std::map<std::uint32_t, std::unique_ptr<Interrupt>> moving_;
  Condition repointed_;  // one flush per file at a time                               // I/O-exclusive state true
};

}  // namespace sansim::cxfs
