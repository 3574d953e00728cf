// The CMS membership state machine's states (§0054-0056, Fig. 10).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sansim::cms {

enum class State : std::uint8_t { nascent, leader, follower, stable, dead, shutdown };

const char* to_string(State s);
std::optional<State> parse_state(std::string_view s);

}  // namespace sansim::cms
