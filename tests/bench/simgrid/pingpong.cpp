// SimGrid S4U ping-pong: the reference figure for sansim's cross-node message rate.
//
// Why this exists: sansim's engine budget is stated relative to an established
// simulator. Our target is >= 10x the message rate SimGrid reaches here, with
// two actors on two hosts bouncing a tiny payload through mailboxes.
//
// Usage: simgrid_pingpong [N]   (N = total messages delivered, default 1000000)
// Output (stdout, one line):
//   simgrid_pingpong messages=<N> seconds=<s> messages_per_sec=<rate>

#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

bool parse_count(const char* text, std::uint64_t& out)
{
  if (text == nullptr || *text == '\0')
    return false;
  std::uint64_t value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9')
      return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(*p - '0');
    if (value > (UINT64_MAX - digit) / 10)
      return false; // overflow
    value = value * 10 + digit;
  }
  if (value == 0)
    return false;
  out = value;
  return true;
}

int payload = 42; // the message body; only its address travels

// Message k (0-based) goes ping->pong when k is even, pong->ping when odd.
// Each side runs over the same index sequence, so exactly `total` messages
// are delivered whatever the parity of `total`.
void player(std::uint64_t total, bool sends_even, sg4::Mailbox* out, sg4::Mailbox* in)
{
  for (std::uint64_t k = 0; k < total; ++k) {
    const bool mine = ((k % 2 == 0) == sends_even);
    if (mine)
      out->put(&payload, sizeof payload);
    else
      (void)in->get<int>();
  }
}

} // namespace

int main(int argc, char** argv)
{
  std::uint64_t total = 1000000;
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [messages]\n", argv[0]);
    return 2;
  }
  if (argc == 2 && !parse_count(argv[1], total)) {
    std::fprintf(stderr, "simgrid_pingpong: invalid message count '%s' (want a positive integer)\n", argv[1]);
    return 2;
  }

  // Hand SimGrid its own argv so our N is never mistaken for an option, and
  // silence everything below critical so stdout carries only our result line.
  std::string prog = argv[0];
  std::string quiet = "--log=root.thres:critical";
  std::vector<char*> sg_argv{prog.data(), quiet.data(), nullptr};
  int sg_argc = 2;
  sg4::Engine engine(&sg_argc, sg_argv.data());

  // Platform: two hosts joined by one link in a full-routing zone.
  auto* zone = sg4::create_full_zone("world");
  sg4::Host* ping_host = zone->create_host("ping", 1e9);
  sg4::Host* pong_host = zone->create_host("pong", 1e9);
  sg4::Link* wire = zone->create_link("wire", 1e9)->set_latency(1e-6)->seal();
  zone->add_route(ping_host->get_netpoint(), pong_host->get_netpoint(), nullptr, nullptr,
                  {sg4::LinkInRoute(wire)}, true);
  zone->seal();

  sg4::Mailbox* to_pong = sg4::Mailbox::by_name("to_pong");
  sg4::Mailbox* to_ping = sg4::Mailbox::by_name("to_ping");
  sg4::Actor::create("ping", ping_host, [=] { player(total, true, to_pong, to_ping); });
  sg4::Actor::create("pong", pong_host, [=] { player(total, false, to_ping, to_pong); });

  const auto start = std::chrono::steady_clock::now();
  engine.run();
  const auto stop = std::chrono::steady_clock::now();

  const double seconds = std::chrono::duration<double>(stop - start).count();
  const double rate = seconds > 0 ? static_cast<double>(total) / seconds : 0.0;
  std::printf("simgrid_pingpong messages=%llu seconds=%.6f messages_per_sec=%.0f\n",
              static_cast<unsigned long long>(total), seconds, rate);
  return 0;
}
