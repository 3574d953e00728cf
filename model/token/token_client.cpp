#include "model/token/token_client.h"

#include <algorithm>
#include <cassert>

namespace sansim::token {

TokenClient::TokenClient(Simulation& sim, NodeId self, Request request, BeforeReturn before_return, GiveBack give_back)
    : sim_(sim), self_(self), request_(std::move(request)), before_return_(std::move(before_return)),
      give_back_(std::move(give_back)) {}

TokenClient::Object& TokenClient::object(ObjectId obj) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) it = objects_.emplace(obj, std::make_unique<Object>(sim_.sched())).first;
  return *it->second;
}

void TokenClient::observe(const char* what, ObjectId obj, TokenType type, Level level) {
  sim_.observe(self_, what,
               {{"fs", std::int64_t(obj.fs)},
                {"ino", std::int64_t(obj.ino)},
                {"token", std::string(to_string(type))},
                {"level", std::string(to_string(level))},
                {"holder", std::int64_t(self_)}});
}

Task<bool> TokenClient::acquire(ObjectId obj, TokenType type, Level level, Interrupt* interrupt,
                                std::optional<std::uint64_t> expect_era) {
  for (;;) {
    Object& o = object(obj);
    Slot& s = o.slots[static_cast<std::size_t>(type)];
    // EXIST on its way out takes every token of the object with it (§0032); a use at
    // another level must end; a request or return in progress must settle. Recovery
    // and relocation may end such a wait early (§0083-0084): no token then.
    const bool usable = !s.busy && covers(s.level, level);
    const bool settling = s.busy || (s.refs > 0 && s.level != Level::none);
    if (exist_leaving(o, type) || (!usable && settling)) {
      const WaitStatus st = co_await o.changed.wait({}, interrupt);
      if (st == WaitStatus::early) {
        observe("token.early", obj, type, level);
        co_return false;
      }
      continue;
    }
    if (usable) {
      ++s.refs;
      co_return true;
    }
    // The wait above crossed server_lost: asking now would give a token to a caller whose
    // others are gone (fs property seed 270).
    if (expect_era && *expect_era != era_[obj.fs]) co_return false;
    // Referenced at no level (the server restarted under them, server_lost): ask again.
    s.busy = true;
    // The era is taken before anything waits: a server_lost during the flush below (this
    // node reset) voids the request as much as one during the request itself (fs
    // property seed 579: a request sent after the reset cached a token without EXIST,
    // which removal never recalls).
    const std::uint64_t era = era_[obj.fs];
    TokenState carried;
    GrantId replaced = 0;
    if (s.level != Level::none) {
      // Replacing our own level: do what returning it requires first (§0033), and let
      // the grant and the state it protects travel with the request.
      const Level old = s.level;
      co_await before_return_(obj, type, old);
      Object& o1 = object(obj);
      Slot& s1 = o1.slots[static_cast<std::size_t>(type)];
      if (era_[obj.fs] != era) {
        // server_lost gave everything back meanwhile: nothing to replace, nothing to ask.
        s1.busy = false;
        o1.changed.notify_all();
        give_back_if_due(obj, o1, TokenType::exist);
        co_return false;
      }
      carried = o1.state;
      replaced = s1.grant;
      observe("token.give", obj, type, old);
      s1.level = Level::none;
      s1.grant = 0;
    }
    Grant g = co_await request_(obj, type, level, replaced, carried);
    Object& o2 = object(obj);
    Slot& s2 = o2.slots[static_cast<std::size_t>(type)];
    s2.busy = false;
    o2.changed.notify_all();
    // A grant asked for before this node lost every token of the file system comes from
    // a server (or a server state) that is gone: it is no token.
    if (era_[obj.fs] != era) g.ok = false;
    if (!g.ok) {
      give_back_if_due(obj, o2, TokenType::exist);
      co_return false;
    }
    s2.level = g.level;
    s2.grant = g.id;
    // The granted token's own part of the state comes from the server; the rest is
    // what other tokens of ours protect and must not be overwritten.
    if (type == TokenType::exist) {
      // A new hold on the inode: nothing of an earlier file with this inode number (all
      // of whose tokens went back with its EXIST) may carry over.
      o2.state = TokenState{};
    } else if (type == TokenType::times) {
      o2.state.atime = g.state.atime;
      o2.state.mtime = g.state.mtime;
      o2.state.ctime = g.state.ctime;
    } else if (type == TokenType::size) {
      o2.state.size = g.state.size;
    }
    observe("token.hold", obj, type, g.level);
    ++s2.refs;
    co_return true;
  }
}

void TokenClient::release(ObjectId obj, TokenType type) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) return;
  Slot& s = it->second->slots[static_cast<std::size_t>(type)];
  assert(s.refs > 0);
  if (--s.refs == 0) {
    it->second->changed.notify_all();
    give_back_if_due(obj, *it->second, type);
    if (type != TokenType::exist) give_back_if_due(obj, *it->second, TokenType::exist);
  }
}

bool TokenClient::in_use(const Object& o, TokenType type) {
  if (type != TokenType::exist) return o.slots[static_cast<std::size_t>(type)].refs > 0;
  // EXIST stands for the whole object here: giving it back gives back every token of the
  // object on both sides (§0032 DVN_EXIST), so any reference to any of them keeps it, and
  // so does any of them on its way in or out.
  for (std::size_t t = 0; t < kTokenTypes; ++t) {
    const Slot& s = o.slots[t];
    if (s.refs > 0 || (static_cast<TokenType>(t) != TokenType::exist && s.busy)) return true;
  }
  return false;
}

bool TokenClient::exist_leaving(const Object& o, TokenType type) {
  const Slot& e = o.slots[static_cast<std::size_t>(TokenType::exist)];
  return type != TokenType::exist && e.busy && e.level != Level::none;
}

void TokenClient::give_back_if_due(ObjectId obj, Object& o, TokenType type) {
  Slot& s = o.slots[static_cast<std::size_t>(type)];
  if (!s.give_back_later || s.busy || s.level == Level::none || in_use(o, type) || exist_leaving(o, type)) return;
  s.give_back_later = false;
  s.busy = true;
  sim_.sched().spawn(self_, give_back(obj, type), "token.give_back");
}

Task<void> TokenClient::give_back(ObjectId obj, TokenType type) {
  const Level l = object(obj).slots[static_cast<std::size_t>(type)].level;
  co_await before_return_(obj, type, l);
  Object& o = object(obj);
  Slot& s = o.slots[static_cast<std::size_t>(type)];
  const TokenState st = o.state;
  const Grants given = hand_over(obj, type);
  s.busy = false;
  o.changed.notify_all();
  if (type != TokenType::exist) give_back_if_due(obj, o, TokenType::exist);
  co_await give_back_(obj, type, l, given, st);
}

Grants TokenClient::hand_over(ObjectId obj, TokenType type) {
  Grants given{};
  if (type == TokenType::exist) given = drop_all_but_exist(obj);
  Slot& s = object(obj).slots[static_cast<std::size_t>(type)];
  given[static_cast<std::size_t>(type)] = s.grant;
  observe("token.give", obj, type, s.level);
  s.level = Level::none;
  s.grant = 0;
  return given;
}

Task<RecallAnswer> TokenClient::recall(ObjectId obj, TokenType type, bool conditional, GrantId grant,
                                       std::function<bool()> still_asked) {
  for (;;) {
    Object& o = object(obj);
    Slot& s = o.slots[static_cast<std::size_t>(type)];
    // A grant on its way in, or a return on its way out, settles first; so does EXIST
    // on its way out, which takes this token with it.
    if (s.busy || exist_leaving(o, type)) {
      co_await o.changed.wait();
      continue;
    }
    if (s.level == Level::none || s.grant != grant) {
      RecallAnswer gone;  // given back already, by a message of its own, or replaced
      gone.returned = true;
      gone.absent = true;
      co_return gone;
    }
    if (conditional && in_use(o, type)) {
      s.give_back_later = true;
      co_return RecallAnswer{};
    }
    if (in_use(o, type)) {
      co_await o.changed.wait();
      continue;
    }
    s.busy = true;
    co_await before_return_(obj, type, s.level);
    Object& o2 = object(obj);
    Slot& s2 = o2.slots[static_cast<std::size_t>(type)];
    if (still_asked && !still_asked()) {
      s2.busy = false;
      o2.changed.notify_all();
      RecallAnswer kept;
      kept.unreachable = true;
      co_return kept;
    }
    RecallAnswer a;
    a.returned = true;
    a.state = o2.state;
    a.given = hand_over(obj, type);
    s2.busy = false;
    s2.give_back_later = false;
    o2.changed.notify_all();
    if (type != TokenType::exist) give_back_if_due(obj, o2, TokenType::exist);
    co_return a;
  }
}

Level TokenClient::level(ObjectId obj, TokenType type) const {
  auto it = objects_.find(obj);
  return it == objects_.end() ? Level::none : it->second->slots[static_cast<std::size_t>(type)].level;
}

int TokenClient::refs(ObjectId obj, TokenType type) const {
  auto it = objects_.find(obj);
  return it == objects_.end() ? 0 : it->second->slots[static_cast<std::size_t>(type)].refs;
}

TokenState& TokenClient::state(ObjectId obj) { return object(obj).state; }

void TokenClient::forget(ObjectId obj) {
  auto it = objects_.find(obj);
  if (it == objects_.end() || it->second->changed.waiting() != 0) return;
  for (const Slot& s : it->second->slots)
    if (s.refs > 0 || s.busy) return;
  objects_.erase(it);
}

}  // namespace sansim::token

namespace sansim::token {

Grants TokenClient::drop_all_but_exist(ObjectId obj) {
  Grants dropped{};
  auto it = objects_.find(obj);
  if (it == objects_.end()) return dropped;
  for (std::size_t t = 0; t < kTokenTypes; ++t) {
    Slot& s = it->second->slots[t];
    if (static_cast<TokenType>(t) == TokenType::exist || s.level == Level::none) continue;
    // Giving EXIST back waits until nothing of the object is in use here (in_use).
    assert(s.refs == 0 && !s.busy);
    observe("token.give", obj, static_cast<TokenType>(t), s.level);
    dropped[t] = s.grant;
    s.level = Level::none;
    s.grant = 0;
    s.give_back_later = false;
  }
  it->second->changed.notify_all();
  return dropped;
}

void TokenClient::server_lost(std::uint32_t fs) {
  ++era_[fs];
  for (auto& [obj, o] : objects_) {
    if (obj.fs != fs) continue;
    for (std::size_t t = 0; t < kTokenTypes; ++t) {
      Slot& s = o->slots[t];
      if (s.level == Level::none) continue;
      observe("token.give", obj, static_cast<TokenType>(t), s.level);
      s.level = Level::none;
      s.grant = 0;
      s.give_back_later = false;
    }
    o->changed.notify_all();
  }
}

Task<std::size_t> TokenClient::give_back_all(std::uint32_t fs, Interrupt* stop) {
  std::size_t objects = 0;
  while (stop == nullptr || !stop->raised()) {
    // The first object of `fs` still holding a token, or with one on its way in (a map:
    // the same order every run).
    auto it = std::find_if(objects_.begin(), objects_.end(), [fs](const auto& e) {
      if (e.first.fs != fs) return false;
      for (const Slot& s : e.second->slots)
        if (s.level != Level::none || s.busy) return true;
      return false;
    });
    if (it == objects_.end()) co_return objects;
    const ObjectId obj = it->first;
    Object& o = *it->second;
    Slot& exist = o.slots[static_cast<std::size_t>(TokenType::exist)];
    // EXIST if held (it takes the rest along), else whichever token is left.
    TokenType type = TokenType::exist;
    if (exist.level == Level::none)
      for (std::size_t t = 0; t < kTokenTypes; ++t)
        if (o.slots[t].level != Level::none) type = static_cast<TokenType>(t);
    Slot& s = o.slots[static_cast<std::size_t>(type)];
    if (s.busy || in_use(o, type) || exist_leaving(o, type)) {
      co_await o.changed.wait({}, stop);  // an operation finishing, a grant or return settling
      continue;
    }
    s.busy = true;
    s.give_back_later = false;
    co_await give_back(obj, type);
    ++objects;
  }
  co_return objects;
}

std::vector<TokenClient::Holding> TokenClient::holdings(std::uint32_t fs) const {
  std::vector<Holding> out;
  for (const auto& [obj, o] : objects_) {
    if (obj.fs != fs) continue;
    for (std::size_t t = 0; t < kTokenTypes; ++t) {
      const Slot& s = o->slots[t];
      if (s.level != Level::none) out.push_back({obj, static_cast<TokenType>(t), s.level, s.grant, o->state});
    }
  }
  return out;
}

}  // namespace sansim::token
