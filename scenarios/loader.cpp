// Scenario loader: YAML -> Scenario, with one precise error for anything wrong.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "checkers/fs_checkers.h"
#include "checkers/membership_checkers.h"
#include "model/cms/state.h"
#include "scenarios/base64.h"
#include "scenarios/load_files.h"
#include "scenarios/load_storage.h"
#include "scenarios/scenario.h"
#include "scenarios/yaml_reader.h"

namespace sansim {
namespace {

struct Loader {
  Reader r;
  Scenario sc;
  std::map<std::string, NodeId> ids;

  NodeId node(const YAML::Node& n, const std::string& what) {
    const std::string name = r.str(n, what);
    auto it = ids.find(name);
    if (it == ids.end()) r.fail(n, what + " names node '" + name + "', which is not in cluster.nodes");
    return it->second;
  }
  std::vector<NodeId> nodes(const YAML::Node& n, const std::string& what) {
    std::vector<NodeId> out;
    if (n.IsSequence()) {
      if (n.size() == 0) r.fail(n, what + " must name at least one node");
      for (const auto& e : n) out.push_back(node(e, what));
    } else {
      out.push_back(node(n, what));
    }
    return out;
  }
  VersionTags tags(const YAML::Node& n, const std::string& what) {
    r.require_map(n, what);
    VersionTags t;
    for (const auto& kv : n) {
      const std::string k = r.str(kv.first, what + " name");
      if (k.empty()) r.fail(kv.first, what + " names must not be empty");
      t[k] = r.integer(kv.second, what + " '" + k + "'", 0, 1'000'000);
    }
    return t;
  }

  void cluster(const YAML::Node& c) {
    r.require_map(c, "cluster");
    r.only_keys(c, "cluster", {"nodes", "lan", "cms"});
    if (!c["nodes"]) r.fail(c, "cluster needs a 'nodes' list");
    const YAML::Node ns = c["nodes"];
    r.require_list(ns, "cluster.nodes");
    if (ns.size() == 0) r.fail(ns, "cluster.nodes must list at least one node");
    if (ns.size() > 4096) r.fail(ns, "cluster.nodes lists more than 4096 nodes");
    for (const auto& n : ns) {
      r.require_map(n, "a node");
      r.only_keys(n, "a node", {"id", "server_capable", "os", "version_tags", "boot_at"});
      if (!n["id"]) r.fail(n, "a node needs an 'id'");
      NodeSpec spec;
      spec.id = r.str(n["id"], "node id");
      if (spec.id.empty()) r.fail(n["id"], "node id must not be empty");
      if (ids.count(spec.id) != 0) r.fail(n["id"], "node id '" + spec.id + "' is listed twice");
      if (n["server_capable"]) spec.server_capable = r.boolean(n["server_capable"], "server_capable");
      if (n["os"]) spec.os = r.str(n["os"], "os");
      if (n["version_tags"]) spec.version_tags = tags(n["version_tags"], "version_tags");
      if (n["boot_at"]) {
        spec.boot_at = r.duration(n["boot_at"], "boot_at");
        if (spec.boot_at < 0) r.fail(n["boot_at"], "boot_at must not be negative");
      }
      ids[spec.id] = static_cast<NodeId>(sc.nodes.size());
      sc.nodes.push_back(std::move(spec));
    }
    bool anyone_at_start = false;
    for (const NodeSpec& spec : sc.nodes) anyone_at_start = anyone_at_start || spec.boot_at == 0;
    if (!anyone_at_start) r.fail(ns, "every node has a boot_at later than 0: at least one node must boot at the start");
    if (const YAML::Node lan = c["lan"]) {
      r.require_map(lan, "cluster.lan");
      r.only_keys(lan, "cluster.lan", {"latency", "pairs"});
      if (lan["latency"]) std::tie(sc.lan.latency_min, sc.lan.latency_max) = r.duration_range(lan["latency"], "lan.latency");
      if (const YAML::Node pairs = lan["pairs"]) {
        r.require_list(pairs, "lan.pairs");
        for (const auto& p : pairs) {
          r.require_map(p, "a lan pair");
          r.only_keys(p, "a lan pair", {"between", "latency"});
          if (!p["between"] || !p["latency"]) r.fail(p, "a lan pair needs 'between: [A, B]' and 'latency'");
          const YAML::Node between = p["between"];
          if (!between.IsSequence() || between.size() != 2) r.fail(between, "'between' names exactly two nodes");
          Scenario::PairLatency pl;
          pl.a = node(between[0], "lan pair");
          pl.b = node(between[1], "lan pair");
          if (pl.a == pl.b) r.fail(between, "a lan pair needs two different nodes");
          std::tie(pl.lo, pl.hi) = r.duration_range(p["latency"], "lan pair latency");
          sc.pair_latency.push_back(pl);
        }
      }
    }
    if (const YAML::Node cms = c["cms"]) {
      r.require_map(cms, "cluster.cms");
      r.only_keys(cms, "cluster.cms",
                  {"heartbeat_interval", "failure_timeout", "round_timeout", "follower_timeout", "join_retry",
                   "no_quorum_retries"});
      auto positive = [&](const char* key, Duration& into) {
        if (!cms[key]) return;
        into = r.duration(cms[key], std::string("cms.") + key);
        if (into <= 0) r.fail(cms[key], std::string("cms.") + key + " must be longer than zero");
      };
      positive("heartbeat_interval", sc.cms.heartbeat_interval);
      positive("failure_timeout", sc.cms.failure_timeout);
      positive("round_timeout", sc.cms.round_timeout);
      positive("follower_timeout", sc.cms.follower_timeout);
      positive("join_retry", sc.cms.join_retry);
      if (cms["no_quorum_retries"])
        sc.cms.no_quorum_retries = static_cast<int>(r.integer(cms["no_quorum_retries"], "cms.no_quorum_retries", 0, 100));
      if (sc.cms.failure_timeout <= sc.cms.heartbeat_interval)
        r.fail(cms, "cms.failure_timeout must be longer than cms.heartbeat_interval, or every member looks failed");
    }
  }

  void mutations(const YAML::Node& m) {
    r.require_list(m, "mutations");
    for (const auto& e : m) {
      const std::string s = r.str(e, "a mutation");
      if (s == "ignore_quorum") sc.cms.mutations.ignore_quorum = true;
      else if (s == "reuse_epoch") sc.cms.mutations.reuse_epoch = true;
      else if (s == "no_failure_detection") sc.cms.mutations.no_failure_detection = true;
      else if (s == "forget_version_tags") sc.cms.mutations.forget_version_tags = true;
      else if (s == "skip_fencing") sc.recovery.mutations.skip_fencing = true;
      else if (s == "skip_gather") sc.recovery.mutations.skip_gather = true;
      else if (s == "retarget_before_instantiate") sc.recovery.mutations.retarget_before_instantiate = true;
      else if (!set_fs_mutation(s, sc.fs_mutations)) r.fail(e, "unknown mutation '" + s + "' (expected ignore_quorum, reuse_epoch, no_failure_detection, forget_version_tags, skip_fencing, skip_gather, retarget_before_instantiate, " + fs_mutation_names() + ")");
    }
  }

  // relocation: {mode: hand-off|hold-lock, failback: BOOL, balance: BOOL} (§0074,
  // §0077-0081; hold-lock measures the reference's problem: a DMAPI waiter keeps
  // relocation waiting; failback and balance are KORE's triggers).
  void relocation(const YAML::Node& m) {
    r.require_map(m, "relocation");
    r.only_keys(m, "relocation", {"mode", "failback", "balance"});
    const bool failback = m["failback"] && r.boolean(m["failback"], "relocation.failback");
    const bool balance = m["balance"] && r.boolean(m["balance"], "relocation.balance");
    for (cxfs::FsConfig& f : sc.filesystems) {
      f.failback = failback;
      f.balance = balance;
    }
    if (!m["mode"]) return;
    const std::string mode = r.str(m["mode"], "relocation.mode");
    if (mode != "hand-off" && mode != "hold-lock")
      r.fail(m["mode"], "relocation.mode must be 'hand-off' or 'hold-lock', not '" + mode + "'");
    for (cxfs::FsConfig& f : sc.filesystems) f.hold_lock = mode == "hold-lock";
  }

  const cxfs::FsConfig& filesystem(const YAML::Node& n, const std::string& what) {
    const std::string id = r.str(n, what);
    for (const cxfs::FsConfig& f : sc.filesystems)
      if (f.id == id) return f;
    r.fail(n, what + " names file system '" + id + "', which is not in filesystems");
  }

  // recovery: {fencing: fabric|reset, fence_latency: DUR, reset_reboot: DUR}
  void recovery(const YAML::Node& m) {
    r.require_map(m, "recovery");
    r.only_keys(m, "recovery", {"fencing", "fence_latency", "reset_reboot"});
    if (m["fencing"]) {
      const std::string f = r.str(m["fencing"], "recovery.fencing");
      if (f == "fabric") sc.recovery.fencing = corpse::Fencing::fabric;
      else if (f == "reset") sc.recovery.fencing = corpse::Fencing::reset;
      else r.fail(m["fencing"], "recovery.fencing must be 'fabric' or 'reset', not '" + f + "'");
    }
    if (m["fence_latency"]) {
      sc.recovery.fence_latency = r.duration(m["fence_latency"], "recovery.fence_latency");
      if (sc.recovery.fence_latency < 0) r.fail(m["fence_latency"], "recovery.fence_latency must not be negative");
    }
    if (m["reset_reboot"]) {
      sc.recovery.reset_reboot = r.duration(m["reset_reboot"], "recovery.reset_reboot");
      if (sc.recovery.reset_reboot <= 0) r.fail(m["reset_reboot"], "recovery.reset_reboot must be longer than zero");
    }
  }

  FaultTrigger trigger(const YAML::Node& f) {
    FaultTrigger t;
    if (f["at"] && f["when"]) r.fail(f, "a fault has either 'at' or 'when', not both");
    if (f["at"]) {
      t.at = r.duration(f["at"], "fault time 'at'");
      if (*t.at > sc.duration) r.fail(f["at"], "fault time " + f["at"].Scalar() + " is after the scenario's duration");
      return t;
    }
    if (!f["when"]) r.fail(f, "a fault needs 'at: TIME' or 'when: {observe: KIND, ...}'");
    const YAML::Node w = f["when"];
    r.require_map(w, "when");
    if (!w["observe"] && !w["after"])
      r.fail(w, "'when' needs 'observe: KIND' (an observation kind such as cms.state) or 'after: FAULT' (a fault's name)");
    if (w["count"] && !w["observe"]) r.fail(w["count"], "'count' counts observations: it goes with 'observe'");
    for (const auto& kv : w) {
      const std::string key = r.str(kv.first, "a 'when' key");
      if (key == "observe") {
        t.observe = r.str(kv.second, "observe");
      } else if (key == "count") {
        t.count = static_cast<std::uint32_t>(r.integer(kv.second, "when.count", 1, 1'000'000));
      } else if (key == "after") {
        afters_.emplace_back(sc.faults.size(), kv.second);  // resolved once every fault is read
      } else if (key == "node") {
        t.node = node(kv.second, "when.node");
      } else {
        std::string value = r.str(kv.second, "when." + key);
        // Observations carry node ids; let the scenario say node names.
        if (auto it = ids.find(value); it != ids.end()) value = std::to_string(it->second);
        t.fields.emplace_back(key, value);
      }
    }
    if (!t.observe.empty() && t.observe.find('.') == std::string::npos && t.observe != "fault")
      r.fail(w["observe"], "observation kind '" + t.observe + "' should look like subsystem.what (e.g. cms.state)");
    return t;
  }

  void fault(const YAML::Node& f) {
    r.require_map(f, "a fault");
    r.only_keys(f, "a fault",
                {"name", "at", "when", "crash", "restart", "partition", "heal", "freeze", "thaw", "withdraw", "restart_after",
                 "heal_after", "thaw_after", "version_tags", "path_down", "power_loss", "disk_error", "undo_after",
                 "fence_fail", "relocate", "hsm_crash", "tape_error", "unmount"});
    FaultSpec spec;
    spec.trigger = trigger(f);
    if (f["name"]) {
      spec.name = r.str(f["name"], "a fault's name");
      if (spec.name.empty()) r.fail(f["name"], "a fault's name must not be empty");
      for (const FaultSpec& other : sc.faults)
        if (other.name == spec.name) r.fail(f["name"], "two faults are named '" + spec.name + "'");
    }
    int actions = 0;
    for (const char* k : {"crash", "restart", "partition", "heal", "freeze", "thaw", "withdraw", "path_down", "power_loss",
                          "disk_error", "fence_fail", "relocate", "hsm_crash", "tape_error", "unmount"})
      if (f[k]) ++actions;
    if (actions != 1)
      r.fail(f, "a fault needs exactly one action: crash, restart, partition, heal, freeze, thaw, withdraw, path_down, "
                "power_loss, disk_error, fence_fail, relocate, hsm_crash, tape_error or unmount");
    auto only_with = [&](const char* option, const char* action) {
      if (f[option] && !f[action]) r.fail(f[option], std::string("'") + option + "' goes with '" + action + "'");
    };
    only_with("restart_after", "crash");
    only_with("heal_after", "partition");
    only_with("thaw_after", "freeze");
    only_with("version_tags", "restart");
    if (f["undo_after"] && !is_storage_fault(f) && !f["fence_fail"] && !f["hsm_crash"] && !f["tape_error"] &&
        !f["unmount"])
      r.fail(f["undo_after"], "'undo_after' goes with path_down, disk_error, fence_fail, hsm_crash, tape_error or unmount");
    std::ostringstream text;
    text << (spec.trigger.at ? "at " + format_duration(*spec.trigger.at)
                             : f["when"]["after"] && spec.trigger.observe.empty()
                                   ? "after " + f["when"]["after"].Scalar()
                                   : "when " + spec.trigger.observe +
                                         (spec.trigger.count > 1 ? " #" + std::to_string(spec.trigger.count) : "") +
                                         (f["when"]["after"] ? " after " + f["when"]["after"].Scalar() : ""))
         << ": ";
    if (is_storage_fault(f)) {
      load_storage_fault(r, f, sc.storage, ids, spec, text);
    } else if (f["crash"]) {
      spec.kind = FaultKind::crash;
      const YAML::Node c = f["crash"];
      if (c.IsMap()) {
        r.only_keys(c, "crash", {"server_of"});
        if (!c["server_of"]) r.fail(c, "crash by role needs 'server_of: FS' (or name a node, cms_leader or corpse_leader)");
        spec.role = FaultRole{FaultRole::Kind::server_of, filesystem(c["server_of"], "crash.server_of").id};
      } else if (c.IsScalar() && ids.count(c.Scalar()) == 0 && (c.Scalar() == "cms_leader" || c.Scalar() == "corpse_leader")) {
        spec.role = FaultRole{c.Scalar() == "cms_leader" ? FaultRole::Kind::cms_leader : FaultRole::Kind::corpse_leader, ""};
      } else {
        spec.nodes = nodes(c, "crash");
      }
      if (f["restart_after"]) spec.undo_after = r.duration(f["restart_after"], "restart_after");
      text << "crash";
      if (spec.role)
        text << " " << (spec.role->kind == FaultRole::Kind::server_of ? "server of " + spec.role->fs
                        : spec.role->kind == FaultRole::Kind::cms_leader ? std::string("cms leader")
                                                                         : std::string("corpse leader"));
    } else if (f["restart"]) {
      spec.kind = FaultKind::restart;
      spec.nodes = nodes(f["restart"], "restart");
      if (f["version_tags"]) spec.upgrade = tags(f["version_tags"], "version_tags");
      text << "restart";
    } else if (f["freeze"]) {
      spec.kind = FaultKind::freeze;
      spec.nodes = nodes(f["freeze"], "freeze");
      if (f["thaw_after"]) spec.undo_after = r.duration(f["thaw_after"], "thaw_after");
      text << "freeze";
    } else if (f["fence_fail"]) {
      // The fabric cannot fence these nodes (recovery falls back to the reset line).
      spec.kind = FaultKind::fence_fail;
      spec.nodes = nodes(f["fence_fail"], "fence_fail");
      if (f["undo_after"]) spec.undo_after = r.duration(f["undo_after"], "undo_after");
      text << "fence_fail";
    } else if (f["relocate"]) {
      // KORE (§0074): the administrator asks for `fs` to move to `to`; the request goes to
      // the target node, which passes it to the file system's server.
      const YAML::Node rl = f["relocate"];
      r.require_map(rl, "relocate");
      r.only_keys(rl, "relocate", {"fs", "to"});
      if (!rl["fs"] || !rl["to"]) r.fail(rl, "relocate needs 'fs' and 'to' (e.g. {fs: fs1, to: n3})");
      const cxfs::FsConfig& fs = filesystem(rl["fs"], "relocate.fs");
      const NodeId to = node(rl["to"], "relocate.to");
      if (std::find(fs.servers.begin(), fs.servers.end(), to) == fs.servers.end())
        r.fail(rl["to"], "node '" + sc.nodes[to].id + "' is not a candidate server of " + fs.id + " (its servers list)");
      spec.kind = FaultKind::command;
      spec.command = "relocate " + fs.id + " " + std::to_string(to);
      spec.nodes = {to};
      text << "relocate " << fs.id << " to";
    } else if (f["unmount"]) {
      // The operator unmounts `fs` on these nodes; on its server that relocates it first
      // (§0074). undo_after mounts it again.
      const YAML::Node u = f["unmount"];
      if (!u.IsMap()) r.fail(u, "unmount needs a map naming the file system and the nodes: {fs: fs1, on: n3}");
      r.only_keys(u, "unmount", {"fs", "on"});
      if (!u["fs"] || !u["on"]) r.fail(u, "unmount needs 'fs' and 'on' (e.g. {fs: fs1, on: n3})");
      const cxfs::FsConfig& fs = filesystem(u["fs"], "unmount.fs");
      spec.nodes = nodes(u["on"], "unmount.on");
      for (NodeId n : spec.nodes)
        if (!fs.mount.empty() && std::find(fs.mount.begin(), fs.mount.end(), n) == fs.mount.end())
          r.fail(u["on"], "node '" + sc.nodes[n].id + "' does not mount " + fs.id + " (its mount list)");
      spec.kind = FaultKind::command;
      spec.command = "unmount " + fs.id;
      spec.undo_command = "mount " + fs.id;
      if (f["undo_after"]) spec.undo_after = r.duration(f["undo_after"], "undo_after");
      text << "unmount " << fs.id << " on";
    } else if (f["hsm_crash"]) {
      const cxfs::FsConfig& fs = filesystem(f["hsm_crash"], "hsm_crash");
      if (!fs.dmapi) r.fail(f["hsm_crash"], fs.id + " has no HSM (it is not DMAPI-enabled)");
      spec.kind = FaultKind::command;
      spec.command = "hsm_crash " + fs.id;
      spec.undo_command = "hsm_restart " + fs.id;
      for (NodeId n = 0; n < sc.nodes.size(); ++n) spec.nodes.push_back(n);  // whichever serves it
      if (f["undo_after"]) spec.undo_after = r.duration(f["undo_after"], "undo_after");
      text << "hsm_crash " << fs.id;
    } else if (f["tape_error"]) {
      if (!sc.storage.tape) r.fail(f["tape_error"], "tape_error needs a tape library ('hsm:' section)");
      if (!r.boolean(f["tape_error"], "tape_error")) r.fail(f["tape_error"], "write 'tape_error: true'");
      spec.kind = FaultKind::tape_error;
      if (f["undo_after"]) spec.undo_after = r.duration(f["undo_after"], "undo_after");
      text << "tape_error";
    } else if (f["thaw"]) {
      spec.kind = FaultKind::thaw;
      spec.nodes = nodes(f["thaw"], "thaw");
      text << "thaw";
    } else if (f["withdraw"]) {
      spec.kind = FaultKind::command;
      spec.command = "withdraw";
      spec.nodes = nodes(f["withdraw"], "withdraw");
      text << "withdraw";
    } else if (f["heal"]) {
      spec.kind = FaultKind::heal;
      if (r.str(f["heal"], "heal") != "all") r.fail(f["heal"], "heal takes the value 'all' (heal every partition)");
      text << "heal all partitions";
    } else {
      spec.kind = FaultKind::partition;
      const YAML::Node p = f["partition"];
      if (p.IsSequence()) {
        // Groups: every link between two different groups is cut both ways.
        if (p.size() < 2) r.fail(p, "partition needs at least two groups, e.g. [[n1, n2], [n3]]");
        std::vector<std::vector<NodeId>> groups;
        std::set<NodeId> seen;
        for (const auto& g : p) {
          if (!g.IsSequence()) r.fail(g, "each partition group must be a list of nodes");
          groups.push_back(nodes(g, "partition group"));
          for (NodeId n : groups.back())
            if (!seen.insert(n).second) r.fail(g, "node '" + sc.nodes[n].id + "' is in two partition groups");
        }
        for (std::size_t a = 0; a < groups.size(); ++a)
          for (std::size_t b = 0; b < groups.size(); ++b)
            if (a != b)
              for (NodeId x : groups[a])
                for (NodeId y : groups[b]) spec.links.emplace_back(x, y);
        text << "partition";
        for (const auto& g : groups) {
          text << " [";
          for (std::size_t i = 0; i < g.size(); ++i) text << (i ? "," : "") << sc.nodes[g[i]].id;
          text << "]";
        }
      } else if (p.IsMap()) {
        r.only_keys(p, "partition", {"from", "to"});
        if (!p["from"] || !p["to"]) r.fail(p, "a one-way partition needs 'from' and 'to'");
        auto from = nodes(p["from"], "partition.from"), to = nodes(p["to"], "partition.to");
        for (NodeId x : from)
          for (NodeId y : to) {
            if (x == y) r.fail(p, "a one-way partition cannot cut node '" + sc.nodes[x].id + "' from itself");
            spec.links.emplace_back(x, y);
          }
        text << "one-way partition";
      } else {
        r.fail(p, "partition is a list of groups ([[n1], [n2, n3]]) or a one-way {from: n1, to: n2}");
      }
      if (f["heal_after"]) spec.undo_after = r.duration(f["heal_after"], "heal_after");
    }
    if (!spec.nodes.empty() && spec.kind != FaultKind::path_down && !f["hsm_crash"]) {  // path_down names its node itself
      text << " ";
      for (std::size_t i = 0; i < spec.nodes.size(); ++i) text << (i ? "," : "") << sc.nodes[spec.nodes[i]].id;
    }
    if (spec.undo_after) text << " (undone after " << format_duration(*spec.undo_after) << ")";
    spec.text = text.str();
    sc.faults.push_back(std::move(spec));
  }

  std::vector<std::pair<std::size_t, YAML::Node>> afters_ = {};  // (fault index, its when.after)

  std::string checker_name(const YAML::Node& n) {
    const std::string name = r.str(n, "a checker name");
    std::vector<std::string> known = membership_checker_names();
    known.insert(known.end(), fs_checker_names().begin(), fs_checker_names().end());
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      r.fail(n, "unknown checker '" + name + "' (known: " + list + ")");
    }
    return name;
  }

  void expect(const YAML::Node& e) {
    r.require_list(e, "expect");
    for (const auto& item : e) {
      r.require_map(item, "an expectation");
      r.only_keys(item, "an expectation",
                  {"checkers", "membership_stable_within", "quorum_grace", "final_state", "final_members",
                   "relocation_completes_within", "vacuous_ok", "final_server", "relocations", "epochs_at_most", "call"});
      if (const YAML::Node c = item["checkers"]) {
        r.require_list(c, "checkers");
        for (const auto& n : c) sc.expect.checkers.push_back(checker_name(n));
      }
      if (const YAML::Node v = item["vacuous_ok"]) {
        r.require_list(v, "vacuous_ok");
        for (const auto& entry : v) {
          r.require_map(entry, "a vacuous_ok entry");
          r.only_keys(entry, "a vacuous_ok entry", {"checker", "reason"});
          if (!entry["checker"] || !entry["reason"])
            r.fail(entry, "a vacuous_ok entry needs 'checker' and 'reason' (e.g. {checker: fencing, reason: "
                          "\"no node is declared failed\"})");
          const std::string name = checker_name(entry["checker"]);
          const std::string why = r.str(entry["reason"], "vacuous_ok reason");
          if (why.empty()) r.fail(entry["reason"], "the vacuous_ok reason for " + name + " is empty: say why it may judge nothing");
          if (!sc.expect.vacuous_ok.emplace(name, why).second)
            r.fail(entry["checker"], "vacuous_ok names " + name + " twice");
        }
      }
      if (item["membership_stable_within"])
        sc.expect.stable_within = r.duration(item["membership_stable_within"], "membership_stable_within");
      if (item["quorum_grace"]) sc.expect.quorum_grace = r.duration(item["quorum_grace"], "quorum_grace");
      if (item["relocation_completes_within"]) {
        sc.expect.relocation_within = r.duration(item["relocation_completes_within"], "relocation_completes_within");
        if (*sc.expect.relocation_within <= 0)
          r.fail(item["relocation_completes_within"], "relocation_completes_within must be longer than zero");
      }
      if (const YAML::Node fs = item["final_state"]) {
        r.require_map(fs, "final_state");
        for (const auto& kv : fs) {
          const NodeId n = node(kv.first, "final_state");
          const std::string st = r.str(kv.second, "final_state of " + sc.nodes[n].id);
          if (st != "down" && !cms::parse_state(st))
            r.fail(kv.second, "unknown state '" + st + "' (expected nascent, leader, follower, stable, dead, shutdown or down)");
          sc.expect.final_state[n] = st;
        }
      }
      if (const YAML::Node fs = item["final_server"]) {
        r.require_map(fs, "final_server");
        for (const auto& kv : fs) {
          const cxfs::FsConfig& f = filesystem(kv.first, "final_server");
          const NodeId n = node(kv.second, "final_server of " + f.id);
          std::size_t index = 0;
          while (sc.filesystems[index].id != f.id) ++index;
          sc.expect.final_server[index] = n;
        }
      }
      if (const YAML::Node c = item["call"]) {
        r.require_map(c, "call");
        r.only_keys(c, "call", {"node", "call", "path", "at", "result", "returns_write", "mtime"});
        if (!c["node"] || !c["call"] || !c["path"] || !c["result"])
          r.fail(c, "an expected call needs node, call, path and result (e.g. {node: n2, call: read, path: /fs1/a, result: ok})");
        Expectations::CallExpectation e;
        e.node = node(c["node"], "call.node");
        e.call = r.str(c["call"], "call.call");
        if (!app::parse_call(e.call)) r.fail(c["call"], "unknown call '" + e.call + "'");
        e.path = r.str(c["path"], "call.path");
        if (e.path.size() < 2 || e.path[0] != '/') r.fail(c["path"], "call.path must be /FS/..., e.g. /fs1/a");
        if (c["at"]) e.at = r.duration(c["at"], "call.at");
        e.result = r.str(c["result"], "call.result");
        if (!xfs::errno_from(e.result)) r.fail(c["result"], "call.result must be ok or an error such as ENOENT, not '" + e.result + "'");
        if (const YAML::Node w = c["returns_write"]) {
          if (e.call != "read") r.fail(w, "returns_write goes with a read");
          r.require_map(w, "returns_write");
          r.only_keys(w, "returns_write", {"node", "at"});
          if (!w["node"] || !w["at"]) r.fail(w, "returns_write needs node and at (the write call the read must see)");
          e.returns_write = std::make_pair(node(w["node"], "returns_write.node"), r.duration(w["at"], "returns_write.at"));
        }
        if (c["mtime"]) {
          if (e.call != "stat") r.fail(c["mtime"], "mtime goes with a stat");
          if (r.str(c["mtime"], "call.mtime") != "latest") r.fail(c["mtime"], "call.mtime can only be 'latest'");
          e.mtime_latest = true;
        }
        e.text = e.call + " " + e.path + " on " + sc.nodes[e.node].id + (e.at ? " at " + format_duration(*e.at) : "");
        sc.expect.calls.push_back(std::move(e));
      }
      if (item["epochs_at_most"])
        sc.expect.epochs_at_most =
            static_cast<std::uint64_t>(r.integer(item["epochs_at_most"], "epochs_at_most", 1, 1'000'000'000));
      if (const YAML::Node rl = item["relocations"]) {
        r.require_map(rl, "relocations");
        r.only_keys(rl, "relocations", {"completed", "refused", "abandoned"});
        const auto count = [&](const char* key) -> std::optional<std::uint64_t> {
          if (!rl[key]) return std::nullopt;
          return static_cast<std::uint64_t>(r.integer(rl[key], std::string("relocations.") + key, 0, 1'000'000));
        };
        sc.expect.relocations_completed = count("completed");
        sc.expect.relocations_refused = count("refused");
        sc.expect.relocations_abandoned = count("abandoned");
      }
      if (const YAML::Node fm = item["final_members"]) {
        r.require_list(fm, "final_members");
        std::vector<NodeId> v;
        for (const auto& n : fm) v.push_back(node(n, "final_members"));
        std::sort(v.begin(), v.end());
        sc.expect.final_members = v;
      }
    }
  }

  void replay(const YAML::Node& rp) {
    r.require_map(rp, "replay");
    r.only_keys(rp, "replay", {"hash", "events", "checkpoints", "digests", "violation_index"});
    ReplayRecord rec;
    if (!rp["hash"] || !rp["events"]) r.fail(rp, "replay needs 'hash' and 'events'");
    auto hex = [&](const YAML::Node& n, const std::string& what) {
      const std::string s = r.str(n, what);
      if (s.empty() || s.size() > 16 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
        r.fail(n, what + " must be a 64-bit hex number");
      return std::stoull(s, nullptr, 16);
    };
    rec.hash = hex(rp["hash"], "replay.hash");
    rec.events = static_cast<std::uint64_t>(r.integer(rp["events"], "replay.events", 0, INT64_MAX));
    if (const YAML::Node cps = rp["checkpoints"]) {
      r.require_list(cps, "replay.checkpoints");
      for (const auto& cp : cps) {
        const std::string s = r.str(cp, "a checkpoint");
        const auto colon = s.find(':');
        if (colon == std::string::npos) r.fail(cp, "a checkpoint is 'INDEX:HASH'");
        YAML::Node idx(s.substr(0, colon)), h(s.substr(colon + 1));
        TraceCheckpoint c;
        try {
          c.index = std::stoull(s.substr(0, colon));
          c.hash = std::stoull(s.substr(colon + 1), nullptr, 16);
        } catch (...) {
          r.fail(cp, "a checkpoint is 'INDEX:HASH', not '" + s + "'");
        }
        rec.checkpoints.push_back(c);
      }
    }
    if (rp["digests"]) {
      auto d = base64_decode(r.str(rp["digests"], "replay.digests"));
      if (!d) r.fail(rp["digests"], "replay.digests is not valid base64");
      rec.digests = std::move(*d);
    }
    if (rp["violation_index"])
      rec.violation_index = static_cast<std::uint64_t>(r.integer(rp["violation_index"], "replay.violation_index", 0, INT64_MAX));
    sc.replay = std::move(rec);
  }

  void top(const YAML::Node& root) {
    if (!root.IsMap()) r.fail(root, "a scenario must be a YAML mapping with name, duration and cluster");
    r.only_keys(root, "the scenario",
                {"name", "description", "seed", "duration", "explore_schedule", "mutations", "cluster", "storage",
                 "filesystems", "files", "workload", "recovery", "faults", "expect", "replay", "hsm", "relocation"});
    if (!root["name"]) r.fail(root, "the scenario needs a 'name'");
    sc.name = r.str(root["name"], "name");
    if (sc.name.empty() || sc.name.find_first_of("/\\ \t") != std::string::npos)
      r.fail(root["name"], "name must be non-empty and contain no spaces or slashes (it names files)");
    if (root["description"]) sc.description = r.str(root["description"], "description");
    if (root["seed"]) sc.seed = r.seed(root["seed"]);
    if (!root["duration"]) r.fail(root, "the scenario needs a 'duration' (how much virtual time to run)");
    sc.duration = r.duration(root["duration"], "duration");
    if (sc.duration <= 0) r.fail(root["duration"], "duration must be longer than zero");
    if (root["explore_schedule"]) sc.explore_schedule = r.boolean(root["explore_schedule"], "explore_schedule");
    if (!root["cluster"]) r.fail(root, "the scenario needs a 'cluster' with its nodes");
    cluster(root["cluster"]);
    if (root["storage"]) sc.storage = load_storage(r, root["storage"], ids);
    if (root["hsm"]) sc.storage.tape = load_hsm(r, root["hsm"]);
    if (root["filesystems"]) sc.filesystems = load_filesystems(r, root["filesystems"], sc.storage, ids);
    if (root["files"]) sc.workload.files = load_initial_files(r, root["files"], sc.filesystems, sc.storage);
    if (root["workload"]) load_workload(r, root["workload"], sc.filesystems, ids, sc.duration, sc.workload);
    if (root["mutations"]) mutations(root["mutations"]);
    if (root["recovery"]) recovery(root["recovery"]);
    if (root["relocation"]) relocation(root["relocation"]);
    if (root["faults"]) {
      r.require_list(root["faults"], "faults");
      for (const auto& f : root["faults"]) fault(f);
      for (const auto& [index, name_node] : afters_) {
        const std::string name = r.str(name_node, "when.after");
        std::optional<std::size_t> found;
        for (std::size_t i = 0; i < sc.faults.size(); ++i)
          if (sc.faults[i].name == name) found = i;
        if (!found) r.fail(name_node, "when.after names fault '" + name + "', but no fault has that name");
        if (*found == index) r.fail(name_node, "a fault cannot come after itself");
        sc.faults[index].trigger.after = *found;
      }
    }
    if (root["expect"]) expect(root["expect"]);
    if (root["replay"]) replay(root["replay"]);
  }
};

}  // namespace

void add_relocate_request(Scenario& sc, const std::string& spec) {
  const auto fail = [&](const std::string& why) {
    throw ScenarioError{"--relocate", "'" + spec + "' " + why + " (write FS:NODE@TIME, e.g. fs1:n3@5s)"};
  };
  const auto colon = spec.find(':'), at = spec.find('@');
  if (colon == std::string::npos || at == std::string::npos || at < colon) fail("is not FS:NODE@TIME");
  const std::string fs = spec.substr(0, colon), node = spec.substr(colon + 1, at - colon - 1);
  const std::optional<Duration> when = parse_duration(spec.substr(at + 1));
  if (!when) fail("has no valid time after '@'");
  if (*when > sc.duration) fail("is after the end of scenario " + sc.name + " (" + format_duration(sc.duration) + ")");
  const cxfs::FsConfig* f = nullptr;
  for (const cxfs::FsConfig& c : sc.filesystems)
    if (c.id == fs) f = &c;
  if (f == nullptr) fail("names file system '" + fs + "', which scenario " + sc.name + " does not have");
  NodeId to = kNoNode;
  for (NodeId n = 0; n < sc.nodes.size(); ++n)
    if (sc.nodes[n].id == node) to = n;
  if (to == kNoNode) fail("names node '" + node + "', which scenario " + sc.name + " does not have");
  if (std::find(f->servers.begin(), f->servers.end(), to) == f->servers.end())
    fail("names node '" + node + "', which is not a candidate server of " + fs);
  FaultSpec r;
  r.trigger.at = *when;
  r.kind = FaultKind::command;
  r.command = "relocate " + fs + " " + std::to_string(to);
  r.nodes = {to};
  r.text = "at " + format_duration(*when) + ": relocate " + fs + " to " + node + " (--relocate)";
  sc.faults.push_back(std::move(r));
  // The source keeps the request too, so that a failure file replays it.
  YAML::Node root = YAML::Load(sc.source);
  YAML::Node fault;
  fault["at"] = format_duration(*when);
  fault["relocate"]["fs"] = fs;
  fault["relocate"]["to"] = node;
  root["faults"].push_back(fault);
  YAML::Emitter out;
  out << root;
  sc.source = out.c_str();
}

std::vector<std::string> Scenario::node_names() const {
  std::vector<std::string> out;
  for (const NodeSpec& n : nodes) out.push_back(n.id);
  return out;
}

Scenario load_scenario_text(const std::string& text, const std::string& file_name) {
  Loader l{Reader(file_name), {}, {}};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    l.r.fail_mark(e.mark, "YAML syntax error: " + e.msg);
  }
  try {
    l.top(root);
  } catch (const YAML::Exception& e) {
    l.r.fail_mark(e.mark, e.msg);
  }
  l.sc.file = file_name;
  l.sc.source = text;
  return std::move(l.sc);
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError{path, "cannot open the file (does it exist and is it readable?)"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_scenario_text(ss.str(), path);
}

std::vector<std::string> scenario_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ScenarioError{path, "no such file or directory"};
  if (!fs::is_directory(path, ec)) return {path};
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    if (ext == ".yaml" || ext == ".yml") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) throw ScenarioError{path, "the directory holds no .yaml scenario files"};
  return out;
}

}  // namespace sansim
