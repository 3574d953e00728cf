#include "scenarios/load_storage.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace sansim {
namespace {

constexpr std::uint64_t kMaxDiskBytes = 1ull << 50;  // 1024TiB: far beyond any scenario

// A non-negative decimal integer with nothing around it, or nullopt (also on overflow).
std::optional<std::uint64_t> parse_count(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

// "4096B", "64KiB", "64MiB", "4GiB", "1TiB". A unit is required, as for durations.
std::optional<std::uint64_t> parse_size(std::string_view s) {
  static constexpr std::pair<std::string_view, unsigned> kUnits[] = {
      {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}, {"B", 0}};
  for (const auto& [unit, shift] : kUnits) {
    if (s.size() <= unit.size() || s.substr(s.size() - unit.size()) != unit) continue;
    const std::optional<std::uint64_t> n = parse_count(s.substr(0, s.size() - unit.size()));
    if (!n || *n > (kMaxDiskBytes >> shift)) return std::nullopt;
    return *n << shift;
  }
  return std::nullopt;
}

namespace {

struct StorageReader {
  const Reader& r;
  const std::map<std::string, NodeId>& nodes;

  NodeId node(const YAML::Node& n, const std::string& what) const {
    const std::string name = r.str(n, what);
    auto it = nodes.find(name);
    if (it == nodes.end()) r.fail(n, what + " names node '" + name + "', which is not in cluster.nodes");
    return it->second;
  }

  std::string disk(const YAML::Node& n, const StorageSpec& spec, const std::string& what) const {
    const std::string name = r.str(n, what);
    for (const StorageSpec::DiskSpec& d : spec.disks)
      if (d.id == name) return name;
    r.fail(n, what + " names disk '" + name + "', which is not in storage.disks");
  }

  std::uint64_t disk_blocks(const StorageSpec& spec, const std::string& name) const {
    for (const StorageSpec::DiskSpec& d : spec.disks)
      if (d.id == name) return d.blocks;
    return 0;
  }

  std::uint64_t size(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail_size(n, what);
    const std::optional<std::uint64_t> v = parse_size(n.Scalar());
    if (!v) fail_size(n, what);
    return *v;
  }
  [[noreturn]] void fail_size(const YAML::Node& n, const std::string& what) const {
    r.fail(n, what + " '" + (n.IsScalar() ? n.Scalar() : std::string("?")) +
                  "' is not a size (write a whole number and a unit: B, KiB, MiB, GiB, TiB; at most 1024TiB)");
  }

  std::uint64_t bandwidth(const YAML::Node& n, const std::string& what) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    const std::optional<std::uint64_t> v =
        s.size() > 2 && s.ends_with("/s") ? parse_size(std::string_view(s).substr(0, s.size() - 2)) : std::nullopt;
    if (!v) r.fail(n, what + " '" + s + "' is not a bandwidth (write a size per second such as 400MiB/s)");
    if (*v == 0) r.fail(n, what + " must be more than 0B/s");
    return *v;
  }

  Duration latency(const YAML::Node& n, const std::string& what) const {
    const Duration d = r.duration(n, what);
    if (d < 0) r.fail(n, what + " must not be negative");
    return d;
  }

  void disks(const YAML::Node& list, StorageSpec& spec) const {
    r.require_list(list, "storage.disks");
    for (const auto& d : list) {
      r.require_map(d, "a disk");
      r.only_keys(d, "a disk", {"id", "size"});
      if (!d["id"] || !d["size"]) r.fail(d, "a disk needs an 'id' and a 'size' (e.g. {id: d1, size: 64MiB})");
      StorageSpec::DiskSpec disk;
      disk.id = r.str(d["id"], "disk id");
      if (disk.id.empty()) r.fail(d["id"], "disk id must not be empty");
      for (const StorageSpec::DiskSpec& other : spec.disks)
        if (other.id == disk.id) r.fail(d["id"], "disk id '" + disk.id + "' is listed twice");
      const std::uint64_t bytes = size(d["size"], "disk size");
      if (bytes == 0 || bytes % kBlockSize != 0)
        r.fail(d["size"], "disk size " + d["size"].Scalar() + " is not a positive multiple of the 4KiB block size");
      disk.blocks = bytes / kBlockSize;
      spec.disks.push_back(std::move(disk));
    }
  }

  void fabric(const YAML::Node& f, StorageSpec& spec) const {
    r.require_map(f, "storage.fabric");
    r.only_keys(f, "storage.fabric", {"latency", "bandwidth"});
    if (f["latency"]) spec.fabric.latency = latency(f["latency"], "fabric latency");
    if (f["bandwidth"]) spec.fabric.bandwidth = bandwidth(f["bandwidth"], "fabric bandwidth");
  }

  void paths(const YAML::Node& list, StorageSpec& spec) const {
    r.require_list(list, "storage.paths");
    std::set<std::pair<NodeId, std::string>> seen;
    for (const auto& p : list) {
      r.require_map(p, "a path");
      r.only_keys(p, "a path", {"node", "disk", "latency", "bandwidth"});
      if (!p["node"] || !p["disk"]) r.fail(p, "a path needs a 'node' and a 'disk'");
      if (!p["latency"] && !p["bandwidth"]) r.fail(p, "a path overrides 'latency', 'bandwidth' or both; it has neither");
      StorageSpec::PathSpec path;
      path.node = node(p["node"], "a path");
      path.disk = disk(p["disk"], spec, "a path");
      if (!seen.emplace(path.node, path.disk).second)
        r.fail(p, "the path from node '" + p["node"].Scalar() + "' to disk '" + path.disk + "' is listed twice");
      if (p["latency"]) path.latency = latency(p["latency"], "path latency");
      if (p["bandwidth"]) path.bandwidth = bandwidth(p["bandwidth"], "path bandwidth");
      spec.paths.push_back(std::move(path));
    }
  }

  void volumes(const YAML::Node& list, StorageSpec& spec) const {
    r.require_list(list, "storage.volumes");
    std::map<std::string, std::string> owner;  // disk -> the volume it is in
    for (const auto& v : list) {
      r.require_map(v, "a volume");
      r.only_keys(v, "a volume", {"id", "disks"});
      if (!v["id"] || !v["disks"]) r.fail(v, "a volume needs an 'id' and 'disks' (e.g. {id: v1, disks: [d1, d2]})");
      StorageSpec::VolumeSpec vol;
      vol.id = r.str(v["id"], "volume id");
      if (vol.id.empty()) r.fail(v["id"], "volume id must not be empty");
      for (const StorageSpec::VolumeSpec& other : spec.volumes)
        if (other.id == vol.id) r.fail(v["id"], "volume id '" + vol.id + "' is listed twice");
      const YAML::Node ds = v["disks"];
      std::vector<YAML::Node> items;
      if (ds.IsSequence()) {
        if (ds.size() == 0) r.fail(ds, "volume '" + vol.id + "' must name at least one disk");
        for (const auto& d : ds) items.push_back(d);
      } else {
        items.push_back(ds);
      }
      for (const YAML::Node& d : items) {
        const std::string name = disk(d, spec, "volume '" + vol.id + "'");
        auto [it, fresh] = owner.emplace(name, vol.id);
        if (!fresh)
          r.fail(d, "disk '" + name + "' is already in volume '" + it->second + "'; a disk belongs to one volume");
        vol.disks.push_back(name);
      }
      spec.volumes.push_back(std::move(vol));
    }
  }

  // "100..199" (both ends included) or one block "100", within a disk of `blocks`.
  std::pair<std::uint64_t, std::uint64_t> block_range(const YAML::Node& n, std::uint64_t blocks) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    const auto dots = s.find("..");
    const std::optional<std::uint64_t> lo = parse_count(s.substr(0, dots));
    const std::optional<std::uint64_t> hi = dots == std::string::npos ? lo : parse_count(s.substr(dots + 2));
    if (!lo || !hi) r.fail(n, "blocks '" + s + "' is not a block number or a range such as 100..199");
    if (*lo > *hi) r.fail(n, "blocks '" + s + "' has its low end above its high end");
    if (*hi >= blocks)
      r.fail(n, "blocks '" + s + "' reach past the end of the disk (its last block is " + std::to_string(blocks - 1) + ")");
    return {*lo, *hi - *lo + 1};
  }
};

}  // namespace

TapeOptions load_hsm(const Reader& r, const YAML::Node& hsm) {
  const std::map<std::string, NodeId> none;
  const StorageReader s{r, none};
  r.require_map(hsm, "hsm");
  r.only_keys(hsm, "hsm", {"tape"});
  TapeOptions t;
  if (!hsm["tape"]) return t;
  const YAML::Node tape = hsm["tape"];
  r.require_map(tape, "hsm.tape");
  r.only_keys(tape, "hsm.tape", {"mount", "seek", "rate", "drives"});
  if (tape["mount"]) t.mount = s.latency(tape["mount"], "hsm.tape.mount");
  if (tape["seek"]) t.seek = s.latency(tape["seek"], "hsm.tape.seek");
  if (tape["rate"]) t.rate = s.bandwidth(tape["rate"], "hsm.tape.rate");
  if (tape["drives"]) t.drives = static_cast<std::uint32_t>(r.integer(tape["drives"], "hsm.tape.drives", 1, 64));
  return t;
}

StorageSpec load_storage(const Reader& r, const YAML::Node& storage, const std::map<std::string, NodeId>& nodes) {
  const StorageReader s{r, nodes};
  StorageSpec spec;
  r.require_map(storage, "storage");
  r.only_keys(storage, "storage", {"disks", "fabric", "paths", "volumes"});
  if (storage["disks"]) s.disks(storage["disks"], spec);
  if (storage["fabric"]) s.fabric(storage["fabric"], spec);
  if (storage["paths"]) s.paths(storage["paths"], spec);
  if (storage["volumes"]) s.volumes(storage["volumes"], spec);
  return spec;
}

bool is_storage_fault(const YAML::Node& fault) {
  return fault["path_down"] || fault["power_loss"] || fault["disk_error"];
}

void load_storage_fault(const Reader& r, const YAML::Node& f, const StorageSpec& storage,
                        const std::map<std::string, NodeId>& nodes, FaultSpec& spec, std::ostream& text) {
  const StorageReader s{r, nodes};
  bool undoable = false;
  if (const YAML::Node p = f["path_down"]) {
    r.require_map(p, "path_down");
    r.only_keys(p, "path_down", {"node", "disk"});
    if (!p["node"] || !p["disk"]) r.fail(p, "path_down needs a 'node' and a 'disk' (e.g. {node: n1, disk: d1})");
    spec.kind = FaultKind::path_down;
    spec.nodes = {s.node(p["node"], "path_down")};
    spec.disks = {s.disk(p["disk"], storage, "path_down")};
    text << "path_down " << p["node"].Scalar() << " to " << spec.disks[0];
    undoable = true;
  } else if (const YAML::Node p = f["power_loss"]) {
    spec.kind = FaultKind::power_loss;
    std::vector<YAML::Node> items;
    if (p.IsSequence()) {
      if (p.size() == 0) r.fail(p, "power_loss must name at least one disk");
      for (const auto& d : p) items.push_back(d);
    } else {
      items.push_back(p);
    }
    for (const YAML::Node& d : items) {
      const std::string name = s.disk(d, storage, "power_loss");
      if (std::find(spec.disks.begin(), spec.disks.end(), name) != spec.disks.end())
        r.fail(d, "power_loss names disk '" + name + "' twice");
      spec.disks.push_back(name);
    }
    text << "power_loss";
    for (std::size_t i = 0; i < spec.disks.size(); ++i) text << (i ? "," : " ") << spec.disks[i];
  } else {
    const YAML::Node e = f["disk_error"];
    r.require_map(e, "disk_error");
    r.only_keys(e, "disk_error", {"disk", "blocks", "kind"});
    if (!e["disk"] || !e["blocks"]) r.fail(e, "disk_error needs a 'disk' and 'blocks' (e.g. {disk: d1, blocks: 100..199})");
    spec.kind = FaultKind::disk_error;
    spec.disks = {s.disk(e["disk"], storage, "disk_error")};
    std::tie(spec.first_block, spec.block_count) = s.block_range(e["blocks"], s.disk_blocks(storage, spec.disks[0]));
    if (e["kind"]) {
      const std::string kind = r.str(e["kind"], "disk_error kind");
      if (kind == "eio") spec.disk_error = DiskErrorKind::eio;
      else if (kind == "latent") spec.disk_error = DiskErrorKind::latent;
      else r.fail(e["kind"], "unknown disk_error kind '" + kind + "' (expected eio or latent)");
    }
    text << "disk_error " << to_string(spec.disk_error) << " " << spec.disks[0] << " blocks " << spec.first_block;
    if (spec.block_count > 1) text << ".." << spec.first_block + spec.block_count - 1;
    undoable = spec.disk_error == DiskErrorKind::eio;
  }
  if (const YAML::Node u = f["undo_after"]) {
    if (!undoable)
      r.fail(u, "'undo_after' goes with path_down or an eio disk_error (power loss cannot be undone; a latent error "
                "lasts until the block is rewritten)");
    spec.undo_after = r.duration(u, "undo_after");
  }
}

}  // namespace sansim
