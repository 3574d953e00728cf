#include "engine/time.h"

#include <array>
#include <cstdio>

namespace sansim {
namespace {

struct Unit {
  std::string_view name;
  Duration ns;
};

// Longest names first so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 7> kUnits{{{"min", 60'000'000'000},
                                      {"ms", 1'000'000},
                                      {"us", 1'000},
                                      {"ns", 1},
                                      {"h", 3'600'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"s", 1'000'000'000}}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  __int128 whole = 0;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i] - '0');
    if (whole > INT64_MAX) return std::nullopt;
    digits = true;
    ++i;
  }
  __int128 frac = 0, frac_scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (frac_scale < 1'000'000'000'000'000LL) {  // more digits than ns resolution are ignored
        frac = frac * 10 + (text[i] - '0');
        frac_scale *= 10;
      }
      digits = true;
      ++i;
    }
  }
  if (!digits) return std::nullopt;
  std::string_view unit = text.substr(i);
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      __int128 total = whole * u.ns + frac * u.ns / frac_scale;
      if (total > INT64_MAX) return std::nullopt;
      return static_cast<Duration>(total);
    }
  }
  return std::nullopt;
}

std::string format_duration(Duration d) {
  if (d == 0) return "0s";
  std::string sign = d < 0 ? "-" : "";
  unsigned long long v = d < 0 ? static_cast<unsigned long long>(-(d + 1)) + 1 : static_cast<unsigned long long>(d);
  struct Step {
    unsigned long long ns;
    const char* name;
  };
  static constexpr Step kSteps[] = {{1'000'000'000ULL, "s"}, {1'000'000ULL, "ms"}, {1'000ULL, "us"}, {1ULL, "ns"}};
  for (const Step& s : kSteps) {
    if (v >= s.ns || s.ns == 1) {
      unsigned long long whole = v / s.ns, rem = v % s.ns;
      char buf[64];
      if (rem == 0) {
        std::snprintf(buf, sizeof buf, "%llu%s", whole, s.name);
      } else {
        // Print the remainder with as many digits as it needs and no trailing zeros.
        std::string f = std::to_string(rem);
        std::size_t width = 0;
        for (unsigned long long x = s.ns; x > 1; x /= 10) ++width;
        f.insert(0, width - f.size(), '0');
        while (!f.empty() && f.back() == '0') f.pop_back();
        return sign + std::to_string(whole) + "." + f + s.name;
      }
      return sign + buf;
    }
  }
  return sign + std::to_string(v) + "ns";
}

}  // namespace sansim
