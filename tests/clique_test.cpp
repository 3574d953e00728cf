#include <boost/test/unit_test.hpp>
#include <rapidcheck/boost_test.h>

#include <algorithm>

#include "model/cms/clique.h"

using namespace sansim;
using namespace sansim::cms;

namespace {
bool connected(const std::vector<std::vector<NodeId>>& hears, NodeId a, NodeId b) {
  auto has = [](const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); };
  return has(hears[a], b) && has(hears[b], a);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(clique)

BOOST_AUTO_TEST_CASE(partition_picks_the_leaders_side) {
  // 0,1 | 2,3,4: each side hears only itself.
  std::vector<std::vector<NodeId>> hears{{0, 1}, {0, 1}, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}};
  std::vector<NodeId> all{0, 1, 2, 3, 4};
  BOOST_TEST(largest_connected_set(2, all, hears) == (std::vector<NodeId>{2, 3, 4}));
  BOOST_TEST(largest_connected_set(0, all, hears) == (std::vector<NodeId>{0, 1}));
}

BOOST_AUTO_TEST_CASE(one_way_link_breaks_the_pair) {
  // 3 does not hear 0: {0,1,2,4} or {1,2,3,4}; ties go to the smaller ids.
  std::vector<std::vector<NodeId>> hears{{0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}, {1, 2, 3, 4}, {0, 1, 2, 3, 4}};
  BOOST_TEST(largest_connected_set(1, {0, 1, 2, 3, 4}, hears) == (std::vector<NodeId>{0, 1, 2, 4}));
}

// Against brute force on small graphs: the answer is fully connected, holds the leader,
// and no larger such set exists.
RC_BOOST_PROP(matches_brute_force, ()) {
  const int n = *rc::gen::inRange(1, 9);
  std::vector<std::vector<NodeId>> hears(n);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      if (a == b || *rc::gen::weightedElement<bool>({{3, true}, {1, false}})) hears[a].push_back(b);
  std::vector<NodeId> all;
  for (int a = 0; a < n; ++a) all.push_back(a);
  const NodeId leader = *rc::gen::inRange(0, n);
  const auto got = largest_connected_set(leader, all, hears);
  RC_ASSERT(std::find(got.begin(), got.end(), leader) != got.end());
  for (NodeId a : got)
    for (NodeId b : got)
      if (a != b) RC_ASSERT(connected(hears, a, b));
  std::size_t best = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (!(mask & (1u << leader))) continue;
    bool ok = true;
    for (int a = 0; a < n && ok; ++a)
      for (int b = 0; b < n && ok; ++b)
        if (a != b && (mask & (1u << a)) && (mask & (1u << b)) && !connected(hears, a, b)) ok = false;
    if (ok) best = std::max<std::size_t>(best, __builtin_popcount(mask));
  }
  RC_ASSERT(got.size() == best);
}

BOOST_AUTO_TEST_SUITE_END()
