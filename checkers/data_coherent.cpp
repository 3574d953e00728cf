#include "checkers/data_coherent.h"

#include <algorithm>

#include "engine/sim/volume.h"
#include "engine/trace.h"

namespace sansim {

DataCoherentChecker::DataCoherentChecker(std::vector<std::string> node_names, std::vector<std::string> fs_ids)
    : names_(node_names), fs_ids_(std::move(fs_ids)), tokens_(std::move(node_names)) {}

OpType DataCoherentChecker::Write::outcome() const {
  if (!completed) return OpType::info;
  if (result == xfs::to_string(xfs::Errno::ok)) return OpType::ok;
  if (result == xfs::to_string(xfs::Errno::io)) return OpType::info;  // may have reached part of the disk
  return OpType::fail;
}

std::string DataCoherentChecker::fs_name(std::int64_t index) const {
  if (index >= 0 && static_cast<std::size_t>(index) < fs_ids_.size()) return fs_ids_[static_cast<std::size_t>(index)];
  return "#" + std::to_string(index);
}

std::int64_t DataCoherentChecker::fs_index(const std::string& name) const {
  for (std::size_t i = 0; i < fs_ids_.size(); ++i)
    if (fs_ids_[i] == name) return static_cast<std::int64_t>(i);
  return -1;
}

void DataCoherentChecker::on_observation(const Observation& o) {
  tokens_.on_observation(o);
  if ((o.kind == "token.hold" || o.kind == "token.give") && text_field(o, "token") == "SIZE" &&
      integer_field(o, "holder") == static_cast<std::int64_t>(o.node)) {
    // A client's SIZE write (I/O-exclusive, §0032): the size it grows stays here.
    const std::tuple<std::string, std::int64_t, NodeId> key{fs_name(integer_field(o, "fs").value_or(-1)),
                                                            integer_field(o, "ino").value_or(0), o.node};
    if (o.kind == "token.hold" && text_field(o, "level") == "write") size_write_.insert(key);
    else size_write_.erase(key);
  }
  if (o.kind == "app.invoke" || o.kind == "app.complete") {
    const CallFeed::Event e = feed_.on_observation(o);
    if (e.problem != nullptr) report(o, "malformed call history: " + e.problem->message);
    if (e.call == nullptr) return;
    if (e.completion) complete(*e.call, o);
    else invoke(*e.call, o);
    if (e.completion && failed_.count(o.node) != 0) node_lost(o.node, o.index);  // a zombie's work is void
  } else if (o.kind == "cache.flush") {
    flushed(o);
  } else if (o.kind == "node.crash" || o.kind == "cxfs.reset") {
    node_lost(o.node, o.index);  // a crash, or a node that left the membership dropping its state
  } else if (o.kind == "corpse.start") {
    // Recovery declared these nodes failed: what they had not written back is lost to
    // the cluster now, even if one of them is still alive and does not know it yet —
    // and so is whatever such a zombie writes until it is readmitted fresh.
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{})) {
      failed_.insert(static_cast<NodeId>(n));
      node_lost(static_cast<NodeId>(n), o.index);
    }
  } else if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
    lost_servers_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
  } else if (o.kind == "cxfs.server_restarted") {
    lose(o.node, fs_name(integer_field(o, "fs").value_or(-1)), o.index);
  } else if (o.kind == "cxfs.mounted") {
    if (text_field(o, "role") == "server") server_of_[text_field(o, "fs").value_or("")] = o.node;
  } else if (o.kind == "dsvn.created" && failed_.count(o.node) == 0) {  // not a zombie server's
    created(o);
  } else if (o.kind == "fault") {
    const std::string what = text_field(o, "what").value_or("");
    if (what.find("power_loss") != std::string::npos && what.rfind("undo:", 0) != 0) power_loss(o.index);
  }
}

void DataCoherentChecker::node_lost(NodeId node, std::uint64_t index) {
  for (auto it = server_of_.begin(); it != server_of_.end();) {
    if (it->second != node) {
      ++it;
      continue;
    }
    lose(std::nullopt, it->first, index);  // every client's pages of it are now doomed
    lose_unsynced(it->first, std::nullopt, index);
    if (failed_.count(node) != 0) lost_servers_[node].insert(it->first);
    it = server_of_.erase(it);
  }
  // A zombie that was a server still thinks it is: what it did for itself since it was
  // declared failed (sizes above all) went nowhere.
  if (auto z = lost_servers_.find(node); z != lost_servers_.end())
    for (const std::string& fs : z->second) lose_unsynced(fs, std::nullopt, index);
  lose(node, std::nullopt, index);
  lose_unsynced(std::nullopt, node, index);  // sizes it held under SIZE write went with it
}

// The server of `fs` is gone with the sizes and extents it had not persisted: a block
// written before and not made durable by an fsync may now lie beyond the end of the file
// or in a hole, and read as zeros — or not, if its size had been persisted.
//
// Also for a client (`writer`): a size it held under SIZE write (I/O-exclusive, §0032)
// was never sent to the server, so its writes made under it and not made durable may
// lie beyond the end of the file once it is gone.
void DataCoherentChecker::lose_unsynced(std::optional<std::string> fs, std::optional<NodeId> writer,
                                        std::uint64_t index) {
  for (auto& [key, unused] : registers_) {
    (void)unused;
    if (fs && std::get<0>(key) != *fs) continue;
    Register& r = reg(key);
    const bool at_risk = std::any_of(r.stable.begin(), r.stable.end(), [this, writer](const Candidate& c) {
      return c.kind == Candidate::Kind::write && !durable(c) &&
             (!writer || (writes_[c.write].node == *writer && writes_[c.write].size_held));
    });
    if (!at_risk) continue;
    Candidate any;
    any.kind = Candidate::Kind::any;
    any.since = index;
    r.stable.push_back(any);
  }
}

// The server made a file: from this moment its inode number (perhaps one freed before)
// names a new, empty file, whatever its creator hears back later (other nodes may use
// the file before that).
void DataCoherentChecker::created(const Observation& o) {
  const std::string fs = fs_name(integer_field(o, "fs").value_or(-1));
  const std::int64_t ino = integer_field(o, "ino").value_or(0);
  if (fs.empty() || ino <= 0) return;
  Write w;
  w.node = o.node;
  w.call = "create";
  w.fs = fs;
  w.ino = ino;
  w.reset = true;
  w.inv_index = w.cmp_index = o.index;
  w.inv_time = w.cmp_time = o.time;
  w.completed = true;
  w.result = xfs::to_string(xfs::Errno::ok);
  writes_.push_back(std::move(w));
  const std::size_t id = writes_.size() - 1;
  auto& log = resets_[{fs, ino}];
  log.push_back(ResetEvent{id, false});
  log.push_back(ResetEvent{id, true});
  created_at_[{fs, ino}] = o.index;
}

std::size_t DataCoherentChecker::add_write(const CallRecord& c, bool reset, std::int64_t ino,
                                           std::int64_t first_block) {
  Write w;
  w.op = c.op;
  w.proc = c.proc;
  w.node = c.node;
  w.call = c.call;
  w.path = c.path;
  w.fs = fs_of_path(c.path);
  w.ino = ino;
  w.first_block = first_block;
  w.reset = reset;
  if (!reset) w.values = c.written;
  w.inv_index = c.invoke_index;
  w.inv_time = c.invoke_time;
  writes_.push_back(std::move(w));
  return writes_.size() - 1;
}

DataCoherentChecker::Register& DataCoherentChecker::reg(const RegKey& key) {
  Register& r = registers_[key];
  auto log = resets_.find({std::get<0>(key), std::get<1>(key)});
  if (log == resets_.end()) return r;
  // Resets are applied lazily, in order, the next time the register is looked at: nothing
  // else happened to it in between, so the outcome is the same as applying them at once.
  while (r.resets_applied < log->second.size()) {
    const ResetEvent e = log->second[r.resets_applied++];
    if (std::get<2>(key) < writes_[e.write].first_block) continue;
    if (e.completion) complete_write(r, key, e.write);
    else r.by_value[0].push_back(e.write);
  }
  return r;
}

void DataCoherentChecker::invoke(const CallRecord& c, const Observation& o) {
  if (!c.well_formed) return;
  const std::string fs = fs_of_path(c.path);
  if (c.is_write()) {
    const std::size_t id = add_write(c, false, c.ino, c.block);
    writes_[id].mode = text_field(o, "mode").value_or("buffered");
    writes_[id].cached = writes_[id].mode != "direct";
    open_writes_[c.op] = id;
    for (std::int64_t b = c.block; b < c.block + c.blocks; ++b)
      reg({fs, c.ino, b}).by_value[writes_[id].value(b)].push_back(id);
  } else if (c.is_read()) {
    OpenRead& r = open_reads_[c.op];
    for (std::int64_t b = c.block; b < c.block + c.blocks; ++b) r.snapshot.push_back(reg({fs, c.ino, b}).stable);
  } else if (c.call == "truncate") {
    const std::int64_t ino = integer_field(o, "ino").value_or(0);
    const std::int64_t size = integer_field(o, "size").value_or(-1);
    if (ino <= 0 || size < 0) return;  // the path named no file: nothing to zero
    const std::int64_t from = (size + kBlockSize - 1) / kBlockSize;
    const std::size_t id = add_write(c, true, ino, from);
    open_writes_[c.op] = id;
    resets_[{fs, ino}].push_back(ResetEvent{id, false});
  } else if (c.call == "fsync") {
    fsync_ino_[c.op] = integer_field(o, "ino").value_or(0);
  }
}

void DataCoherentChecker::complete(const CallRecord& c, const Observation& o) {
  const std::string fs = fs_of_path(c.path);
  if (auto w = open_writes_.find(c.op); w != open_writes_.end()) {
    const std::size_t id = w->second;
    open_writes_.erase(w);
    Write& wr = writes_[id];
    wr.completed = true;
    wr.result = c.result;
    wr.cmp_index = c.complete_index;
    wr.cmp_time = c.complete_time;
    wr.size_held = size_write_.count({wr.fs, wr.ino, wr.node}) != 0;
    if (wr.reset) {
      resets_[{wr.fs, wr.ino}].push_back(ResetEvent{id, true});
      return;
    }
    for (std::int64_t b = wr.first_block; b < wr.first_block + static_cast<std::int64_t>(wr.values.size()); ++b) {
      const RegKey key{wr.fs, wr.ino, b};
      complete_write(reg(key), key, id);
    }
    return;
  }
  if (auto r = open_reads_.find(c.op); r != open_reads_.end()) {
    const OpenRead read = std::move(r->second);
    open_reads_.erase(r);
    if (!c.ok() || !c.well_formed || c.read.size() != read.snapshot.size()) return;
    // A zombie (declared failed, not yet aware) reads its own cache, which the cluster
    // no longer keeps coherent: the model has no read leases (model/corpse/README.md).
    if (failed_.count(c.node) != 0) return;
    for (std::int64_t b = 0; b < c.blocks; ++b)
      judge(c, c.block + b, read.snapshot[static_cast<std::size_t>(b)], o);
    return;
  }
  if (c.call == "create" || c.call == "mkdir") {
    // The inode number may be one freed earlier: from now on it is a new, empty file.
    // A failed create names its inode when it made the file all the same (EIO).
    const std::int64_t ino = integer_field(o, "ino").value_or(0);
    if (ino <= 0) return;
    auto made = created_at_.find({fs, ino});
    if (made != created_at_.end() && made->second >= c.invoke_index) return;  // reset at dsvn.created
    const std::size_t id = add_write(c, true, ino, 0);
    writes_[id].completed = true;
    writes_[id].result = c.result;
    writes_[id].cmp_index = c.complete_index;
    writes_[id].cmp_time = c.complete_time;
    auto& log = resets_[{fs, ino}];
    log.push_back(ResetEvent{id, false});
    log.push_back(ResetEvent{id, true});
    return;
  }
  if (auto f = fsync_ino_.find(c.op); f != fsync_ino_.end()) {
    const std::int64_t ino = f->second;
    fsync_ino_.erase(f);
    if (!c.ok()) return;
    // The volume was flushed after the fsync began: whatever was on the disk before its
    // invoke is durable, and so is what its own flush of the file wrote.
    std::uint64_t& all = fs_durable_[fs];
    all = std::max(all, c.invoke_index);
    std::uint64_t& own = own_durable_[{fs, c.node, ino}];
    own = std::max(own, c.complete_index);
  }
}

void DataCoherentChecker::complete_write(Register& r, const RegKey& key, std::size_t id) {
  const Write& w = writes_[id];
  if (w.outcome() != OpType::ok) return;  // failed: no effect; EIO: judged as indeterminate
  std::erase_if(r.stable, [&w](const Candidate& c) {
    return c.kind == Candidate::Kind::initial || c.since < w.inv_index;  // it began after they ended
  });
  Candidate c;
  c.kind = Candidate::Kind::write;
  c.write = id;
  c.since = w.cmp_index;
  c.on_disk = w.cached ? kNever : w.cmp_index;
  r.stable.push_back(c);
  if (w.cached) {
    r.unflushed[w.node] = id;
    unflushed_[w.node].insert(key);
  }
}

void DataCoherentChecker::flushed(const Observation& o) {
  // The model names the flush's result with xfs::to_string, so a spelling of our own
  // could never match (it once compared with "ok" while the model wrote "OK").
  if (text_field(o, "result") != xfs::to_string(xfs::Errno::ok)) return;
  const auto fs = integer_field(o, "fs");
  const auto ino = integer_field(o, "ino");
  const auto block = integer_field(o, "block");
  if (!fs || !ino || !block) return;
  auto it = registers_.find({fs_name(*fs), *ino, *block});
  if (it == registers_.end()) return;
  Register& r = it->second;
  auto u = r.unflushed.find(o.node);
  if (u == r.unflushed.end()) return;
  for (Candidate& c : r.stable)
    if (c.kind == Candidate::Kind::write && c.write == u->second) c.on_disk = o.index;
  r.unflushed.erase(u);
}

void DataCoherentChecker::lose(std::optional<NodeId> node, std::optional<std::string> fs, std::uint64_t index) {
  for (auto n = unflushed_.begin(); n != unflushed_.end();) {
    if (node && n->first != *node) {
      ++n;
      continue;
    }
    for (auto k = n->second.begin(); k != n->second.end();) {
      if (fs && std::get<0>(*k) != *fs) {
        ++k;
        continue;
      }
      Register& r = reg(*k);
      if (r.unflushed.erase(n->first) != 0) {
        Candidate any;
        any.kind = Candidate::Kind::any;
        any.since = index;
        r.stable.push_back(any);
      }
      k = n->second.erase(k);
    }
    n = n->second.empty() ? unflushed_.erase(n) : std::next(n);
  }
}

bool DataCoherentChecker::durable(const Candidate& c) const {
  if (c.kind != Candidate::Kind::write) return true;
  const Write& w = writes_[c.write];
  if (w.reset) return true;  // a truncate or a new inode is metadata: journaled before it answered
  if (c.on_disk == kNever) return false;
  auto all = fs_durable_.find(w.fs);
  if (all != fs_durable_.end() && c.on_disk < all->second) return true;
  auto own = own_durable_.find({w.fs, w.node, w.ino});
  return own != own_durable_.end() && c.on_disk < own->second;
}

void DataCoherentChecker::power_loss(std::uint64_t index) {
  // Which disks hold which volume is not observed: every file system is treated as hit.
  for (auto& [key, unused] : registers_) {
    (void)unused;
    Register& r = reg(key);
    const bool at_risk = std::any_of(r.stable.begin(), r.stable.end(), [this](const Candidate& c) {
      return c.kind == Candidate::Kind::write && c.on_disk != kNever && !durable(c);
    });
    if (!at_risk) continue;
    Candidate any;
    any.kind = Candidate::Kind::any;
    any.since = index;
    any.torn = true;
    r.stable.push_back(any);
  }
}

std::string DataCoherentChecker::describe_write(const Write& w) const {
  if (w.op == 0) return "the server's creation of the file (" + node_label(w.node, names_) + ", event #" +
                        std::to_string(w.inv_index) + ")";
  std::string s = (w.reset ? w.call + " op " : w.mode + " write op ") + std::to_string(w.op) + " (proc " +
                  std::to_string(w.proc) + " on " + node_label(w.node, names_) + ", events #" +
                  std::to_string(w.inv_index) + "-";
  s += w.completed ? "#" + std::to_string(w.cmp_index) + " " + w.result : "open";
  return s + ")";
}

std::string DataCoherentChecker::describe_value(const Register& r, std::int64_t block, std::int64_t v) const {
  (void)block;
  if (v == -1) return "a torn block";
  auto it = r.by_value.find(v);
  std::string s = v == 0 ? "zeros" : std::to_string(v);
  if (it == r.by_value.end() || it->second.empty()) return s + (v == 0 ? "" : ", which no write to this block wrote");
  return s + " from " + describe_write(writes_[it->second.back()]);
}

void DataCoherentChecker::judge(const CallRecord& c, std::int64_t block, const std::vector<Candidate>& snapshot,
                                const Observation& o) {
  const std::string fs = fs_of_path(c.path);
  const RegKey key{fs, c.ino, block};
  Register& r = reg(key);
  const std::int64_t v = c.read[static_cast<std::size_t>(block - c.block)];
  count("block reads");

  // What the register may hold: its candidates when the read began, and any loss since.
  std::vector<Candidate> candidates = snapshot;
  for (const Candidate& x : r.stable)
    if (x.kind == Candidate::Kind::any && x.since > c.invoke_index) candidates.push_back(x);

  auto in_snapshot = [&snapshot](std::size_t id) {
    return std::any_of(snapshot.begin(), snapshot.end(),
                       [id](const Candidate& x) { return x.kind == Candidate::Kind::write && x.write == id; });
  };
  auto allowed = [&](std::size_t id) {
    const Write& w = writes_[id];
    if (w.inv_index > c.complete_index) return false;
    if (w.outcome() == OpType::fail) return false;  // a definite error: it wrote nothing
    if (in_snapshot(id) || !w.completed) return true;
    if (w.cmp_index > c.invoke_index) return true;  // it overlapped the read
    if (w.outcome() == OpType::info) return true;   // EIO: it may land at any time
    for (const Candidate& x : candidates)
      if (x.kind == Candidate::Kind::any && w.inv_index < x.since) return true;
    return false;
  };
  auto writes_of = [&r](std::int64_t value) -> const std::vector<std::size_t>* {
    auto it = r.by_value.find(value);
    return it == r.by_value.end() ? nullptr : &it->second;
  };

  bool ok = false;
  if (v == -1) {
    ok = std::any_of(candidates.begin(), candidates.end(),
                     [](const Candidate& x) { return x.kind == Candidate::Kind::any && x.torn; });
  } else {
    if (v == 0)
      ok = std::any_of(candidates.begin(), candidates.end(), [](const Candidate& x) {
        return x.kind == Candidate::Kind::initial || x.kind == Candidate::Kind::any;
      });
    if (const auto* ids = writes_of(v); !ok && ids != nullptr)
      ok = std::any_of(ids->begin(), ids->end(), allowed);
  }
  if (ok) return;

  // The witness: the newest value the read should have seen, and the tokens around it.
  const Candidate* expected = nullptr;
  for (const Candidate& x : snapshot)
    if (x.kind != Candidate::Kind::any && (expected == nullptr || x.since >= expected->since)) expected = &x;
  std::string msg = "read op " + std::to_string(c.op) + " (proc " + std::to_string(c.proc) + " on " +
                    node_label(c.node, names_) + ", events #" + std::to_string(c.invoke_index) + "-#" +
                    std::to_string(c.complete_index) + ") of " + c.path + " block " + std::to_string(block) + " (" +
                    fs + " ino " + std::to_string(c.ino) + ") returned " + describe_value(r, block, v);
  if (const auto* ids = writes_of(v); ids != nullptr && v > 0) {
    const Write& w = writes_[ids->back()];
    if (w.outcome() == OpType::fail) msg += ", a write that failed and had no effect";
    else if (w.completed && w.cmp_index < c.invoke_index) msg += ", overwritten before the read began";
  }
  std::uint64_t since = c.invoke_index;
  NodeId writer = kNoNode;
  if (expected == nullptr || expected->kind == Candidate::Kind::initial) {
    msg += "; expected zeros (no write to it had completed)";
  } else {
    const Write& e = writes_[expected->write];
    msg += "; expected " + (e.reset ? std::string("zeros from ") : std::to_string(e.value(block)) + " from ") +
           describe_write(e);
    since = e.inv_index;
    writer = e.node;
  }
  std::size_t others = 0;
  for (const Candidate& x : snapshot) others += (&x != expected) ? 1 : 0;
  if (others != 0) msg += " (or one of " + std::to_string(others) + " other allowed values)";
  const std::int64_t index = fs_index(fs);
  msg += ". Tokens of the file since #" + std::to_string(since) + ": ";
  if (writer != kNoNode && writer != c.node) msg += "writer " + tokens_.describe(index, c.ino, writer, since) + "; ";
  msg += "reader " + tokens_.describe(index, c.ino, c.node, since);
  report(o, std::move(msg));
}

}  // namespace sansim
