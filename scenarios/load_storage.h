// The storage part of a scenario: the `storage:` section (disks, fabric, paths, volumes)
// and the storage faults (path_down, power_loss, disk_error). Called by loader.cpp; see
// scenarios/README.md for the keys.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "engine/faults.h"
#include "engine/sim/storage.h"
#include "scenarios/yaml_reader.h"

namespace sansim {

// A size as scenarios write it: "4096B", "64KiB", "64MiB", "4GiB", "1TiB" (a unit is
// required; at most 1024TiB). nullopt for anything else.
std::optional<std::uint64_t> parse_size(std::string_view text);

// Reads the `storage:` section. `nodes` maps the cluster's node names to ids.
StorageSpec load_storage(const Reader& r, const YAML::Node& storage, const std::map<std::string, NodeId>& nodes);

// Reads the `hsm:` section: {tape: {mount: DUR, seek: DUR, rate: SIZE/s, drives: N}}
// (every key optional; the defaults are TapeOptions').
TapeOptions load_hsm(const Reader& r, const YAML::Node& hsm);

// Whether a fault's action is a storage fault.
bool is_storage_fault(const YAML::Node& fault);

// Fills in `spec` from a storage fault (its action and undo_after) and writes how it
// reads to `text`, e.g. "path_down n1 to d1". Disks are checked against `storage`.
void load_storage_fault(const Reader& r, const YAML::Node& fault, const StorageSpec& storage,
                        const std::map<std::string, NodeId>& nodes, FaultSpec& spec, std::ostream& text);

}  // namespace sansim
