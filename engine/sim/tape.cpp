#include "engine/sim/tape.h"

#include <algorithm>

namespace sansim {

const char* to_string(TapeStatus s) {
  switch (s) {
    case TapeStatus::ok: return "ok";
    case TapeStatus::error: return "error";
    case TapeStatus::missing: return "missing";
    case TapeStatus::abandoned: return "abandoned";
  }
  return "?";
}

TapeLibrary::TapeLibrary(Scheduler& s, TapeOptions options)
    : sched_(s), never_(s), options_(options), drives_(std::max<std::uint32_t>(options.drives, 1)) {}

std::vector<std::string> TapeLibrary::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : copies_) out.push_back(k);
  return out;
}

std::size_t TapeLibrary::pick(const std::string& key, Time& start) const {
  std::size_t best = 0;
  Time best_start = kTimeNever;
  for (std::size_t i = 0; i < drives_.size(); ++i) {
    const Time s = std::max(sched_.now(), drives_[i].free_at);
    const bool mounted = drives_[i].mounted == key;
    const bool best_mounted = best_start != kTimeNever && drives_[best].mounted == key;
    if (s < best_start || (s == best_start && mounted && !best_mounted)) {
      best = i;
      best_start = s;
    }
  }
  start = best_start;
  return best;
}

Duration TapeLibrary::motion(const Drive& d, const std::string& key, std::uint64_t bytes) const {
  Duration t = d.mounted == key ? 0 : options_.mount;
  t += options_.seek;
  const std::uint64_t rate = std::max<std::uint64_t>(options_.rate, 1);
  // Whole nanoseconds, rounded up, without overflowing for large copies.
  t += static_cast<Duration>((bytes / rate) * 1'000'000'000ull + ((bytes % rate) * 1'000'000'000ull + rate - 1) / rate);
  return t;
}

Duration TapeLibrary::duration(const std::string& key, std::uint64_t bytes) const {
  Time start = 0;
  const std::size_t d = pick(key, start);
  return (start - sched_.now()) + motion(drives_[d], key, bytes);
}

Task<TapeStatus> TapeLibrary::book(const std::string& key, std::uint64_t bytes, Interrupt* stop) {
  Time start = 0;
  const std::size_t d = pick(key, start);
  const Drive before = drives_[d];
  const Time loaded = start + (before.mounted == key ? 0 : options_.mount);
  const Time end = start + motion(before, key, bytes);
  drives_[d].free_at = end;
  drives_[d].mounted = key;
  ++operations_;
  if (stop == nullptr) {
    co_await sched_.sleep(end - sched_.now());
  } else {
    const WaitStatus w = co_await never_.wait(stop, end);
    if (w == WaitStatus::early) {
      Drive& drive = drives_[d];
      if (drive.free_at == end) {  // no later booking depends on this one's end
        if (sched_.now() < start) drive = before;
        else drive.free_at = std::max(sched_.now(), loaded);
      }
      co_return TapeStatus::abandoned;
    }
  }
  co_return end < failing_until_ ? TapeStatus::error : TapeStatus::ok;
}

Task<TapeStatus> TapeLibrary::write(std::string key, Bytes data, Interrupt* stop) {
  auto op = book(key, data.size(), stop);
  const TapeStatus st = co_await op;
  if (st == TapeStatus::ok) copies_[key] = std::move(data);
  co_return st;
}

Task<TapeStatus> TapeLibrary::read(std::string key, Bytes& out, Interrupt* stop) {
  out.clear();
  auto it = copies_.find(key);
  if (it == copies_.end()) co_return TapeStatus::missing;
  const std::uint64_t bytes = it->second.size();
  auto op = book(key, bytes, stop);
  const TapeStatus st = co_await op;
  if (st != TapeStatus::ok) co_return st;
  auto again = copies_.find(key);  // removed while the tape moved: gone
  if (again == copies_.end()) co_return TapeStatus::missing;
  out = again->second;
  co_return TapeStatus::ok;
}

}  // namespace sansim
