#include "model/cms/clique.h"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace sansim::cms {
namespace {

struct Search {
  const std::vector<std::uint64_t>& adj;
  const std::vector<NodeId>& ids;
  std::uint64_t best = 0;

  std::vector<NodeId> members(std::uint64_t set) const {
    std::vector<NodeId> out;
    for (std::uint64_t s = set; s != 0; s &= s - 1) out.push_back(ids[std::countr_zero(s)]);
    std::sort(out.begin(), out.end());
    return out;
  }
  bool better(std::uint64_t a, std::uint64_t b) const {
    const int ca = std::popcount(a), cb = std::popcount(b);
    if (ca != cb) return ca > cb;
    return members(a) < members(b);
  }
  void run(std::uint64_t r, std::uint64_t p, std::uint64_t x) {
    if (p == 0 && x == 0) {
      if (better(r, best)) best = r;
      return;
    }
    if (std::popcount(r) + std::popcount(p) < std::popcount(best)) return;
    // Pivot: the vertex of P u X with most neighbours in P.
    std::uint64_t px = p | x;
    int pivot = std::countr_zero(px), most = -1;
    for (std::uint64_t s = px; s != 0; s &= s - 1) {
      const int v = std::countr_zero(s);
      const int n = std::popcount(p & adj[v]);
      if (n > most) {
        most = n;
        pivot = v;
      }
    }
    for (std::uint64_t s = p & ~adj[pivot]; s != 0; s &= s - 1) {
      const int v = std::countr_zero(s);
      const std::uint64_t bit = std::uint64_t{1} << v;
      run(r | bit, p & adj[v], x & adj[v]);
      p &= ~bit;
      x |= bit;
    }
  }
};

bool hears_node(const std::vector<NodeId>& list, NodeId n) {
  return std::find(list.begin(), list.end(), n) != list.end();
}

}  // namespace

std::vector<NodeId> largest_connected_set(NodeId leader, const std::vector<NodeId>& candidates_in,
                                          const std::vector<std::vector<NodeId>>& hears_in) {
  // Sort candidates by id so the result does not depend on reply order.
  std::vector<std::size_t> order(candidates_in.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return candidates_in[a] < candidates_in[b]; });
  std::vector<NodeId> ids;
  std::vector<std::vector<NodeId>> hears;
  for (std::size_t i : order) {
    ids.push_back(candidates_in[i]);
    hears.push_back(hears_in[i]);
  }
  const std::size_t n = ids.size();
  auto connected = [&](std::size_t a, std::size_t b) {
    return hears_node(hears[a], ids[b]) && hears_node(hears[b], ids[a]);
  };
  const auto leader_at = std::find(ids.begin(), ids.end(), leader);
  if (leader_at == ids.end()) return {};
  const std::size_t li = static_cast<std::size_t>(leader_at - ids.begin());

  if (n <= 64) {
    std::vector<std::uint64_t> adj(n, 0);
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = a + 1; b < n; ++b)
        if (connected(a, b)) {
          adj[a] |= std::uint64_t{1} << b;
          adj[b] |= std::uint64_t{1} << a;
        }
    Search s{adj, ids};
    const std::uint64_t lbit = std::uint64_t{1} << li;
    s.best = lbit;
    s.run(lbit, adj[li], 0);
    return s.members(s.best);
  }

  // Greedy: start from the leader, add candidates by degree (desc) then id, keeping
  // only those connected to everything chosen so far.
  std::vector<std::size_t> degree(n, 0);
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b)
      if (a != b && connected(a, b)) ++degree[a];
  std::vector<std::size_t> rank;
  for (std::size_t i = 0; i < n; ++i)
    if (i != li && connected(li, i)) rank.push_back(i);
  std::sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) {
    if (degree[a] != degree[b]) return degree[a] > degree[b];
    return ids[a] < ids[b];
  });
  std::vector<std::size_t> chosen{li};
  for (std::size_t c : rank) {
    bool ok = true;
    for (std::size_t m : chosen)
      if (!connected(c, m)) {
        ok = false;
        break;
      }
    if (ok) chosen.push_back(c);
  }
  std::vector<NodeId> out;
  for (std::size_t i : chosen) out.push_back(ids[i]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sansim::cms
