#include "checkers/linearizability.h"

#include <algorithm>
#include <set>
#include <unordered_set>
#include <utility>

namespace sansim {
namespace {

constexpr std::size_t kMaxCandidates = 16;

std::string describe(const RegisterOp& op) {
  return std::string(op.cas ? "cas " + value_text(op.expected) + "->" + value_text(op.value) : op.write ? "write" : "read") +
         " by process " + std::to_string(op.process) + " (invoked at event " +
         std::to_string(op.invoke_index) + " t=" + format_duration(op.invoke_time) +
         (op.indeterminate ? ", indeterminate)"
                           : ", completed at event " + std::to_string(op.complete_index) +
                                 " t=" + format_duration(op.complete_time) + ")");
}

std::string value_list(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : i + 1 == v.size() ? " or " : ", ") + value_text(v[i]);
  return s;
}

// A configuration of the search: which operations are linearised, and the register's
// value. The set is stored as the count of leading all-ones words plus the words after
// them up to the last non-zero one: operations are numbered in invoke order, so the
// linearised set is nearly always a prefix plus a few, and a cached entry stays small.
struct Configuration {
  std::int64_t value;
  std::uint32_t full_words;
  std::vector<std::uint64_t> rest;
  bool operator==(const Configuration&) const = default;
};

struct ConfigurationHash {
  std::size_t operator()(const Configuration& c) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(c.value);
    auto mix = [&h](std::uint64_t x) {
      h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 0xbf58476d1ce4e5b9ull;
    };
    mix(c.full_words);
    for (std::uint64_t w : c.rest) mix(w);
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

Configuration configuration(const std::vector<std::uint64_t>& bits, std::int64_t value) {
  std::size_t f = 0;
  while (f < bits.size() && bits[f] == ~std::uint64_t{0}) ++f;
  std::size_t last = bits.size();
  while (last > f && bits[last - 1] == 0) --last;
  return Configuration{value, static_cast<std::uint32_t>(f),
                       std::vector<std::uint64_t>(bits.begin() + static_cast<std::ptrdiff_t>(f),
                                                  bits.begin() + static_cast<std::ptrdiff_t>(last))};
}

LinearizabilityResult not_linearizable(const RegisterOp& op, std::vector<std::int64_t> candidates, std::string why,
                                       std::uint64_t configurations) {
  LinearizabilityResult r;
  r.verdict = Verdict::not_linearizable;
  r.culprit = op;
  r.candidates = std::move(candidates);
  r.message = describe(op) + " " + why;
  r.configurations = configurations;
  return r;
}

// Reads that no search can place: torn blocks and values nobody wrote. The earliest
// completed one is named.
std::optional<LinearizabilityResult> impossible_read(const std::vector<RegisterOp>& ops,
                                                     const std::vector<std::int64_t>& initial) {
  std::set<std::int64_t> written(initial.begin(), initial.end());
  for (const RegisterOp& op : ops)
    if (op.write) written.insert(op.value);
  const RegisterOp* worst = nullptr;
  for (const RegisterOp& op : ops)
    if (!op.write && !op.refused && written.count(op.value) == 0 &&
        (worst == nullptr || op.return_pos < worst->return_pos))
      worst = &op;
  if (worst == nullptr) return std::nullopt;
  if (worst->value == -1)
    return not_linearizable(*worst, {},
                            "returned -1: the block's bytes are not one whole stamp (a torn or mixed block), which "
                            "no sequence of whole-block writes produces",
                            0);
  return not_linearizable(*worst, {},
                          "returned " + value_text(worst->value) +
                              ", a value no write on this block wrote (successfully or indeterminately)",
                          0);
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::linearizable: return "linearizable";
    case Verdict::not_linearizable: return "not linearizable";
    case Verdict::undecided: return "undecided";
  }
  return "?";
}

std::map<std::string, std::vector<RegisterOp>> register_ops(const History& h) {
  std::map<std::string, std::vector<RegisterOp>> out;
  // (process, key) -> position of the open op in out[key]
  std::map<std::pair<std::int64_t, std::string>, std::size_t> open;
  auto make_indeterminate = [](RegisterOp& op) {
    op.indeterminate = true;
    op.return_pos = UINT64_MAX;
  };
  std::vector<std::pair<std::string, std::size_t>> dropped;  // (key, position) to remove at the end
  for (std::size_t pos = 0; pos < h.size(); ++pos) {
    const HistoryOp& e = h[pos];
    const auto slot = std::make_pair(e.process, e.key);
    auto& ops = out[e.key];
    if (e.type == OpType::invoke) {
      if (auto it = open.find(slot); it != open.end()) {
        RegisterOp& earlier = ops[it->second];
        if (earlier.write) make_indeterminate(earlier);
        else dropped.emplace_back(e.key, it->second);
        open.erase(it);
      }
      RegisterOp op;
      op.process = e.process;
      op.write = e.f == "write" || e.f == "cas";
      op.cas = e.f == "cas";
      op.expected = e.from.value_or(0);
      op.value = e.value.value_or(0);
      op.call_pos = pos;
      op.invoke_index = op.complete_index = e.index;
      op.invoke_time = op.complete_time = e.time;
      open.emplace(slot, ops.size());
      ops.push_back(op);
      continue;
    }
    auto it = open.find(slot);
    if (it == open.end()) continue;
    RegisterOp& op = ops[it->second];
    open.erase(it);
    op.complete_index = e.index;
    op.complete_time = e.time;
    if (e.type == OpType::ok) {
      op.return_pos = pos;
      if (!op.write) op.value = e.value.value_or(0);
    } else if (e.type == OpType::info && op.write) {
      make_indeterminate(op);
    } else if (e.type == OpType::fail && op.cas) {
      op.write = false;  // no effect, but it saw a value other than the one it expected
      op.refused = true;
      op.return_pos = pos;
    } else {
      dropped.emplace_back(e.key, &op - ops.data());  // failed, or a read that saw nothing
    }
  }
  for (const auto& [slot, i] : open) {
    RegisterOp& op = out[slot.second][i];
    if (op.write) make_indeterminate(op);
    else dropped.emplace_back(slot.second, i);
  }
  // Remove dropped ops, highest position first per key so positions stay valid.
  std::sort(dropped.begin(), dropped.end());
  for (auto it = dropped.rbegin(); it != dropped.rend(); ++it) {
    auto& ops = out[it->first];
    ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(it->second));
  }
  for (auto it = out.begin(); it != out.end();) it = it->second.empty() ? out.erase(it) : std::next(it);
  return out;
}

namespace {

// The search from one initial value.
LinearizabilityResult search(const std::vector<RegisterOp>& input, std::int64_t initial, Budget budget) {
  // Operations numbered in invoke order (the bitset's order).
  std::vector<RegisterOp> ops = input;
  std::stable_sort(ops.begin(), ops.end(), [](const RegisterOp& a, const RegisterOp& b) {
    return a.call_pos != b.call_pos ? a.call_pos < b.call_pos : a.return_pos < b.return_pos;
  });
  const std::size_t n = ops.size();

  // Entries: 1..2n, calls and returns in history order (a call before a return at the
  // same position: such operations overlap). 0 is the head, 2n+1 the tail.
  struct Entry {
    std::uint64_t pos;
    bool call;
    std::size_t op;
  };
  std::vector<Entry> order;
  order.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    order.push_back({ops[i].call_pos, true, i});
    order.push_back({ops[i].return_pos, false, i});
  }
  std::stable_sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
    if (a.pos != b.pos) return a.pos < b.pos;
    return a.call && !b.call;
  });
  const std::size_t head = 0, tail = 2 * n + 1;
  std::vector<std::size_t> next(2 * n + 2), prev(2 * n + 2), match(2 * n + 2), op_of(2 * n + 2);
  std::vector<bool> is_call(2 * n + 2, false);
  std::vector<std::size_t> call_entry(n), return_entry(n);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t e = k + 1;
    op_of[e] = order[k].op;
    is_call[e] = order[k].call;
    (order[k].call ? call_entry : return_entry)[order[k].op] = e;
  }
  for (std::size_t i = 0; i < n; ++i) {
    match[call_entry[i]] = return_entry[i];
    match[return_entry[i]] = call_entry[i];
  }
  for (std::size_t e = 0; e <= 2 * n; ++e) {
    next[e] = e + 1;
    prev[e + 1] = e;
  }
  // Lifting an operation removes its call and return entries; unlifting puts them back.
  auto lift = [&](std::size_t e) {
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
    const std::size_t m = match[e];
    next[prev[m]] = next[m];
    prev[next[m]] = prev[m];
  };
  auto unlift = [&](std::size_t e) {
    const std::size_t m = match[e];
    next[prev[m]] = m;
    prev[next[m]] = m;
    next[prev[e]] = e;
    prev[next[e]] = e;
  };

  std::vector<std::uint64_t> linearised((n + 63) / 64, 0);
  auto set_bit = [&](std::size_t i) { linearised[i / 64] |= std::uint64_t{1} << (i % 64); };
  auto clear_bit = [&](std::size_t i) { linearised[i / 64] &= ~(std::uint64_t{1} << (i % 64)); };

  std::unordered_set<Configuration, ConfigurationHash> cache;  // looked up only, never iterated
  std::vector<std::pair<std::size_t, std::int64_t>> calls;      // (lifted call entry, value before it)
  std::vector<std::vector<std::int64_t>> seen(n);               // values a read was tried against
  std::optional<std::size_t> blocked;                           // the read whose return the search got furthest past
  std::int64_t value = initial;
  std::uint64_t configurations = 0;
  std::size_t entry = next[head];

  while (next[head] != tail) {
    if (is_call[entry]) {
      const std::size_t i = op_of[entry];
      const RegisterOp& op = ops[i];
      // A cas takes effect only where the value is the one it expects; one whose outcome
      // is unknown may also have failed there (no effect); one that answered fail tells
      // the value was another.
      bool can = false;
      std::int64_t after = value;
      if (op.refused) {
        can = value != op.expected;
      } else if (op.write) {
        can = !op.cas || op.expected == value || op.indeterminate;
        if (!op.cas || op.expected == value) after = op.value;
      } else {
        can = op.value == value;
      }
      if (can) {
        set_bit(i);
        if (cache.insert(configuration(linearised, after)).second) {
          if (++configurations > budget.max_configurations) {
            LinearizabilityResult r;
            r.verdict = Verdict::undecided;
            r.configurations = configurations - 1;
            r.message = "gave up after exploring " + std::to_string(budget.max_configurations) +
                        " configurations of " + std::to_string(n) +
                        " operations without deciding; check again with a larger budget";
            return r;
          }
          calls.emplace_back(entry, value);
          value = after;
          lift(entry);
          entry = next[head];
        } else {
          clear_bit(i);
          entry = next[entry];
        }
      } else {
        auto& s = seen[i];
        if (s.size() < kMaxCandidates && std::find(s.begin(), s.end(), value) == s.end()) s.push_back(value);
        entry = next[entry];
      }
      continue;
    }
    // A return reached before its operation was linearised: undo the latest choice.
    const std::size_t i = op_of[entry];
    if (!ops[i].write && !ops[i].refused && (!blocked || ops[i].return_pos > ops[*blocked].return_pos)) blocked = i;
    if (calls.empty()) {
      const std::size_t culprit = blocked.value_or(i);
      std::vector<std::int64_t> candidates = seen[culprit];
      std::sort(candidates.begin(), candidates.end());
      std::string why = ops[culprit].write ? "cannot be placed in any order that respects real time"
                                           : "returned " + value_text(ops[culprit].value) +
                                                 (candidates.empty() ? ", but no order of the writes lets it"
                                                                     : ", but the register could only hold " +
                                                                           value_list(candidates) + " while it ran");
      return not_linearizable(ops[culprit], std::move(candidates), why, configurations);
    }
    const auto [e, before] = calls.back();
    calls.pop_back();
    value = before;
    clear_bit(op_of[e]);
    unlift(e);
    entry = next[e];
  }
  LinearizabilityResult r;
  r.configurations = configurations;
  return r;
}

}  // namespace

LinearizabilityResult check_register(const std::vector<RegisterOp>& input, Budget budget,
                                     const std::vector<std::int64_t>& initial) {
  if (initial.empty()) {
    LinearizabilityResult r;
    r.verdict = Verdict::undecided;
    r.message = "has no initial value to start from";
    return r;
  }
  if (auto r = impossible_read(input, initial)) return *r;
  // Linearizable iff it is from one of the initial values. Of the failed searches the one
  // that got furthest (its culprit returns last) is reported; the budget is shared.
  std::optional<LinearizabilityResult> failed, undecided;
  std::uint64_t used = 0;
  for (std::int64_t v : initial) {
    const Budget left{budget.max_configurations - std::min(used, budget.max_configurations)};
    LinearizabilityResult r = search(input, v, left);
    used += r.configurations;
    if (r.verdict == Verdict::linearizable) {
      r.configurations = used;
      return r;
    }
    if (r.verdict == Verdict::undecided) {
      undecided = std::move(r);
      break;
    }
    if (initial.size() > 1) r.message += " (starting from " + value_text(v) + ")";
    if (!failed || r.culprit->return_pos > failed->culprit->return_pos) failed = std::move(r);
  }
  LinearizabilityResult out = undecided ? std::move(*undecided) : std::move(*failed);
  out.configurations = used;
  return out;
}

namespace {

// The operations of `ops` as they stood at history position `end`: those invoked by then;
// a write still open becomes indeterminate, a read still open is dropped.
std::vector<RegisterOp> truncated(const std::vector<RegisterOp>& ops, std::uint64_t end) {
  std::vector<RegisterOp> out;
  for (RegisterOp op : ops) {
    if (op.call_pos > end) continue;
    if (op.return_pos != UINT64_MAX && op.return_pos > end) {
      if (!op.write) continue;
      op.indeterminate = true;
      op.return_pos = UINT64_MAX;
    }
    out.push_back(op);
  }
  return out;
}

}  // namespace

Explanation explain(const std::vector<RegisterOp>& ops, Budget budget, const std::vector<std::int64_t>& initial) {
  Explanation x;
  std::map<std::uint64_t, std::uint64_t> index_at;  // history position -> its trace/line index
  for (const RegisterOp& op : ops) {
    index_at[op.call_pos] = op.invoke_index;
    if (op.return_pos != UINT64_MAX) index_at[op.return_pos] = op.complete_index;
  }
  std::vector<std::uint64_t> positions;
  for (const auto& [pos, index] : index_at) positions.push_back(pos);
  if (positions.empty()) return x;
  const auto verdict = [&](const std::vector<RegisterOp>& part, const std::vector<std::int64_t>& from) {
    return check_register(part, budget, from).verdict;
  };
  if (verdict(ops, initial) != Verdict::not_linearizable) return x;
  // Longest linearizable prefix: the last position whose prefix is linearizable (any
  // prefix of a linearizable history is linearizable, so bisection applies).
  std::size_t lo = 0, hi = positions.size();  // prefixes ending before positions[lo] pass; at positions[hi-1] fail
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const Verdict v = verdict(truncated(ops, positions[mid]), initial);
    if (v == Verdict::undecided) return x;
    if (v == Verdict::linearizable) lo = mid + 1;
    else hi = mid;
  }
  const std::uint64_t fail_at = positions[lo];  // the first prefix that fails ends here
  if (lo > 0) {
    const std::vector<RegisterOp> ok = truncated(ops, positions[lo - 1]);
    x.prefix_ops = ok.size();
    x.prefix_last_index = index_at[positions[lo - 1]];
  }
  // Smallest failing window within that prefix: the latest first invoke from which the
  // operations still fail, the register then holding any value it may have held before.
  const std::vector<RegisterOp> failing = truncated(ops, fail_at);
  std::vector<std::uint64_t> starts;
  for (const RegisterOp& op : failing) starts.push_back(op.call_pos);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  auto window = [&](std::uint64_t from_pos) {
    std::vector<RegisterOp> w;
    std::set<std::int64_t> values(initial.begin(), initial.end());
    for (const RegisterOp& op : failing) {
      if (op.call_pos >= from_pos) w.push_back(op);
      else if (op.write) values.insert(op.value);
    }
    return std::make_pair(w, std::vector<std::int64_t>(values.begin(), values.end()));
  };
  std::size_t a = 0, b = starts.size();  // windows from starts[a-1] fail (a = 0: the whole prefix)
  while (a + 1 < b) {
    const std::size_t mid = (a + b) / 2;
    const auto [w, from] = window(starts[mid]);
    const Verdict v = verdict(w, from);
    if (v == Verdict::undecided) break;
    if (v == Verdict::not_linearizable) a = mid;
    else b = mid;
  }
  const auto [w, from] = window(starts[a]);
  x.found = true;
  x.window_ops = w.size();
  x.window_first_index = index_at[starts[a]];
  x.window_last_index = index_at[fail_at];
  return x;
}

std::size_t HistoryCheck::count(Verdict v) const {
  return static_cast<std::size_t>(
      std::count_if(keys.begin(), keys.end(), [v](const KeyResult& k) { return k.result.verdict == v; }));
}

Verdict HistoryCheck::verdict() const {
  if (count(Verdict::not_linearizable) != 0) return Verdict::not_linearizable;
  if (count(Verdict::undecided) != 0) return Verdict::undecided;
  return Verdict::linearizable;
}

HistoryCheck check_history(const History& h, Budget budget, const std::map<std::string, std::vector<std::int64_t>>& initial) {
  HistoryCheck out;
  const std::vector<std::int64_t> zero{0};
  for (const auto& [key, ops] : register_ops(h)) {
    auto it = initial.find(key);
    out.keys.push_back(KeyResult{key, ops.size(), check_register(ops, budget, it == initial.end() ? zero : it->second)});
  }
  return out;
}

std::size_t HistoryCheck::operations() const {
  std::size_t n = 0;
  for (const KeyResult& k : keys) n += k.ops;
  return n;
}

}  // namespace sansim
