#include "engine/wire.h"

namespace sansim {

WireWriter& WireWriter::str(const std::string& s) {
  u32(static_cast<std::uint32_t>(s.size()));
  buf_.insert(buf_.end(), s.begin(), s.end());
  return *this;
}

std::uint64_t WireReader::fixed(const char* field, int n) {
  if (remaining() < static_cast<std::size_t>(n))
    throw DecodeError(std::string("message truncated while reading ") + field);
  std::uint64_t v = 0;
  for (int k = 0; k < n; ++k) v |= static_cast<std::uint64_t>(in_[pos_ + k]) << (8 * k);
  pos_ += n;
  return v;
}

std::uint8_t WireReader::u8(const char* field) { return static_cast<std::uint8_t>(fixed(field, 1)); }

bool WireReader::boolean(const char* field) {
  const std::uint8_t v = u8(field);
  if (v > 1) throw DecodeError(std::string("bad boolean in ") + field);
  return v == 1;
}

std::string WireReader::str(const char* field, std::size_t max_len) {
  const std::uint32_t n = u32(field);
  if (n > remaining() || n > max_len) throw DecodeError(std::string("bad string length in ") + field);
  std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
  pos_ += n;
  return s;
}

std::uint32_t WireReader::count(const char* field, std::size_t min_element_bytes) {
  const std::uint32_t n = u32(field);
  if (min_element_bytes == 0) min_element_bytes = 1;
  if (n > remaining() / min_element_bytes) throw DecodeError(std::string("bad element count in ") + field);
  return n;
}

void WireReader::finish(const char* what) const {
  if (remaining() != 0)
    throw DecodeError(std::string(what) + " has " + std::to_string(remaining()) + " unexpected trailing bytes");
}

}  // namespace sansim
