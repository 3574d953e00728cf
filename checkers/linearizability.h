// Linearizability of a register history: Wing & Gong's search for a legal sequential
// order that respects real time, with Lowe's memoisation (a configuration -- the set of
// operations linearised so far and the register value -- is explored at most once).
// The history is checked one key (file block) at a time: a register history is
// linearizable iff each key's is (locality), which keeps every search small.
//
// Indeterminate operations: a write that may or may not have taken effect (info) gets
// no return, so it may be linearised anywhere after its invoke -- or after everything
// else, which is the same as never. A read that never completed observed nothing and is
// dropped, as is any failed operation (it had no effect).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checkers/history.h"

namespace sansim {

// One operation on one register, paired from its invoke and completion.
struct RegisterOp {
  std::int64_t process = 0;
  bool write = false;          // a write or a cas (both change the value)
  bool cas = false;            // takes effect only where the value is `expected`
  bool refused = false;        // a cas that answered fail: the value was not `expected` (no effect)
  std::int64_t expected = 0;
  std::int64_t value = 0;      // the value written, or the value read
  bool indeterminate = false;  // a write with an info completion or none
  // Positions in the history: a precedes b in real time iff a.return_pos < b.call_pos.
  std::uint64_t call_pos = 0;
  std::uint64_t return_pos = UINT64_MAX;  // UINT64_MAX when indeterminate
  // For reports: the trace index and time of the invoke and of the completion (the
  // info line's, or the invoke's when there was none).
  std::uint64_t invoke_index = 0, complete_index = 0;
  Time invoke_time = 0, complete_time = 0;
};

// How much search one key may use: configurations explored (cached) before giving up.
struct Budget {
  std::uint64_t max_configurations = 1'000'000;
};

enum class Verdict { linearizable, not_linearizable, undecided };
const char* to_string(Verdict v);

struct LinearizabilityResult {
  Verdict verdict = Verdict::linearizable;
  // not_linearizable: the read that could not be linearised (the one the search got
  // furthest past), the values the register could hold while it ran (sorted, at most
  // 16), and one sentence saying so. undecided: the sentence says the budget ran out.
  std::optional<RegisterOp> culprit;
  std::vector<std::int64_t> candidates;
  std::string message;
  std::uint64_t configurations = 0;  // explored
};

// Pairs the history's operations per key (sorted by key). A well-formed history is
// expected (read_jepsen validates; HistoryRecorder builds one); otherwise a completion
// with no open invoke is ignored and an invoke on a (process, key) that is already open
// makes the earlier one indeterminate.
std::map<std::string, std::vector<RegisterOp>> register_ops(const History& h);

// Checks one register whose initial value is one of `initial` (0 for a register judged
// from its start; after a loss that may have changed it, every value it may hold then,
// see linearizable_checker.h). A read of -1 (a torn block) or of a value neither an
// initial value nor written by a write is reported at once; otherwise the search decides,
// once per initial value until one succeeds, all sharing `budget`. An empty `initial` is
// undecided (there is nothing to start from).
LinearizabilityResult check_register(const std::vector<RegisterOp>& ops, Budget budget = {},
                                     const std::vector<std::int64_t>& initial = {0});

// Where a key that is not linearizable goes wrong: the longest prefix of its history (in
// history order) that is linearizable, and the smallest window of consecutive operations
// that is not (starting from any value the register may hold before it). Found by
// bisection, each step one search within `budget`.
struct Explanation {
  bool found = false;                 // false: the key is linearizable, or a search ran out of budget
  std::size_t prefix_ops = 0;         // operations invoked within the longest linearizable prefix
  std::uint64_t prefix_last_index = 0;  // index of its last event
  std::size_t window_ops = 0;         // operations in the smallest failing window
  std::uint64_t window_first_index = 0, window_last_index = 0;  // its first invoke, its last event
};
Explanation explain(const std::vector<RegisterOp>& ops, Budget budget = {},
                    const std::vector<std::int64_t>& initial = {0});

struct KeyResult {
  std::string key;
  std::size_t ops = 0;
  LinearizabilityResult result;
};

struct HistoryCheck {
  std::vector<KeyResult> keys;  // sorted by key
  std::size_t count(Verdict v) const;
  std::size_t operations() const;  // register operations judged, over all keys
  // not_linearizable if any key is, else undecided if any key is, else linearizable.
  Verdict verdict() const;
};

// The budget applies to each key separately. `initial` gives a key's initial values where
// they are not just 0.
HistoryCheck check_history(const History& h, Budget budget = {},
                           const std::map<std::string, std::vector<std::int64_t>>& initial = {});

}  // namespace sansim
