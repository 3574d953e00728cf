#include "model/cms/messages.h"

namespace sansim::cms {
namespace {

enum Tag : std::uint8_t {
  kHeartbeat = 1, kProbe, kConnectivity, kPropose, kAccept, kCommit, kDead, kJoin, kChange, kWithdraw, kWithdrawAck, kRelease
};

void put_nodes(WireWriter& w, const std::vector<NodeId>& v) {
  w.u32(static_cast<std::uint32_t>(v.size()));
  for (NodeId n : v) w.u32(n);
}
std::vector<NodeId> get_nodes(WireReader& r, const char* field) {
  std::vector<NodeId> v(r.count(field, 4));
  for (NodeId& n : v) n = r.u32(field);
  return v;
}
void put_tags(WireWriter& w, const VersionTags& t) {
  w.u32(static_cast<std::uint32_t>(t.size()));
  for (const auto& [k, v] : t) w.str(k).i64(v);
}
VersionTags get_tags(WireReader& r) {
  VersionTags t;
  const std::uint32_t n = r.count("version tags", 12);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string k = r.str("version tag name", 256);
    if (t.count(k) != 0) throw DecodeError("version tag '" + k + "' appears twice");
    t[k] = r.i64("version tag level");
  }
  return t;
}

struct Encoder {
  WireWriter& w;
  void operator()(const Heartbeat& m) {
    w.u8(kHeartbeat).u8(static_cast<std::uint8_t>(m.state)).u64(m.epoch).u32(m.leader).i64(m.member_since)
        .boolean(m.server_capable).u32(m.boot).u64(m.round).u64(m.generation);
  }
  void operator()(const Probe& m) { w.u8(kProbe).u64(m.round); }
  void operator()(const Connectivity& m) {
    w.u8(kConnectivity).u64(m.round);
    put_nodes(w, m.seen);
    w.i64(m.member_since).boolean(m.server_capable).u32(m.boot);
    put_tags(w, m.tags);
  }
  void operator()(const Propose& m) {
    w.u8(kPropose).u64(m.round).u64(m.generation);
    put_nodes(w, m.members);
    w.u32(static_cast<std::uint32_t>(m.versions.size()));
    for (const NodeVersions& v : m.versions) {
      w.u32(v.node);
      put_tags(w, v.tags);
    }
  }
  void operator()(const Accept& m) { w.u8(kAccept).u64(m.round); }
  void operator()(const Commit& m) { w.u8(kCommit).u64(m.round); }
  void operator()(const Dead& m) { w.u8(kDead).u64(m.round); }
  void operator()(const JoinRequest& m) { w.u8(kJoin).u32(m.boot); }
  void operator()(const ChangeRequest& m) { w.u8(kChange).u32(m.suspect).u64(m.epoch); }
  void operator()(const Withdraw& m) { w.u8(kWithdraw).u32(m.boot); }
  void operator()(const WithdrawAck& m) { w.u8(kWithdrawAck).u64(m.round); }
  void operator()(const Release& m) { w.u8(kRelease).u64(m.round); }
};

}  // namespace

const char* to_string(State s) {
  switch (s) {
    case State::nascent: return "nascent";
    case State::leader: return "leader";
    case State::follower: return "follower";
    case State::stable: return "stable";
    case State::dead: return "dead";
    case State::shutdown: return "shutdown";
  }
  return "?";
}

std::optional<State> parse_state(std::string_view s) {
  for (State st : {State::nascent, State::leader, State::follower, State::stable, State::dead, State::shutdown})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

Bytes encode(const Message& m) {
  WireWriter w;
  std::visit(Encoder{w}, m);
  return w.take();
}

Message decode(std::span<const std::uint8_t> bytes) {
  WireReader r(bytes);
  const std::uint8_t tag = r.u8("message type");
  Message out;
  switch (tag) {
    case kHeartbeat: {
      Heartbeat m;
      const std::uint8_t st = r.u8("heartbeat state");
      if (st > static_cast<std::uint8_t>(State::shutdown)) throw DecodeError("bad state in heartbeat");
      m.state = static_cast<State>(st);
      m.epoch = r.u64("heartbeat epoch");
      m.leader = r.u32("heartbeat leader");
      m.member_since = r.i64("heartbeat member_since");
      m.server_capable = r.boolean("heartbeat server_capable");
      m.boot = r.u32("heartbeat boot");
      m.round = r.u64("heartbeat round");
      m.generation = r.u64("heartbeat generation");
      out = m;
      break;
    }
    case kProbe: out = Probe{r.u64("probe round")}; break;
    case kConnectivity: {
      Connectivity m;
      m.round = r.u64("connectivity round");
      m.seen = get_nodes(r, "connectivity seen");
      m.member_since = r.i64("connectivity member_since");
      m.server_capable = r.boolean("connectivity server_capable");
      m.boot = r.u32("connectivity boot");
      m.tags = get_tags(r);
      out = m;
      break;
    }
    case kPropose: {
      Propose m;
      m.round = r.u64("propose round");
      m.generation = r.u64("propose generation");
      m.members = get_nodes(r, "propose members");
      const std::uint32_t n = r.count("propose versions", 8);
      for (std::uint32_t i = 0; i < n; ++i) {
        NodeVersions v;
        v.node = r.u32("propose version node");
        v.tags = get_tags(r);
        m.versions.push_back(std::move(v));
      }
      out = m;
      break;
    }
    case kAccept: out = Accept{r.u64("accept round")}; break;
    case kCommit: out = Commit{r.u64("commit round")}; break;
    case kDead: out = Dead{r.u64("dead round")}; break;
    case kJoin: out = JoinRequest{r.u32("join boot")}; break;
    case kChange: {
      ChangeRequest m;
      m.suspect = r.u32("change suspect");
      m.epoch = r.u64("change epoch");
      out = m;
      break;
    }
    case kWithdraw: out = Withdraw{r.u32("withdraw boot")}; break;
    case kWithdrawAck: out = WithdrawAck{r.u64("withdraw-ack round")}; break;
    case kRelease: out = Release{r.u64("release round")}; break;
    default: throw DecodeError("unknown CMS message type " + std::to_string(tag));
  }
  r.finish("CMS message");
  return out;
}

const char* name(const Message& m) {
  static constexpr const char* kNames[] = {"heartbeat", "probe",  "connectivity", "propose", "accept",    "commit",
                                           "dead",      "join",   "change",       "withdraw", "withdraw-ack", "release"};
  return kNames[m.index()];
}

}  // namespace sansim::cms
