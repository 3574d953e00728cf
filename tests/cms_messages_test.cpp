#define BOOST_TEST_MODULE cms
#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include "model/cms/messages.h"

using namespace sansim;
using namespace sansim::cms;

namespace {

rc::Gen<VersionTags> gen_tags() {
  return rc::gen::container<VersionTags>(rc::gen::nonEmpty(rc::gen::string<std::string>()), rc::gen::arbitrary<std::int64_t>());
}

rc::Gen<Message> gen_message() {
  using rc::gen::arbitrary;
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 6), arbitrary<std::uint64_t>(), arbitrary<NodeId>(),
                                  arbitrary<std::int64_t>(), arbitrary<bool>(), arbitrary<std::uint32_t>(),
                                  arbitrary<std::uint64_t>(), arbitrary<std::uint64_t>()),
                   [](auto t) -> Message {
                     auto [st, e, l, ms, sc, b, rd, g] = t;
                     return Heartbeat{static_cast<State>(st), e, l, ms, sc, b, rd, g};
                   }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return Probe{r}; }),
      rc::gen::map(rc::gen::tuple(arbitrary<std::uint64_t>(), arbitrary<std::vector<NodeId>>(), arbitrary<std::int64_t>(),
                                  arbitrary<bool>(), arbitrary<std::uint32_t>(), gen_tags()),
                   [](auto t) -> Message {
                     auto [r, seen, ms, sc, b, tags] = t;
                     return Connectivity{r, seen, ms, sc, b, tags};
                   }),
      rc::gen::map(rc::gen::tuple(arbitrary<std::uint64_t>(), arbitrary<std::uint64_t>(), arbitrary<std::vector<NodeId>>(),
                                  rc::gen::container<std::vector<NodeVersions>>(rc::gen::map(
                                      rc::gen::tuple(arbitrary<NodeId>(), gen_tags()),
                                      [](auto x) { return NodeVersions{std::get<0>(x), std::get<1>(x)}; }))),
                   [](auto t) -> Message {
                     auto [r, g, m, v] = t;
                     return Propose{r, g, m, v};
                   }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return Accept{r}; }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return Commit{r}; }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return Dead{r}; }),
      rc::gen::map(arbitrary<std::uint32_t>(), [](std::uint32_t b) -> Message { return JoinRequest{b}; }),
      rc::gen::map(rc::gen::tuple(arbitrary<NodeId>(), arbitrary<std::uint64_t>()),
                   [](auto t) -> Message { return ChangeRequest{std::get<0>(t), std::get<1>(t)}; }),
      rc::gen::map(arbitrary<std::uint32_t>(), [](std::uint32_t b) -> Message { return Withdraw{b}; }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return WithdrawAck{r}; }),
      rc::gen::map(arbitrary<std::uint64_t>(), [](std::uint64_t r) -> Message { return Release{r}; }));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cms_messages)

RC_BOOST_PROP(every_message_round_trips, ()) {
  const Message m = *gen_message();
  const Bytes b = encode(m);
  RC_ASSERT(decode(b) == m);
}

RC_BOOST_PROP(truncated_messages_are_rejected, ()) {
  const Message m = *gen_message();
  Bytes b = encode(m);
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, b.size());
  b.resize(cut);
  RC_ASSERT_THROWS_AS(decode(b), DecodeError);
}

RC_BOOST_PROP(random_bytes_never_crash_the_decoder, (std::vector<std::uint8_t> bytes)) {
  try {
    const Message m = decode(bytes);
    RC_ASSERT(encode(m) == bytes);  // whatever decodes must be exactly what it encodes from
  } catch (const DecodeError&) {
  }
}

BOOST_AUTO_TEST_CASE(trailing_bytes_and_bad_type_are_errors) {
  Bytes b = encode(Probe{3});
  b.push_back(0);
  BOOST_CHECK_THROW(decode(b), DecodeError);
  BOOST_CHECK_THROW(decode(Bytes{200}), DecodeError);
  BOOST_CHECK_THROW(decode(Bytes{}), DecodeError);
}

BOOST_AUTO_TEST_SUITE_END()
