// Binary encoding of messages. Every message that crosses the LAN is a plain value
// encoded to bytes with WireWriter and read back with WireReader, in simulation too:
// that keeps messages free of pointers and is the format production mode sends over TCP.
// Little-endian fixed-width integers; strings and lists are length-prefixed (u32).
// A reader never trusts its input: a short or malformed buffer throws DecodeError naming
// the field, and lengths are bounded by what is left in the buffer.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sansim {

using Bytes = std::vector<std::uint8_t>;

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WireWriter {
 public:
  WireWriter& u8(std::uint8_t v) { buf_.push_back(v); return *this; }
  WireWriter& u16(std::uint16_t v) { return fixed(v, 2); }
  WireWriter& u32(std::uint32_t v) { return fixed(v, 4); }
  WireWriter& u64(std::uint64_t v) { return fixed(v, 8); }
  WireWriter& i64(std::int64_t v) { return fixed(static_cast<std::uint64_t>(v), 8); }
  WireWriter& boolean(bool v) { return u8(v ? 1 : 0); }
  WireWriter& str(const std::string& s);
  Bytes take() { return std::move(buf_); }
  const Bytes& bytes() const { return buf_; }

 private:
  WireWriter& fixed(std::uint64_t v, int n) {
    for (int k = 0; k < n; ++k) buf_.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
    return *this;
  }
  Bytes buf_;
};

class WireReader {
 public:
  explicit WireReader(std::span<const std::uint8_t> in) : in_(in) {}
  std::uint8_t u8(const char* field);
  std::uint16_t u16(const char* field) { return static_cast<std::uint16_t>(fixed(field, 2)); }
  std::uint32_t u32(const char* field) { return static_cast<std::uint32_t>(fixed(field, 4)); }
  std::uint64_t u64(const char* field) { return fixed(field, 8); }
  std::int64_t i64(const char* field) { return static_cast<std::int64_t>(fixed(field, 8)); }
  bool boolean(const char* field);
  std::string str(const char* field, std::size_t max_len = 1 << 20);
  // A count of following elements each at least `min_element_bytes` long: bounded by
  // what is left, so a corrupt count cannot make the decoder allocate without limit.
  std::uint32_t count(const char* field, std::size_t min_element_bytes);
  // REQUIRES the whole buffer consumed; throws otherwise.
  void finish(const char* what) const;
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  std::uint64_t fixed(const char* field, int n);
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
};

}  // namespace sansim
