// Jepsen's own history formats, turned into JSON lines for read_jepsen (jepsen.h), so one
// validator judges every format.
#include <cctype>
#include <functional>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checkers/jepsen.h"

namespace sansim {
namespace {

using Json = nlohmann::ordered_json;

// A small EDN reader: what the register workload's histories hold (keywords, integers,
// nil, strings, vectors, maps). Throws JepsenFormatError through `fail`.
struct Edn {
  const std::string& text;
  std::size_t at = 0;
  std::function<void(const std::string&)> fail;

  void space() {
    while (at < text.size() && (std::isspace(static_cast<unsigned char>(text[at])) || text[at] == ',')) ++at;
  }
  Json value() {
    space();
    if (at >= text.size()) fail("the line ends inside a value");
    const char c = text[at];
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++at;
      std::vector<Json> items;
      for (;;) {
        space();
        if (at < text.size() && text[at] == close) break;
        items.push_back(value());
      }
      ++at;
      if (c == '[') return Json(items);
      if (items.size() % 2 != 0) fail("a map with a key and no value");
      Json m = Json::object();
      for (std::size_t i = 0; i < items.size(); i += 2) {
        if (!items[i].is_string()) fail("a map key that is not a keyword");
        m[items[i].get<std::string>()] = items[i + 1];
      }
      return m;
    }
    if (c == '"') {
      std::string s;
      for (++at; at < text.size() && text[at] != '"'; ++at) s += text[at] == '\\' && at + 1 < text.size() ? text[++at] : text[at];
      ++at;
      return Json(s);
    }
    std::size_t end = at;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != ',' &&
           text[end] != '}' && text[end] != ']')
      ++end;
    const std::string word = text.substr(at, end - at);
    at = end;
    if (word == "nil") return Json(nullptr);
    if (word[0] == ':') return Json(word.substr(1));  // a keyword, as its name
    if (word.find_first_not_of("-0123456789") == std::string::npos && word != "-") {
      try {
        return Json(std::stoll(word));
      } catch (const std::exception&) {
        fail("the number " + word + " does not fit 64 bits");
      }
    }
    return Json(word);  // a symbol: kept as text
  }
};

}  // namespace

History read_jepsen_edn(std::istream& in, const std::string& name, std::vector<std::string>* notes) {
  std::stringstream json;
  std::string text;
  std::size_t line = 0, skipped = 0, nemesis = 0;
  std::map<std::string, Json> invoked;  // process -> the value its open invoke named
  while (std::getline(in, text)) {
    ++line;
    auto fail = [&](const std::string& what) -> void {
      throw JepsenFormatError(name + ":" + std::to_string(line) + ": " + what);
    };
    Json op;
    const std::size_t log = text.find("jepsen.util - ");
    const std::size_t brace = text.find_first_not_of(" \t\r");
    if (log != std::string::npos) {
      // "INFO  jepsen.util - 2\t:ok\t:cas\t[3 0]": process, type, f, value.
      // Tabs or spaces between the columns; the value (a vector may hold spaces) is the rest.
      const std::string rest = text.substr(log + 14);
      std::vector<std::string> cols;
      std::size_t from = 0;
      while (cols.size() < 3) {
        const std::size_t b = rest.find_first_not_of(" \t", from);
        if (b == std::string::npos) break;
        const std::size_t e = rest.find_first_of(" \t", b);
        cols.push_back(rest.substr(b, e == std::string::npos ? std::string::npos : e - b));
        from = e == std::string::npos ? rest.size() : e;
      }
      const std::size_t v = rest.find_first_not_of(" \t", from);
      if (v != std::string::npos) cols.push_back(rest.substr(v));
      if (cols.size() < 4) {
        ++skipped;
        continue;
      }
      if (cols[0] == ":nemesis") {
        ++nemesis;
        continue;
      }
      Edn e{cols[3], 0, fail};
      op["process"] = Edn{cols[0], 0, fail}.value();
      op["type"] = Edn{cols[1], 0, fail}.value();
      op["f"] = Edn{cols[2], 0, fail}.value();
      op["value"] = e.value();
    } else if (brace != std::string::npos && text[brace] == '{') {
      Edn e{text, brace, fail};
      op = e.value();
      if (op.contains("process") && op["process"].is_string()) {  // :nemesis
        ++nemesis;
        continue;
      }
    } else {
      if (brace != std::string::npos) ++skipped;
      continue;
    }
    // A completion that failed or timed out may carry its error (:timed-out) where the
    // value goes: the operation is the one its invoke named.
    const std::string process = op.contains("process") ? op["process"].dump() : "";
    const std::string type = op.contains("type") && op["type"].is_string() ? op["type"].get<std::string>() : "";
    if (type == "invoke") {
      invoked[process] = op.contains("value") ? op["value"] : Json(nullptr);
    } else if (auto it = invoked.find(process); it != invoked.end()) {
      if ((type == "info" || type == "fail") && (!op.contains("value") || op["value"].is_string())) {
        if (op.contains("value")) op["error"] = op["value"];
        op["value"] = it->second;
      }
      invoked.erase(it);
    }
    // As read_jepsen wants it: a single register, key "".
    Json out = Json::object();
    for (const auto& [k, v] : op.items())
      if (k != "value" && k != "index" && k != "time") out[k] = v;
    out["value"] = Json::array({"", op.contains("value") ? op["value"] : Json(nullptr)});
    out["index"] = line;
    out["time"] = op.contains("time") && op["time"].is_number_integer() ? op["time"] : Json(line);
    json << out.dump() << "\n";
  }
  if (in.bad()) throw JepsenFormatError(name + ": read error after line " + std::to_string(line));
  if (notes != nullptr && skipped != 0)
    notes->push_back(name + ": skipped " + std::to_string(skipped) + " line(s) that are no operation");
  if (notes != nullptr && nemesis != 0)
    notes->push_back(name + ": skipped " + std::to_string(nemesis) + " operation(s) of the nemesis");
  return read_jepsen(json, name, notes);
}

History read_history_file(const std::string& path, std::vector<std::string>* notes, bool* jepsen_format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JepsenFormatError(path + ": cannot open the history file");
  // JSON lines begin with {"; Jepsen's EDN with {: and its log lines name jepsen.util.
  std::string first;
  while (std::getline(in, first) && first.find_first_not_of(" \t\r") == std::string::npos) {
  }
  in.clear();
  in.seekg(0);
  const std::size_t b = first.find_first_not_of(" \t\r");
  const bool json = b != std::string::npos && first.compare(b, 2, "{\"") == 0;
  if (jepsen_format != nullptr) *jepsen_format = !json;
  return json ? read_jepsen(in, path, notes) : read_jepsen_edn(in, path, notes);
}

}  // namespace sansim
