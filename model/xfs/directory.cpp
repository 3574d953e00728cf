#include "model/xfs/directory.h"

#include <algorithm>
#include <cassert>

#include "model/xfs/layout.h"

namespace sansim::xfs {

namespace {
// A leaf this empty looks for a neighbour to merge with; a merge never makes a leaf
// fuller than kMergeLimit, so a split does not follow at once.
constexpr std::uint32_t kMergeBelow = kLeafCapacity / 4;
constexpr std::uint32_t kMergeLimit = kLeafCapacity * 3 / 4;

bool by_name(const DirEntry& e, std::string_view name) { return e.name < name; }
}  // namespace

void Directory::load_leaf(std::uint64_t file_block, std::vector<DirEntry> entries) {
  Leaf l;
  for (const DirEntry& e : entries) l.bytes += entry_bytes(e.name);
  l.entries = std::move(entries);
  entries_ += l.entries.size();
  if (l.entries.empty()) spares_.insert(file_block);
  leaves_[file_block] = std::move(l);
}

bool Directory::finish_load(std::string* why) {
  index_.clear();
  for (const auto& [fb, l] : leaves_)
    if (!l.entries.empty()) index_.emplace(l.entries.front().name, fb);
  const Leaf* prev = nullptr;
  for (const auto& [first, fb] : index_) {
    const Leaf& l = leaves_.at(fb);
    if (prev != nullptr && !(prev->entries.back().name < first)) {
      if (why != nullptr) *why = "leaf " + std::to_string(fb) + " overlaps the name range of another leaf";
      return false;
    }
    prev = &l;
  }
  return true;
}

std::map<std::string, std::uint64_t, std::less<>>::const_iterator Directory::index_for(std::string_view name) const {
  auto it = index_.upper_bound(name);
  if (it == index_.begin()) return it;
  return std::prev(it);
}

std::optional<Ino> Directory::lookup(std::string_view name) const {
  if (index_.empty()) return std::nullopt;
  const Leaf& l = leaves_.at(index_for(name)->second);
  auto it = std::lower_bound(l.entries.begin(), l.entries.end(), name, by_name);
  if (it == l.entries.end() || it->name != name) return std::nullopt;
  return it->ino;
}

std::vector<DirEntry> Directory::list() const {
  std::vector<DirEntry> out;
  out.reserve(entries_);
  for_each([&out](const DirEntry& e) { out.push_back(e); });
  return out;
}

void Directory::for_each(const std::function<void(const DirEntry&)>& f) const {
  for (const auto& [first, fb] : index_)
    for (const DirEntry& e : leaves_.at(fb).entries) f(e);
}

bool Directory::needs_spare(std::string_view name) const {
  if (!spares_.empty()) return false;
  if (index_.empty()) return true;
  return leaves_.at(index_for(name)->second).bytes + entry_bytes(name) > kLeafCapacity;
}

std::uint64_t Directory::next_file_block() const { return leaves_.empty() ? 0 : leaves_.rbegin()->first + 1; }

void Directory::add_spare(std::uint64_t file_block) {
  assert(leaves_.count(file_block) == 0);
  leaves_[file_block] = Leaf{};
  spares_.insert(file_block);
}

void Directory::reindex(std::uint64_t file_block, const std::string& old_first) {
  const Leaf& l = leaves_.at(file_block);
  if (!old_first.empty()) {
    auto it = index_.find(old_first);
    if (it != index_.end() && it->second == file_block) {
      if (!l.entries.empty() && l.entries.front().name == old_first) return;
      index_.erase(it);
    }
  }
  if (!l.entries.empty()) index_[l.entries.front().name] = file_block;
}

void Directory::make_spare(std::uint64_t file_block) {
  Leaf& l = leaves_.at(file_block);
  assert(l.entries.empty());
  l.bytes = 0;
  spares_.insert(file_block);
}

void Directory::insert(DirEntry e, std::vector<std::uint64_t>& changed) {
  assert(!needs_spare(e.name));
  const std::uint32_t size = entry_bytes(e.name);
  if (index_.empty()) {
    const std::uint64_t fb = *spares_.begin();
    spares_.erase(spares_.begin());
    Leaf& l = leaves_.at(fb);
    l.bytes = size;
    index_[e.name] = fb;
    l.entries.push_back(std::move(e));
    ++entries_;
    changed.push_back(fb);
    return;
  }
  const std::uint64_t fb = index_for(e.name)->second;
  Leaf& l = leaves_.at(fb);
  const std::string old_first = l.entries.front().name;
  auto pos = std::lower_bound(l.entries.begin(), l.entries.end(), e.name, by_name);
  assert(pos == l.entries.end() || pos->name != e.name);
  l.entries.insert(pos, std::move(e));
  l.bytes += size;
  ++entries_;
  changed.push_back(fb);
  if (l.bytes > kLeafCapacity) {
    // Split: the upper half (by bytes) moves to a spare leaf.
    const std::uint64_t sfb = *spares_.begin();
    spares_.erase(spares_.begin());
    Leaf& s = leaves_.at(sfb);
    std::uint32_t kept = 0;
    std::size_t cut = 0;
    while (cut + 1 < l.entries.size() && kept + entry_bytes(l.entries[cut].name) <= l.bytes / 2)
      kept += entry_bytes(l.entries[cut++].name);
    if (cut == 0) kept += entry_bytes(l.entries[cut++].name);
    s.entries.assign(std::make_move_iterator(l.entries.begin() + static_cast<std::ptrdiff_t>(cut)),
                     std::make_move_iterator(l.entries.end()));
    l.entries.resize(cut);
    s.bytes = l.bytes - kept;
    l.bytes = kept;
    assert(l.bytes <= kLeafCapacity && s.bytes <= kLeafCapacity);
    index_[s.entries.front().name] = sfb;
    changed.push_back(sfb);
  }
  reindex(fb, old_first);
}

void Directory::replace(std::string_view name, Ino ino, std::vector<std::uint64_t>& changed) {
  assert(!index_.empty());
  const std::uint64_t fb = index_for(name)->second;
  Leaf& l = leaves_.at(fb);
  auto pos = std::lower_bound(l.entries.begin(), l.entries.end(), name, by_name);
  assert(pos != l.entries.end() && pos->name == name);
  pos->ino = ino;
  changed.push_back(fb);
}

void Directory::remove(std::string_view name, std::vector<std::uint64_t>& changed) {
  assert(!index_.empty());
  const std::uint64_t fb = index_for(name)->second;
  Leaf& l = leaves_.at(fb);
  auto pos = std::lower_bound(l.entries.begin(), l.entries.end(), name, by_name);
  assert(pos != l.entries.end() && pos->name == name);
  const std::string old_first = l.entries.front().name;
  l.bytes -= entry_bytes(pos->name);
  l.entries.erase(pos);
  --entries_;
  changed.push_back(fb);
  if (l.entries.empty()) {
    index_.erase(old_first);
    make_spare(fb);
    return;
  }
  reindex(fb, old_first);
  if (l.bytes >= kMergeBelow) return;
  auto at = index_.find(l.entries.front().name);
  assert(at != index_.end());
  if (auto right = std::next(at); right != index_.end()) {
    Leaf& r = leaves_.at(right->second);
    if (l.bytes + r.bytes <= kMergeLimit) {
      const std::uint64_t rfb = right->second;
      index_.erase(right);
      for (DirEntry& e : r.entries) l.entries.push_back(std::move(e));
      r.entries.clear();
      l.bytes += r.bytes;
      make_spare(rfb);
      changed.push_back(rfb);
      return;
    }
  }
  if (at != index_.begin()) {
    auto left = std::prev(at);
    Leaf& p = leaves_.at(left->second);
    if (p.bytes + l.bytes <= kMergeLimit) {
      index_.erase(at);
      for (DirEntry& e : l.entries) p.entries.push_back(std::move(e));
      l.entries.clear();
      p.bytes += l.bytes;
      make_spare(fb);
      changed.push_back(left->second);
    }
  }
}

std::optional<std::uint64_t> Directory::trailing_spare() const {
  if (leaves_.empty() || !leaves_.rbegin()->second.entries.empty()) return std::nullopt;
  return leaves_.rbegin()->first;
}

void Directory::drop_spare(std::uint64_t file_block) {
  assert(spares_.count(file_block) == 1);
  spares_.erase(file_block);
  leaves_.erase(file_block);
}

const Directory::Leaf* Directory::leaf(std::uint64_t file_block) const {
  auto it = leaves_.find(file_block);
  return it == leaves_.end() ? nullptr : &it->second;
}

}  // namespace sansim::xfs
