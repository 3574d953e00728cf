#include "model/dmapi/events.h"

namespace sansim::dmapi {

const char* to_string(Event e) {
  switch (e) {
    case Event::read: return "read";
    case Event::write: return "write";
    case Event::truncate: return "truncate";
  }
  return "?";
}

std::optional<Event> event_from(std::string_view s) {
  for (Event e : {Event::read, Event::write, Event::truncate})
    if (s == to_string(e)) return e;
  return std::nullopt;
}

std::string describe(EventMask m) {
  std::string out;
  for (Event e : {Event::read, Event::write, Event::truncate}) {
    if (!has(m, e)) continue;
    if (!out.empty()) out += "|";
    out += to_string(e);
  }
  return out.empty() ? "none" : out;
}

}  // namespace sansim::dmapi
