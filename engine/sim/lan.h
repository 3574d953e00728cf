// The simulated LAN (§0023, §0057).
//
// Fault model, all deterministic given the seed:
//  - latency: each message takes a uniform draw from its pair's [min, max]; channels
//    are FIFO per (sender, receiver, channel set), like the reference's message channels,
//    so a later message never overtakes an earlier one on the same channel;
//  - partitions: a link from A to B can be blocked (one-way) or both directions; a
//    message whose link is blocked when it would arrive is lost, and its sender learns
//    of the failure one latency later (a "message error", §0053, §0057);
//  - freeze: the channels between two nodes, or all channels of a node, can be frozen;
//    messages are then held, in order, and delivered when thawed;
//  - crashes: messages to a crashed node are lost (the sender learns of it); messages
//    from a node that crashed after sending are lost too, as are its queued ones.
// Two channel sets exist: general (tokens, metadata) and membership (heartbeats, CMS).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "engine/node_id.h"
#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/sync/channel.h"
#include "engine/wire.h"

namespace sansim {

enum class ChannelSet : std::uint8_t { general = 0, membership = 1 };

const char* to_string(ChannelSet s);

struct Envelope {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  ChannelSet set = ChannelSet::general;
  std::uint16_t port = 0;
  bool bounced = false;  // true: this is the sender's own message coming back undelivered
  Bytes bytes;
  std::uint32_t from_incarnation = 0;
  std::uint32_t to_incarnation = 0;
};

using Port = Channel<Envelope>;

struct LanOptions {
  Duration latency_min = 100'000;  // 100us
  Duration latency_max = 400'000;
};

struct LanStats {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t lost = 0;     // partition, crashed receiver or sender, unbound port
  std::uint64_t bounced = 0;  // failures reported back to senders
  std::uint64_t held = 0;     // messages that waited in a frozen channel
};

class Lan final : public EventTarget {
 public:
  Lan(Scheduler& s, Rng rng, std::size_t nodes, LanOptions options);
  Lan(const Lan&) = delete;
  Lan& operator=(const Lan&) = delete;

  std::size_t nodes() const { return up_.size(); }
  void set_latency(NodeId a, NodeId b, Duration lo, Duration hi);  // both directions

  // The model binds a port of a node to a channel it receives from. Bindings of a node
  // are dropped when it goes down.
  void bind(NodeId node, std::uint16_t port, Port* channel);

  // Sends a message. REQUIRES: `from` is up. Returns false if it was refused at once
  // (sender down), true if it is on its way (which does not mean it will arrive).
  bool send(NodeId from, NodeId to, ChannelSet set, std::uint16_t port, Bytes bytes);

  void node_down(NodeId n);
  void node_up(NodeId n);
  bool up(NodeId n) const { return up_[n]; }
  std::uint32_t incarnation(NodeId n) const { return incarnation_[n]; }

  // Partitions are counted: each block must be matched by one unblock.
  void block(NodeId from, NodeId to);
  void unblock(NodeId from, NodeId to);
  bool blocked(NodeId from, NodeId to) const { return blocked_[index(from, to)] != 0; }

  void freeze(NodeId a, NodeId b, ChannelSet set);
  void thaw(NodeId a, NodeId b, ChannelSet set);
  void freeze_node(NodeId n);
  void thaw_node(NodeId n);

  const LanStats& stats() const { return stats_; }

  void fire(std::uint64_t arg) override;

 private:
  std::size_t index(NodeId from, NodeId to) const { return static_cast<std::size_t>(from) * up_.size() + to; }
  std::size_t channel(NodeId from, NodeId to, ChannelSet set) const {
    return index(from, to) * 2 + static_cast<std::size_t>(set);
  }
  bool frozen(const Envelope& e) const;
  Duration latency(NodeId from, NodeId to);
  std::uint32_t park(Envelope&& e);
  void schedule_delivery(std::uint32_t slot, Time at);
  void deliver(std::uint32_t slot);
  void bounce(Envelope&& e);
  void release(NodeId a, NodeId b, ChannelSet set);

  Scheduler& s_;
  Rng rng_;
  LanOptions options_;
  std::vector<bool> up_;
  std::vector<std::uint32_t> incarnation_;
  std::vector<std::uint16_t> blocked_;
  std::vector<Time> last_arrival_;                 // per channel, for FIFO order
  std::map<std::size_t, std::pair<Duration, Duration>> pair_latency_;  // sparse overrides
  std::map<std::size_t, int> frozen_channels_;     // channel index -> freeze count
  std::vector<int> frozen_nodes_;
  std::map<std::size_t, std::deque<std::uint32_t>> held_;  // channel index -> parked slots
  std::vector<std::map<std::uint16_t, Port*>> ports_;
  std::vector<Envelope> slab_;
  std::vector<std::uint32_t> free_;
  LanStats stats_;
};

}  // namespace sansim
