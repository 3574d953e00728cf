#include "model/cxfs/messages.h"

#include <array>

namespace sansim::cxfs {
namespace {

constexpr std::array<const char*, kKinds> kKindNames = {
    "token_request", "token_return", "recall", "ioexcl_off", "lookup",   "create",      "unlink",
    "rename",        "setattr",      "allocate", "truncate", "size_update", "wp_lookup",
    "dmapi_event",   "migrate",      "punch"};

// One visitor per message drives both directions, so encode and decode cannot disagree.
struct Enc {
  WireWriter w;
  void u8(std::uint8_t v, const char*) { w.u8(v); }
  void u32(std::uint32_t v, const char*) { w.u32(v); }
  void u64(std::uint64_t v, const char*) { w.u64(v); }
  void i64(std::int64_t v, const char*) { w.i64(v); }
  void b(bool v, const char*) { w.boolean(v); }
  void s(const std::string& v, const char*) { w.str(v); }
  template <class T>
  void opt(const std::optional<T>& v, const char* f) {
    w.boolean(v.has_value());
    if (v) {
      if constexpr (sizeof(T) == 8) w.u64(static_cast<std::uint64_t>(*v));
      else w.u32(static_cast<std::uint32_t>(*v));
    }
    (void)f;
  }
};

struct Dec {
  WireReader r;
  void u8(std::uint8_t& v, const char* f) { v = r.u8(f); }
  void u32(std::uint32_t& v, const char* f) { v = r.u32(f); }
  void u64(std::uint64_t& v, const char* f) { v = r.u64(f); }
  void i64(std::int64_t& v, const char* f) { v = r.i64(f); }
  void b(bool& v, const char* f) { v = r.boolean(f); }
  void s(std::string& v, const char* f) { v = r.str(f, 4096); }
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

// Enums travel as a byte and are range-checked on the way in.
template <class E, class V>
void enum8(V& v, E& e, std::uint8_t limit, const char* f) {
  if constexpr (std::is_same_v<V, Enc>) {
    v.u8(static_cast<std::uint8_t>(e), f);
  } else {
    std::uint8_t x = 0;
    v.u8(x, f);
    if (x >= limit) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
    e = static_cast<E>(x);
  }
}

// FileType's values are 1 and 2 (xfs/types.h), not a 0-based range.
template <class V>
void file_type(V& v, xfs::FileType& t, const char* f) {
  if constexpr (std::is_same_v<V, Enc>) {
    v.u8(static_cast<std::uint8_t>(t), f);
  } else {
    std::uint8_t x = 0;
    v.u8(x, f);
    if (x != 1 && x != 2) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
    t = static_cast<xfs::FileType>(x);
  }
}

// A byte that must not exceed `limit` (DMAPI events and masks are bits of 7).
template <class V>
void bits8(V& v, std::uint8_t& x, std::uint8_t limit, const char* f) {
  v.u8(x, f);
  if constexpr (!std::is_same_v<V, Enc>)
    if (x > limit) throw DecodeError(std::string(f) + ": value " + std::to_string(x) + " out of range");
}

template <class V, class S>
void visit_state(V& v, S& st) {
  v.i64(st.atime, "state.atime");
  v.i64(st.mtime, "state.mtime");
  v.i64(st.ctime, "state.ctime");
  v.u64(st.size, "state.size");
}

template <class V, class G>
void visit_grants(V& v, G& g, const char* f) {
  for (auto& id : g) v.u64(id, f);
}

template <class V, class R>
void visit(V& v, R& r) {
  enum8(v, r.kind, kKinds, "kind");
  v.u32(r.fs, "fs");
  v.s(r.fs_name, "fs_name");
  v.u64(r.ino, "ino");
  v.s(r.name, "name");
  v.u64(r.dir2, "dir2");
  v.s(r.name2, "name2");
  enum8(v, r.type, static_cast<std::uint8_t>(token::kTokenTypes), "type");
  enum8(v, r.level, 4, "level");
  v.b(r.conditional, "conditional");
  v.u64(r.grant, "grant");
  visit_grants(v, r.given, "given");
  visit_state(v, r.state);
  file_type(v, r.file_type, "file_type");
  v.opt(r.attrs.size, "attrs.size");
  v.opt(r.attrs.atime, "attrs.atime");
  v.opt(r.attrs.mtime, "attrs.mtime");
  v.opt(r.attrs.ctime, "attrs.ctime");
  v.opt(r.attrs.mode, "attrs.mode");
  v.opt(r.attrs.uid, "attrs.uid");
  v.u64(r.block, "block");
  v.u64(r.count, "count");
  v.u64(r.size, "size");
  v.u32(r.node, "node");
  bits8(v, r.event, 4, "event");
  v.b(r.release, "release");
}

template <class V, class R>
void visit_reply(V& v, R& r) {
  enum8(v, r.err, xfs::kErrnos, "err");
  v.u64(r.ino, "ino");
  enum8(v, r.level, 4, "level");
  v.b(r.returned, "returned");
  v.b(r.absent, "absent");
  v.u64(r.grant, "grant");
  visit_grants(v, r.given, "given");
  visit_state(v, r.state);
  v.u64(r.stat.ino, "stat.ino");
  file_type(v, r.stat.type, "stat.type");
  v.u32(r.stat.nlink, "stat.nlink");
  v.u64(r.stat.size, "stat.size");
  v.i64(r.stat.atime, "stat.atime");
  v.i64(r.stat.mtime, "stat.mtime");
  v.i64(r.stat.ctime, "stat.ctime");
  v.u32(r.stat.mode, "stat.mode");
  v.u32(r.stat.uid, "stat.uid");
  if constexpr (std::is_same_v<V, Enc>) {
    v.w.u32(static_cast<std::uint32_t>(r.extents.size()));
  } else {
    r.extents.resize(v.r.count("extents", 24));
  }
  for (auto& e : r.extents) {
    v.u64(e.file_block, "extent.file_block");
    v.u64(e.volume_block, "extent.volume_block");
    v.u64(e.count, "extent.count");
  }
  v.b(r.ioexcl, "ioexcl");
  v.u32(r.node, "node");
  v.u32(r.boot, "boot");
  bits8(v, r.events, 7, "events");
}

}  // namespace

const char* to_string(Kind k) { return kKindNames[static_cast<std::size_t>(k)]; }

bool Request::operator==(const Request& o) const { return encode(*this) == encode(o); }
bool Reply::operator==(const Reply& o) const { return encode(*this) == encode(o); }

Bytes encode(const Request& r) {
  Enc e;
  visit(e, const_cast<Request&>(r));
  return e.w.take();
}

Bytes encode(const Reply& r) {
  Enc e;
  visit_reply(e, const_cast<Reply&>(r));
  return e.w.take();
}

Request decode_request(const Bytes& b) {
  Dec d{WireReader(b)};
  Request r;
  visit(d, r);
  d.r.finish("cxfs request");
  return r;
}

Reply decode_reply(const Bytes& b) {
  Dec d{WireReader(b)};
  Reply r;
  visit_reply(d, r);
  d.r.finish("cxfs reply");
  return r;
}

}  // namespace sansim::cxfs
