// Tokens (§0028-0032): each protects one part of a file's data or metadata, and is held
// at one of three levels. Every level conflicts with every other level; write also
// conflicts with another write. So several holders may share read, or share shared
// write (e.g. timestamps updated locally by many writers, §0029), but never mix levels.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace sansim::token {

// The token types of §0032, in the order a client acquires them (a fixed order is what
// keeps two operations from waiting on each other's tokens).
enum class TokenType : std::uint8_t {
  exist,       // the client holds the inode (kept, not acquired around operations)
  ioexcl,      // I/O-exclusive state: true while only one client does read/write
  io,          // buffered reads atomic with respect to buffered writes
  page_dirty,  // right to hold modified file data in memory
  page_clean,  // right to hold unmodified file data in memory
  name,        // right to cache lookups in a directory
  attr,        // ownership, mode, extended attributes
  times,       // timestamps; shared write merges with largest-wins
  size,        // file size; write only with a true I/O-exclusive state
  extent,      // the extent map; write only on the server
  dmapi,       // DMAPI event mask (model/dmapi)
};
inline constexpr std::size_t kTokenTypes = 11;

enum class Level : std::uint8_t { none = 0, read = 1, shared_write = 2, write = 3 };

const char* to_string(TokenType t);
const char* to_string(Level l);
std::optional<TokenType> token_type_from(const std::string& s);
std::optional<Level> level_from(const std::string& s);

// §0028 as the model's table, indexed [held][wanted] by Level. The token server grants by
// it; `sansim prove tokens` (checkers/proofs) proves it equal to §0028's rules, and the
// token_exclusion checker judges runs by those rules stated apart, so a wrong entry here
// is caught before and during a run.
using ConflictTable = std::array<std::array<bool, 4>, 4>;
inline constexpr ConflictTable kConflicts = {{
    //  none   read   shared_write  write      <- wanted
    {{false, false, false, false}},  // none held
    {{false, false, true, true}},    // read
    {{false, true, false, true}},    // shared write
    {{false, true, true, true}},     // write
}};

constexpr bool conflicts(Level held, Level wanted, const ConflictTable& table = kConflicts) {
  return table[static_cast<std::size_t>(held)][static_cast<std::size_t>(wanted)];
}

// Whether holding `held` lets its holder do what `wanted` protects without asking the
// server: the same level always, and write covers read (the write holder is alone, so
// nobody can observe the difference). Write does not cover shared write: for the PAGE
// tokens the levels mean different cache modes (shared write is direct I/O, which must
// first flush and drop this node's own cached pages, §0033).
constexpr bool covers(Level held, Level wanted) {
  return held == wanted || (held == Level::write && wanted == Level::read);
}

// The object a token protects: an inode of a file system.
struct ObjectId {
  std::uint32_t fs = 0;
  std::uint64_t ino = 0;
  auto operator<=>(const ObjectId&) const = default;
};

// What travels with a token when it is returned or granted: the state it protects.
struct TokenState {
  std::int64_t atime = 0;
  std::int64_t mtime = 0;
  std::int64_t ctime = 0;
  std::uint64_t size = 0;
  bool operator==(const TokenState&) const = default;
};

// Every grant the server makes has its own number (increasing, never reused). A return
// names the grants it gives up and a recall names the grant it recalls, so a message
// that crosses another on the LAN (a return overtaken by the holder's next request, a
// recall answered after the holder swapped its level) is matched to the right grant
// instead of dropping a newer one or losing the state it carries.
using GrantId = std::uint64_t;  // 0: no grant
using Grants = std::array<GrantId, kTokenTypes>;  // per token type

}  // namespace sansim::token
