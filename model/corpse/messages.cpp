#include "model/corpse/messages.h"

#include <array>
#include <type_traits>

namespace sansim::corpse {
namespace {

constexpr std::array<const char*, kSteps> kStepNames = {"freeze", "gather", "instantiate", "retarget", "complete", "evict"};
constexpr std::array<const char*, kStatuses> kStatusNames = {"ok", "stale", "failed"};

// One visitor per message drives both directions, so encode and decode cannot disagree.
struct Enc {
  WireWriter w;
  static constexpr bool encoding = true;
  void u8(std::uint8_t& v, const char*) { w.u8(v); }
  void u32(std::uint32_t& v, const char*) { w.u32(v); }
  void u64(std::uint64_t& v, const char*) { w.u64(v); }
  void i64(std::int64_t& v, const char*) { w.i64(v); }
  void b(bool& v, const char*) { w.boolean(v); }
  template <class T, class F>
  void list(std::vector<T>& v, std::size_t, const char*, F each) {
    w.u32(static_cast<std::uint32_t>(v.size()));
    for (T& x : v) each(x);
  }
};

struct Dec {
  WireReader r;
  static constexpr bool encoding = false;
  void u8(std::uint8_t& v, const char* f) { v = r.u8(f); }
  void u32(std::uint32_t& v, const char* f) { v = r.u32(f); }
  void u64(std::uint64_t& v, const char* f) { v = r.u64(f); }
  void i64(std::int64_t& v, const char* f) { v = r.i64(f); }
  void b(bool& v, const char* f) { v = r.boolean(f); }
  template <class T, class F>
  void list(std::vector<T>& v, std::size_t min_bytes, const char* f, F each) {
    v.assign(r.count(f, min_bytes), T{});
    for (T& x : v) each(x);
  }
};

// Enums travel as a byte and are range-checked on the way in.
template <class V, class E>
void enum8(V& v, E& e, std::uint8_t limit, const char* f) {
  std::uint8_t x = static_cast<std::uint8_t>(e);
  v.u8(x, f);
  if (x >= limit) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
  e = static_cast<E>(x);
}

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
  enum8(v, h.type, static_cast<std::uint8_t>(token::kTokenTypes), "holding.type");
  enum8(v, h.level, 4, "holding.level");
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
  enum8(v, r.step, kSteps, "step");
  v.list(r.failed, 4, "failed", [&v](NodeId& n) { v.u32(n, "failed.node"); });
  v.u32(r.fs, "fs");
  v.list(r.holdings, kHoldingBytes, "holdings", [&v](Holding& h) { visit(v, h); });
  v.list(r.servers, 8, "servers", [&v](ServerEntry& e) { visit(v, e); });
  v.u32(r.wp, "wp");
}

template <class V>
void visit(V& v, Reply& r) {
  enum8(v, r.status, kStatuses, "status");
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
  d.r.finish("corpse message");
  return m;
}

}  // namespace

std::string to_string(const CycleId& c) {
  return std::to_string(c.generation) + "." + std::to_string(c.epoch) + "." + std::to_string(c.attempt);
}
const char* to_string(Step s) { return kStepNames[static_cast<std::size_t>(s)]; }
const char* to_string(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }

Bytes encode(const Request& r) { return encode_any(r); }
Bytes encode(const Reply& r) { return encode_any(r); }
Request decode_request(const Bytes& b) { return decode_any<Request>(b); }
Reply decode_reply(const Bytes& b) { return decode_any<Reply>(b); }

}  // namespace sansim::corpse
