#include "checkers/call_feed.h"

namespace sansim {

CallFeed::Event CallFeed::on_observation(const Observation& o) {
  Event e;
  const bool invoke = o.kind == "app.invoke";
  if (!invoke && o.kind != "app.complete") return e;
  const std::size_t calls_before = recorder_.calls().size();
  const std::size_t problems_before = recorder_.problems().size();
  recorder_.on_observation(o);
  if (recorder_.problems().size() > problems_before) e.problem = &recorder_.problems().back();
  const auto& calls = recorder_.calls();
  if (invoke) {
    // A malformed register call is still recorded (well_formed false); a refused invoke is not.
    if (calls.size() == calls_before) return e;
    position_[calls.back().op] = calls.size() - 1;
    e.call = &calls.back();
    return e;
  }
  const std::optional<std::int64_t> op = integer_field(o, "op");
  if (!op) return e;
  auto it = position_.find(*op);
  if (it == position_.end()) return e;
  const CallRecord& c = calls[it->second];
  if (!c.completed || c.complete_index != o.index) return e;  // refused: not this completion
  e.call = &c;
  e.completion = true;
  return e;
}

std::optional<std::int64_t> integer_field(const Observation& o, const std::string& key) {
  const FieldValue* v = o.find(key);
  const auto* i = v != nullptr ? std::get_if<std::int64_t>(v) : nullptr;
  if (i == nullptr) return std::nullopt;
  return *i;
}

std::optional<std::string> text_field(const Observation& o, const std::string& key) {
  const FieldValue* v = o.find(key);
  const auto* s = v != nullptr ? std::get_if<std::string>(v) : nullptr;
  if (s == nullptr) return std::nullopt;
  return *s;
}

std::optional<std::vector<std::int64_t>> integer_list_field(const Observation& o, const std::string& key) {
  const FieldValue* v = o.find(key);
  const auto* l = v != nullptr ? std::get_if<std::vector<std::int64_t>>(v) : nullptr;
  if (l == nullptr) return std::nullopt;
  return *l;
}

}  // namespace sansim
