#include "checkers/metadata_coherent.h"

#include <algorithm>

#include "engine/sim/volume.h"
#include "engine/trace.h"

namespace sansim {
namespace {

// "/fs1/a/b" -> "/fs1", "/fs1/a", "/fs1/a/b".
std::vector<std::string> prefixes(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t at = 1; at <= path.size(); ++at) {
    if (at == path.size() || path[at] == '/') out.push_back(path.substr(0, at));
  }
  return out;
}

bool may_have_acted(const CallRecord& c) { return c.ok() || c.failed_with(xfs::Errno::io); }

}  // namespace

std::string MetadataCoherentChecker::call_label(const std::string& what, std::int64_t op, std::int64_t proc,
                                                NodeId node, std::uint64_t inv, std::uint64_t cmp) const {
  return what + " op " + std::to_string(op) + " (proc " + std::to_string(proc) + " on " + node_label(node, names_) +
         ", events #" + std::to_string(inv) + "-#" + std::to_string(cmp) + ")";
}

void MetadataCoherentChecker::on_observation(const Observation& o) {
  if (o.kind == "app.invoke" || o.kind == "app.complete") {
    const CallFeed::Event e = feed_.on_observation(o);
    if (e.call == nullptr || !e.call->well_formed) return;
    if (e.completion) complete(*e.call, o);
    else invoke(*e.call, o);
    if (e.completion && failed_.count(o.node) != 0) node_lost(o.node);  // a zombie's work is void
  } else if (o.kind == "node.crash" || o.kind == "cxfs.reset") {
    node_lost(o.node);  // a crash, or a node that left the membership dropping its state
    if (o.kind == "node.crash")
      for (const auto& [op, call] : open_)
        if (call.node == o.node) open_stats_.erase(call.inv);  // it will never complete
  } else if (o.kind == "corpse.start") {
    // Recovery declared these nodes failed: what they had not written back is lost to
    // the cluster now, even if one of them is still alive and does not know it yet —
    // and so is whatever such a zombie writes until it is readmitted fresh.
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{})) {
      failed_.insert(static_cast<NodeId>(n));
      node_lost(static_cast<NodeId>(n));
    }
  } else if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
  } else if (o.kind == "cxfs.server_restarted") {
    const std::int64_t fs = integer_field(o, "fs").value_or(-1);
    if (fs >= 0 && static_cast<std::size_t>(fs) < fs_ids_.size())
      forget_writes(o.node, fs_ids_[static_cast<std::size_t>(fs)]);
  } else if (o.kind == "dsvn.created" && failed_.count(o.node) == 0) {  // not a zombie server's
    // The moment the server made the file: a new, empty file under a number that may
    // be reused. Its creator hears back later, and other nodes may use it before then.
    const std::int64_t fs = integer_field(o, "fs").value_or(-1);
    const std::int64_t ino = integer_field(o, "ino").value_or(0);
    if (fs < 0 || static_cast<std::size_t>(fs) >= fs_ids_.size() || ino <= 0) return;
    const InoKey key{fs_ids_[static_cast<std::size_t>(fs)], ino};
    Inode& in = inodes_[key];
    in.writes.clear();
    in.truncates.done = std::max(in.truncates.done, o.index);
    created_at_[key] = o.index;
  } else if (o.kind == "cxfs.mounted") {
    if (text_field(o, "role") == "server") server_of_[text_field(o, "fs").value_or("")] = o.node;
  }
}

void MetadataCoherentChecker::node_lost(NodeId node) {
  for (auto it = server_of_.begin(); it != server_of_.end();) {
    if (it->second != node) {
      ++it;
      continue;
    }
    forget_writes(std::nullopt, it->first);  // its unpersisted sizes and times are gone
    it = server_of_.erase(it);
  }
  forget_writes(node, std::nullopt);
}

void MetadataCoherentChecker::invoke(const CallRecord& c, const Observation& o) {
  const std::string fs = fs_of_path(c.path);
  OpenCall call;
  call.inv = c.invoke_index;
  call.node = c.node;
  if (c.call == "lookup" || c.call == "stat") {
    for (const std::string& p : prefixes(c.path)) {
      auto it = paths_.find(p);
      if (it != paths_.end() && it->second.removed) call.removed.emplace_back(p, *it->second.removed);
    }
    if (c.call == "stat") open_stats_.insert(c.invoke_index);
  } else if (c.call == "create" || c.call == "mkdir") {
    ++paths_[c.path].revives.open;
  } else if (c.call == "unlink") {
    // judged at its completion
  } else if (c.call == "rename") {
    call.to = text_field(o, "to").value_or("");
    if (call.to.empty() || call.to == c.path) return;
    ++paths_[call.to].revives.open;
  } else if (c.call == "truncate") {
    const std::int64_t ino = integer_field(o, "ino").value_or(0);
    if (ino <= 0) return;
    call.truncated = {fs, ino};
    ++inodes_[call.truncated].truncates.open;
  } else if (c.call == "setattr") {
    if (!o.find("mtime")) return;
    ++mtime_set_[fs].open;
  } else if (!c.is_write()) {
    return;
  }
  open_.emplace(c.op, std::move(call));
}

void MetadataCoherentChecker::complete(const CallRecord& c, const Observation& o) {
  auto it = open_.find(c.op);
  if (it == open_.end()) return;
  const OpenCall call = std::move(it->second);
  open_.erase(it);
  const std::string fs = fs_of_path(c.path);
  const bool acted = may_have_acted(c);
  auto close = [&](Barrier& b) {
    --b.open;
    if (acted) b.done = std::max(b.done, c.complete_index);
  };
  if (c.call == "lookup" || c.call == "stat") {
    if (c.call == "stat") open_stats_.erase(c.invoke_index);
    if (!c.ok()) return;
    if (failed_.count(c.node) != 0) return;  // a zombie's cache (see data_coherent)
    count("names found");
    check_name(c, call, o);
    if (c.call == "stat") check_stat(c, o);
  } else if (c.call == "create" || c.call == "mkdir") {
    close(paths_[c.path].revives);
    const std::int64_t ino = integer_field(o, "ino").value_or(0);
    auto made = created_at_.find({fs, ino});
    const bool seen_made = made != created_at_.end() && made->second >= c.invoke_index;
    if (ino > 0 && !seen_made) {
      // The number may be one freed earlier: a new, empty file now (also after a
      // create that failed to commit but made the file, which then names its inode).
      // Without the server's dsvn.created (a history from elsewhere), from completion.
      Inode& in = inodes_[{fs, ino}];
      in.writes.clear();
      in.truncates.done = std::max(in.truncates.done, c.complete_index);
    }
  } else if (c.call == "rename" || c.call == "unlink") {
    const std::string& to = call.to;
    if (c.call == "rename") close(paths_[to].revives);
    // A zombie's "ok" may never have reached the disk (it answered from a server role the
    // cluster had moved away): as indeterminate as an EIO.
    if (!c.ok() || failed_.count(c.node) != 0) return;
    Name& n = paths_[c.path];
    if (!n.removed || n.removed->inv < c.invoke_index)
      n.removed = Removal{c.invoke_index, c.complete_index, c.op, c.proc, c.node, to.empty() ? "unlink" : "rename to " + to};
  } else if (c.call == "truncate") {
    close(inodes_[call.truncated].truncates);
  } else if (c.call == "setattr") {
    close(mtime_set_[fs]);
  } else if (c.is_write() && c.ok()) {
    add_write(c);
  }
}

void MetadataCoherentChecker::add_write(const CallRecord& c) {
  Inode& in = inodes_[{fs_of_path(c.path), c.ino}];
  const Written w{c.invoke_index, c.complete_index, c.invoke_time, (c.block + c.blocks) * kBlockSize,
                  c.node,         c.op,             c.proc};
  // An older write that began no later and ended no further can only matter to a stat
  // invoked between the two completions; once no such stat is open, drop it. Writes that
  // began before a completed truncate can never bound a size again.
  std::erase_if(in.writes, [&](const Written& e) {
    if (e.inv < in.truncates.done) return true;
    if (e.inv > w.inv || e.end > w.end) return false;
    auto s = open_stats_.upper_bound(e.cmp);
    return s == open_stats_.end() || *s > w.cmp;
  });
  in.writes.push_back(w);
}

void MetadataCoherentChecker::forget_writes(std::optional<NodeId> node, std::optional<std::string> fs) {
  for (auto& [key, in] : inodes_) {
    if (fs && key.first != *fs) continue;
    std::erase_if(in.writes, [&](const Written& w) { return !node || w.node == *node; });
  }
}

void MetadataCoherentChecker::check_stat(const CallRecord& c, const Observation& o) {
  const std::int64_t ino = integer_field(o, "ino").value_or(0);
  if (ino <= 0 || !c.size || !c.mtime) return;
  const std::string fs = fs_of_path(c.path);
  count("stats");
  auto it = inodes_.find({fs, ino});
  if (it == inodes_.end()) return;
  const Inode& in = it->second;
  const std::uint64_t size_barrier = in.truncates.value();
  auto ms = mtime_set_.find(fs);
  const std::uint64_t mtime_barrier = std::max(size_barrier, ms == mtime_set_.end() ? 0 : ms->second.value());
  const Written* size_bound = nullptr;
  const Written* mtime_bound = nullptr;
  for (const Written& w : in.writes) {
    if (w.cmp >= c.invoke_index) continue;  // not completed before the stat began
    if (w.inv >= size_barrier && (size_bound == nullptr || w.end > size_bound->end)) size_bound = &w;
    if (w.inv >= mtime_barrier && (mtime_bound == nullptr || w.inv_time > mtime_bound->inv_time)) mtime_bound = &w;
  }
  const std::string stat = call_label("stat", c.op, c.proc, c.node, c.invoke_index, c.complete_index) + " of " +
                           c.path + " (ino " + std::to_string(ino) + ")";
  if (size_bound != nullptr && *c.size < size_bound->end)
    report(o, stat + " saw size " + std::to_string(*c.size) + ", but " +
                  call_label("write", size_bound->op, size_bound->proc, size_bound->node, size_bound->inv,
                             size_bound->cmp) +
                  " up to byte " + std::to_string(size_bound->end) + " completed before the stat began");
  if (mtime_bound != nullptr && *c.mtime < mtime_bound->inv_time)
    report(o, stat + " saw mtime " + format_duration(*c.mtime) + ", older than the start (" +
                  format_duration(mtime_bound->inv_time) + ") of " +
                  call_label("write", mtime_bound->op, mtime_bound->proc, mtime_bound->node, mtime_bound->inv,
                             mtime_bound->cmp) +
                  ", which completed before the stat began");
}

void MetadataCoherentChecker::check_name(const CallRecord& c, const OpenCall& call, const Observation& o) {
  for (const auto& [path, removal] : call.removed) {
    // Revived by a create/rename onto the path, or onto a directory above it, that may have
    // acted after the removal began.
    bool revived = false;
    for (const std::string& p : prefixes(path)) {
      auto it = paths_.find(p);
      if (it != paths_.end() && it->second.revives.value() > removal.inv) revived = true;
    }
    if (revived) continue;
    report(o, call_label(c.call, c.op, c.proc, c.node, c.invoke_index, c.complete_index) + " of " + c.path +
                  " succeeded, but " +
                  call_label(removal.how, removal.op, removal.proc, removal.node, removal.inv, removal.cmp) +
                  " removed " + path + " before it began, and nothing was created or renamed onto it since");
    return;
  }
}

}  // namespace sansim
