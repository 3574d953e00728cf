#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "engine/sync/channel.h"
#include "engine/sync/condition.h"
#include "engine/sync/event.h"
#include "engine/sync/future.h"
#include "engine/sync/mutex.h"
#include "engine/sync/rwlock.h"

using namespace sansim;
using namespace sansim::literals;

namespace sansim {
inline std::ostream& operator<<(std::ostream& o, WaitStatus s) { return o << to_string(s); }
}  // namespace sansim

namespace {

struct World {
  Trace trace;
  Scheduler s{trace};
};

Task<void> hold_mutex(Scheduler& s, Mutex& m, std::vector<std::string>& log, std::string name, Duration hold) {
  WaitStatus st = co_await m.lock();
  BOOST_REQUIRE(st == WaitStatus::ok);
  log.push_back(name + "+");
  co_await s.sleep(hold);
  log.push_back(name + "-");
  m.unlock();
}

// Holds the lock shared or exclusive for `hold`, logging when it gets and drops it.
Task<void> rw_hold(Scheduler& s, RwLock& l, std::vector<std::string>& log, std::string name, Duration hold,
                   bool exclusive) {
  WaitStatus st;
  if (exclusive) {
    st = co_await l.lock();
  } else {
    st = co_await l.lock_shared();
  }
  BOOST_REQUIRE(st == WaitStatus::ok);
  log.push_back(name + "+");
  co_await s.sleep(hold);
  log.push_back(name + "-");
  if (exclusive) l.unlock(); else l.unlock_shared();
}

Task<void> wait_event(Event& e, Interrupt* i, Time deadline, WaitStatus* out) { *out = co_await e.wait(i, deadline); }

Task<void> receive(Channel<int>& c, std::vector<int>& got, int n) {
  for (int k = 0; k < n; ++k) {
    Received<int> r = co_await c.recv();
    if (!r) co_return;
    got.push_back(*r);
  }
}

Task<void> send_many(Channel<int>& c, int n, std::vector<WaitStatus>& st) {
  for (int k = 0; k < n; ++k) {
    WaitStatus w = co_await c.send(k);
    st.push_back(w);
  }
}

Task<void> wait_future(Future<int> f, WaitStatus* out, int* value) {
  *out = co_await f.wait();
  if (*out == WaitStatus::ok) *value = f.value();
}

Task<void> wait_may(Condition& c, std::function<bool()> may, WaitStatus* out) { *out = co_await c.wait(std::move(may)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(sync_primitives)

BOOST_AUTO_TEST_CASE(mutex_hands_off_in_fifo_order) {
  World w;
  Mutex m(w.s);
  std::vector<std::string> log;
  w.s.spawn(0, hold_mutex(w.s, m, log, "a", 5_ms), "a");
  w.s.spawn(0, hold_mutex(w.s, m, log, "b", 1_ms), "b");
  w.s.spawn(0, hold_mutex(w.s, m, log, "c", 1_ms), "c");
  w.s.run_until(1_s);
  BOOST_TEST(log == (std::vector<std::string>{"a+", "a-", "b+", "b-", "c+", "c-"}));
  BOOST_TEST(!m.locked());
}

BOOST_AUTO_TEST_CASE(rwlock_is_a_barrier_for_later_readers) {
  World w;
  RwLock l(w.s);
  std::vector<std::string> log;
  w.s.spawn(0, rw_hold(w.s, l, log, "r1", 5_ms, false), "r1");
  w.s.spawn(0, rw_hold(w.s, l, log, "r2", 5_ms, false), "r2");
  w.s.spawn(0, rw_hold(w.s, l, log, "w", 1_ms, true), "w");
  w.s.spawn(0, rw_hold(w.s, l, log, "r3", 1_ms, false), "r3");  // must wait behind the writer
  w.s.run_until(1_s);
  BOOST_TEST(log == (std::vector<std::string>{"r1+", "r2+", "r1-", "r2-", "w+", "w-", "r3+", "r3-"}));
}

BOOST_AUTO_TEST_CASE(interrupt_wakes_waiters_early_and_stays_raised) {
  World w;
  Event e(w.s);
  Interrupt intr(w.s);
  WaitStatus a = WaitStatus::ok, b = WaitStatus::ok, c = WaitStatus::ok;
  w.s.spawn(0, wait_event(e, &intr, kTimeNever, &a), "a");
  w.s.spawn(0, wait_event(e, nullptr, 2_ms, &b), "b");
  w.s.run_until(1_ms);
  BOOST_TEST(intr.waiting() == 1u);
  intr.raise();
  w.s.run_until(10_ms);
  BOOST_TEST(a == WaitStatus::early);
  BOOST_TEST(b == WaitStatus::timeout);
  w.s.spawn(0, wait_event(e, &intr, kTimeNever, &c), "c");  // raised: returns at once
  w.s.run_until(20_ms);
  BOOST_TEST(c == WaitStatus::early);
}

BOOST_AUTO_TEST_CASE(condition_asks_whether_it_may_wait) {
  World w;
  Condition cond(w.s);
  WaitStatus a = WaitStatus::closed, b = WaitStatus::closed;
  bool allowed = true;
  w.s.spawn(0, wait_may(cond, [&] { return allowed; }, &a), "a");
  w.s.run_until(1_ms);
  allowed = false;
  cond.notify_all();
  w.s.run_until(2_ms);
  BOOST_TEST(a == WaitStatus::ok);  // woken; its caller loops and asks again
  w.s.spawn(0, wait_may(cond, [&] { return allowed; }, &b), "b");
  w.s.run_until(3_ms);
  BOOST_TEST(b == WaitStatus::early);
}

BOOST_AUTO_TEST_CASE(bounded_channel_blocks_senders_and_keeps_order) {
  World w;
  Channel<int> c(w.s, 2);
  std::vector<int> got;
  std::vector<WaitStatus> st;
  w.s.spawn(0, send_many(c, 6, st), "sender");
  w.s.run_until(1_ms);
  BOOST_TEST(c.size() == 2u);
  BOOST_TEST(st.size() == 2u);
  w.s.spawn(0, receive(c, got, 6), "receiver");
  w.s.run_until(1_s);
  BOOST_TEST(got == (std::vector<int>{0, 1, 2, 3, 4, 5}));
  c.close();
  BOOST_TEST(!c.push(9));
}

BOOST_AUTO_TEST_CASE(future_value_and_broken_promise) {
  World w;
  WaitStatus s1 = WaitStatus::early, s2 = WaitStatus::early;
  int v1 = 0, v2 = 0;
  auto p1 = std::make_unique<Promise<int>>(w.s);
  auto p2 = std::make_unique<Promise<int>>(w.s);
  w.s.spawn(0, wait_future(p1->future(), &s1, &v1), "f1");
  w.s.spawn(0, wait_future(p2->future(), &s2, &v2), "f2");
  w.s.run_until(1_ms);
  p1->set_value(17);
  p2.reset();  // dropped without a value
  w.s.run_until(2_ms);
  BOOST_TEST(s1 == WaitStatus::ok);
  BOOST_TEST(v1 == 17);
  BOOST_TEST(s2 == WaitStatus::closed);
}

BOOST_AUTO_TEST_CASE(killing_blocked_waiters_unlinks_them) {
  World w;
  Mutex m(w.s);
  std::vector<std::string> log;
  w.s.spawn(0, hold_mutex(w.s, m, log, "a", 5_ms), "a");
  w.s.spawn(1, hold_mutex(w.s, m, log, "b", 1_ms), "b");  // blocked on the mutex
  w.s.run_until(1_ms);
  BOOST_TEST(m.waiting() == 1u);
  w.s.kill_node_tasks(1);
  BOOST_TEST(m.waiting() == 0u);
  w.s.run_until(1_s);
  BOOST_TEST(log == (std::vector<std::string>{"a+", "a-"}));
  BOOST_TEST(!m.locked());
}

BOOST_AUTO_TEST_SUITE_END()
