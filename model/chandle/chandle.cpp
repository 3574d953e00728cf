#include "model/chandle/chandle.h"

#include <cassert>

namespace sansim::chandle {

const char* to_string(Service s) {
  switch (s) {
    case Service::file_system: return "file_system";
    case Service::vnode: return "vnode";
    case Service::name_service: return "name_service";
  }
  return "?";
}

Task<Chandle::Hold> Chandle::hold(Interrupt* interrupt, Time deadline) {
  const WaitStatus st = co_await lock_.lock_shared(interrupt, deadline);
  if (st != WaitStatus::ok) co_return Hold{};
  co_return Hold{this, target_};
}

Task<void> Chandle::detarget() {
  if (detargeted_) co_return;
  if (detargeting_) {
    while (detargeting_) co_await settled_.wait();
    co_return;
  }
  detargeting_ = true;
  const WaitStatus st = co_await lock_.lock();
  assert(st == WaitStatus::ok);
  (void)st;
  detargeting_ = false;
  detargeted_ = true;
  settled_.notify_all();
}

void Chandle::retarget(Target target) {
  assert(detargeted_ && !detargeting_);
  target_ = target;
  detargeted_ = false;
  lock_.unlock();
}

}  // namespace sansim::chandle
