#include "engine/waiter.h"

#include <cassert>

namespace sansim {

const char* to_string(WaitStatus s) {
  switch (s) {
    case WaitStatus::ok: return "ok";
    case WaitStatus::early: return "early";
    case WaitStatus::timeout: return "timeout";
    case WaitStatus::closed: return "closed";
  }
  return "?";
}

Waiter::~Waiter() { unlink(); }

void Waiter::unlink() {
  if (list != nullptr) list->remove(this);
  if (ilist != nullptr) ilist->remove_interrupt(this);
}

WaitList::~WaitList() {
  // The owner of a list outlives the waiters on it except when a node's state is torn
  // down after its tasks were destroyed; by then every waiter has unlinked itself.
  assert(head_ == nullptr);
}

void WaitList::push_back(Waiter* w) {
  assert(w->list == nullptr);
  w->list = this;
  w->prev = tail_;
  w->next = nullptr;
  if (tail_ != nullptr) tail_->next = w; else head_ = w;
  tail_ = w;
  ++size_;
}

void WaitList::remove(Waiter* w) {
  assert(w->list == this);
  if (w->prev != nullptr) w->prev->next = w->next; else head_ = w->next;
  if (w->next != nullptr) w->next->prev = w->prev; else tail_ = w->prev;
  w->list = nullptr;
  w->prev = w->next = nullptr;
  --size_;
}

void WaitList::push_back_interrupt(Waiter* w) {
  assert(w->ilist == nullptr);
  w->ilist = this;
  w->iprev = tail_;
  w->inext = nullptr;
  if (tail_ != nullptr) tail_->inext = w; else head_ = w;
  tail_ = w;
  ++size_;
}

void WaitList::remove_interrupt(Waiter* w) {
  assert(w->ilist == this);
  if (w->iprev != nullptr) w->iprev->inext = w->inext; else head_ = w->inext;
  if (w->inext != nullptr) w->inext->iprev = w->iprev; else tail_ = w->iprev;
  w->ilist = nullptr;
  w->iprev = w->inext = nullptr;
  --size_;
}

}  // namespace sansim
