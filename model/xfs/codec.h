// Byte-level encoding shared by every on-disk structure: little-endian integers, a
// 64-bit checksum, and the seal every metadata block carries in its last 8 bytes (so a
// torn, unwritten or scribbled block is detected instead of trusted).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "engine/sim/volume.h"

namespace sansim::xfs {

using Bytes = std::vector<std::uint8_t>;

// Bytes of a metadata block in front of its seal.
inline constexpr std::uint32_t kSealedPayload = kBlockSize - 8;

inline void put_u8(std::uint8_t* p, std::uint8_t v) { p[0] = v; }
inline void put_u16(std::uint8_t* p, std::uint16_t v) {
  for (int i = 0; i < 2; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_i64(std::uint8_t* p, std::int64_t v) { put_u64(p, static_cast<std::uint64_t>(v)); }

inline std::uint8_t get_u8(const std::uint8_t* p) { return p[0]; }
inline std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline std::int64_t get_i64(const std::uint8_t* p) { return static_cast<std::int64_t>(get_u64(p)); }

// A well-mixed 64-bit checksum (not cryptographic); stable across builds and platforms.
std::uint64_t checksum64(std::span<const std::uint8_t> data, std::uint64_t seed = 0);

// Writes the checksum of the first kSealedPayload bytes into the last 8. REQUIRES a block.
void seal(std::span<std::uint8_t> block);
// Whether the block's seal matches its content. An all-zero block is never sealed.
bool sealed(std::span<const std::uint8_t> block);

}  // namespace sansim::xfs
