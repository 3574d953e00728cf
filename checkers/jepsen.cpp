#include "checkers/jepsen.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace sansim {
namespace {

using Json = nlohmann::ordered_json;

Json line_of(const HistoryOp& op) {
  Json j;
  j["process"] = op.process;
  j["type"] = to_string(op.type);
  j["f"] = op.f;
  j["value"] = Json::array({op.key, op.value ? Json(*op.value) : Json(nullptr)});
  j["index"] = op.index;
  j["time"] = op.time;
  return j;
}

void put(std::ostream& out, const HistoryOp& op) {
  // replace: a key that is not valid UTF-8 must not throw halfway through a file.
  out << line_of(op).dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

struct LineReader {
  const std::string& name;
  std::size_t line = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw JepsenFormatError(name + ":" + std::to_string(line) + ": " + what);
  }

  // An integer that fits int64; nlohmann keeps large non-negative numbers unsigned.
  std::int64_t integer(const Json& v, const std::string& what) const {
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(u);
      fail(what + " is too large (at most " + std::to_string(std::numeric_limits<std::int64_t>::max()) + ")");
    }
    fail(what + " must be an integer, not " + v.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

  const Json& field(const Json& j, const char* key) const {
    auto it = j.find(key);
    if (it == j.end()) fail(std::string("'") + key + "' is missing");
    return *it;
  }

  HistoryOp parse(const std::string& text) const {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) fail("not valid JSON");
    if (!j.is_object()) fail("a line must be a JSON object");
    static constexpr const char* kKeys[] = {"process", "type", "f", "value", "index", "time"};
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (const char* want : kKeys) known = known || k == want;
      if (!known) fail("unknown key '" + k + "' (allowed: process, type, f, value, index, time)");
    }
    HistoryOp op;
    op.process = integer(field(j, "process"), "'process'");
    const Json& type = field(j, "type");
    const std::string t = type.is_string() ? type.get<std::string>() : "";
    if (t == "invoke") op.type = OpType::invoke;
    else if (t == "ok") op.type = OpType::ok;
    else if (t == "fail") op.type = OpType::fail;
    else if (t == "info") op.type = OpType::info;
    else fail("'type' must be one of invoke, ok, fail, info");
    const Json& f = field(j, "f");
    if (!f.is_string() || (f.get<std::string>() != "read" && f.get<std::string>() != "write"))
      fail("'f' must be read or write");
    op.f = f.get<std::string>();
    const Json& value = field(j, "value");
    if (!value.is_array() || value.size() != 2 || !value[0].is_string())
      fail("'value' must be a pair [\"<key>\", value or null]");
    op.key = value[0].get<std::string>();
    if (!value[1].is_null()) op.value = integer(value[1], "the value in 'value'");
    const std::int64_t index = integer(field(j, "index"), "'index'");
    op.time = integer(field(j, "time"), "'time'");
    if (index < 0) fail("'index' must not be negative");
    if (op.time < 0) fail("'time' must not be negative");
    op.index = static_cast<std::uint64_t>(index);
    return op;
  }
};

}  // namespace

void write_jepsen(std::ostream& out, const History& h, std::optional<HistoryEnd> end) {
  std::map<std::pair<std::int64_t, std::string>, std::size_t> open;  // -> position of the invoke
  for (std::size_t i = 0; i < h.size(); ++i) {
    const HistoryOp& op = h[i];
    put(out, op);
    if (op.type == OpType::invoke) open[{op.process, op.key}] = i;
    else open.erase({op.process, op.key});
  }
  if (!end) end = h.empty() ? HistoryEnd{} : HistoryEnd{h.back().index, h.back().time};
  // In history order, like the invokes they close.
  std::vector<std::size_t> pending;
  for (const auto& [slot, i] : open) pending.push_back(i);
  std::sort(pending.begin(), pending.end());
  for (std::size_t i : pending) {
    HistoryOp info = h[i];
    info.type = OpType::info;
    info.index = end->index;
    info.time = end->time;
    put(out, info);
  }
}

History read_jepsen(std::istream& in, const std::string& name) {
  LineReader r{name};
  History h;
  // (process, key) -> the open invoke's position in h and its line.
  std::map<std::pair<std::int64_t, std::string>, std::pair<std::size_t, std::size_t>> open;
  std::string text;
  while (std::getline(in, text)) {
    ++r.line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    HistoryOp op = r.parse(text);
    if (!h.empty() && op.index < h.back().index)
      r.fail("'index' " + std::to_string(op.index) + " is smaller than the previous line's " +
             std::to_string(h.back().index));
    if (!h.empty() && op.time < h.back().time)
      r.fail("'time' " + std::to_string(op.time) + " is earlier than the previous line's " +
             std::to_string(h.back().time));
    const auto slot = std::make_pair(op.process, op.key);
    const std::string who = "process " + std::to_string(op.process) + " on key '" + op.key + "'";
    const bool write = op.f == "write";
    if (op.type == OpType::invoke) {
      if (auto it = open.find(slot); it != open.end())
        r.fail(who + " invokes again while its invoke at line " + std::to_string(it->second.second) +
               " is still open");
      if (write && !op.value) r.fail("a write invoke must carry the value it writes");
      if (!write && op.value) r.fail("a read invoke must have a null value");
      if (write && *op.value < 1) r.fail("a written value must be positive (0 is the initial value, -1 a torn read)");
      open.emplace(slot, std::make_pair(h.size(), r.line));
    } else {
      auto it = open.find(slot);
      if (it == open.end()) r.fail("a completion (" + std::string(to_string(op.type)) + ") with no open invoke of " + who);
      const HistoryOp& inv = h[it->second.first];
      if (inv.f != op.f)
        r.fail("the completion says f=" + op.f + " but the invoke at line " + std::to_string(it->second.second) +
               " says f=" + inv.f);
      if (write && op.value != inv.value)
        r.fail("a write's completion must carry the value of its invoke at line " + std::to_string(it->second.second));
      if (!write && op.type == OpType::ok && !op.value) r.fail("an ok read must carry the value it read");
      if (!write && op.value && *op.value < -1) r.fail("a read value must be -1 (torn), 0 (initial) or a written stamp");
      open.erase(it);
    }
    h.push_back(std::move(op));
  }
  if (in.bad()) throw JepsenFormatError(name + ": read error after line " + std::to_string(r.line));
  return h;
}

History read_jepsen_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JepsenFormatError(path + ": cannot open the history file");
  return read_jepsen(in, path);
}

}  // namespace sansim
