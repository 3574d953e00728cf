#include "engine/sim/disk.h"

#include <algorithm>
#include <cassert>

namespace sansim {

const char* to_string(DiskErrorKind k) { return k == DiskErrorKind::eio ? "eio" : "latent"; }

Disk::Disk(std::string name, std::uint64_t blocks) : name_(std::move(name)), blocks_(blocks) {}

bool Disk::in_range(std::uint64_t block, std::size_t bytes) const {
  if (bytes % kBlockSize != 0) return false;
  const std::uint64_t count = bytes / kBlockSize;
  return block <= blocks_ && count <= blocks_ - block;
}

bool Disk::overlaps_eio(std::uint64_t block, std::uint64_t count) const {
  for (const Range& r : eio_)
    if (block < r.first + r.count && r.first < block + count) return true;
  return false;
}

IoStatus Disk::read(std::uint64_t block, std::span<std::uint8_t> out) const {
  if (!in_range(block, out.size())) return IoStatus::out_of_range;
  const std::uint64_t count = out.size() / kBlockSize;
  if (overlaps_eio(block, count)) return IoStatus::eio;
  if (any_latent(block, block + count)) return IoStatus::eio;
  inspect(block, out);
  return IoStatus::ok;
}

IoStatus Disk::write(std::uint64_t block, std::span<const std::uint8_t> data) {
  if (!in_range(block, data.size())) return IoStatus::out_of_range;
  const std::uint64_t count = data.size() / kBlockSize;
  if (overlaps_eio(block, count)) return IoStatus::eio;
  for (std::uint64_t k = 0; k < count; ++k) {
    auto from = data.begin() + static_cast<std::ptrdiff_t>(k * kBlockSize);
    newest_[block + k] = cache_.size();
    cache_.push_back({block + k, Bytes(from, from + kBlockSize)});
  }
  clear_latent(block, block + count);
  return IoStatus::ok;
}

void Disk::flush() {
  // Only the newest cached write of each block matters once all of them land.
  for (const auto& [block, entry] : newest_) durable_[block] = std::move(cache_[entry].data);
  cache_.clear();
  newest_.clear();
}

void Disk::power_loss(Rng& rng) {
  for (CachedWrite& w : cache_) {
    const std::uint64_t fate = rng.below(3);
    if (fate == 0) continue;  // dropped
    Bytes& old = durable_[w.block];
    if (old.empty()) old.assign(kBlockSize, 0);
    if (fate == 1) {
      old = std::move(w.data);
    } else {
      // Torn: at least one sector new and at least one old.
      const auto sectors = static_cast<std::size_t>(rng.uniform(1, kBlockSize / kSectorSize - 1));
      std::copy_n(w.data.begin(), sectors * kSectorSize, old.begin());
    }
  }
  cache_.clear();
  newest_.clear();
}

void Disk::add_error(std::uint64_t first, std::uint64_t count, DiskErrorKind kind) {
  assert(first <= blocks_ && count <= blocks_ - first);
  if (kind == DiskErrorKind::eio) {
    eio_.push_back({first, count});
  } else {
    if (count > 0) add_latent(first, first + count);
  }
}

bool Disk::remove_error(std::uint64_t first, std::uint64_t count) {
  for (auto it = eio_.begin(); it != eio_.end(); ++it) {
    if (it->first == first && it->count == count) {
      eio_.erase(it);
      return true;
    }
  }
  return false;
}

bool Disk::any_latent(std::uint64_t first, std::uint64_t end) const {
  // Only the last range starting before `end` can reach past `first`: the ones before it
  // end before it starts.
  if (first >= end) return false;
  auto it = latent_.lower_bound(end);
  if (it == latent_.begin()) return false;
  return std::prev(it)->second > first;
}

void Disk::add_latent(std::uint64_t first, std::uint64_t end) {
  auto it = latent_.upper_bound(first);
  if (it != latent_.begin() && std::prev(it)->second >= first) --it;
  while (it != latent_.end() && it->first <= end) {
    first = std::min(first, it->first);
    end = std::max(end, it->second);
    it = latent_.erase(it);
  }
  latent_[first] = end;
}

void Disk::clear_latent(std::uint64_t first, std::uint64_t end) {
  auto it = latent_.lower_bound(first);
  if (it != latent_.begin() && std::prev(it)->second > first) --it;
  while (it != latent_.end() && it->first < end) {
    const auto [a, b] = *it;
    it = latent_.erase(it);
    if (a < first) latent_[a] = first;
    if (b > end) {
      latent_[end] = b;
      break;
    }
  }
}

void Disk::inspect(std::uint64_t block, std::span<std::uint8_t> out) const {
  assert(in_range(block, out.size()));
  for (std::size_t k = 0; k < out.size() / kBlockSize; ++k) {
    std::span<std::uint8_t> dst = out.subspan(k * kBlockSize, kBlockSize);
    auto c = newest_.find(block + k);
    if (c != newest_.end()) {
      const Bytes& data = cache_[c->second].data;
      std::copy(data.begin(), data.end(), dst.begin());
    } else {
      durable(block + k, dst);
    }
  }
}

void Disk::durable(std::uint64_t block, std::span<std::uint8_t> out) const {
  assert(in_range(block, out.size()));
  for (std::size_t k = 0; k < out.size() / kBlockSize; ++k) {
    std::span<std::uint8_t> dst = out.subspan(k * kBlockSize, kBlockSize);
    auto d = durable_.find(block + k);
    if (d != durable_.end()) std::copy(d->second.begin(), d->second.end(), dst.begin());
    else std::fill(dst.begin(), dst.end(), 0);
  }
}

}  // namespace sansim
