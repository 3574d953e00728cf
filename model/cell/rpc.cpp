#include "model/cell/rpc.h"

#include <cassert>

namespace sansim {
namespace {

// kRefused answers a request this node will not serve because it has its sender cut
// off: the caller learns at once instead of waiting for a reply that never comes.
enum Frame : std::uint8_t { kRequest = 1, kReply = 2, kRefused = 3 };

Bytes frame(Frame kind, std::uint64_t id, const Bytes& body) {
  WireWriter w;
  w.u8(kind).u64(id);
  Bytes out = w.take();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace

Rpc::Rpc(Simulation& sim, NodeId self, std::uint16_t port) : sim_(sim), self_(self), port_(port), inbox_(sim.sched()) {}

void Rpc::start() {
  sim_.lan().bind(self_, port_, &inbox_);
  sim_.sched().spawn(self_, receive_loop(), "rpc.receive");
}

Task<std::optional<Bytes>> Rpc::call(NodeId to, Bytes request) {
  const std::uint64_t id = next_id_++;
  if (cut_.count(to) != 0) co_return std::nullopt;
  auto [it, inserted] = pending_.emplace(id, Pending{to, Promise<std::optional<Bytes>>(sim_.sched())});
  assert(inserted);
  Future<std::optional<Bytes>> reply = it->second.reply.future();
  if (!sim_.lan().send(self_, to, ChannelSet::general, port_, frame(kRequest, id, request))) {
    pending_.erase(id);
    co_return std::nullopt;
  }
  const WaitStatus st = co_await reply.wait();
  pending_.erase(id);
  if (st != WaitStatus::ok) co_return std::nullopt;
  co_return reply.value();
}

Task<void> Rpc::receive_loop() {
  for (;;) {
    Received<Envelope> r = co_await inbox_.recv();
    if (!r) co_return;
    Envelope& e = *r;
    std::uint8_t kind = 0;
    std::uint64_t id = 0;
    try {
      WireReader rd(e.bytes);
      kind = rd.u8("rpc.kind");
      id = rd.u64("rpc.id");
    } catch (const DecodeError&) {
      continue;  // not ours to understand: a malformed frame is dropped, never trusted
    }
    Bytes body(e.bytes.begin() + 9, e.bytes.end());
    if (e.bounced) {
      // Our own message came back undelivered. A request: its caller learns the peer is
      // unreachable. A reply: the caller on the other side will learn it by itself.
      if (kind == kRequest) {
        auto it = pending_.find(id);
        if (it != pending_.end() && !it->second.reply.fulfilled()) it->second.reply.set_value(std::nullopt);
      }
      continue;
    }
    if (kind == kRefused) {
      auto it = pending_.find(id);
      if (it != pending_.end() && !it->second.reply.fulfilled()) it->second.reply.set_value(std::nullopt);
      continue;
    }
    if (cut_.count(e.from) != 0) {
      // Members lift their cuts at their own freeze, one after the other: a peer this
      // node still cuts may already call it again. Refusing (rather than dropping) tells
      // it so, and it retries; dropped, its call would wait for ever, holding what it
      // holds (relocation property seeds 43 and 56: a chandle hold that kept a KORE
      // detarget waiting).
      if (kind == kRequest) sim_.lan().send(self_, e.from, ChannelSet::general, port_, frame(kRefused, id, {}));
      continue;
    }
    if (kind == kRequest) {
      sim_.sched().spawn(self_, serve(e.from, id, std::move(body)), "rpc.serve");
    } else if (kind == kReply) {
      auto it = pending_.find(id);
      if (it != pending_.end() && !it->second.reply.fulfilled()) it->second.reply.set_value(std::move(body));
    }
  }
}

void Rpc::cut(const std::set<NodeId>& peers) {
  cut_ = peers;
  for (auto& [id, p] : pending_)
    if (cut_.count(p.to) != 0 && !p.reply.fulfilled()) p.reply.set_value(std::nullopt);
}

void Rpc::abandon(const std::set<NodeId>& peers) {
  for (auto& [id, p] : pending_)
    if (peers.count(p.to) != 0 && !p.reply.fulfilled()) p.reply.set_value(std::nullopt);
}

Task<void> Rpc::serve(NodeId from, std::uint64_t id, Bytes request) {
  Bytes reply = co_await handler_(from, std::move(request));
  sim_.lan().send(self_, from, ChannelSet::general, port_, frame(kReply, id, reply));
}

}  // namespace sansim
