// The YAML reading helpers every scenario loader file shares: typed accessors that fail
// with one ScenarioError naming file:line:column and what was wrong.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "engine/time.h"
#include "scenarios/scenario.h"

namespace sansim {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const YAML::Mark m = at.Mark();
    throw ScenarioError{file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1), message};
  }
  [[noreturn]] void fail_mark(const YAML::Mark& m, const std::string& message) const {
    throw ScenarioError{file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1), message};
  }

  void require_map(const YAML::Node& n, const std::string& what) const {
    if (!n.IsMap()) fail(n, what + " must be a mapping");
  }
  void require_list(const YAML::Node& n, const std::string& what) const {
    if (!n.IsSequence()) fail(n, what + " must be a list");
  }
  // Rejects keys outside `allowed`, naming the key and what is allowed.
  void only_keys(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed) const {
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        fail(kv.first, "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
      }
    }
  }
  std::string str(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a string");
    return n.as<std::string>();
  }
  bool boolean(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be true or false");
    bool v;
    if (!YAML::convert<bool>::decode(n, v)) fail(n, what + " must be true or false, not '" + n.Scalar() + "'");
    return v;
  }
  std::int64_t integer(const YAML::Node& n, const std::string& what, std::int64_t lo, std::int64_t hi) const {
    if (!n.IsScalar()) fail(n, what + " must be an integer");
    const std::string& s = n.Scalar();
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(s, &used, 10);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || used != s.size()) fail(n, what + " must be an integer, not '" + s + "'");
    if (v < lo || v > hi)
      fail(n, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " + s);
    return v;
  }
  std::uint64_t seed(const YAML::Node& n) const {
    if (!n.IsScalar()) fail(n, "seed must be a non-negative integer");
    const std::string& s = n.Scalar();
    if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fail(n, "seed must be a non-negative integer, not '" + s + "'");
    try {
      return std::stoull(s);
    } catch (...) {
      fail(n, "seed '" + s + "' does not fit in 64 bits");
    }
  }
  Duration duration(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a duration such as 500ms or 3s");
    auto d = parse_duration(n.Scalar());
    if (!d) fail(n, what + " '" + n.Scalar() + "' is not a duration (write a number and a unit: ns, us, ms, s, m, h)");
    return *d;
  }
  std::pair<Duration, Duration> duration_range(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a duration or a range such as 100us..400us");
    const std::string s = n.Scalar();
    const auto dots = s.find("..");
    if (dots == std::string::npos) {
      Duration d = duration(n, what);
      return {d, d};
    }
    auto lo = parse_duration(s.substr(0, dots)), hi = parse_duration(s.substr(dots + 2));
    if (!lo || !hi) fail(n, what + " '" + s + "' is not a range of durations such as 100us..400us");
    if (*lo > *hi) fail(n, what + " '" + s + "' has its low end above its high end");
    return {*lo, *hi};
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace sansim
