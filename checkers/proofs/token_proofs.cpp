#include "checkers/proofs/token_proofs.h"

#include <z3++.h>

#include <array>
#include <functional>

namespace sansim::proofs {
namespace {

using token::Level;
using token::TokenType;
using vnode::IoMode;

constexpr int kLevels = 4;
constexpr int kTypes = static_cast<int>(token::kTokenTypes);

// The six calls of the proofs, numbered 0..5: (read, write) x (buffered, direct, mapped).
struct Call {
  cxfs::IoCall call;
  IoMode mode;
};
constexpr std::array<Call, 6> kCalls = {{{cxfs::IoCall::read, IoMode::buffered},
                                        {cxfs::IoCall::read, IoMode::direct},
                                        {cxfs::IoCall::read, IoMode::mapped},
                                        {cxfs::IoCall::write, IoMode::buffered},
                                        {cxfs::IoCall::write, IoMode::direct},
                                        {cxfs::IoCall::write, IoMode::mapped}}};

std::string level_name(int l) { return token::to_string(static_cast<Level>(l)); }

std::string call_name(int c) {
  const Call& k = kCalls[static_cast<std::size_t>(c)];
  return std::string(vnode::to_string(k.mode)) + (k.call == cxfs::IoCall::read ? " read" : " write");
}

int as_int(const z3::model& m, const z3::expr& e) { return m.eval(e, true).get_numeral_int(); }

// The facts every proof starts from: the model's tables as uninterpreted functions.
struct Facts {
  z3::context ctx;
  z3::func_decl conflicts = ctx.function("conflicts", ctx.int_sort(), ctx.int_sort(), ctx.bool_sort());
  z3::func_decl level = ctx.function("level", ctx.int_sort(), ctx.int_sort(), ctx.int_sort());  // call, token
  z3::expr_vector table{ctx};

  explicit Facts(const TokenRules& rules) {
    for (int a = 0; a < kLevels; ++a)
      for (int b = 0; b < kLevels; ++b)
        table.push_back(conflicts(ctx.int_val(a), ctx.int_val(b)) ==
                        ctx.bool_val(rules.conflicts[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]));
    for (int c = 0; c < static_cast<int>(kCalls.size()); ++c) {
      std::array<int, kTypes> held{};  // none
      // Two nodes do I/O on the file, so neither's I/O-exclusive state is true.
      const Call& k = kCalls[static_cast<std::size_t>(c)];
      for (const auto& [type, l] : rules.token_set(k.call, k.mode, false))
        held[static_cast<std::size_t>(type)] = static_cast<int>(l);
      for (int t = 0; t < kTypes; ++t)
        table.push_back(level(ctx.int_val(c), ctx.int_val(t)) == ctx.int_val(held[static_cast<std::size_t>(t)]));
    }
  }
  z3::solver solver() {
    z3::solver s(ctx);
    s.add(table);
    return s;
  }
  z3::expr is_level(const z3::expr& x) { return x >= 0 && x < kLevels; }
  z3::expr is_call(const z3::expr& x) { return x >= 0 && x < static_cast<int>(kCalls.size()); }
  // §0028 in its own words.
  z3::expr rule(const z3::expr& held, const z3::expr& wanted) {
    return held != 0 && wanted != 0 && (held != wanted || held == static_cast<int>(Level::write));
  }
  // Whether calls x and y (on two nodes) can hold their token sets at once.
  z3::expr coexist(const z3::expr& x, const z3::expr& y) {
    z3::expr_vector each(ctx);
    for (int t = 0; t < kTypes; ++t)
      each.push_back(!conflicts(level(x, ctx.int_val(t)), level(y, ctx.int_val(t))));
    return z3::mk_and(each);
  }
  // The calls' kinds, from the call list (not from the token sets).
  z3::expr writes(const z3::expr& x) { return x >= 3; }
  z3::expr direct(const z3::expr& x) { return x == 1 || x == 4; }
  z3::expr cached(const z3::expr& x) { return is_call(x) && !direct(x); }
  // The pairs coherency (and §0033, for direct reads) needs kept apart.
  z3::expr must_exclude(const z3::expr& x, const z3::expr& y) {
    return (cached(x) && writes(x)) || (cached(y) && writes(y)) || (cached(x) && !writes(x) && direct(y)) ||
           (cached(y) && !writes(y) && direct(x));
  }
};

// One satisfying instance of `what`, described by `say`, or a note that there is none.
std::string witness(Facts& f, const z3::expr& what, const std::function<std::string(const z3::model&)>& say) {
  z3::solver s = f.solver();
  s.add(what);
  if (s.check() != z3::sat) return "";
  return say(s.get_model());
}

// For every unordered pair of the calls (i <= j) where `holds` is satisfiable, one line
// "<call i> / <call j>: <say>" describing its satisfying instance.
std::vector<std::string> pair_witnesses(
    Facts& f, const std::function<z3::expr(const z3::expr&, const z3::expr&)>& holds,
    const std::function<std::string(const z3::model&, const z3::expr&, const z3::expr&)>& say) {
  std::vector<std::string> out;
  for (int i = 0; i < static_cast<int>(kCalls.size()); ++i)
    for (int j = i; j < static_cast<int>(kCalls.size()); ++j) {
      const z3::expr xi = f.ctx.int_val(i), yj = f.ctx.int_val(j);
      const std::string w = witness(f, holds(xi, yj), [&](const z3::model& m) {
        return call_name(i) + " / " + call_name(j) + ": " + say(m, xi, yj);
      });
      if (!w.empty()) out.push_back(w);
    }
  return out;
}

ProofResult conflict_table(Facts& f) {
  ProofResult r;
  r.name = "conflict-table";
  r.statement = "the model's conflict table equals §0028's rules for all 16 pairs of levels";
  const z3::expr a = f.ctx.int_const("a"), b = f.ctx.int_const("b");
  z3::solver s = f.solver();
  s.add(f.is_level(a) && f.is_level(b) && f.conflicts(a, b) != f.rule(a, b));
  if (s.check() == z3::sat) {
    const z3::model m = s.get_model();
    const int x = as_int(m, a), y = as_int(m, b);
    r.counterexample = "held " + level_name(x) + ", wanted " + level_name(y) + ": the table says " +
                       (m.eval(f.conflicts(a, b), true).is_true() ? "conflict" : "no conflict") + ", §0028 says " +
                       (m.eval(f.rule(a, b), true).is_true() ? "conflict" : "no conflict");
    return r;
  }
  auto pair = [&](const char* what) {
    return [&, what](const z3::model& m) {
      return std::string(what) + ": " + level_name(as_int(m, a)) + " and " + level_name(as_int(m, b));
    };
  };
  const z3::expr levels = f.is_level(a) && f.is_level(b);
  for (const std::string& w :
       {witness(f, levels && a != b && f.conflicts(a, b), pair("different levels conflict")),
        witness(f, levels && a == b && f.conflicts(a, b), pair("a level conflicts with itself")),
        witness(f, levels && a == b && a != 0 && !f.conflicts(a, b), pair("a level shares with itself")),
        witness(f, levels && a == 0 && !f.conflicts(a, b), pair("holding nothing conflicts with nothing"))})
    if (!w.empty()) r.witnesses.push_back(w);
  r.proved = r.witnesses.size() == 4;
  if (!r.proved) r.counterexample = "the table has no instance of a case §0028 names (a vacuous table)";
  return r;
}

std::string separating_token(Facts& f, const z3::model& m, const z3::expr& x, const z3::expr& y) {
  for (int t = 0; t < kTypes; ++t) {
    const z3::expr lx = m.eval(f.level(x, f.ctx.int_val(t)), true), ly = m.eval(f.level(y, f.ctx.int_val(t)), true);
    if (m.eval(f.conflicts(lx, ly), true).is_true())
      return std::string(token::to_string(static_cast<TokenType>(t))) + " " + level_name(lx.get_numeral_int()) +
             " against " + level_name(ly.get_numeral_int());
  }
  return "no token";
}

ProofResult exclusions(Facts& f) {
  ProofResult r;
  r.name = "exclusions";
  r.statement =
      "on two nodes, the token sets keep apart a cached write and any other read or write, and a cached read and a "
      "direct read or write";
  const z3::expr x = f.ctx.int_const("x"), y = f.ctx.int_const("y");
  z3::solver s = f.solver();
  s.add(f.is_call(x) && f.is_call(y) && f.must_exclude(x, y) && f.coexist(x, y));
  if (s.check() == z3::sat) {
    const z3::model m = s.get_model();
    r.counterexample = call_name(as_int(m, x)) + " and " + call_name(as_int(m, y)) +
                       " can hold their token sets at once on two nodes, but must not";
    return r;
  }
  // Every pair that must be kept apart, with the token that does it.
  r.witnesses = pair_witnesses(
      f, [&](const z3::expr& x, const z3::expr& y) { return f.must_exclude(x, y) && !f.coexist(x, y); },
      [&](const z3::model& m, const z3::expr& x, const z3::expr& y) { return separating_token(f, m, x, y); });
  r.proved = !r.witnesses.empty();
  if (!r.proved) r.counterexample = "no pair must be kept apart: the statement is vacuous";
  return r;
}

ProofResult allowed(Facts& f) {
  ProofResult r;
  r.name = "allowed";
  r.statement = "on two nodes, cached reads share, and direct reads and writes share";
  const z3::expr x = f.ctx.int_const("x"), y = f.ctx.int_const("y");
  z3::solver s = f.solver();
  s.add(f.is_call(x) && f.is_call(y) && !f.must_exclude(x, y) && !f.coexist(x, y));
  if (s.check() == z3::sat) {
    const z3::model m = s.get_model();
    r.counterexample = call_name(as_int(m, x)) + " and " + call_name(as_int(m, y)) +
                       " may run at once on two nodes, but their token sets conflict (" +
                       separating_token(f, m, x, y) + ")";
    return r;
  }
  r.witnesses = pair_witnesses(
      f, [&](const z3::expr& x, const z3::expr& y) { return !f.must_exclude(x, y) && f.coexist(x, y); },
      [](const z3::model&, const z3::expr&, const z3::expr&) { return std::string("share"); });
  r.proved = !r.witnesses.empty();
  if (!r.proved) r.counterexample = "no pair may share: the statement is vacuous";
  return r;
}

}  // namespace

std::vector<ProofResult> prove_tokens(const TokenRules& rules) {
  Facts f(rules);
  return {conflict_table(f), exclusions(f), allowed(f)};
}

}  // namespace sansim::proofs
