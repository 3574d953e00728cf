#include "model/corpse/messages.h"

#include <array>

#include "engine/wire_visitor.h"

namespace sansim::corpse {
namespace {

constexpr std::array<const char*, kSteps> kStepNames = {"freeze", "gather", "instantiate", "retarget", "complete", "evict"};
constexpr std::array<const char*, kStatuses> kStatusNames = {"ok", "stale", "failed"};

template <class V>
void visit(V& v, CycleId& c) {
  v.u64(c.generation, "cycle.generation");
  v.u64(c.epoch, "cycle.epoch");
  v.u32(c.attempt, "cycle.attempt");
}

template <class V>
void visit(V& v, Holding& h) {
  v.u32(h.holder, "holding.holder");
  v.u32(h.fs, "holding.fs");
  v.u64(h.ino, "holding.ino");
  wire_enum8(v, h.type, static_cast<std::uint8_t>(token::kTokenTypes), "holding.type");
  wire_enum8(v, h.level, 4, "holding.level");
  v.u64(h.grant, "holding.grant");
  v.i64(h.state.atime, "holding.state.atime");
  v.i64(h.state.mtime, "holding.state.mtime");
  v.i64(h.state.ctime, "holding.state.ctime");
  v.u64(h.state.size, "holding.state.size");
  v.b(h.exclusive, "holding.exclusive");
}

template <class V>
void visit(V& v, ServerEntry& e) {
  v.u32(e.fs, "server.fs");
  v.u32(e.node, "server.node");
}

constexpr std::size_t kHoldingBytes = 4 + 4 + 8 + 1 + 1 + 8 + 32 + 1;

template <class V>
void visit(V& v, Request& r) {
  visit(v, r.cycle);
  wire_enum8(v, r.step, kSteps, "step");
  v.list(r.failed, 4, "failed", [&v](NodeId& n) { v.u32(n, "failed.node"); });
  v.u32(r.fs, "fs");
  v.list(r.holdings, kHoldingBytes, "holdings", [&v](Holding& h) { visit(v, h); });
  v.list(r.servers, 8, "servers", [&v](ServerEntry& e) { visit(v, e); });
  v.u32(r.wp, "wp");
}

template <class V>
void visit(V& v, Reply& r) {
  wire_enum8(v, r.status, kStatuses, "status");
  v.b(r.fresh, "fresh");
  v.b(r.has_previous, "has_previous");
  v.u64(r.previous_generation, "previous_generation");
  v.u64(r.previous_epoch, "previous_epoch");
  v.list(r.declared, 12, "declared", [&v](Declared& d) {
    v.u32(d.node, "declared.node");
    v.u64(d.epoch, "declared.epoch");
  });
  v.list(r.serving, 4, "serving", [&v](std::uint32_t& fs) { v.u32(fs, "serving.fs"); });
  v.list(r.targets, 8, "targets", [&v](ServerEntry& e) { visit(v, e); });
  v.list(r.holdings, kHoldingBytes, "holdings", [&v](Holding& h) { visit(v, h); });
}

constexpr auto kVisit = [](auto& v, auto& m) { visit(v, m); };

}  // namespace

std::string to_string(const CycleId& c) {
  return std::to_string(c.generation) + "." + std::to_string(c.epoch) + "." + std::to_string(c.attempt);
}
const char* to_string(Step s) { return kStepNames[static_cast<std::size_t>(s)]; }
const char* to_string(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }

Bytes encode(const Request& r) { return wire_encode(r, kVisit); }
Bytes encode(const Reply& r) { return wire_encode(r, kVisit); }
Request decode_request(const Bytes& b) { return wire_decode<Request>(b, "corpse message", kVisit); }
Reply decode_reply(const Bytes& b) { return wire_decode<Reply>(b, "corpse message", kVisit); }

}  // namespace sansim::corpse
