// Visitors over a message's fields, for the wire encoding of engine/wire.h. A message
// type writes one `visit(V& v, M& m)` template that names each field once, in order;
// `WireEncoder` runs it to write the bytes and `WireDecoder` to read them back, so the
// two directions cannot disagree. The decoder checks what it reads (counts bounded by
// the bytes left, enums by their range, strings by a length) and throws DecodeError
// naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/wire.h"

namespace sansim {

struct WireEncoder {
  static constexpr bool decoding = false;
  WireWriter w;
  void u8(std::uint8_t v, const char*) { w.u8(v); }
  void u32(std::uint32_t v, const char*) { w.u32(v); }
  void u64(std::uint64_t v, const char*) { w.u64(v); }
  void i64(std::int64_t v, const char*) { w.i64(v); }
  void b(bool v, const char*) { w.boolean(v); }
  void s(const std::string& v, const char*, std::size_t = 0) { w.str(v); }
  // A count of elements that follow; answers it.
  std::size_t count(std::size_t n, const char*, std::size_t) {
    w.u32(static_cast<std::uint32_t>(n));
    return n;
  }
  // A length-prefixed list, each element visited by `each`.
  template <class T, class F>
  void list(std::vector<T>& v, std::size_t, const char*, F each) {
    w.u32(static_cast<std::uint32_t>(v.size()));
    for (T& x : v) each(x);
  }
  // An optional integer: a presence flag, then the value in its own width (4 or 8 bytes).
  template <class T>
  void opt(const std::optional<T>& v, const char*) {
    w.boolean(v.has_value());
    if (!v) return;
    if constexpr (sizeof(T) == 8) w.u64(static_cast<std::uint64_t>(*v));
    else w.u32(static_cast<std::uint32_t>(*v));
  }
};

struct WireDecoder {
  static constexpr bool decoding = true;
  WireReader r;
  void u8(std::uint8_t& v, const char* f) { v = r.u8(f); }
  void u32(std::uint32_t& v, const char* f) { v = r.u32(f); }
  void u64(std::uint64_t& v, const char* f) { v = r.u64(f); }
  void i64(std::int64_t& v, const char* f) { v = r.i64(f); }
  void b(bool& v, const char* f) { v = r.boolean(f); }
  // REQUIRES: `max_len` bounds what a well-formed message carries in this field.
  void s(std::string& v, const char* f, std::size_t max_len = std::size_t{1} << 20) { v = r.str(f, max_len); }
  // Each element takes at least `min_bytes`, which bounds the count by what is left.
  std::size_t count(std::size_t, const char* f, std::size_t min_bytes) { return r.count(f, min_bytes); }
  template <class T, class F>
  void list(std::vector<T>& v, std::size_t min_bytes, const char* f, F each) {
    v.assign(r.count(f, min_bytes), T{});
    for (T& x : v) each(x);
  }
  template <class T>
  void opt(std::optional<T>& v, const char* f) {
    if (!r.boolean(f)) {
      v.reset();
      return;
    }
    if constexpr (sizeof(T) == 8) v = static_cast<T>(r.u64(f));
    else v = static_cast<T>(r.u32(f));
  }
};

// An enum travels as one byte; on the way in it must be below `limit`.
template <class V, class E>
void wire_enum8(V& v, E& e, std::uint8_t limit, const char* f) {
  std::uint8_t x = static_cast<std::uint8_t>(e);
  v.u8(x, f);
  if constexpr (V::decoding) {
    if (x >= limit) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
    e = static_cast<E>(x);
  }
}

// The bytes of `m`, by `visit(encoder, m)`. The encoder only reads the fields it visits.
template <class M, class Visit>
Bytes wire_encode(const M& m, Visit visit) {
  WireEncoder e;
  visit(e, const_cast<M&>(m));
  return e.w.take();
}

// The message in `b`, by `visit(decoder, m)`; every byte must be used. `what` names the
// message type in the error.
template <class M, class Visit>
M wire_decode(const Bytes& b, const char* what, Visit visit) {
  WireDecoder d{WireReader(b)};
  M m;
  visit(d, m);
  d.r.finish(what);
  return m;
}

}  // namespace sansim
