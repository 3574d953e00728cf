#include "model/cxfs/messages.h"

#include <array>

#include "engine/wire_visitor.h"

namespace sansim::cxfs {
namespace {

constexpr std::array<const char*, kKinds> kKindNames = {
    "token_request", "token_return", "recall", "ioexcl_off", "lookup",   "create",      "unlink",
    "rename",        "setattr",      "allocate", "truncate", "size_update", "wp_lookup",
    "dmapi_event",   "migrate",      "punch"};

// Names and file-system ids: a path component is at most 255 bytes; 4096 is generous.
constexpr std::size_t kNameMax = 4096;

// FileType's values are 1 and 2 (xfs/types.h), not a 0-based range.
template <class V>
void file_type(V& v, xfs::FileType& t, const char* f) {
  if constexpr (!V::decoding) {
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
  if constexpr (V::decoding)
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
  wire_enum8(v, r.kind, kKinds, "kind");
  v.u32(r.fs, "fs");
  v.s(r.fs_name, "fs_name", kNameMax);
  v.u64(r.ino, "ino");
  v.s(r.name, "name", kNameMax);
  v.u64(r.dir2, "dir2");
  v.s(r.name2, "name2", kNameMax);
  wire_enum8(v, r.type, static_cast<std::uint8_t>(token::kTokenTypes), "type");
  wire_enum8(v, r.level, 4, "level");
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
  v.u64(r.session, "session");
}

template <class V, class R>
void visit_reply(V& v, R& r) {
  wire_enum8(v, r.err, xfs::kErrnos, "err");
  v.u64(r.ino, "ino");
  wire_enum8(v, r.level, 4, "level");
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
  v.list(r.extents, 24, "extents", [&v](auto& e) {
    v.u64(e.file_block, "extent.file_block");
    v.u64(e.volume_block, "extent.volume_block");
    v.u64(e.count, "extent.count");
  });
  v.b(r.ioexcl, "ioexcl");
  v.u32(r.node, "node");
  v.u32(r.boot, "boot");
  v.u64(r.session, "session");
  bits8(v, r.events, 7, "events");
}

}  // namespace

const char* to_string(Kind k) { return kKindNames[static_cast<std::size_t>(k)]; }

bool Request::operator==(const Request& o) const { return encode(*this) == encode(o); }
bool Reply::operator==(const Reply& o) const { return encode(*this) == encode(o); }

Bytes encode(const Request& r) {
  return wire_encode(r, [](auto& v, auto& m) { visit(v, m); });
}
Bytes encode(const Reply& r) {
  return wire_encode(r, [](auto& v, auto& m) { visit_reply(v, m); });
}
Request decode_request(const Bytes& b) {
  return wire_decode<Request>(b, "cxfs request", [](auto& v, auto& m) { visit(v, m); });
}
Reply decode_reply(const Bytes& b) {
  return wire_decode<Reply>(b, "cxfs reply", [](auto& v, auto& m) { visit_reply(v, m); });
}

}  // namespace sansim::cxfs
