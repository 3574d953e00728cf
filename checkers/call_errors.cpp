#include "checkers/call_errors.h"

#include <algorithm>

#include "engine/trace.h"
#include "model/xfs/layout.h"
#include "model/xfs/types.h"

namespace sansim {
namespace {

// "/fs1/a/b" -> {"/fs1/a", "/fs1"}: the directories above a path, nearest first.
std::vector<std::string> above(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t at = path.rfind('/'); at != std::string::npos && at > 0; at = path.rfind('/', at - 1))
    out.push_back(path.substr(0, at));
  return out;
}

// The names of a path below its file system: "/fs1/a/b" -> {"a", "b"}.
std::vector<std::string> names_of(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = path.find('/', 1);
  while (at != std::string::npos) {
    const std::size_t next = path.find('/', at + 1);
    out.push_back(path.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    at = next;
  }
  return out;
}

bool makes(const std::string& call) { return call == "create" || call == "mkdir"; }

}  // namespace

void CallErrorsChecker::on_observation(const Observation& o) {
  const CallFeed::Event e = feed_.on_observation(o);
  if (e.call != nullptr) return e.completion ? completed(*e.call) : invoked(*e.call, o);
  if (o.kind == "corpse.start") {
    first_disturbance_ = std::min(first_disturbance_, o.index);
    for (std::int64_t n : integer_list_field(o, "failed").value_or(std::vector<std::int64_t>{}))
      failed_.insert(static_cast<NodeId>(n));
  } else if (o.kind == "corpse.readmitted") {
    failed_.erase(static_cast<NodeId>(integer_field(o, "node").value_or(-1)));
  } else if (o.kind == "cxfs.unmount") {
    const std::int64_t i = integer_field(o, "fs").value_or(-1);
    const std::string fs = i >= 0 && static_cast<std::size_t>(i) < fs_ids_.size() ? fs_ids_[static_cast<std::size_t>(i)] : "";
    auto& windows = unmounted_[{o.node, fs}];
    const std::string step = text_field(o, "step").value_or("");
    if (step == "begin") windows.emplace_back(o.index, UINT64_MAX);
    else if (step == "cancelled" && !windows.empty() && windows.back().second == UINT64_MAX) windows.back().second = o.index;
  } else if (o.kind == "cxfs.mounted" && text_field(o, "role") == "client") {
    auto it = unmounted_.find({o.node, text_field(o, "fs").value_or("")});
    if (it != unmounted_.end() && !it->second.empty() && it->second.back().second == UINT64_MAX)
      it->second.back().second = o.index;
  } else if (o.kind == "fault" || o.kind == "node.crash" || o.kind == "cxfs.reset" ||
             (o.kind == "kore.phase" && text_field(o, "phase") == "request") || o.kind == "hsm.crashed") {
    first_disturbance_ = std::min(first_disturbance_, o.index);
  }
}

void CallErrorsChecker::invoked(const CallRecord& c, const Observation& o) {
  Change ch{c.op, c.invoke_index};
  if (makes(c.call)) {
    ch.dir = c.call == "mkdir";
    made_[c.path].push_back(ch);
  } else if (c.call == "unlink") {
    removed_[c.path].push_back(ch);
  } else if (c.call == "rename") {
    const std::string to = text_field(o, "to").value_or("");
    to_[c.op] = to;
    removed_[c.path].push_back(ch);
    // What it makes at `to` is what `from` named: a directory if it was made one.
    bool dir = false;
    made_before(c.path, UINT64_MAX, c.op, &dir);
    ch.dir = dir;
    if (!to.empty()) {
      made_[to].push_back(ch);
      replaced_[to].push_back(ch);
    }
  }
}

void CallErrorsChecker::settle(std::map<std::string, std::vector<Change>>& changes, const std::string& path,
                               const CallRecord& c) {
  auto it = changes.find(path);
  if (it == changes.end()) return;
  for (auto ch = it->second.begin(); ch != it->second.end(); ++ch) {
    if (ch->op != c.op) continue;
    switch (c.outcome()) {
      case OpType::ok:
        ch->cmp = c.complete_index;
        ch->sure = failed_.count(c.node) == 0;  // a zombie's ok may never have reached the disk
        break;
      case OpType::fail:
        if (!c.failed_with(xfs::Errno::io)) it->second.erase(ch);  // definitely no effect
        break;
      default: break;  // indeterminate: may act at any time
    }
    return;
  }
}

void CallErrorsChecker::completed(const CallRecord& c) {
  if (makes(c.call) || c.call == "rename") settle(made_, c.call == "rename" ? to_[c.op] : c.path, c);
  if (c.call == "unlink" || c.call == "rename") settle(removed_, c.path, c);
  if (c.call == "rename") settle(replaced_, to_[c.op], c);
  const auto process = std::make_pair(c.node, c.proc);
  const auto free = free_since_.find(process);
  const std::uint64_t began = c.is_read() || c.is_write() || c.call == "fsync"
                                  ? (free == free_since_.end() ? 0 : free->second)
                                  : c.invoke_index;
  free_since_[process] = c.complete_index;
  if (failed_.count(c.node) != 0) return;  // a zombie's answers are not judged (see the header)
  count("calls");
  if (c.ok()) return;
  count("errors");
  const std::string why = why_not(c, began);
  if (why.empty()) return;
  report(c.complete_index, c.complete_time, c.node,
         c.call + " " + c.path + " (op " + std::to_string(c.op) + ", process " + std::to_string(c.proc) + " on " +
             node_label(c.node, names_) + ", events #" + std::to_string(c.invoke_index) + "-#" +
             std::to_string(c.complete_index) + ") returned " + c.result + ", which nothing in the run explains: " + why);
}

// Whether `path` surely named something from index `from` to `to`: something was made
// there and completed before `from`, and no removal of it or of a directory above it may
// have acted after that making began and before `to`.
bool CallErrorsChecker::surely_named(const std::string& path, std::uint64_t from, std::uint64_t to) const {
  if (above(path).empty()) return true;  // the file system's root
  auto m = made_.find(path);
  if (m == made_.end()) return false;
  for (const Change& made : m->second) {
    if (!made.sure || made.cmp >= from) continue;
    bool undone = false;
    std::vector<std::string> paths = above(path);
    paths.push_back(path);
    for (const std::string& p : paths) {
      auto r = removed_.find(p);
      if (r == removed_.end()) continue;
      for (const Change& rm : r->second)
        if (rm.inv < to && rm.cmp > made.inv) undone = true;
    }
    if (!undone) return true;
  }
  return false;
}

bool CallErrorsChecker::made_before(const std::string& path, std::uint64_t before, std::int64_t except,
                                    bool* dir) const {
  auto m = made_.find(path);
  if (m == made_.end()) return false;
  bool any = false;
  for (const Change& made : m->second) {
    if (made.op == except || made.inv >= before) continue;
    any = true;
    if (dir != nullptr && made.dir) *dir = true;
  }
  return any;
}

bool CallErrorsChecker::unmounted_during(const CallRecord& c) const {
  auto it = unmounted_.find({c.node, c.fs});
  if (it == unmounted_.end()) return false;
  for (const auto& [from, to] : it->second)
    if (from < c.complete_index && to > c.invoke_index) return true;
  return false;
}

bool CallErrorsChecker::made_below(const std::string& path, std::uint64_t before) const {
  const std::string prefix = path + "/";
  for (auto m = made_.lower_bound(prefix); m != made_.end() && m->first.compare(0, prefix.size(), prefix) == 0; ++m)
    for (const Change& made : m->second)
      if (made.inv < before) return true;
  return false;
}

std::string CallErrorsChecker::why_not(const CallRecord& c, std::uint64_t began) const {
  const std::optional<xfs::Errno> e = xfs::errno_from(c.result);
  if (!e) return "it is no error the file system has";
  const std::string to = c.call == "rename" && to_.count(c.op) != 0 ? to_.at(c.op) : "";
  switch (*e) {
    case xfs::Errno::noent: {
      if (unmounted_during(c)) return "";
      if (began != c.invoke_index)  // a data call: the inode it opened may have been replaced
        if (auto r = replaced_.find(c.path); r != replaced_.end())
          for (const Change& ch : r->second)
            if (ch.inv < c.complete_index && ch.cmp > began) return "";
      // A create needs its directory; everything else the path itself (a rename, both).
      const std::vector<std::string> dirs = above(c.path);
      const std::string& needed = makes(c.call) ? (dirs.empty() ? c.path : dirs.front()) : c.path;
      if (!surely_named(needed, began, c.complete_index)) return "";
      if (!to.empty() && !above(to).empty() && !surely_named(above(to).front(), began, c.complete_index))
        return "";
      return needed + " was made before the call began and nothing removed it or a directory above it since";
    }
    case xfs::Errno::exist:
      if (made_before(makes(c.call) ? c.path : to, c.complete_index, c.op)) return "";
      return "nothing was made at " + (makes(c.call) ? c.path : to) + " before the call ended";
    case xfs::Errno::isdir: {
      bool dir = false;
      if (made_before(c.path, c.complete_index, c.op, &dir) && dir) return "";
      if (!to.empty() && made_before(to, c.complete_index, c.op, &dir) && dir) return "";
      return "no directory was made at the path before the call ended";
    }
    case xfs::Errno::notdir: {
      std::vector<std::string> dirs = above(c.path);
      if (!to.empty()) {
        const std::vector<std::string> more = above(to);
        dirs.insert(dirs.end(), more.begin(), more.end());
        dirs.push_back(to);  // a directory renamed onto a file
      }
      for (const std::string& d : dirs) {
        bool dir = false;
        if (made_before(d, c.complete_index, c.op, &dir) && !dir) return "";
      }
      return "no directory above the path was made a regular file before the call ended";
    }
    case xfs::Errno::notempty:
      if (made_below(c.path, c.complete_index) || (!to.empty() && made_below(to, c.complete_index))) return "";
      return "nothing was made below the path before the call ended";
    case xfs::Errno::nametoolong: {
      std::vector<std::string> names = names_of(c.path);
      const std::vector<std::string> more = names_of(to);
      names.insert(names.end(), more.begin(), more.end());
      for (const std::string& n : names)
        if (n.size() > xfs::kMaxNameLength) return "";
      return "no name in the path is longer than " + std::to_string(xfs::kMaxNameLength) + " bytes";
    }
    case xfs::Errno::inval: {
      if (!to.empty() && to.compare(0, c.path.size() + 1, c.path + "/") == 0) return "";
      std::vector<std::string> names = names_of(c.path);
      const std::vector<std::string> more = names_of(to);
      names.insert(names.end(), more.begin(), more.end());
      for (const std::string& n : names)
        if (n.empty() || n == "." || n == "..") return "";
      return "the names are valid and no rename moves a directory into itself";
    }
    case xfs::Errno::io:
      if (first_disturbance_ < c.complete_index) return "";
      return "no fault, recovery cycle, relocation, crash or reset happened before it ended";
    case xfs::Errno::nospc:
      if (makes(c.call) || c.call == "rename" || c.is_write() || c.call == "truncate" || c.call == "migrate") return "";
      return "the call allocates no space";
    case xfs::Errno::stale:
      return "ESTALE is the server's word for an inode number that names no inode; a user call must hand off, "
             "wait out recovery, or answer ENOENT";
    case xfs::Errno::migrating:
      return "the internal migrating error must never reach a user (§0080)";
    case xfs::Errno::ok: return "";
  }
  return "unknown error";
}

}  // namespace sansim
