// The Z3 proofs (checkers/proofs): the model's tables are proved, and each proof fails,
// naming a counterexample, when the table it reads is broken the way a developer could.
#define BOOST_TEST_MODULE proofs
#include <boost/test/unit_test.hpp>

#include "checkers/proofs/token_proofs.h"

using namespace sansim;
using proofs::ProofResult;
using proofs::TokenRules;
using token::Level;

namespace {

const ProofResult& proof(const std::vector<ProofResult>& all, const std::string& name) {
  for (const ProofResult& r : all)
    if (r.name == name) return r;
  throw std::logic_error("no proof " + name);
}

void set(token::ConflictTable& t, Level a, Level b, bool v) {
  t[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = v;
  t[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] = v;
}

// A direct write that keeps clean pages cached (PAGE_CLEAN read instead of shared write).
cxfs::TokenSet direct_write_keeps_pages(cxfs::IoCall call, vnode::IoMode mode, bool alone) {
  cxfs::TokenSet s = cxfs::io_token_set(call, mode, alone);
  if (call == cxfs::IoCall::write && mode == vnode::IoMode::direct)
    for (auto& [type, level] : s)
      if (type == token::TokenType::page_clean) level = Level::read;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_model_s_tables_are_proved_with_instances) {
  const auto all = proofs::prove_tokens();
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  for (const ProofResult& r : all) {
    BOOST_TEST(r.proved, r.name << ": " << r.counterexample);
    BOOST_TEST(!r.witnesses.empty(), r.name);
  }
  BOOST_TEST(proof(all, "conflict-table").witnesses.size() == 4u);
  // 15 of the 21 unordered pairs of the six calls must be kept apart, 6 may share.
  BOOST_TEST(proof(all, "exclusions").witnesses.size() == 15u);
  BOOST_TEST(proof(all, "allowed").witnesses.size() == 6u);
}

BOOST_AUTO_TEST_CASE(read_mixing_with_shared_write_is_refuted) {
  TokenRules broken;
  set(broken.conflicts, Level::read, Level::shared_write, false);
  const auto all = proofs::prove_tokens(broken);
  const ProofResult& table = proof(all, "conflict-table");
  BOOST_TEST(!table.proved);
  BOOST_TEST(table.counterexample.find("shared_write") != std::string::npos, table.counterexample);
  BOOST_TEST(table.counterexample.find("read") != std::string::npos, table.counterexample);
  // Cached reads and direct I/O then share PAGE_CLEAN (read against shared write).
  const ProofResult& ex = proof(all, "exclusions");
  BOOST_TEST(!ex.proved);
  BOOST_TEST(ex.counterexample.find("direct") != std::string::npos, ex.counterexample);
}

BOOST_AUTO_TEST_CASE(two_writers_sharing_write_is_refuted) {
  TokenRules broken;
  set(broken.conflicts, Level::write, Level::write, false);
  const auto all = proofs::prove_tokens(broken);
  BOOST_TEST(!proof(all, "conflict-table").proved);
  const ProofResult& ex = proof(all, "exclusions");
  BOOST_TEST(!ex.proved);
  BOOST_TEST(ex.counterexample.find("write") != std::string::npos, ex.counterexample);
}

BOOST_AUTO_TEST_CASE(a_table_that_conflicts_nowhere_is_refuted_not_vacuously_proved) {
  TokenRules broken;
  broken.conflicts = {};
  const auto all = proofs::prove_tokens(broken);
  for (const ProofResult& r : all)
    if (r.name != "allowed") BOOST_TEST(!r.proved, r.name);
}

BOOST_AUTO_TEST_CASE(a_token_set_that_keeps_pages_under_direct_writes_is_refuted) {
  TokenRules broken;
  broken.token_set = direct_write_keeps_pages;
  const auto all = proofs::prove_tokens(broken);
  BOOST_TEST(proof(all, "conflict-table").proved);
  const ProofResult& ex = proof(all, "exclusions");
  BOOST_TEST(!ex.proved);
  BOOST_TEST(ex.counterexample.find("direct write") != std::string::npos, ex.counterexample);
}

// Over-excluding is refuted too: direct writes that take IO write no longer share.
BOOST_AUTO_TEST_CASE(direct_writes_that_exclude_each_other_are_refuted) {
  TokenRules broken;
  broken.token_set = [](cxfs::IoCall call, vnode::IoMode mode, bool alone) {
    cxfs::TokenSet s = cxfs::io_token_set(call, mode, alone);
    if (call == cxfs::IoCall::write && mode == vnode::IoMode::direct)
      for (auto& [type, level] : s)
        if (type == token::TokenType::io) level = Level::write;
    return s;
  };
  const auto all = proofs::prove_tokens(broken);
  const ProofResult& ok = proof(all, "allowed");
  BOOST_TEST(!ok.proved);
  BOOST_TEST(ok.counterexample.find("IO write against write") != std::string::npos, ok.counterexample);
}
