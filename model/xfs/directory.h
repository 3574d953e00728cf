// A directory as a B+-tree-like structure (§0025: lookups stay fast with tens or hundreds
// of thousands of names). Entries are packed, sorted by name, into leaves of one block
// each; the leaves are the directory's file blocks. In memory an index maps each leaf's
// first name to its file block, so a lookup is two binary searches, and inserting or
// removing a name rewrites only the leaf it touches (plus one neighbour when a leaf
// splits or merges).
//
// A leaf emptied by a merge stays allocated as a spare for the next split (its block is
// written with no entries); spares at the end of the directory are given back.
// The directory never allocates: the caller maps a spare leaf first when needs_spare()
// says so, and unmaps trailing spares afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/xfs/types.h"

namespace sansim::xfs {

class Directory {
 public:
  struct Leaf {
    std::vector<DirEntry> entries;  // sorted by name
    std::uint32_t bytes = 0;        // encoded size of the entries (layout.h entry_bytes)
  };

  // Loading from disk: one call per leaf (entries sorted, as decode_leaf checks), then
  // finish_load, which refuses leaves whose name ranges overlap.
  void load_leaf(std::uint64_t file_block, std::vector<DirEntry> entries);
  bool finish_load(std::string* why);

  std::optional<Ino> lookup(std::string_view name) const;
  std::size_t size() const { return entries_; }
  bool empty() const { return entries_ == 0; }
  std::vector<DirEntry> list() const;
  void for_each(const std::function<void(const DirEntry&)>& f) const;

  // Whether inserting `name` would need a leaf the directory does not have.
  bool needs_spare(std::string_view name) const;
  // The file block a new leaf gets: one past the last leaf.
  std::uint64_t next_file_block() const;
  // Adds an empty leaf at `file_block` (the caller has mapped it). REQUIRES: unused.
  void add_spare(std::uint64_t file_block);

  // REQUIRES: `e.name` absent and !needs_spare(e.name). Appends the file blocks of the
  // leaves it rewrote to `changed`.
  void insert(DirEntry e, std::vector<std::uint64_t>& changed);
  // Points the existing entry `name` at `ino`. REQUIRES: `name` present.
  void replace(std::string_view name, Ino ino, std::vector<std::uint64_t>& changed);
  // REQUIRES: `name` present. Appends the rewritten leaves to `changed`.
  void remove(std::string_view name, std::vector<std::uint64_t>& changed);

  // The last leaf if it is a spare (the caller may unmap it, then call drop_spare).
  std::optional<std::uint64_t> trailing_spare() const;
  void drop_spare(std::uint64_t file_block);

  const Leaf* leaf(std::uint64_t file_block) const;
  const std::map<std::uint64_t, Leaf>& leaves() const { return leaves_; }
  std::size_t spares() const { return spares_.size(); }

 private:
  // The leaf whose name range holds `name` (the first leaf for names before it all).
  std::map<std::string, std::uint64_t, std::less<>>::const_iterator index_for(std::string_view name) const;
  void reindex(std::uint64_t file_block, const std::string& old_first);
  void make_spare(std::uint64_t file_block);

  std::map<std::uint64_t, Leaf> leaves_;                        // file block -> leaf
  std::map<std::string, std::uint64_t, std::less<>> index_;     // first name -> file block
  std::set<std::uint64_t> spares_;                              // leaves with no entries
  std::size_t entries_ = 0;
};

}  // namespace sansim::xfs
