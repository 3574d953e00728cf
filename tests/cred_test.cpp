// model/cred: the credential cache and its flush for failed nodes (§0061).
#define BOOST_TEST_MODULE cred
#include <boost/test/unit_test.hpp>

#include "model/cred/credential_cache.h"

using namespace sansim;
using namespace sansim::cred;

BOOST_AUTO_TEST_CASE(entries_are_per_node_and_handle) {
  CredentialCache c;
  c.remember(1, 7, Credentials{100, 10, {10, 20}});
  c.remember(2, 7, Credentials{200, 20, {}});
  BOOST_TEST((c.lookup(1, 7) == std::optional<Credentials>(Credentials{100, 10, {10, 20}})));
  BOOST_TEST((c.lookup(2, 7) == std::optional<Credentials>(Credentials{200, 20, {}})));
  BOOST_TEST(!c.lookup(1, 8).has_value());
  c.remember(1, 7, Credentials{101, 10, {}});  // a node may reuse its handle
  BOOST_TEST(c.lookup(1, 7)->uid == 101u);
  BOOST_TEST(c.size() == 2u);
}

BOOST_AUTO_TEST_CASE(flush_drops_exactly_the_failed_nodes_entries) {
  CredentialCache c;
  for (NodeId n = 0; n < 4; ++n)
    for (std::uint64_t h = 0; h < 3; ++h) c.remember(n, h, Credentials{n * 10 + static_cast<std::uint32_t>(h), 0, {}});
  BOOST_TEST(c.flush({1, 3}) == 6u);
  BOOST_TEST(c.size() == 6u);
  for (std::uint64_t h = 0; h < 3; ++h) {
    BOOST_TEST(!c.lookup(1, h).has_value());
    BOOST_TEST(!c.lookup(3, h).has_value());
    BOOST_TEST(c.lookup(0, h).has_value());
    BOOST_TEST(c.lookup(2, h).has_value());
  }
  BOOST_TEST(c.flush({1, 3}) == 0u);  // flushing again is harmless (a repeated recovery step)
  BOOST_TEST(c.flush({}) == 0u);
}
