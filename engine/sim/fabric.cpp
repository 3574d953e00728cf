#include "engine/sim/fabric.h"

#include <algorithm>
#include <cassert>

namespace sansim {

namespace {

// Nanoseconds to move `bytes` at `bandwidth` bytes per second, rounded up.
Duration transfer_time(std::uint64_t bytes, std::uint64_t bandwidth) {
  assert(bandwidth > 0);
  const unsigned __int128 ns = (static_cast<unsigned __int128>(bytes) * 1'000'000'000u + bandwidth - 1) / bandwidth;
  return ns > static_cast<unsigned __int128>(kTimeNever / 2) ? kTimeNever / 2 : static_cast<Duration>(ns);
}

}  // namespace

Fabric::Fabric(Scheduler& s, std::size_t nodes, PathOptions defaults)
    : s_(s), nodes_(nodes), defaults_(defaults), fenced_(nodes, 0), fence_broken_(nodes, 0) {}

DiskId Fabric::attach(Disk& disk) {
  const auto id = static_cast<DiskId>(disks_.size());
  disks_.push_back(&disk);
  paths_.resize(paths_.size() + nodes_, Path{defaults_});
  disk_stats_.emplace_back();
  return id;
}

void Fabric::set_defaults(PathOptions o) {
  assert(o.bandwidth > 0);
  defaults_ = o;
  for (Path& p : paths_)
    if (!p.overridden) p.options = o;
}

void Fabric::set_path(NodeId n, DiskId d, PathOptions o) {
  assert(o.bandwidth > 0);
  Path& p = path(n, d);
  p.options = o;
  p.overridden = true;
}

void Fabric::path_down(NodeId n, DiskId d) { ++path(n, d).down; }

void Fabric::path_up(NodeId n, DiskId d) {
  assert(path(n, d).down > 0);
  --path(n, d).down;
}

void Fabric::fence(NodeId n) { ++fenced_[n]; }

void Fabric::unfence(NodeId n) {
  assert(fenced_[n] > 0);
  --fenced_[n];
}

IoStatus Fabric::open(NodeId via, DiskId d) const {
  assert(via < nodes_ && d < disks_.size());
  if (fenced_[via] != 0) return IoStatus::fenced;
  if (path(via, d).down != 0) return IoStatus::path_down;
  return IoStatus::ok;
}

bool Fabric::fits(DiskId d, std::uint64_t block, std::size_t bytes) const {
  const std::uint64_t blocks = disks_[d]->blocks();
  return bytes % kBlockSize == 0 && block <= blocks && bytes / kBlockSize <= blocks - block;
}

Duration Fabric::occupy(NodeId via, DiskId d, std::uint64_t bytes) {
  Path& p = path(via, d);
  const Time start = std::max(s_.now(), p.busy_until);
  p.busy_until = start + transfer_time(bytes, p.options.bandwidth);
  return p.busy_until + p.options.latency - s_.now();
}

void Fabric::count(DiskId d, IoStatus st, std::uint64_t FabricStats::*ops, std::uint64_t FabricStats::*bytes_field,
                   std::uint64_t bytes) {
  for (FabricStats* s : {&stats_, &disk_stats_[d]}) {
    ++(s->*ops);
    if (st != IoStatus::ok) ++s->errors;
    else if (bytes_field != nullptr) s->*bytes_field += bytes;
  }
}

Task<IoStatus> Fabric::read(NodeId via, DiskId d, std::uint64_t block, std::span<std::uint8_t> out) {
  IoStatus st = open(via, d);
  if (st == IoStatus::ok && !fits(d, block, out.size())) st = IoStatus::out_of_range;
  if (st == IoStatus::ok) {
    co_await s_.sleep(occupy(via, d, out.size()));
    st = open(via, d);
    // The disk is read when the data arrives, so it reflects writes completed meanwhile.
    if (st == IoStatus::ok) st = disks_[d]->read(block, out);
  }
  count(d, st, &FabricStats::reads, &FabricStats::bytes_read, out.size());
  co_return st;
}

Task<IoStatus> Fabric::write(NodeId via, DiskId d, std::uint64_t block, std::span<const std::uint8_t> data) {
  IoStatus st = open(via, d);
  if (st == IoStatus::ok && !fits(d, block, data.size())) st = IoStatus::out_of_range;
  if (st == IoStatus::ok) {
    co_await s_.sleep(occupy(via, d, data.size()));
    st = open(via, d);
    if (st == IoStatus::ok) st = disks_[d]->write(block, data);
  }
  count(d, st, &FabricStats::writes, &FabricStats::bytes_written, data.size());
  if (observer_) observer_(FabricWrite{via, d, block, data.size() / kBlockSize, st});
  co_return st;
}

Task<IoStatus> Fabric::flush(NodeId via, DiskId d) {
  IoStatus st = open(via, d);
  if (st == IoStatus::ok) {
    co_await s_.sleep(occupy(via, d, 0));
    st = open(via, d);
    if (st == IoStatus::ok) disks_[d]->flush();
  }
  count(d, st, &FabricStats::flushes, nullptr, 0);
  co_return st;
}

}  // namespace sansim
