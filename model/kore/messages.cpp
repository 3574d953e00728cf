#include "model/kore/messages.h"

#include <array>

namespace sansim::kore {
namespace {

constexpr std::array<const char*, kPhases> kPhaseNames = {"request", "source_prepare", "target_prepare", "convert",
                                                          "detarget", "bag", "retarget", "end"};
constexpr std::array<const char*, kStatuses> kStatusNames = {"ok", "stale", "refused", "failed"};

// One visitor per message drives both directions, so encode and decode cannot disagree.
struct Enc {
  WireWriter w;
  void u8(std::uint8_t& v, const char*) { w.u8(v); }
  void u32(std::uint32_t& v, const char*) { w.u32(v); }
  void u64(std::uint64_t& v, const char*) { w.u64(v); }
  void b(bool& v, const char*) { w.boolean(v); }
  void s(std::string& v, const char*) { w.str(v); }
  std::size_t count(std::size_t n, const char*, std::size_t) {
    w.u32(static_cast<std::uint32_t>(n));
    return n;
  }
};

struct Dec {
  WireReader r;
  void u8(std::uint8_t& v, const char* f) { v = r.u8(f); }
  void u32(std::uint32_t& v, const char* f) { v = r.u32(f); }
  void u64(std::uint64_t& v, const char* f) { v = r.u64(f); }
  void b(bool& v, const char* f) { v = r.boolean(f); }
  void s(std::string& v, const char* f) { v = r.str(f, std::size_t{1} << 26); }
  std::size_t count(std::size_t, const char* f, std::size_t min_bytes) { return r.count(f, min_bytes); }
};

template <class V, class E>
void enum8(V& v, E& e, std::uint8_t limit, const char* f) {
  std::uint8_t x = static_cast<std::uint8_t>(e);
  v.u8(x, f);
  if (x >= limit) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
  e = static_cast<E>(x);
}

// The bag's token grants travel in recovery's own encoding of holdings (a manifest is
// what they are), as one length-prefixed field.
template <class V>
void visit_tokens(V& v, std::vector<corpse::Holding>& tokens) {
  corpse::Reply carrier;
  std::string blob;
  if constexpr (std::is_same_v<V, Enc>) {
    carrier.holdings = tokens;
    const Bytes b = corpse::encode(carrier);
    blob.assign(b.begin(), b.end());
  }
  v.s(blob, "bag.tokens");
  if constexpr (std::is_same_v<V, Dec>) {
    try {
      tokens = corpse::decode_reply(Bytes(blob.begin(), blob.end())).holdings;
    } catch (const DecodeError& e) {
      throw DecodeError(std::string("bag.tokens: ") + e.what());
    }
  }
}

template <class V>
void visit(V& v, Request& r) {
  v.u64(r.id.generation, "id.generation");
  v.u64(r.id.epoch, "id.epoch");
  v.u32(r.id.source, "id.source");
  v.u32(r.id.number, "id.number");
  enum8(v, r.phase, kPhases, "phase");
  v.u32(r.fs, "fs");
  v.u32(r.to, "to");
  visit_tokens(v, r.bag.tokens);
  const std::size_t n = v.count(r.bag.events.size(), "bag.events", 9);
  if constexpr (std::is_same_v<V, Dec>) r.bag.events.assign(n, {});
  for (auto& [ino, mask] : r.bag.events) {
    v.u64(ino, "bag.events.ino");
    v.u8(mask, "bag.events.mask");
  }
  v.u64(r.bag.grants, "bag.grants");
}

template <class V>
void visit(V& v, Reply& r) {
  enum8(v, r.status, kStatuses, "status");
  v.s(r.reason, "reason");
}

template <class M>
Bytes encode_any(M m) {
  Enc e;
  visit(e, m);
  return e.w.take();
}

template <class M>
M decode_any(const Bytes& b) {
  Dec d{WireReader(b)};
  M m;
  visit(d, m);
  d.r.finish("kore message");
  return m;
}

}  // namespace

std::string to_string(const RelocationId& r) {
  return std::to_string(r.generation) + "." + std::to_string(r.epoch) + "/" + std::to_string(r.source) + "." +
         std::to_string(r.number);
}
const char* to_string(Phase p) { return kPhaseNames[static_cast<std::size_t>(p)]; }
const char* to_string(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }

Bytes encode(const Request& r) { return encode_any(r); }
Bytes encode(const Reply& r) { return encode_any(r); }
Request decode_request(const Bytes& b) { return decode_any<Request>(b); }
Reply decode_reply(const Bytes& b) { return decode_any<Reply>(b); }

}  // namespace sansim::kore
