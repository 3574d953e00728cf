#include "engine/random.h"

#include <cassert>

namespace sansim {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t stable_hash(std::string_view text, std::uint64_t basis) {
  std::uint64_t h = basis;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t sm = seed;
  for (auto& word : s_) word = splitmix64(sm);
}

static inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

Rng Rng::child(std::string_view name) const {
  std::uint64_t mix = seed_ ^ stable_hash(name);
  return Rng(splitmix64(mix));
}

Rng Rng::child(std::string_view name, std::uint64_t index) const {
  std::uint64_t mix = seed_ ^ stable_hash(name) ^ (index * 0xd6e8feb86659fd93ULL);
  return Rng(splitmix64(mix));
}

std::uint64_t Rng::below(std::uint64_t n) {
  assert(n > 0);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t Rng::uniform(std::int64_t lo, std::int64_t hi) {
  assert(lo <= hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + below(span + 1));
}

bool Rng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0);
  if (numerator >= denominator) return true;
  if (numerator == 0) return false;
  return below(denominator) < numerator;
}

bool Rng::chance(double p) {
  if (!(p > 0.0)) return false;
  if (p >= 1.0) return true;
  const std::uint64_t threshold = static_cast<std::uint64_t>(p * 4294967296.0);
  return (next() >> 32) < threshold;
}

}  // namespace sansim
