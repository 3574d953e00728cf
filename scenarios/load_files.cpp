#include "scenarios/load_files.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "model/xfs/layout.h"
#include "scenarios/load_storage.h"

namespace sansim {
namespace {

using app::Call;
using app::GeneratorKind;

constexpr std::uint64_t kMaxCallBytes = 64ull << 20;       // one read or write
constexpr std::uint64_t kMaxGeneratorSize = 16ull << 20;   // one generator call
constexpr std::uint64_t kMaxFileBytes = 1ull << 40;        // an initial file, a generator's file_size
constexpr std::int64_t kMaxRate = 100'000;                  // calls per second per process
constexpr std::int64_t kMaxGeneratorProcesses = app::kProcsPerNode - app::kFirstGeneratorProcess;

struct Mutation {
  const char* name;
  bool cxfs::Mutations::*flag;
};
constexpr Mutation kMutations[] = {
    {"skip_flush_on_dirty_return", &cxfs::Mutations::skip_flush_on_dirty_return},
    {"grant_without_recall", &cxfs::Mutations::grant_without_recall},
    {"read_shares_with_shared_write", &cxfs::Mutations::read_shares_with_shared_write},
    {"lose_ioexcl_reset", &cxfs::Mutations::lose_ioexcl_reset},
    {"keep_names_on_rename", &cxfs::Mutations::keep_names_on_rename},
    {"keep_pages_on_clean_return", &cxfs::Mutations::keep_pages_on_clean_return},
    {"keep_dead_tokens", &cxfs::Mutations::keep_dead_tokens},
    {"keep_head_locked", &cxfs::Mutations::keep_head_locked},
    {"surface_migrating", &cxfs::Mutations::surface_migrating},
    {"reissue_to_old_server", &cxfs::Mutations::reissue_to_old_server},
    {"lose_events_in_bag", &cxfs::Mutations::lose_events_in_bag},
    {"lose_tokens_in_bag", &cxfs::Mutations::lose_tokens_in_bag},
    {"stale_white_pages", &cxfs::Mutations::stale_white_pages},
};

std::uint64_t volume_blocks(const StorageSpec& storage, const std::string& volume) {
  std::uint64_t blocks = 0;
  for (const StorageSpec::VolumeSpec& v : storage.volumes)
    if (v.id == volume)
      for (const std::string& d : v.disks)
        for (const StorageSpec::DiskSpec& disk : storage.disks)
          if (disk.id == d) blocks += disk.blocks;
  return blocks;
}

// A path in the scenario's file systems, split into the file system and the path within it.
struct FsPath {
  const cxfs::FsConfig* fs = nullptr;
  std::string path;  // "/dir/file"
};

struct FilesReader {
  const Reader& r;
  const std::vector<cxfs::FsConfig>& filesystems;
  const std::map<std::string, NodeId>* nodes = nullptr;

  std::string known_filesystems() const {
    std::string s;
    for (const cxfs::FsConfig& f : filesystems) s += (s.empty() ? "" : ", ") + f.id;
    return s.empty() ? "none: add a filesystems: list" : s;
  }

  // "/fs1/dir/file": the first component names the file system; the rest must be at
  // least one valid name.
  FsPath path(const YAML::Node& n, const std::string& what) const {
    const std::string s = r.str(n, what);
    if (s.empty() || s[0] != '/')
      r.fail(n, what + " '" + s + "' must be absolute, starting with its file system: /fs1/dir/file");
    const std::size_t slash = s.find('/', 1);
    const std::string fs = s.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    FsPath out;
    for (const cxfs::FsConfig& f : filesystems)
      if (f.id == fs) out.fs = &f;
    if (out.fs == nullptr)
      r.fail(n, what + " '" + s + "' is not in a file system of this scenario (its first component names one; known: " +
                    known_filesystems() + ")");
    if (slash == std::string::npos || slash + 1 == s.size())
      r.fail(n, what + " '" + s + "' names the root of " + fs + "; name a file or directory in it");
    out.path = s.substr(slash);
    for (std::size_t at = 1; at <= out.path.size();) {
      std::size_t end = out.path.find('/', at);
      if (end == std::string::npos) end = out.path.size();
      const std::string name = out.path.substr(at, end - at);
      const xfs::Errno e = xfs::check_name(name);
      if (e == xfs::Errno::nametoolong)
        r.fail(n, what + " '" + s + "' has a name longer than " + std::to_string(xfs::kMaxNameLength) + " bytes");
      if (e != xfs::Errno::ok)
        r.fail(n, what + " '" + s + "' has an empty, '.' or '..' component, or one with a NUL byte");
      at = end + 1;
    }
    return out;
  }

  std::uint64_t size(const YAML::Node& n, const std::string& what, bool bare_zero) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string("?");
    if (bare_zero && s == "0") return 0;
    const std::optional<std::uint64_t> v = n.IsScalar() ? parse_size(s) : std::nullopt;
    if (!v)
      r.fail(n, what + " '" + s + "' is not a size (write a whole number and a unit: B, KiB, MiB, GiB, TiB" +
                    (bare_zero ? "; or 0)" : ")"));
    return *v;
  }
  std::uint64_t blocks_size(const YAML::Node& n, const std::string& what, bool zero_ok, std::uint64_t max) const {
    const std::uint64_t v = size(n, what, zero_ok);
    if (v % kBlockSize != 0)
      r.fail(n, what + " " + n.Scalar() + " is not a multiple of the 4KiB block size (each block is one register the "
                       "checkers follow)");
    if (v == 0 && !zero_ok) r.fail(n, what + " must be more than 0B");
    if (v > max) r.fail(n, what + " " + n.Scalar() + " is more than " + std::to_string(max >> 20) + "MiB");
    return v;
  }

  NodeId node(const YAML::Node& n, const std::string& what) const {
    const std::string name = r.str(n, what);
    auto it = nodes->find(name);
    if (it == nodes->end()) r.fail(n, what + " names node '" + name + "', which is not in cluster.nodes");
    return it->second;
  }
  // One node or a non-empty list, each at most once.
  std::vector<NodeId> node_list(const YAML::Node& n, const std::string& what) const {
    std::vector<YAML::Node> items;
    if (n.IsSequence()) {
      if (n.size() == 0) r.fail(n, what + " must name at least one node");
      for (const auto& e : n) items.push_back(e);
    } else {
      items.push_back(n);
    }
    std::vector<NodeId> out;
    for (const YAML::Node& e : items) {
      const NodeId id = node(e, what);
      if (std::find(out.begin(), out.end(), id) != out.end()) r.fail(e, what + " names node '" + e.Scalar() + "' twice");
      out.push_back(id);
    }
    return out;
  }

  void require_mounted(const YAML::Node& at, const cxfs::FsConfig& fs, NodeId node, const std::string& node_name) const {
    if (fs.mount.empty() || std::find(fs.mount.begin(), fs.mount.end(), node) != fs.mount.end()) return;
    r.fail(at, "node '" + node_name + "' does not mount " + fs.id + " (add it to the file system's mount list)");
  }

  std::string name_of(NodeId id) const {
    for (const auto& [name, n] : *nodes)
      if (n == id) return name;
    return "?";
  }

  Time time(const YAML::Node& n, const std::string& what, Duration duration) const {
    const Duration t = r.duration(n, what);
    if (t > duration) r.fail(n, what + " " + n.Scalar() + " is after the scenario's duration");
    return t;
  }

  vnode::IoMode mode(const YAML::Node& n) const {
    const std::string s = r.str(n, "mode");
    const std::optional<vnode::IoMode> m = app::parse_mode(s);
    if (!m) r.fail(n, "unknown I/O mode '" + s + "' (expected buffered, direct or mapped)");
    return *m;
  }

  app::CallSpec call(const YAML::Node& e, Duration duration) const {
    r.only_keys(e, "a workload call",
                {"at", "node", "call", "path", "to", "offset", "length", "mode", "size", "mtime", "atime", "release"});
    if (!e["at"] || !e["node"] || !e["call"] || !e["path"])
      r.fail(e, "a workload call needs 'at', 'node', 'call' and 'path' (e.g. {at: 1s, node: n1, call: stat, path: /fs1/a})");
    app::CallSpec c;
    c.at = time(e["at"], "call time 'at'", duration);
    c.node = node(e["node"], "a workload call");
    const std::string name = r.str(e["call"], "call");
    const std::optional<Call> call = app::parse_call(name);
    if (!call)
      r.fail(e["call"], "unknown call '" + name +
                            "' (expected read, write, create, mkdir, unlink, rename, stat, truncate, fsync, setattr, lookup or "
                            "migrate)");
    c.call = *call;
    const FsPath p = path(e["path"], "path");
    c.fs = p.fs->id;
    c.path = p.path;
    require_mounted(e["node"], *p.fs, c.node, e["node"].Scalar());

    const bool data = c.call == Call::read || c.call == Call::write;
    auto only_for = [&](const char* key, bool allowed, const char* calls) {
      if (e[key] && !allowed) r.fail(e[key], std::string("'") + key + "' goes with call: " + calls);
    };
    only_for("to", c.call == Call::rename, "rename");
    only_for("offset", data, "read or write");
    only_for("length", data, "read or write");
    only_for("mode", data, "read or write");
    only_for("size", c.call == Call::truncate, "truncate");
    only_for("mtime", c.call == Call::setattr, "setattr");
    only_for("atime", c.call == Call::setattr, "setattr");
    only_for("release", c.call == Call::migrate, "migrate");
    if (c.call == Call::migrate) {
      if (!p.fs->dmapi) r.fail(e["call"], "migrate needs a DMAPI-enabled file system (" + p.fs->id + " is not)");
      if (e["release"]) c.release = r.boolean(e["release"], "release");
    }
    if (data) {
      if (e["offset"]) c.offset = blocks_size(e["offset"], "offset", true, kMaxFileBytes);
      if (e["length"]) c.length = blocks_size(e["length"], "length", false, kMaxCallBytes);
      if (e["mode"]) c.mode = mode(e["mode"]);
    }
    if (c.call == Call::rename) {
      if (!e["to"]) r.fail(e, "a rename needs 'to: PATH' (in the same file system)");
      const FsPath to = path(e["to"], "to");
      if (to.fs != p.fs) r.fail(e["to"], "a rename cannot move a file to another file system (" + to.fs->id + ")");
      c.path2 = to.path;
    }
    if (c.call == Call::truncate) {
      if (!e["size"]) r.fail(e, "a truncate needs 'size: SIZE'");
      c.size = blocks_size(e["size"], "truncate size", true, kMaxFileBytes);
    }
    if (c.call == Call::setattr) {
      if (!e["mtime"] && !e["atime"]) r.fail(e, "a setattr needs 'mtime', 'atime' or both (a virtual time such as 5s)");
      if (e["mtime"]) c.attrs.mtime = r.duration(e["mtime"], "mtime");
      if (e["atime"]) c.attrs.atime = r.duration(e["atime"], "atime");
    }
    return c;
  }

  std::uint32_t rate(const YAML::Node& n) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string("?");
    const std::string digits = s.size() > 2 && s.ends_with("/s") ? s.substr(0, s.size() - 2) : std::string();
    std::int64_t v = 0;
    const bool number = !digits.empty() && digits.size() <= 7 &&
                        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (number) v = std::stoll(digits);
    if (!number || v < 1 || v > kMaxRate)
      r.fail(n, "rate '" + s + "' is not a rate (write whole calls per second per process, 1/s to " +
                    std::to_string(kMaxRate) + "/s, e.g. 20/s)");
    return static_cast<std::uint32_t>(v);
  }

  app::Mix mix(const YAML::Node& m, GeneratorKind kind) const {
    r.require_map(m, "mix");
    if (kind == GeneratorKind::hot) r.only_keys(m, "the mix of a hot generator", {"read", "write"});
    else r.only_keys(m, "mix", {"read", "write", "create", "unlink", "rename", "stat"});
    app::Mix out{0, 0, 0, 0, 0, 0};
    auto weight = [&](const char* key, std::uint32_t& into) {
      if (m[key]) into = static_cast<std::uint32_t>(r.integer(m[key], std::string("mix.") + key, 0, 1000));
    };
    weight("read", out.read);
    weight("write", out.write);
    weight("create", out.create);
    weight("unlink", out.unlink);
    weight("rename", out.rename);
    weight("stat", out.stat);
    if (out.total() == 0) r.fail(m, "mix gives every call weight 0; give at least one a positive weight");
    return out;
  }

  app::GeneratorSpec generator(const YAML::Node& e, Duration duration) const {
    r.only_keys(e, "a generator",
                {"generator", "fs", "nodes", "files", "processes", "rate", "from", "until", "size", "file_size", "modes",
                 "path", "mix"});
    app::GeneratorSpec g;
    const std::string kind = r.str(e["generator"], "generator");
    const std::optional<GeneratorKind> k = app::parse_generator_kind(kind);
    if (!k) r.fail(e["generator"], "unknown generator '" + kind + "' (expected mixed, hot or sequential)");
    g.kind = *k;
    if (!e["fs"] || !e["nodes"]) r.fail(e, "a generator needs 'fs' and 'nodes' (e.g. {generator: mixed, fs: fs1, nodes: [n1, n2]})");
    const std::string fs = r.str(e["fs"], "generator fs");
    const cxfs::FsConfig* config = nullptr;
    for (const cxfs::FsConfig& f : filesystems)
      if (f.id == fs) config = &f;
    if (config == nullptr) r.fail(e["fs"], "generator fs '" + fs + "' is not a file system of this scenario (known: " + known_filesystems() + ")");
    g.fs = fs;
    g.nodes = node_list(e["nodes"], "generator nodes");
    for (NodeId n : g.nodes) require_mounted(e["nodes"], *config, n, name_of(n));
    if (e["files"]) g.files = static_cast<std::uint32_t>(r.integer(e["files"], "files", 1, 10'000));
    if (e["processes"]) g.processes = static_cast<std::uint32_t>(r.integer(e["processes"], "processes", 1, 100));
    if (e["rate"]) g.rate = rate(e["rate"]);
    if (e["from"]) g.from = time(e["from"], "generator 'from'", duration);
    g.until = e["until"] ? time(e["until"], "generator 'until'", duration) : duration;
    if (g.until <= g.from) r.fail(e["until"] ? e["until"] : e, "a generator's 'until' must be after its 'from'");
    const bool sequential = g.kind == GeneratorKind::sequential;
    g.size = e["size"] ? blocks_size(e["size"], "generator size", false, kMaxGeneratorSize) : (sequential ? 1u << 20 : kBlockSize);
    g.file_size = e["file_size"] ? blocks_size(e["file_size"], "file_size", false, kMaxFileBytes)
                                 : (sequential ? 8u << 20 : 16 * kBlockSize);
    if (g.file_size < g.size)
      r.fail(e["file_size"] ? e["file_size"] : e, "file_size must be at least the generator's size (one call)");
    if (const YAML::Node ms = e["modes"]) {
      r.require_list(ms, "modes");
      if (ms.size() == 0) r.fail(ms, "modes must name at least one I/O mode");
      g.modes.clear();
      for (const auto& m : ms) g.modes.push_back(mode(m));
    }
    if (e["path"]) {
      if (g.kind != GeneratorKind::hot) r.fail(e["path"], "'path' goes with generator: hot");
      const FsPath p = path(e["path"], "generator path");
      if (p.fs != config) r.fail(e["path"], "the hot file must be in the generator's file system " + fs);
      g.path = p.path;
    }
    if (e["mix"]) {
      if (g.kind == GeneratorKind::sequential) r.fail(e["mix"], "'mix' goes with generator: mixed or hot");
      g.mix = mix(e["mix"], g.kind);
    }
    return g;
  }
};

}  // namespace

bool set_fs_mutation(const std::string& name, cxfs::Mutations& m) {
  for (const Mutation& k : kMutations)
    if (name == k.name) {
      m.*k.flag = true;
      return true;
    }
  return false;
}

std::string fs_mutation_names() {
  std::string s;
  for (std::size_t i = 0; i < std::size(kMutations); ++i)
    s += std::string(i == 0 ? "" : i + 1 == std::size(kMutations) ? " or " : ", ") + kMutations[i].name;
  return s;
}

std::vector<cxfs::FsConfig> load_filesystems(const Reader& r, const YAML::Node& list, const StorageSpec& storage,
                                             const std::map<std::string, NodeId>& nodes) {
  r.require_list(list, "filesystems");
  std::vector<cxfs::FsConfig> out;
  const FilesReader f{r, out, &nodes};
  for (const auto& e : list) {
    r.require_map(e, "a file system");
    r.only_keys(e, "a file system", {"id", "volume", "servers", "mount", "inodes", "log_blocks", "dmapi"});
    if (!e["id"] || !e["volume"] || !e["servers"])
      r.fail(e, "a file system needs 'id', 'volume' and 'servers' (e.g. {id: fs1, volume: v1, servers: [n1, n2]})");
    cxfs::FsConfig fs;
    fs.id = r.str(e["id"], "file system id");
    if (xfs::check_name(fs.id) != xfs::Errno::ok)
      r.fail(e["id"], "file system id '" + fs.id + "' must be a non-empty name without '/' (it starts every path in it)");
    for (const cxfs::FsConfig& other : out) {
      if (other.id == fs.id) r.fail(e["id"], "file system id '" + fs.id + "' is listed twice");
    }
    fs.volume = r.str(e["volume"], "volume");
    if (std::none_of(storage.volumes.begin(), storage.volumes.end(),
                     [&](const StorageSpec::VolumeSpec& v) { return v.id == fs.volume; }))
      r.fail(e["volume"], "file system '" + fs.id + "' names volume '" + fs.volume + "', which is not in storage.volumes");
    for (const cxfs::FsConfig& other : out)
      if (other.volume == fs.volume)
        r.fail(e["volume"], "volume '" + fs.volume + "' already holds file system '" + other.id + "'");
    fs.servers = f.node_list(e["servers"], "servers");
    if (e["mount"]) {
      fs.mount = f.node_list(e["mount"], "mount");
      for (std::size_t i = 0; i < fs.servers.size(); ++i)
        if (std::find(fs.mount.begin(), fs.mount.end(), fs.servers[i]) == fs.mount.end())
          r.fail(e["mount"], "candidate server '" + f.name_of(fs.servers[i]) + "' of " + fs.id +
                                 " must be in its mount list (a metadata server mounts its file system)");
    }
    if (e["inodes"]) fs.inodes = static_cast<std::uint64_t>(r.integer(e["inodes"], "inodes", 16, 1 << 24));
    if (e["dmapi"]) fs.dmapi = r.boolean(e["dmapi"], "dmapi");
    if (fs.dmapi && !storage.tape)
      r.fail(e["dmapi"], "a DMAPI-enabled file system needs a tape library for its HSM (add 'hsm: {tape: {}}')");
    if (e["log_blocks"])
      fs.log_blocks = static_cast<std::uint64_t>(
          r.integer(e["log_blocks"], "log_blocks", static_cast<std::int64_t>(xfs::kMinLogBlocks), 1 << 20));
    xfs::MkfsOptions options;
    options.inodes = fs.inodes;
    options.log_blocks = fs.log_blocks;
    std::string why;
    if (!xfs::make_geometry(volume_blocks(storage, fs.volume), options, &why))
      r.fail(e, "file system '" + fs.id + "' does not fit volume '" + fs.volume + "': " + why);
    out.push_back(std::move(fs));
  }
  return out;
}

std::vector<app::InitialFile> load_initial_files(const Reader& r, const YAML::Node& list,
                                                 const std::vector<cxfs::FsConfig>& filesystems,
                                                 const StorageSpec& storage) {
  r.require_list(list, "files");
  const FilesReader f{r, filesystems};
  std::vector<app::InitialFile> out;
  std::map<std::string, std::uint64_t> blocks;  // file system -> blocks its initial files take
  for (const auto& e : list) {
    r.require_map(e, "a file");
    r.only_keys(e, "a file", {"path", "size", "offline"});
    if (!e["path"]) r.fail(e, "a file needs a 'path' (e.g. {path: /fs1/a, size: 64KiB})");
    const FsPath p = f.path(e["path"], "file path");
    app::InitialFile file;
    file.fs = p.fs->id;
    file.path = p.path;
    file.node = p.fs->servers.front();
    if (e["size"]) file.size = f.blocks_size(e["size"], "file size", true, kMaxFileBytes);
    if (e["offline"]) {
      file.offline = r.boolean(e["offline"], "offline");
      if (file.offline && !p.fs->dmapi)
        r.fail(e["offline"], "only a file of a DMAPI-enabled file system can be offline (add 'dmapi: true' to " +
                                 p.fs->id + ")");
      if (file.offline && file.size == 0) r.fail(e["offline"], "an offline file needs a size (its data is on tape)");
    }
    for (const app::InitialFile& other : out) {
      if (other.fs != file.fs) continue;
      if (other.path == file.path) r.fail(e["path"], "file '" + e["path"].Scalar() + "' is listed twice");
      const auto inside = [](const std::string& dir, const std::string& path) {
        return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
      };
      if (inside(other.path, file.path) || inside(file.path, other.path))
        r.fail(e["path"], "file '" + e["path"].Scalar() + "' and file '/" + other.fs + other.path +
                              "' cannot both exist: one would be the other's directory");
    }
    blocks[file.fs] += file.size / kBlockSize;
    xfs::MkfsOptions options;
    options.inodes = p.fs->inodes;
    options.log_blocks = p.fs->log_blocks;
    std::string why;
    const std::uint64_t volume = volume_blocks(storage, p.fs->volume);
    const std::optional<xfs::Geometry> g = xfs::make_geometry(volume, options, &why);
    if (g && blocks[file.fs] > volume - g->data_start)
      r.fail(e["size"], "the files of " + file.fs + " need more than its " + std::to_string(volume - g->data_start) +
                            " data blocks");
    out.push_back(std::move(file));
  }
  return out;
}

void load_workload(const Reader& r, const YAML::Node& list, const std::vector<cxfs::FsConfig>& filesystems,
                   const std::map<std::string, NodeId>& nodes, Duration duration, app::Workload& w) {
  r.require_list(list, "workload");
  const FilesReader f{r, filesystems, &nodes};
  for (const auto& e : list) {
    r.require_map(e, "a workload entry");
    if (e["generator"] && e["call"]) r.fail(e, "a workload entry is either a call or a generator, not both");
    if (e["generator"]) {
      w.generators.push_back(f.generator(e, duration));
      for (NodeId n : w.generators.back().nodes)
        if (app::generator_processes(w, n) > static_cast<std::uint64_t>(kMaxGeneratorProcesses))
          r.fail(e, "node '" + f.name_of(n) + "' would run more than " + std::to_string(kMaxGeneratorProcesses) +
                        " generator processes");
    } else if (e["call"]) {
      w.calls.push_back(f.call(e, duration));
    } else {
      r.fail(e, "a workload entry needs 'call' (e.g. {at: 1s, node: n1, call: read, path: /fs1/a}) or 'generator' "
                "(e.g. {generator: mixed, fs: fs1, nodes: [n1, n2]})");
    }
  }
  std::stable_sort(w.calls.begin(), w.calls.end(),
                   [](const app::CallSpec& a, const app::CallSpec& b) { return a.at < b.at; });
}

}  // namespace sansim
