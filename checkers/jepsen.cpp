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
  const auto v = [](std::optional<std::int64_t> x) { return x && *x != kNil ? Json(*x) : Json(nullptr); };
  if (op.f == "cas") j["value"] = Json::array({op.key, Json::array({v(op.from), v(op.value)})});
  else j["value"] = Json::array({op.key, v(op.value)});
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
  std::vector<std::string>* notes = nullptr;
  std::map<std::string, std::size_t> ignored = {};  // unknown key -> first line
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

  HistoryOp parse(const std::string& text) {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) fail("not valid JSON");
    if (!j.is_object()) fail("a line must be a JSON object");
    static constexpr const char* kKeys[] = {"process", "type", "f", "value", "index", "time"};
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (const char* want : kKeys) known = known || k == want;
      if (!known) ignored.try_emplace(k, line);  // Jepsen's error, node...: noted, not judged
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
    if (!f.is_string() || (f.get<std::string>() != "read" && f.get<std::string>() != "write" &&
                           f.get<std::string>() != "cas"))
      fail("'f' must be read, write or cas");
    op.f = f.get<std::string>();
    const Json& value = field(j, "value");
    if (!value.is_array() || value.size() != 2 || !value[0].is_string())
      fail("'value' must be a pair [\"<key>\", value or null]");
    op.key = value[0].get<std::string>();
    const auto int_or_nil = [this](const Json& x, const std::string& what) {
      return x.is_null() ? kNil : integer(x, what);
    };
    if (op.f == "cas") {
      if (!value[1].is_array() || value[1].size() != 2)
        fail("a cas 'value' must be [\"<key>\", [old, new]] (old and new integers or null)");
      op.from = int_or_nil(value[1][0], "the old value of a cas");
      op.value = int_or_nil(value[1][1], "the new value of a cas");
    } else if (value[1].is_null()) {
      if (op.f == "read" && op.type == OpType::ok) op.value = kNil;  // read nil: nothing written yet
    } else {
      op.value = integer(value[1], "the value in 'value'");
    }
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

History read_jepsen(std::istream& in, const std::string& name, std::vector<std::string>* notes) {
  LineReader r{name, notes};
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
    const bool write = op.f != "read";  // write or cas: they carry what they write
    if (op.type == OpType::invoke) {
      if (auto it = open.find(slot); it != open.end())
        r.fail(who + " invokes again while its invoke at line " + std::to_string(it->second.second) +
               " is still open");
      if (write && !op.value) r.fail("a write invoke must carry the value it writes");
      if (!write && op.value) r.fail("a read invoke must have a null value");
      if (op.f == "write" && (*op.value < 0 || *op.value == kNil))
        r.fail("a written value must be 0 or more (-1 is a torn read, null is nothing)");
      open.emplace(slot, std::make_pair(h.size(), r.line));
    } else {
      auto it = open.find(slot);
      if (it == open.end()) r.fail("a completion (" + std::string(to_string(op.type)) + ") with no open invoke of " + who);
      const HistoryOp& inv = h[it->second.first];
      if (inv.f != op.f)
        r.fail("the completion says f=" + op.f + " but the invoke at line " + std::to_string(it->second.second) +
               " says f=" + inv.f);
      if (write && (op.value != inv.value || op.from != inv.from))
        r.fail("a " + op.f + "'s completion must carry the value of its invoke at line " +
               std::to_string(it->second.second));
      if (!write && op.type == OpType::ok && !op.value) r.fail("an ok read must carry the value it read");
      if (!write && op.value && *op.value < -1 && *op.value != kNil)
        r.fail("a read value must be null (nil), -1 (torn), 0 (initial) or a written stamp");
      open.erase(it);
    }
    h.push_back(std::move(op));
  }
  if (in.bad()) throw JepsenFormatError(name + ": read error after line " + std::to_string(r.line));
  if (notes != nullptr)
    for (const auto& [key, first] : r.ignored)
      notes->push_back(name + ":" + std::to_string(first) + ": ignored the key '" + key +
                       "' (not part of a register operation; on this line and any later one)");
  return h;
}

History read_jepsen_file(const std::string& path, std::vector<std::string>* notes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JepsenFormatError(path + ": cannot open the history file");
  return read_jepsen(in, path, notes);
}

}  // namespace sansim
