// DMAPI events (§0040-0041): what a file under hierarchical storage management asks the
// HSM before an operation may touch it. A file's event mask says which operations raise
// an event; it is protected by the DMAPI token and travels with its grant (§0039).
//
//   offline       data only on tape: read, write and truncate raise events (the HSM
//                 recalls the data first)
//   dual-state    data on disk and tape: write and truncate raise events (the tape copy
//                 becomes out of date)
//   regular       no events
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sansim::dmapi {

enum class Event : std::uint8_t { read = 1, write = 2, truncate = 4 };
using EventMask = std::uint8_t;

inline constexpr EventMask kNoEvents = 0;
inline constexpr EventMask kDualState = static_cast<EventMask>(Event::write) | static_cast<EventMask>(Event::truncate);
inline constexpr EventMask kOffline = kDualState | static_cast<EventMask>(Event::read);
inline constexpr EventMask kAllEvents = kOffline;

constexpr bool has(EventMask m, Event e) { return (m & static_cast<EventMask>(e)) != 0; }

const char* to_string(Event e);
std::optional<Event> event_from(std::string_view s);
// "read|write|truncate", "none".
std::string describe(EventMask m);

}  // namespace sansim::dmapi
