#include "engine/sim/lan.h"

#include <algorithm>
#include <cassert>

namespace sansim {

const char* to_string(ChannelSet s) { return s == ChannelSet::general ? "general" : "membership"; }

Lan::Lan(Scheduler& s, Rng rng, std::size_t nodes, LanOptions options)
    : s_(s),
      rng_(rng),
      options_(options),
      up_(nodes, false),
      incarnation_(nodes, 0),
      blocked_(nodes * nodes, 0),
      last_arrival_(nodes * nodes * 2, 0),
      frozen_nodes_(nodes, 0),
      ports_(nodes) {}

void Lan::set_latency(NodeId a, NodeId b, Duration lo, Duration hi) {
  pair_latency_[index(a, b)] = {lo, hi};
  pair_latency_[index(b, a)] = {lo, hi};
}

void Lan::bind(NodeId node, std::uint16_t port, Port* channel) { ports_[node][port] = channel; }

Duration Lan::latency(NodeId from, NodeId to) {
  Duration lo = options_.latency_min, hi = options_.latency_max;
  if (!pair_latency_.empty()) {
    auto it = pair_latency_.find(index(from, to));
    if (it != pair_latency_.end()) std::tie(lo, hi) = it->second;
  }
  return lo == hi ? lo : rng_.uniform(lo, hi);
}

std::uint32_t Lan::park(Envelope&& e) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slab_[slot] = std::move(e);
  } else {
    slot = static_cast<std::uint32_t>(slab_.size());
    slab_.push_back(std::move(e));
  }
  return slot;
}

void Lan::schedule_delivery(std::uint32_t slot, Time at) {
  const Envelope& e = slab_[slot];
  s_.schedule(at, e.to, e.bounced ? TraceKind::bounce : TraceKind::deliver, this, slot);
}

bool Lan::send(NodeId from, NodeId to, ChannelSet set, std::uint16_t port, Bytes bytes) {
  assert(from < up_.size() && to < up_.size());
  if (!up_[from]) return false;
  ++stats_.sent;
  Envelope e;
  e.from = from;
  e.to = to;
  e.set = set;
  e.port = port;
  e.bytes = std::move(bytes);
  e.from_incarnation = incarnation_[from];
  e.to_incarnation = incarnation_[to];
  const std::size_t ch = channel(from, to, set);
  const Time at = std::max(s_.now() + latency(from, to), last_arrival_[ch]);
  last_arrival_[ch] = at;
  schedule_delivery(park(std::move(e)), at);
  return true;
}

bool Lan::frozen(const Envelope& e) const {
  if (frozen_nodes_[e.from] != 0 || frozen_nodes_[e.to] != 0) return true;
  if (frozen_channels_.empty()) return false;
  auto it = frozen_channels_.find(channel(std::min(e.from, e.to), std::max(e.from, e.to), e.set));
  return it != frozen_channels_.end() && it->second > 0;
}

void Lan::fire(std::uint64_t arg) { deliver(static_cast<std::uint32_t>(arg)); }

void Lan::deliver(std::uint32_t slot) {
  Envelope& e = slab_[slot];
  if (e.bounced) {
    // A failure notice returns to its sender, if that incarnation still lives.
    Envelope b = std::move(e);
    free_.push_back(slot);
    if (!up_[b.from] || incarnation_[b.from] != b.from_incarnation) return;
    auto it = ports_[b.from].find(b.port);
    if (it != ports_[b.from].end()) it->second->push(std::move(b));
    return;
  }
  if (!up_[e.from] || incarnation_[e.from] != e.from_incarnation) {
    ++stats_.lost;  // the sender crashed after sending: its messages die with it
    free_.push_back(slot);
    return;
  }
  if (!up_[e.to] || incarnation_[e.to] != e.to_incarnation || blocked(e.from, e.to)) {
    ++stats_.lost;
    Envelope b = std::move(e);
    free_.push_back(slot);
    bounce(std::move(b));
    return;
  }
  if (frozen(e)) {
    ++stats_.held;
    held_[channel(e.from, e.to, e.set)].push_back(slot);
    return;
  }
  auto it = ports_[e.to].find(e.port);
  Envelope m = std::move(e);
  free_.push_back(slot);
  if (it == ports_[m.to].end()) {
    ++stats_.lost;
    return;
  }
  ++stats_.delivered;
  it->second->push(std::move(m));
}

void Lan::bounce(Envelope&& e) {
  ++stats_.bounced;
  e.bounced = true;
  const Time at = s_.now() + latency(e.to, e.from);
  NodeId sender = e.from;
  std::uint32_t slot = park(std::move(e));
  s_.schedule(at, sender, TraceKind::bounce, this, slot);
}

void Lan::node_down(NodeId n) {
  up_[n] = false;
  ++incarnation_[n];
  ports_[n].clear();
  // Held messages to or from the node are lost with it; in-flight ones are dropped on
  // arrival by the incarnation check.
  for (auto it = held_.begin(); it != held_.end();) {
    auto& q = it->second;
    for (auto k = q.begin(); k != q.end();) {
      const Envelope& e = slab_[*k];
      if (e.from == n || e.to == n) {
        ++stats_.lost;
        free_.push_back(*k);
        k = q.erase(k);
      } else {
        ++k;
      }
    }
    it = q.empty() ? held_.erase(it) : std::next(it);
  }
  frozen_nodes_[n] = 0;
}

void Lan::node_up(NodeId n) {
  up_[n] = true;
  ++incarnation_[n];
}

void Lan::block(NodeId from, NodeId to) { ++blocked_[index(from, to)]; }

void Lan::unblock(NodeId from, NodeId to) {
  assert(blocked_[index(from, to)] > 0);
  --blocked_[index(from, to)];
}

void Lan::freeze(NodeId a, NodeId b, ChannelSet set) {
  ++frozen_channels_[channel(std::min(a, b), std::max(a, b), set)];
}

void Lan::thaw(NodeId a, NodeId b, ChannelSet set) {
  auto it = frozen_channels_.find(channel(std::min(a, b), std::max(a, b), set));
  if (it == frozen_channels_.end()) return;
  if (--it->second <= 0) frozen_channels_.erase(it);
  release(a, b, set);
  release(b, a, set);
}

void Lan::freeze_node(NodeId n) { ++frozen_nodes_[n]; }

void Lan::thaw_node(NodeId n) {
  if (frozen_nodes_[n] == 0) return;
  if (--frozen_nodes_[n] > 0) return;
  for (NodeId other = 0; other < up_.size(); ++other) {
    for (ChannelSet set : {ChannelSet::general, ChannelSet::membership}) {
      release(n, other, set);
      release(other, n, set);
    }
  }
}

// Re-queues held messages of one channel, in order, if nothing still freezes them.
void Lan::release(NodeId from, NodeId to, ChannelSet set) {
  auto it = held_.find(channel(from, to, set));
  if (it == held_.end()) return;
  std::deque<std::uint32_t> q = std::move(it->second);
  held_.erase(it);
  for (std::uint32_t slot : q) {
    if (frozen(slab_[slot])) {
      held_[channel(from, to, set)].push_back(slot);
    } else {
      schedule_delivery(slot, s_.now());
    }
  }
}

}  // namespace sansim
