// The first Z3 proofs (§0028, §0032-0033), over the same tables the model runs on:
//
//   conflict-table     the model's conflict table (token::kConflicts) equals §0028's rules
//                      for every pair of levels: each of read, shared write and write
//                      conflicts with the other levels, write also with write, nothing
//                      with "none".
//   exclusions         for two nodes doing I/O on one file (so neither is I/O-exclusive),
//                      the token sets of cxfs::io_token_set exclude every pair coherency
//                      needs kept apart: a cached (buffered or mapped) write and any other
//                      read or write; a cached read and a direct write; and, as §0033
//                      gives direct reads PAGE_CLEAN shared write, a cached read and a
//                      direct read.
//   allowed            every other pair holds its sets at once: cached reads share, and
//                      direct reads and writes share (shared write, §0029, §0033).
//
// A proof is the unsatisfiability of its negation; each also shows satisfying instances
// of what it allows or requires (a conflicting pair, a sharing pair, the token that
// separates two calls), so it cannot pass by constraining everything away. A failed
// proof names Z3's counterexample.
#pragma once

#include <string>
#include <vector>

#include "model/cxfs/token_sets.h"
#include "model/token/token.h"

namespace sansim::proofs {

struct ProofResult {
  std::string name;
  bool proved = false;
  std::string statement;               // what was proved, in one sentence
  std::string counterexample;          // when not proved
  std::vector<std::string> witnesses;  // satisfying instances that show it is not vacuous
};

// What the proofs read. By default the model's own tables; tests pass broken ones.
struct TokenRules {
  token::ConflictTable conflicts = token::kConflicts;
  cxfs::TokenSet (*token_set)(cxfs::IoCall, vnode::IoMode, bool alone) = cxfs::io_token_set;
};

std::vector<ProofResult> prove_tokens(const TokenRules& rules = {});

}  // namespace sansim::proofs
