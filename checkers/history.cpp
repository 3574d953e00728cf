#include "checkers/history.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "engine/sim/volume.h"

namespace sansim {
namespace {

// Reads an integer field; says what is wrong otherwise.
bool integer_field(const Observation& o, const char* key, std::int64_t* out, std::string* why) {
  const FieldValue* v = o.find(key);
  const auto* i = v != nullptr ? std::get_if<std::int64_t>(v) : nullptr;
  if (i == nullptr) {
    *why = o.kind + (v == nullptr ? " lacks the integer field '" : " has a non-integer '") + key + "'";
    return false;
  }
  *out = *i;
  return true;
}

bool text_field(const Observation& o, const char* key, std::string* out, std::string* why) {
  const FieldValue* v = o.find(key);
  const auto* s = v != nullptr ? std::get_if<std::string>(v) : nullptr;
  if (s == nullptr) {
    *why = o.kind + (v == nullptr ? " lacks the text field '" : " has a non-text '") + key + "'";
    return false;
  }
  *out = *s;
  return true;
}

bool list_field(const Observation& o, const char* key, std::size_t length, std::int64_t min,
                std::vector<std::int64_t>* out, std::string* why) {
  const FieldValue* v = o.find(key);
  const auto* l = v != nullptr ? std::get_if<std::vector<std::int64_t>>(v) : nullptr;
  if (l == nullptr) {
    *why = o.kind + (v == nullptr ? " lacks the list field '" : " has a non-list '") + key + "'";
    return false;
  }
  if (l->size() != length) {
    *why = o.kind + " '" + key + "' holds " + std::to_string(l->size()) + " values for " + std::to_string(length) +
           " blocks";
    return false;
  }
  for (std::int64_t x : *l)
    if (x < min) {
      *why = o.kind + " '" + key + "' holds " + std::to_string(x) + ", below the least allowed " + std::to_string(min);
      return false;
    }
  *out = *l;
  return true;
}

}  // namespace

const char* to_string(OpType t) {
  switch (t) {
    case OpType::invoke: return "invoke";
    case OpType::ok: return "ok";
    case OpType::fail: return "fail";
    case OpType::info: return "info";
  }
  return "?";
}

std::string register_key(const std::string& fs, std::int64_t ino, std::int64_t block, std::int64_t generation) {
  std::string key = fs.empty() ? std::string() : fs + ":";
  key += std::to_string(ino);
  if (generation != 0) key += "." + std::to_string(generation);
  return key + "/" + std::to_string(block);
}

std::string value_text(std::int64_t v) { return v == kNil ? "nil" : std::to_string(v); }

std::string fs_of_key(const std::string& key) {
  const std::size_t colon = key.find(':');
  return colon == std::string::npos ? std::string() : key.substr(0, colon);
}

std::string fs_of_path(const std::string& path) {
  if (path.size() < 2 || path[0] != '/') return {};
  const std::size_t end = path.find('/', 1);
  return path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
}

OpType CallRecord::outcome() const {
  if (!completed) return OpType::info;
  if (ok()) return OpType::ok;
  if (failed_with(xfs::Errno::io) && (is_write() || is_truncate())) return OpType::info;
  return OpType::fail;
}

void HistoryRecorder::on_observation(const Observation& o) {
  if (o.kind == "app.invoke") {
    invoke(o);
  } else if (o.kind == "app.complete") {
    complete(o);
  } else if (o.kind == "corpse.start") {
    if (const auto* f = o.find("failed"); f != nullptr && std::holds_alternative<std::vector<std::int64_t>>(*f))
      for (std::int64_t n : std::get<std::vector<std::int64_t>>(*f)) failed_.insert(static_cast<NodeId>(n));
  } else if (o.kind == "corpse.readmitted") {
    if (const auto* n = o.find("node"); n != nullptr && std::holds_alternative<std::int64_t>(*n))
      failed_.erase(static_cast<NodeId>(std::get<std::int64_t>(*n)));
  } else if (o.kind == "dsvn.created") {
    // A zombie server's creation (recovery declared its node failed; it does not know
    // yet) never happened for the cluster: the new server hands the number out again
    // (fs property seed 4018: counted, it moved every later call on the inode to a
    // register of its own, and a read no longer found the write it read).
    if (failed_.count(o.node) != 0) return;
    // A new file got this inode number in this file system: its blocks are new registers
    // from now on.
    const auto* v = o.find("ino");
    const auto* f = o.find("fs");
    if (v == nullptr || !std::holds_alternative<std::int64_t>(*v) || f == nullptr ||
        !std::holds_alternative<std::int64_t>(*f))
      return problem(o, "dsvn.created does not name an integer fs and ino");
    const std::int64_t index = std::get<std::int64_t>(*f);
    const std::string fs = index >= 0 && static_cast<std::size_t>(index) < fs_ids_.size()
                               ? fs_ids_[static_cast<std::size_t>(index)]
                               : "#" + std::to_string(index);
    ++generations_[{fs, std::get<std::int64_t>(*v)}];
  }
}

void HistoryRecorder::problem(const Observation& o, std::string message) {
  problems_.push_back(HistoryProblem{o.index, o.time, o.node, std::move(message)});
}

void HistoryRecorder::invoke(const Observation& o) {
  CallRecord c;
  std::string why;
  if (!integer_field(o, "proc", &c.proc, &why) || !integer_field(o, "op", &c.op, &why) ||
      !text_field(o, "call", &c.call, &why) || !text_field(o, "path", &c.path, &why))
    return problem(o, why);
  if (by_op_.count(c.op) != 0)
    return problem(o, "app.invoke reuses call id " + std::to_string(c.op) + " (op ids must be unique)");
  c.node = o.node;
  c.fs = fs_of_path(c.path);
  c.invoke_index = o.index;
  c.invoke_time = o.time;
  if (c.is_read() || c.is_write()) {
    bool ok = integer_field(o, "ino", &c.ino, &why) && integer_field(o, "block", &c.block, &why) &&
              integer_field(o, "blocks", &c.blocks, &why);
    if (ok && (c.ino < 0 || c.block < 0 || c.blocks < 1)) {
      why = "app.invoke of " + c.call + " has ino " + std::to_string(c.ino) + ", block " + std::to_string(c.block) +
            ", blocks " + std::to_string(c.blocks) + " (need ino >= 0, block >= 0, blocks >= 1)";
      ok = false;
    }
    if (ok && c.is_write()) ok = list_field(o, "value", static_cast<std::size_t>(c.blocks), 1, &c.written, &why);
    if (ok) {
      auto g = generations_.find({c.fs, c.ino});
      c.generation = g == generations_.end() ? 0 : g->second;
    }
    if (!ok) {
      c.well_formed = false;
      problem(o, why + " (call " + std::to_string(c.op) + ")");
    }
  }
  if (c.is_truncate()) {
    const auto* ino = o.find("ino");
    const auto* size = o.find("size");
    if (ino != nullptr && size != nullptr && std::holds_alternative<std::int64_t>(*ino) &&
        std::holds_alternative<std::int64_t>(*size) && std::get<std::int64_t>(*ino) > 0 &&
        std::get<std::int64_t>(*size) >= 0) {
      c.ino = std::get<std::int64_t>(*ino);
      const std::int64_t block = kBlockSize;
      c.zeroes_from = (std::get<std::int64_t>(*size) + block - 1) / block;
      auto g = generations_.find({c.fs, c.ino});
      c.generation = g == generations_.end() ? 0 : g->second;
    }
  }
  by_op_.emplace(c.op, calls_.size());
  by_invoke_.emplace(c.invoke_index, calls_.size());
  calls_.push_back(std::move(c));
}

void HistoryRecorder::complete(const Observation& o) {
  std::int64_t proc = 0, op = 0;
  std::string call, result, why;
  if (!integer_field(o, "proc", &proc, &why) || !integer_field(o, "op", &op, &why) ||
      !text_field(o, "call", &call, &why) || !text_field(o, "result", &result, &why))
    return problem(o, why);
  auto it = by_op_.find(op);
  if (it == by_op_.end())
    return problem(o, "app.complete of call " + std::to_string(op) + " that was never invoked");
  CallRecord& c = calls_[it->second];
  if (c.completed)
    return problem(o, "app.complete of call " + std::to_string(op) + " that already completed at event " +
                          std::to_string(c.complete_index));
  if (c.proc != proc || c.call != call)
    return problem(o, "app.complete of call " + std::to_string(op) + " names proc " + std::to_string(proc) + " and " +
                          call + ", but it was invoked by proc " + std::to_string(c.proc) + " as " + c.call);
  if (result.empty()) return problem(o, "app.complete of call " + std::to_string(op) + " has an empty 'result'");
  c.completed = true;
  c.result = result;
  c.complete_index = o.index;
  c.complete_time = o.time;
  if (!c.ok()) return;
  if (c.is_read() && c.well_formed &&
      !list_field(o, "value", static_cast<std::size_t>(c.blocks), -1, &c.read, &why)) {
    c.well_formed = false;
    problem(o, why + " (call " + std::to_string(op) + ")");
  }
  if (call == "stat") {
    std::int64_t v = 0;
    if (integer_field(o, "size", &v, &why)) c.size = v;
    if (integer_field(o, "mtime", &v, &why)) c.mtime = v;
  }
}

const CallRecord* HistoryRecorder::call_invoked_at(std::uint64_t index) const {
  auto it = by_invoke_.find(index);
  return it == by_invoke_.end() ? nullptr : &calls_[it->second];
}

History HistoryRecorder::history() const {
  std::int64_t stride = 1;
  for (const CallRecord& c : calls_) stride = std::max(stride, c.proc + 1);

  // The blocks reads and writes touch, per file (fs, ino, generation): what a truncate
  // zeroes in the register history.
  std::map<std::tuple<std::string, std::int64_t, std::int64_t>, std::set<std::int64_t>> touched;
  for (const CallRecord& c : calls_)
    if (c.well_formed && (c.is_read() || c.is_write()))
      for (std::int64_t b = c.block; b < c.block + c.blocks; ++b) touched[{c.fs, c.ino, c.generation}].insert(b);
  // The register operations of a call: (block, value written or none).
  auto blocks_of = [&touched](const CallRecord& c) {
    std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> out;
    if (c.is_truncate()) {
      auto t = touched.find({c.fs, c.ino, c.generation});
      if (!c.zeroes_from || t == touched.end()) return out;
      for (auto b = t->second.lower_bound(*c.zeroes_from); b != t->second.end(); ++b) out.emplace_back(*b, 0);
      return out;
    }
    for (std::int64_t b = 0; b < c.blocks; ++b)
      out.emplace_back(c.block + b, c.is_write() ? std::optional<std::int64_t>(c.written[static_cast<std::size_t>(b)])
                                                 : std::nullopt);
    return out;
  };

  // Each call contributes its invokes at its invoke index and its completions at its
  // complete index; trace indices are unique per observation, so sorting on them (stably,
  // keeping block order within one observation) gives the trace order.
  struct Event {
    std::uint64_t index;
    std::size_t call;
    bool completion;
  };
  std::vector<Event> events;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const CallRecord& c = calls_[i];
    if (!c.well_formed || !(c.is_read() || c.is_write() || (c.is_truncate() && c.zeroes_from))) continue;
    events.push_back({c.invoke_index, i, false});
    if (c.completed) events.push_back({c.complete_index, i, true});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.index < b.index; });

  std::map<std::int64_t, std::int64_t> retired;  // proc -> times retired so far
  std::map<std::size_t, std::int64_t> process_of;  // call -> its Jepsen process
  History h;
  for (const Event& e : events) {
    const CallRecord& c = calls_[e.call];
    const char* f = c.is_read() ? "read" : "write";
    const auto blocks = blocks_of(c);
    if (!e.completion) {
      const std::int64_t process = c.proc + retired[c.proc] * stride;
      process_of[e.call] = process;
      for (const auto& [b, v] : blocks)
        h.push_back(HistoryOp{process, OpType::invoke, f, register_key(c.fs, c.ino, b, c.generation), v, c.invoke_index,
                              c.invoke_time});
      continue;
    }
    const OpType type = c.outcome();
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      std::optional<std::int64_t> v = blocks[k].second;
      if (c.is_read() && type == OpType::ok) v = c.read[k];
      h.push_back(HistoryOp{process_of[e.call], type, f, register_key(c.fs, c.ino, blocks[k].first, c.generation), v,
                            c.complete_index, c.complete_time});
    }
    if (type == OpType::info) ++retired[c.proc];
  }
  return h;
}

}  // namespace sansim
