// The cxfs wire messages (model/cxfs/messages.h): every kind of Request and every field
// of Reply survives encode/decode, and hostile bytes (truncated, mutated, random, out of
// range) are rejected with a DecodeError naming the field, never a crash.
//
// Request/Reply's operator== compares encodings, so it cannot see a field that is not
// encoded at all: the round trip here compares field by field instead.
#define BOOST_TEST_MODULE cxfs_messages
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <optional>
#include <string>
#include <vector>

#include "model/cxfs/messages.h"

using namespace sansim;
using namespace sansim::cxfs;

namespace {

template <class T>
std::optional<T> gen_optional() {
  if (!*rc::gen::arbitrary<bool>()) return std::nullopt;
  return *rc::gen::arbitrary<T>();
}

token::TokenState gen_state() {
  return token::TokenState{*rc::gen::arbitrary<std::int64_t>(), *rc::gen::arbitrary<std::int64_t>(),
                           *rc::gen::arbitrary<std::int64_t>(), *rc::gen::arbitrary<std::uint64_t>()};
}

// Names stay within the decoder's bound of 4096 bytes (see name_length_bound below).
std::string gen_name() { return *rc::gen::resize(64, rc::gen::arbitrary<std::string>()); }

xfs::FileType gen_file_type() { return *rc::gen::element(xfs::FileType::regular, xfs::FileType::directory); }

Request gen_request(Kind kind) {
  Request r;
  r.kind = kind;
  r.fs = *rc::gen::arbitrary<std::uint32_t>();
  r.fs_name = gen_name();
  r.ino = *rc::gen::arbitrary<std::uint64_t>();
  r.name = gen_name();
  r.dir2 = *rc::gen::arbitrary<std::uint64_t>();
  r.name2 = gen_name();
  r.type = static_cast<token::TokenType>(*rc::gen::inRange<int>(0, token::kTokenTypes));
  r.level = static_cast<token::Level>(*rc::gen::inRange(0, 4));
  r.conditional = *rc::gen::arbitrary<bool>();
  r.state = gen_state();
  r.file_type = gen_file_type();
  r.attrs.size = gen_optional<std::uint64_t>();
  r.attrs.atime = gen_optional<std::int64_t>();
  r.attrs.mtime = gen_optional<std::int64_t>();
  r.attrs.ctime = gen_optional<std::int64_t>();
  r.attrs.mode = gen_optional<std::uint32_t>();
  r.attrs.uid = gen_optional<std::uint32_t>();
  r.block = *rc::gen::arbitrary<std::uint64_t>();
  r.count = *rc::gen::arbitrary<std::uint64_t>();
  r.size = *rc::gen::arbitrary<std::uint64_t>();
  r.node = *rc::gen::arbitrary<NodeId>();
  r.event = *rc::gen::element<std::uint8_t>(0, 1, 2, 4);
  r.release = *rc::gen::arbitrary<bool>();
  return r;
}

Request gen_any_request() { return gen_request(static_cast<Kind>(*rc::gen::inRange<int>(0, kKinds))); }

Reply gen_reply() {
  Reply r;
  r.err = static_cast<Errno>(*rc::gen::inRange(0, static_cast<int>(xfs::kErrnos)));
  r.ino = *rc::gen::arbitrary<std::uint64_t>();
  r.level = static_cast<token::Level>(*rc::gen::inRange(0, 4));
  r.returned = *rc::gen::arbitrary<bool>();
  r.absent = *rc::gen::arbitrary<bool>();
  r.events = *rc::gen::inRange<std::uint8_t>(0, 8);
  r.state = gen_state();
  r.stat.ino = *rc::gen::arbitrary<std::uint64_t>();
  r.stat.type = gen_file_type();
  r.stat.nlink = *rc::gen::arbitrary<std::uint32_t>();
  r.stat.size = *rc::gen::arbitrary<std::uint64_t>();
  r.stat.atime = *rc::gen::arbitrary<std::int64_t>();
  r.stat.mtime = *rc::gen::arbitrary<std::int64_t>();
  r.stat.ctime = *rc::gen::arbitrary<std::int64_t>();
  r.stat.mode = *rc::gen::arbitrary<std::uint32_t>();
  r.stat.uid = *rc::gen::arbitrary<std::uint32_t>();
  r.extents = *rc::gen::container<std::vector<xfs::Extent>>(rc::gen::map(
      rc::gen::tuple(rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint64_t>(),
                     rc::gen::arbitrary<std::uint64_t>()),
      [](auto t) { return xfs::Extent{std::get<0>(t), std::get<1>(t), std::get<2>(t)}; }));
  r.ioexcl = *rc::gen::arbitrary<bool>();
  r.node = *rc::gen::arbitrary<NodeId>();
  r.boot = *rc::gen::arbitrary<std::uint32_t>();
  return r;
}

// Field by field; names the first field that differs.
std::string differs(const Request& a, const Request& b) {
  if (a.kind != b.kind) return "kind";
  if (a.fs != b.fs) return "fs";
  if (a.fs_name != b.fs_name) return "fs_name";
  if (a.ino != b.ino) return "ino";
  if (a.name != b.name) return "name";
  if (a.dir2 != b.dir2) return "dir2";
  if (a.name2 != b.name2) return "name2";
  if (a.type != b.type) return "type";
  if (a.level != b.level) return "level";
  if (a.conditional != b.conditional) return "conditional";
  if (!(a.state == b.state)) return "state";
  if (a.file_type != b.file_type) return "file_type";
  if (a.attrs.size != b.attrs.size) return "attrs.size";
  if (a.attrs.atime != b.attrs.atime) return "attrs.atime";
  if (a.attrs.mtime != b.attrs.mtime) return "attrs.mtime";
  if (a.attrs.ctime != b.attrs.ctime) return "attrs.ctime";
  if (a.attrs.mode != b.attrs.mode) return "attrs.mode";
  if (a.attrs.uid != b.attrs.uid) return "attrs.uid";
  if (a.block != b.block) return "block";
  if (a.count != b.count) return "count";
  if (a.size != b.size) return "size";
  if (a.node != b.node) return "node";
  return "";
}

std::string differs(const Reply& a, const Reply& b) {
  if (a.err != b.err) return "err";
  if (a.ino != b.ino) return "ino";
  if (a.level != b.level) return "level";
  if (a.returned != b.returned) return "returned";
  if (a.absent != b.absent) return "absent";
  if (!(a.state == b.state)) return "state";
  if (a.stat.ino != b.stat.ino) return "stat.ino";
  if (a.stat.type != b.stat.type) return "stat.type";
  if (a.stat.nlink != b.stat.nlink) return "stat.nlink";
  if (a.stat.size != b.stat.size) return "stat.size";
  if (a.stat.atime != b.stat.atime) return "stat.atime";
  if (a.stat.mtime != b.stat.mtime) return "stat.mtime";
  if (a.stat.ctime != b.stat.ctime) return "stat.ctime";
  if (a.stat.mode != b.stat.mode) return "stat.mode";
  if (a.stat.uid != b.stat.uid) return "stat.uid";
  if (a.extents != b.extents) return "extents";
  if (a.ioexcl != b.ioexcl) return "ioexcl";
  if (a.node != b.node) return "node";
  if (a.boot != b.boot) return "boot";
  return "";
}

// What decoding `b` does: "" if it decoded to a message that re-encodes to exactly `b`
// (the encoding is canonical), the DecodeError's text if it was rejected. Any other
// exception escapes and fails the property.
template <class Decode>
std::string try_decode(const Bytes& b, Decode decode, bool* decoded) {
  try {
    const auto m = decode(b);
    *decoded = true;
    return encode(m) == b ? "" : "decoded to a message that encodes differently";
  } catch (const DecodeError& e) {
    *decoded = false;
    return e.what();
  }
}

Request decode_req(const Bytes& b) { return decode_request(b); }
Reply decode_rep(const Bytes& b) { return decode_reply(b); }

// The offset of the one byte that differs between two encodings of equal length.
std::size_t offset_of_field(const Bytes& a, const Bytes& b) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  std::size_t at = a.size();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) {
      BOOST_REQUIRE_EQUAL(at, a.size());  // exactly one byte
      at = i;
    }
  BOOST_REQUIRE_LT(at, a.size());
  return at;
}

// Decoding `b` with byte `at` set to `v` throws a DecodeError whose text begins with
// `field` (or, for booleans, names it).
template <class Decode>
void rejected_naming(Bytes b, std::size_t at, std::uint8_t v, const std::string& field, Decode decode) {
  b[at] = v;
  BOOST_TEST_CONTEXT("field " << field << " = " << int(v)) {
    bool thrown = false;
    try {
      (void)decode(b);
    } catch (const DecodeError& e) {
      thrown = true;
      BOOST_TEST(std::string(e.what()).find(field) != std::string::npos, "message: " << e.what());
    }
    BOOST_TEST(thrown);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cxfs_messages)

RC_BOOST_PROP(every_kind_of_request_round_trips_field_by_field, ()) {
  for (int k = 0; k < kKinds; ++k) {
    const Request r = gen_request(static_cast<Kind>(k));
    const Request back = decode_request(encode(r));
    RC_ASSERT(differs(back, r) == std::string());
  }
}

RC_BOOST_PROP(every_reply_round_trips_field_by_field, ()) {
  const Reply r = gen_reply();
  const Reply back = decode_reply(encode(r));
  RC_ASSERT(differs(back, r) == std::string());
}

RC_BOOST_PROP(truncated_or_extended_messages_are_rejected, ()) {
  const bool request = *rc::gen::arbitrary<bool>();
  Bytes b = request ? encode(gen_any_request()) : encode(gen_reply());
  Bytes longer = b;
  longer.push_back(*rc::gen::arbitrary<std::uint8_t>());
  b.resize(*rc::gen::inRange<std::size_t>(0, b.size()));
  if (request) {
    RC_ASSERT_THROWS_AS(decode_request(b), DecodeError);
    RC_ASSERT_THROWS_AS(decode_request(longer), DecodeError);
  } else {
    RC_ASSERT_THROWS_AS(decode_reply(b), DecodeError);
    RC_ASSERT_THROWS_AS(decode_reply(longer), DecodeError);
  }
}

// A valid message with some bytes overwritten: mostly still well formed up to the
// damage, so the decoder gets deep into every field before it has to refuse.
RC_BOOST_PROP(damaged_messages_are_rejected_or_canonical, ()) {
  const bool request = *rc::gen::arbitrary<bool>();
  Bytes b = request ? encode(gen_any_request()) : encode(gen_reply());
  const int hits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < hits; ++i)
    b[*rc::gen::inRange<std::size_t>(0, b.size())] = *rc::gen::arbitrary<std::uint8_t>();
  bool decoded = false;
  const std::string what = request ? try_decode(b, decode_req, &decoded) : try_decode(b, decode_rep, &decoded);
  RC_ASSERT(what.empty() == decoded);
}

RC_BOOST_PROP(random_bytes_are_rejected_or_canonical, (std::vector<std::uint8_t> bytes)) {
  bool decoded = false;
  RC_ASSERT(try_decode(bytes, decode_req, &decoded).empty() == decoded);
  RC_ASSERT(try_decode(bytes, decode_rep, &decoded).empty() == decoded);
}

BOOST_AUTO_TEST_CASE(out_of_range_enums_are_rejected_naming_the_field) {
  Request r;
  r.kind = Kind::recall;
  r.type = token::TokenType::exist;
  r.level = token::Level::none;
  r.file_type = xfs::FileType::regular;
  const Bytes base = encode(r);
  // Each field's offset is where two encodings that differ only in it differ.
  Request k = r;
  k.kind = Kind::ioexcl_off;
  Request t = r;
  t.type = token::TokenType::io;
  Request l = r;
  l.level = token::Level::read;
  Request f = r;
  f.file_type = xfs::FileType::directory;
  Request c = r;
  c.conditional = true;
  rejected_naming(base, offset_of_field(base, encode(k)), kKinds, "kind:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(k)), 255, "kind:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(t)), token::kTokenTypes, "type:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(l)), 4, "level:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(f)), 0, "file_type:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(f)), 3, "file_type:", decode_req);
  rejected_naming(base, offset_of_field(base, encode(c)), 2, "conditional", decode_req);
  Request ev = r;
  ev.event = 1;
  rejected_naming(base, offset_of_field(base, encode(ev)), 5, "event", decode_req);
  // An optional's presence flag is a boolean too.
  Request a = r;
  a.attrs.uid = 0;
  Request a1 = a;
  a1.attrs.uid = 1;
  const Bytes with_uid = encode(a);
  rejected_naming(with_uid, offset_of_field(with_uid, encode(a1)) - 1, 2, "attrs.uid", decode_req);

  Reply p;
  const Bytes rbase = encode(p);
  Reply e = p;
  e.err = Errno::noent;
  Reply pl = p;
  pl.level = token::Level::write;
  Reply st = p;
  st.stat.type = xfs::FileType::directory;
  Reply rt = p;
  rt.returned = true;
  rejected_naming(rbase, offset_of_field(rbase, encode(e)), xfs::kErrnos, "err:",
                  decode_rep);
  rejected_naming(rbase, offset_of_field(rbase, encode(pl)), 4, "level:", decode_rep);
  rejected_naming(rbase, offset_of_field(rbase, encode(st)), 0, "stat.type:", decode_rep);
  rejected_naming(rbase, offset_of_field(rbase, encode(rt)), 2, "returned", decode_rep);
  Reply ab = p;
  ab.absent = true;
  rejected_naming(rbase, offset_of_field(rbase, encode(ab)), 2, "absent", decode_rep);
  Reply em = p;
  em.events = 5;
  rejected_naming(rbase, offset_of_field(rbase, encode(em)), 8, "events", decode_rep);
}

BOOST_AUTO_TEST_CASE(lengths_are_bounded_by_the_buffer) {
  // A count or length far beyond what the buffer holds is refused before anything is
  // allocated for it.
  Reply p;
  p.extents = {xfs::Extent{1, 2, 3}};
  Bytes b = encode(p);
  // The extent count sits right after stat (u32), before the one extent (24 bytes),
  // ioexcl (1), node (4), boot (4), session (8) and the DMAPI events (1).
  const std::size_t count_at = b.size() - 1 - 8 - 4 - 4 - 1 - 24 - 4;
  BOOST_REQUIRE_EQUAL(b[count_at], 1);
  for (std::uint8_t v : {0xff, 0x7f}) {
    for (int i = 0; i < 4; ++i) b[count_at + i] = v;
    rejected_naming(b, count_at, v, "extents", decode_rep);
  }

  Request r;
  r.fs_name = "fs1";
  Bytes q = encode(r);
  const std::size_t len_at = 1 + 4;  // after kind and fs
  BOOST_REQUIRE_EQUAL(q[len_at], 3);
  for (int i = 0; i < 4; ++i) q[len_at + i] = 0xff;
  rejected_naming(q, len_at, 0xff, "fs_name", decode_req);
}

BOOST_AUTO_TEST_CASE(name_length_bound) {
  // The decoder refuses names over 4096 bytes (model/cxfs/messages.cpp).
  Request r;
  r.kind = Kind::lookup;
  r.name = std::string(4096, 'a');
  BOOST_TEST(decode_request(encode(r)).name == r.name);
  r.name.push_back('a');
  BOOST_CHECK_EXCEPTION(decode_request(encode(r)), DecodeError, [](const DecodeError& e) {
    return std::string(e.what()).find("name") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()
