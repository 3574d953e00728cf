// A volume seen through a node's fabric paths with retry (the "disk path failure with
// retry" of the scenario library): an I/O that finds its path down is reissued every
// kPathRetry until the path is back or kPathGiveUp passed. Disk errors (EIO, latent
// sectors) and fencing are not retried: they do not go away by waiting.
#pragma once

#include "engine/scheduler.h"
#include "engine/sim/volume.h"

namespace sansim::cxfs {

inline constexpr Duration kPathRetry = 100'000'000;      // 100ms
inline constexpr Duration kPathGiveUp = 30'000'000'000;  // 30s

class PathRetry final : public Volume {
 public:
  PathRetry(Scheduler& s, Volume& v) : s_(s), v_(v) {}

  std::uint64_t blocks() const override { return v_.blocks(); }
  Task<IoStatus> read(NodeId via, std::uint64_t block, std::span<std::uint8_t> out) override {
    return retry([this, via, block, out] { return v_.read(via, block, out); });
  }
  Task<IoStatus> write(NodeId via, std::uint64_t block, std::span<const std::uint8_t> data) override {
    return retry([this, via, block, data] { return v_.write(via, block, data); });
  }
  Task<IoStatus> flush(NodeId via) override {
    return retry([this, via] { return v_.flush(via); });
  }
  void inspect(std::uint64_t block, std::span<std::uint8_t> out) const override { v_.inspect(block, out); }
  // No I/O through this view any more (a retired server's: whatever its tasks still
  // want to write is out of date once recovery moved the file system). Answers fenced.
  void close() { closed_ = true; }

 private:
  // `issue` starts one attempt; it is called again for every retry.
  template <class Issue>
  Task<IoStatus> retry(Issue issue) {
    const Time give_up = s_.now() + kPathGiveUp;
    for (;;) {
      if (closed_) co_return IoStatus::fenced;
      Task<IoStatus> attempt = issue();
      const IoStatus st = co_await attempt;
      if (st != IoStatus::path_down || s_.now() >= give_up) co_return st;
      co_await s_.sleep(kPathRetry);
    }
  }

  Scheduler& s_;
  Volume& v_;
  bool closed_ = false;
};

}  // namespace sansim::cxfs
