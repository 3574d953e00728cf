// The file-system part of a scenario: `filesystems:` (cluster file systems on storage
// volumes), `files:` (files made before the workload), `workload:` (explicit calls and
// generators) and the names of the cxfs mutations. Called by loader.cpp after `cluster`
// and `storage`; see scenarios/README.md for the keys.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/sim/storage.h"
#include "model/app/workload.h"
#include "model/cxfs/config.h"
#include "scenarios/yaml_reader.h"

namespace sansim {

// Reads `filesystems:`. Volumes are checked against `storage`, nodes against `nodes`.
std::vector<cxfs::FsConfig> load_filesystems(const Reader& r, const YAML::Node& list, const StorageSpec& storage,
                                             const std::map<std::string, NodeId>& nodes);

// Reads `files:`. Each file is made by its file system's first candidate server.
std::vector<app::InitialFile> load_initial_files(const Reader& r, const YAML::Node& list,
                                                 const std::vector<cxfs::FsConfig>& filesystems,
                                                 const StorageSpec& storage);

// Reads `workload:` into `w.calls` (sorted by time) and `w.generators`. Times must lie
// within `duration`.
void load_workload(const Reader& r, const YAML::Node& list, const std::vector<cxfs::FsConfig>& filesystems,
                   const std::map<std::string, NodeId>& nodes, Duration duration, app::Workload& w);

// Turns on the cxfs mutation called `name`; false if there is none by that name.
bool set_fs_mutation(const std::string& name, cxfs::Mutations& m);
// The cxfs mutation names, for error messages: "a, b, c or d".
std::string fs_mutation_names();

}  // namespace sansim
