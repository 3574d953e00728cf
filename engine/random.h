// Seeded randomness. One root generator per simulation; every subsystem draws from a named
// child stream so that adding a draw in one subsystem never shifts another's sequence.
// We write the distributions ourselves: std::*_distribution output differs between
// standard libraries, which would make a seed mean different runs on different machines.
#pragma once

#include <cstdint>
#include <string_view>

namespace sansim {

// splitmix64: used to expand one 64-bit seed into generator state and to derive children.
std::uint64_t splitmix64(std::uint64_t& state);

// FNV-1a over a name; stable across builds and platforms.
std::uint64_t stable_hash(std::string_view text, std::uint64_t basis = 0xcbf29ce484222325ULL);

// xoshiro256** (Blackman & Vigna).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();

  // A child stream derived from this generator's seed and a name. Deriving does not
  // consume draws from the parent, so the order in which children are made is irrelevant.
  Rng child(std::string_view name) const;
  Rng child(std::string_view name, std::uint64_t index) const;

  // Uniform integer in [lo, hi] (inclusive), unbiased (Lemire's multiply-and-reject).
  // REQUIRES: lo <= hi.
  std::int64_t uniform(std::int64_t lo, std::int64_t hi);

  // True with probability numerator/denominator. REQUIRES: 0 < denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);

  // True with probability p in [0, 1]; p is quantised to 2^-32.
  bool chance(double p);

  // An index in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;  // Constant after construction; the identity children derive from.
  std::uint64_t s_[4];
};

}  // namespace sansim
