#include "model/token/token_server.h"

#include <algorithm>

namespace sansim::token {

TokenServer::TokenServer(Simulation& sim, NodeId self, Recall recall, Merge merge, ServerMutations mutations)
    : sim_(sim), self_(self), recall_(std::move(recall)), merge_(std::move(merge)), mutations_(mutations) {
  if (mutations_.read_shares_with_shared_write) {
    table_[static_cast<std::size_t>(Level::read)][static_cast<std::size_t>(Level::shared_write)] = false;
    table_[static_cast<std::size_t>(Level::shared_write)][static_cast<std::size_t>(Level::read)] = false;
  }
}

TokenServer::Object& TokenServer::object(ObjectId obj) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) it = objects_.emplace(obj, std::make_unique<Object>(sim_.sched())).first;
  return *it->second;
}

void TokenServer::observe(const char* what, NodeId holder, ObjectId obj, TokenType type, Level level, NodeId lender) {
  std::vector<Field> f{{"fs", std::int64_t(obj.fs)},
                       {"ino", std::int64_t(obj.ino)},
                       {"token", std::string(to_string(type))},
                       {"level", std::string(to_string(level))},
                       {"holder", holder == kServerHolder ? std::int64_t(-1) : std::int64_t(holder)}};
  // A lent read copy stays with its client during the server's operation (§0031).
  if (lender != kNoNode) f.push_back({"lender", std::int64_t(lender)});
  sim_.observe(self_, what, std::move(f));
}

Task<GrantId> TokenServer::acquire(NodeId holder, ObjectId obj, TokenType type, Level level, AcquireOptions opt) {
  // The object may be forgotten while we wait; keep it alive through our own reference.
  // A conditional request asks every conflicting holder (§0032: the server conditionally
  // recalls all the existence tokens), not only up to the first that refuses: a holder
  // never asked would keep its token, unused, for ever.
  std::set<NodeId> refused;
  for (;;) {
    if (shut_down_ || down_.count(holder) != 0) co_return 0;
    Object& o = object(obj);
    Slot& s = o.slots[static_cast<std::size_t>(type)];
    // A client asks only for what it does not hold: a grant still recorded for it left
    // it in a message that has not arrived yet (see the top of token_server.h).
    if (holder != kServerHolder && s.holders.count(holder) != 0) {
      if (!co_await await_return(holder, obj, type, s.granted[holder], opt)) co_return 0;
      continue;
    }
    NodeId victim = kNoNode;
    bool someone_recalling = false;
    if (!mutations_.grant_without_recall) {
      for (const auto& [h, l] : s.holders) {
        // Every server operation is a holder of its own: two of them (two allocations
        // for different clients, say) must not hold EXTENT write at once, or the second
        // one's release would end the first one's exclusion (fs property seed 147: a
        // client cached an extent map while another allocation was changing it).
        if ((h == holder && holder != kServerHolder) || !conflicts(l, level, table_)) continue;
        if (h == opt.lender && l == Level::read) continue;  // lent for this operation (§0031)
        if (refused.count(h) != 0) continue;  // asked; gives it back once unused
        if (s.recalling.count(h) != 0) {
          someone_recalling = true;
          continue;
        }
        victim = h;
        break;
      }
    }
    if (victim == kNoNode && !someone_recalling) {
      for (NodeId r : refused) {
        auto kept = s.holders.find(r);
        if (kept != s.holders.end() && conflicts(kept->second, level, table_)) co_return 0;
      }
      const GrantId id = ++grants_;
      s.holders[holder] = level;
      s.granted[holder] = id;
      if (holder == kServerHolder) observe("token.hold", holder, obj, type, level, opt.lender);
      observe("token.grant", holder, obj, type, level);
      co_return id;
    }
    if (victim == kNoNode || victim == kServerHolder) {
      // Another requester is recalling, or a server operation holds it: wait for a change.
      const WaitStatus st = co_await o.changed.wait(opt.may_wait, opt.interrupt);
      if (st == WaitStatus::early) {
        ended_early(holder, obj, type, level, opt);
        co_return 0;
      }
      continue;
    }
    s.recalling.insert(victim);
    // The holder may give this grant back and be granted anew (its own request, crossing
    // our recall on the way) before its answer arrives: the answer is about this grant.
    const GrantId recalled = s.granted[victim];
    observe("token.recall", victim, obj, type, s.holders[victim]);
    RecallAnswer a = co_await recall_(victim, obj, type, opt.conditional, recalled);
    Object& o2 = object(obj);
    Slot& s2 = o2.slots[static_cast<std::size_t>(type)];
    s2.recalling.erase(victim);
    o2.changed.notify_all();
    const bool still = s2.holders.count(victim) != 0 && s2.granted[victim] == recalled;
    if (a.unreachable) {
      // A holder we cannot reach may be alive behind a partition, still using its
      // token: only recovery may take it away (celldown, once the node is fenced). Ask
      // again a little later; celldown or the holder's answer ends the wait.
      if (still) {
        const WaitStatus st = co_await o2.changed.wait(opt.may_wait, opt.interrupt, sim_.now() + kReturnRecheck);
        if (st == WaitStatus::early) {
          ended_early(holder, obj, type, level, opt);
          co_return 0;
        }
      }
      continue;
    }
    if (a.returned && !a.absent) {
      give(victim, obj, a.given, a.state);
      continue;
    }
    if (a.absent) {
      if (still && !co_await await_return(victim, obj, type, recalled, opt)) co_return 0;
      continue;
    }
    if (opt.conditional) {
      refused.insert(victim);
      continue;
    }
    // An unconditional recall cannot be refused; a holder that answers so has nothing.
    if (still) {
      s2.holders.erase(victim);
      s2.granted.erase(victim);
    }
  }
}

void TokenServer::ended_early(NodeId holder, ObjectId obj, TokenType type, Level level, const AcquireOptions& opt) {
  observe("token.early", holder, obj, type, level);
  if (opt.early != nullptr) *opt.early = true;
}

Task<bool> TokenServer::await_return(NodeId holder, ObjectId obj, TokenType type, GrantId grant,
                                     const AcquireOptions& opt) {
  const Time lost = sim_.now() + kReturnLost;
  for (;;) {
    if (shut_down_) co_return false;
    Object& o = object(obj);
    Slot& s = o.slots[static_cast<std::size_t>(type)];
    auto h = s.holders.find(holder);
    if (h == s.holders.end() || s.granted[holder] != grant) co_return true;
    if (sim_.now() >= lost) {
      // Never came: the holder lost it without telling us (it restarted). Its state is
      // gone with it; say so, so a checker can point at it.
      observe("token.lost", holder, obj, type, h->second);
      s.holders.erase(h);
      s.granted.erase(holder);
      o.changed.notify_all();
      co_return true;
    }
    const Level level = h->second;
    const WaitStatus st =
        co_await o.changed.wait(opt.may_wait, opt.interrupt, std::min(lost, sim_.now() + kReturnRecheck));
    if (st == WaitStatus::early) {
      ended_early(holder, obj, type, level, opt);
      co_return false;
    }
  }
}

void TokenServer::release(NodeId holder, ObjectId obj, TokenType type) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) return;
  Slot& s = it->second->slots[static_cast<std::size_t>(type)];
  auto h = s.holders.find(holder);
  if (h == s.holders.end()) return;
  if (holder == kServerHolder) observe("token.give", holder, obj, type, h->second);
  observe("token.released", holder, obj, type, h->second);
  s.holders.erase(h);
  s.granted.erase(holder);
  if (type == TokenType::exist && holder != kServerHolder) drop_holder(*it->second, obj, holder);
  it->second->changed.notify_all();
}

void TokenServer::give(NodeId holder, ObjectId obj, const Grants& given, const TokenState& state) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) {
    if (installed_ == 0) return;
    it = objects_.emplace(obj, std::make_unique<Object>(sim_.sched())).first;
  }
  Object& o = *it->second;
  for (std::size_t t = 0; t < kTokenTypes; ++t) {
    if (given[t] == 0) continue;
    Slot& s = o.slots[t];
    auto h = s.holders.find(holder);
    const TokenType type = static_cast<TokenType>(t);
    if (h == s.holders.end() && given[t] <= installed_) {
      // A return the old server never saw (§0069): the state it carries is newer than
      // the inode. Merging is monotonic (largest timestamp, size grows), so a stale one
      // changes nothing.
      if (type == TokenType::times || type == TokenType::size) merge_(obj, type, holder, state);
      continue;
    }
    if (h == s.holders.end() || s.granted[holder] != given[t]) {  // dropped already
      sim_.observe(self_, "token.unmatched_return",
                   {{"fs", std::int64_t(obj.fs)}, {"ino", std::int64_t(obj.ino)}, {"token", std::string(to_string(type))},
                    {"holder", std::int64_t(holder)}, {"grant", std::int64_t(given[t])},
                    {"recorded", std::int64_t(h == s.holders.end() ? 0 : s.granted[holder])}});
      continue;
    }
    // Only a copy that could change the state brings any back (§0029 TIMES, SIZE).
    if (h->second == Level::write || h->second == Level::shared_write) merge_(obj, type, holder, state);
    observe("token.released", holder, obj, type, h->second);
    s.holders.erase(h);
    s.granted.erase(holder);
  }
  o.changed.notify_all();
}

void TokenServer::drop_holder(Object& o, ObjectId obj, NodeId holder) {
  for (std::size_t t = 0; t < kTokenTypes; ++t) {
    auto h = o.slots[t].holders.find(holder);
    if (h == o.slots[t].holders.end()) continue;
    observe("token.released", holder, obj, static_cast<TokenType>(t), h->second);
    o.slots[t].holders.erase(h);
    o.slots[t].granted.erase(holder);
  }
}

void TokenServer::forget(ObjectId obj) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) return;
  for (const Slot& s : it->second->slots)
    if (!s.recalling.empty() || it->second->changed.waiting() != 0) return;  // still in use; kept
  objects_.erase(it);
}

std::size_t TokenServer::celldown(const std::set<NodeId>& failed) {
  // A request of a failed node still being served must not be granted after its
  // tokens were dropped: that would leave a token with a holder that is gone.
  down_ = failed;
  std::size_t dropped = 0;
  for (auto& [obj, o] : objects_) {
    bool changed = false;
    for (std::size_t t = 0; t < kTokenTypes; ++t) {
      Slot& s = o->slots[t];
      for (auto h = s.holders.begin(); h != s.holders.end();) {
        if (failed.count(h->first) == 0) {
          ++h;
          continue;
        }
        observe("token.celldown", h->first, obj, static_cast<TokenType>(t), h->second);
        s.granted.erase(h->first);
        h = s.holders.erase(h);
        ++dropped;
        changed = true;
      }
    }
    if (changed) o->changed.notify_all();
  }
  return dropped;
}

std::size_t TokenServer::restarted(NodeId holder) {
  std::size_t dropped = 0;
  for (auto& [obj, o] : objects_) {
    bool changed = false;
    for (std::size_t t = 0; t < kTokenTypes; ++t) {
      Slot& s = o->slots[t];
      auto h = s.holders.find(holder);
      if (h == s.holders.end()) continue;
      observe("token.lost", holder, obj, static_cast<TokenType>(t), h->second);
      s.holders.erase(h);
      s.granted.erase(holder);
      ++dropped;
      changed = true;
    }
    if (changed) o->changed.notify_all();
  }
  return dropped;
}

void TokenServer::shut_down() {
  shut_down_ = true;
  for (auto& [obj, o] : objects_) o->changed.notify_all();
}

std::vector<TokenServer::Granted> TokenServer::granted() const {
  std::vector<Granted> out;
  for (const auto& [obj, o] : objects_)
    for (std::size_t t = 0; t < kTokenTypes; ++t)
      for (const auto& [h, l] : o->slots[t].holders) {
        if (h == kServerHolder) continue;
        auto g = o->slots[t].granted.find(h);
        out.push_back({h, obj, static_cast<TokenType>(t), l, g == o->slots[t].granted.end() ? 0 : g->second});
      }
  return out;
}

void TokenServer::install(NodeId holder, ObjectId obj, TokenType type, Level level, GrantId grant) {
  Slot& s = object(obj).slots[static_cast<std::size_t>(type)];
  s.holders[holder] = level;
  s.granted[holder] = grant;
  grants_ = std::max(grants_, grant);
  installed_ = std::max(installed_, grant);
  observe("token.installed", holder, obj, type, level);
}

Level TokenServer::held(NodeId holder, ObjectId obj, TokenType type) const {
  auto it = objects_.find(obj);
  if (it == objects_.end()) return Level::none;
  const Slot& s = it->second->slots[static_cast<std::size_t>(type)];
  auto h = s.holders.find(holder);
  return h == s.holders.end() ? Level::none : h->second;
}

std::size_t TokenServer::holders(ObjectId obj, TokenType type) const {
  auto it = objects_.find(obj);
  return it == objects_.end() ? 0 : it->second->slots[static_cast<std::size_t>(type)].holders.size();
}

std::vector<NodeId> TokenServer::client_holders(ObjectId obj, TokenType type, NodeId except) const {
  std::vector<NodeId> out;
  auto it = objects_.find(obj);
  if (it == objects_.end()) return out;
  for (const auto& [h, l] : it->second->slots[static_cast<std::size_t>(type)].holders)
    if (h != except && h != kServerHolder) out.push_back(h);
  return out;
}

}  // namespace sansim::token
