// Virtual time: a signed 64-bit count of nanoseconds since the simulation began.
// Nothing in engine/ or model/ reads a wall clock; every "now" comes from the scheduler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sansim {

using Time = std::int64_t;      // an instant, ns since start
using Duration = std::int64_t;  // a span, ns

constexpr Time kTimeNever = INT64_MAX;

namespace literals {
constexpr Duration operator""_ns(unsigned long long v) { return static_cast<Duration>(v); }
constexpr Duration operator""_us(unsigned long long v) { return static_cast<Duration>(v) * 1'000; }
constexpr Duration operator""_ms(unsigned long long v) { return static_cast<Duration>(v) * 1'000'000; }
constexpr Duration operator""_s(unsigned long long v) { return static_cast<Duration>(v) * 1'000'000'000; }
constexpr Duration operator""_min(unsigned long long v) { return static_cast<Duration>(v) * 60'000'000'000; }
}  // namespace literals

// "1.5s", "250ms", "100us", "7ns", "2m", "1h". A bare number is rejected: a unit is
// required so that a scenario never means seconds where its author meant milliseconds.
// Returns nullopt on anything else (negative, overflow, unknown unit, trailing junk).
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact rendering that parse_duration reads back ("1.5s", "300us").
std::string format_duration(Duration d);

}  // namespace sansim
