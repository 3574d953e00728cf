#include "model/kore/messages.h"

#include <array>

#include "engine/wire_visitor.h"

namespace sansim::kore {
namespace {

constexpr std::array<const char*, kPhases> kPhaseNames = {"request", "source_prepare", "target_prepare", "convert",
                                                          "detarget", "bag", "retarget", "end"};
constexpr std::array<const char*, kStatuses> kStatusNames = {"ok", "stale", "refused", "failed"};

// The bag's token grants travel in recovery's own encoding of holdings (a manifest is
// what they are), as one length-prefixed field.
template <class V>
void visit_tokens(V& v, std::vector<corpse::Holding>& tokens) {
  corpse::Reply carrier;
  std::string blob;
  if constexpr (!V::decoding) {
    carrier.holdings = tokens;
    const Bytes b = corpse::encode(carrier);
    blob.assign(b.begin(), b.end());
  }
  v.s(blob, "bag.tokens", std::size_t{1} << 26);
  if constexpr (V::decoding) {
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
  wire_enum8(v, r.phase, kPhases, "phase");
  v.u32(r.fs, "fs");
  v.u32(r.to, "to");
  visit_tokens(v, r.bag.tokens);
  const std::size_t n = v.count(r.bag.events.size(), "bag.events", 9);
  if constexpr (V::decoding) r.bag.events.assign(n, {});
  for (auto& [ino, mask] : r.bag.events) {
    v.u64(ino, "bag.events.ino");
    v.u8(mask, "bag.events.mask");
  }
  v.u64(r.bag.grants, "bag.grants");
}

template <class V>
void visit(V& v, Reply& r) {
  wire_enum8(v, r.status, kStatuses, "status");
  v.s(r.reason, "reason");
}

constexpr auto kVisit = [](auto& v, auto& m) { visit(v, m); };

}  // namespace

std::string to_string(const RelocationId& r) {
  return std::to_string(r.generation) + "." + std::to_string(r.epoch) + "/" + std::to_string(r.source) + "." +
         std::to_string(r.number);
}
const char* to_string(Phase p) { return kPhaseNames[static_cast<std::size_t>(p)]; }
const char* to_string(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }

Bytes encode(const Request& r) { return wire_encode(r, kVisit); }
Bytes encode(const Reply& r) { return wire_encode(r, kVisit); }
Request decode_request(const Bytes& b) { return wire_decode<Request>(b, "kore message", kVisit); }
Reply decode_reply(const Bytes& b) { return wire_decode<Reply>(b, "kore message", kVisit); }

}  // namespace sansim::kore
