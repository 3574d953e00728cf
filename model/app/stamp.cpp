#include "model/app/stamp.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sansim::app {
namespace {

void put64(std::uint8_t* p, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}

std::uint64_t get64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= static_cast<std::uint64_t>(p[k]) << (8 * k);
  return v;
}

}  // namespace

void stamp_block(std::span<std::uint8_t> block, std::int64_t stamp, std::uint64_t file_block) {
  if (stamp <= 0) throw std::logic_error("a stamp must be positive, not " + std::to_string(stamp));
  if (block.size() != kBlockSize) throw std::logic_error("stamp_block needs one whole block");
  for (std::size_t at = 0; at < block.size(); at += kStampRecordBytes) {
    put64(&block[at], static_cast<std::uint64_t>(stamp));
    put64(&block[at + 8], file_block);
  }
}

Bytes stamped_blocks(std::int64_t stamp, std::uint64_t first_block, std::uint64_t count) {
  Bytes data(count * kBlockSize);
  for (std::uint64_t k = 0; k < count; ++k)
    stamp_block(std::span<std::uint8_t>(data).subspan(k * kBlockSize, kBlockSize), stamp, first_block + k);
  return data;
}

std::int64_t read_stamp(std::span<const std::uint8_t> block, std::uint64_t file_block) {
  if (block.size() != kBlockSize) return kTornBlock;
  if (std::all_of(block.begin(), block.end(), [](std::uint8_t b) { return b == 0; })) return kZeroBlock;
  const std::uint64_t stamp = get64(&block[0]);
  if (stamp == 0 || stamp > static_cast<std::uint64_t>(INT64_MAX)) return kTornBlock;
  for (std::size_t at = 0; at < block.size(); at += kStampRecordBytes)
    if (get64(&block[at]) != stamp || get64(&block[at + 8]) != file_block) return kTornBlock;
  return static_cast<std::int64_t>(stamp);
}

std::vector<std::int64_t> read_stamps(std::span<const std::uint8_t> data, std::uint64_t first_block,
                                      std::uint64_t count) {
  std::vector<std::int64_t> out;
  out.reserve(count);
  Bytes padded(kBlockSize);
  for (std::uint64_t k = 0; k < count; ++k) {
    const std::uint64_t at = k * kBlockSize;
    if (at + kBlockSize <= data.size()) {
      out.push_back(read_stamp(data.subspan(at, kBlockSize), first_block + k));
      continue;
    }
    std::fill(padded.begin(), padded.end(), std::uint8_t{0});
    if (at < data.size()) std::copy(data.begin() + static_cast<std::ptrdiff_t>(at), data.end(), padded.begin());
    out.push_back(read_stamp(padded, first_block + k));
  }
  return out;
}

}  // namespace sansim::app
