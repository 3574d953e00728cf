#include "engine/sim/storage.h"

#include <stdexcept>

#include "engine/sim/concat_volume.h"
#include "engine/sim/disk_volume.h"

namespace sansim {

Storage::Storage(Scheduler& s, Rng rng, std::size_t nodes) : rng_(rng), sched_(s), fabric_(s, nodes) {}

namespace {

bool has_disk(const StorageSpec& spec, const std::string& name) {
  for (const StorageSpec::DiskSpec& d : spec.disks)
    if (d.id == name) return true;
  return false;
}

// Every check before anything is built, so a bad spec leaves the storage empty.
void validate(const StorageSpec& spec, std::size_t nodes) {
  if (spec.fabric.bandwidth == 0) throw std::invalid_argument("fabric bandwidth must be positive");
  for (std::size_t i = 0; i < spec.disks.size(); ++i) {
    const StorageSpec::DiskSpec& d = spec.disks[i];
    for (std::size_t j = 0; j < i; ++j)
      if (spec.disks[j].id == d.id) throw std::invalid_argument("disk '" + d.id + "' is defined twice");
    if (d.blocks == 0) throw std::invalid_argument("disk '" + d.id + "' has no blocks");
  }
  for (const StorageSpec::PathSpec& p : spec.paths) {
    if (!has_disk(spec, p.disk)) throw std::invalid_argument("path to unknown disk '" + p.disk + "'");
    if (p.node >= nodes) throw std::invalid_argument("path from unknown node " + std::to_string(p.node));
    if (p.bandwidth && *p.bandwidth == 0) throw std::invalid_argument("path bandwidth must be positive");
  }
  for (std::size_t i = 0; i < spec.volumes.size(); ++i) {
    const StorageSpec::VolumeSpec& v = spec.volumes[i];
    for (std::size_t j = 0; j < i; ++j)
      if (spec.volumes[j].id == v.id) throw std::invalid_argument("volume '" + v.id + "' is defined twice");
    if (v.disks.empty()) throw std::invalid_argument("volume '" + v.id + "' has no disks");
    for (const std::string& name : v.disks)
      if (!has_disk(spec, name)) throw std::invalid_argument("volume '" + v.id + "' uses unknown disk '" + name + "'");
  }
  if (spec.tape && spec.tape->drives == 0) throw std::invalid_argument("the tape library needs at least one drive");
  if (spec.tape && spec.tape->rate == 0) throw std::invalid_argument("tape rate must be positive");
  if (spec.tape && (spec.tape->mount < 0 || spec.tape->seek < 0))
    throw std::invalid_argument("tape mount and seek times must not be negative");
}

}  // namespace

void Storage::configure(const StorageSpec& spec) {
  if (!disks_.empty() || !volumes_.empty()) throw std::invalid_argument("storage is already configured");
  validate(spec, fabric_.nodes());
  fabric_.set_defaults(spec.fabric);
  if (spec.tape) tape_ = std::make_unique<TapeLibrary>(sched_, *spec.tape);
  for (const StorageSpec::DiskSpec& d : spec.disks) {
    disks_.push_back(std::make_unique<Disk>(d.id, d.blocks));
    fabric_.attach(*disks_.back());
  }
  for (const StorageSpec::PathSpec& p : spec.paths) {
    const DiskId d = *disk_id(p.disk);
    PathOptions o = fabric_.path_options(p.node, d);
    if (p.latency) o.latency = *p.latency;
    if (p.bandwidth) o.bandwidth = *p.bandwidth;
    fabric_.set_path(p.node, d, o);
  }
  for (const StorageSpec::VolumeSpec& v : spec.volumes) {
    std::vector<DiskId> ids;
    for (const std::string& name : v.disks) ids.push_back(*disk_id(name));
    std::unique_ptr<Volume> vol;
    if (ids.size() == 1) vol = std::make_unique<DiskVolume>(fabric_, ids[0]);
    else vol = std::make_unique<ConcatVolume>(fabric_, std::move(ids));
    volumes_.emplace_back(v.id, std::move(vol));
  }
}

std::optional<DiskId> Storage::disk_id(std::string_view name) const {
  for (std::size_t i = 0; i < disks_.size(); ++i)
    if (disks_[i]->name() == name) return static_cast<DiskId>(i);
  return std::nullopt;
}

Disk* Storage::disk(std::string_view name) {
  const std::optional<DiskId> d = disk_id(name);
  return d ? disks_[*d].get() : nullptr;
}

Volume* Storage::volume(std::string_view name) {
  for (auto& [id, v] : volumes_)
    if (id == name) return v.get();
  return nullptr;
}

const Volume* Storage::volume(std::string_view name) const {
  for (const auto& [id, v] : volumes_)
    if (id == name) return v.get();
  return nullptr;
}

std::vector<std::string> Storage::volume_names() const {
  std::vector<std::string> names;
  for (const auto& [id, v] : volumes_) names.push_back(id);
  return names;
}

void Storage::power_loss(DiskId d) { fabric_.disk(d).power_loss(rng_); }

}  // namespace sansim
