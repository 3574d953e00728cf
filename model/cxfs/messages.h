// The messages of the cluster file system (§0026, §0030-0037): requests from a metadata
// client (dcvn) to the metadata server (dsvn), token recalls from the server to a
// client, and white-pages registration. Each is a plain value that encodes to bytes; the
// production backend sends the same bytes over TCP.
//
// One request struct carries every operation, tagged by `kind`, with the fields each
// kind uses (the others stay at their defaults and still travel, so encode/decode is one
// code path that a round-trip property covers for every kind). The reply is shared too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/node_id.h"
#include "engine/wire.h"
#include "model/vnode/file_access.h"
#include "model/token/token.h"
#include "model/xfs/types.h"

namespace sansim::cxfs {

using vnode::IoMode;
using xfs::Errno;
using xfs::Ino;
using vnode::Stat;

enum class Kind : std::uint8_t {
  token_request,  // client -> server: grant me `type` at `level` (§0034-0035)
  token_return,   // client -> server: I give `type` back of my own accord
  recall,         // server -> client: return `type` (conditional: you may refuse, §0032 EXIST)
  ioexcl_off,     // server -> client: your I/O-exclusive state is now false (§0032 IOEXCL)
  lookup,         // name in dir -> inode
  create,         // name in dir, regular file or directory (lends NAME read, §0031)
  unlink,
  rename,
  setattr,        // explicit values; timestamps take TIMES write on the server
  allocate,       // blocks of a file (lends EXTENT read, §0032 DVN_EXTENT)
  truncate,
  size_update,    // a writer without I/O-exclusive state extends the size (lends SIZE read)
  wp_lookup,      // white pages: who serves `fs`? (§0037; recovery fills the table, §0072)
  dmapi_event,    // client -> server: the operation raises DMAPI event `event` (§0040, Fig. 7)
  migrate,        // dmput: the HSM copies the file to tape (`release`: and leaves it offline)
  punch,          // the HSM frees a migrated file's blocks, keeping its size (§0041)
};
inline constexpr std::uint8_t kKinds = 16;

const char* to_string(Kind k);

struct Request {
  Kind kind = Kind::lookup;
  std::uint32_t fs = 0;
  std::string fs_name;  // white pages only
  Ino ino = 0;          // the object (or the directory for name operations)
  std::string name;
  Ino dir2 = 0;  // rename target directory
  std::string name2;
  token::TokenType type = token::TokenType::exist;
  token::Level level = token::Level::none;
  bool conditional = false;
  token::GrantId grant = 0;  // recall: the grant recalled
  token::Grants given{};     // token_return, and a request that replaces a level: grants given back
  token::TokenState state;   // what the given grants protect
  xfs::FileType file_type = xfs::FileType::regular;
  xfs::SetAttr attrs;
  std::uint64_t block = 0;
  std::uint64_t count = 0;
  std::uint64_t size = 0;
  NodeId node = kNoNode;
  std::uint8_t event = 0;  // dmapi_event: a dmapi::Event
  bool release = false;    // migrate: leave the file offline
  // The asking client's session: its incarnation and how often it reset since booting
  // (Client::session). A newer one means it lost every token it held (Server::heard_from).
  std::uint64_t session = 0;
  bool operator==(const Request& o) const;
};

struct Reply {
  Errno err = Errno::ok;
  Ino ino = 0;
  token::Level level = token::Level::none;
  bool returned = false;  // recall: the token came back (false: refused)
  bool absent = false;    // recall: that grant is not here any more (token::RecallAnswer)
  token::GrantId grant = 0;  // token_request: the number of the grant made
  token::Grants given{};     // recall: the grants given back with the answer
  token::TokenState state;
  Stat stat;
  std::vector<xfs::Extent> extents;
  bool ioexcl = false;
  NodeId node = kNoNode;
  std::uint32_t boot = 0;  // the answering server's incarnation: a change means it restarted
  std::uint64_t session = 0;  // a recall's answer: the answering client's session
  std::uint8_t events = 0;  // DMAPI grant, dmapi_event: the file's event mask (§0039)
  bool operator==(const Reply& o) const;
};

Bytes encode(const Request& r);
Bytes encode(const Reply& r);
// Throw DecodeError naming the field on malformed input.
Request decode_request(const Bytes& b);
Reply decode_reply(const Bytes& b);

}  // namespace sansim::cxfs
