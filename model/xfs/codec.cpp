#include "model/xfs/codec.h"

#include <cassert>

namespace sansim::xfs {

namespace {
constexpr std::uint64_t kMul1 = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMul2 = 0xc2b2ae3d27d4eb4fULL;

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

std::uint64_t finish(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
}  // namespace

std::uint64_t checksum64(std::span<const std::uint8_t> data, std::uint64_t seed) {
  // Four independent lanes over 32-byte stripes (the xxHash64 round), so the multiplies
  // overlap; then the tail. The length goes in so that trailing zeros change the sum,
  // and the constants keep an all-zero input (an unwritten block) away from zero.
  std::uint64_t lane[4] = {seed + kMul1 + kMul2, seed + kMul2, seed, seed - kMul1};
  std::size_t i = 0;
  for (; i + 32 <= data.size(); i += 32)
    for (int k = 0; k < 4; ++k) lane[k] = rotl(lane[k] + get_u64(data.data() + i + 8 * k) * kMul2, 31) * kMul1;
  std::uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
  h ^= data.size() * kMul2 ^ 0x243f6a8885a308d3ULL;
  for (; i + 8 <= data.size(); i += 8) {
    h ^= rotl(get_u64(data.data() + i) * kMul2, 31) * kMul1;
    h = rotl(h, 27) * 5 + 0x52dce729;
  }
  std::uint64_t tail = 0;
  for (std::size_t k = 0; i < data.size(); ++i, ++k) tail |= static_cast<std::uint64_t>(data[i]) << (8 * k);
  h ^= rotl(tail * kMul2, 31) * kMul1;
  return finish(h);
}

void seal(std::span<std::uint8_t> block) {
  assert(block.size() == kBlockSize);
  put_u64(block.data() + kSealedPayload, checksum64(block.first(kSealedPayload)));
}

bool sealed(std::span<const std::uint8_t> block) {
  if (block.size() != kBlockSize) return false;
  return get_u64(block.data() + kSealedPayload) == checksum64(block.first(kSealedPayload));
}

}  // namespace sansim::xfs
