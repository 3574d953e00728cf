// The token sets a read or write call holds (§0032-0033), as one table: the client
// acquires from it (client.cpp) and the proofs read it (checkers/proofs/token_proofs.h), so
// a change here is proved or refuted before any run.
//
//   buffered read   IOEXCL r, IO r, PAGE_CLEAN r, SIZE r, EXTENT r
//   buffered write  IOEXCL r, IO w, PAGE_DIRTY w, PAGE_CLEAN w, TIMES sw, SIZE w|r
//   direct read     IOEXCL r, IO r, PAGE_CLEAN sw, SIZE r, EXTENT r
//   direct write    IOEXCL r, IO r, PAGE_DIRTY sw, PAGE_CLEAN sw, TIMES sw, SIZE w|r
//   mapped          as buffered, without IO (§0033: page faults are not read/write calls)
//
// SIZE is held for write only by a client whose I/O-exclusive state is true (§0032
// DVN_SIZE), which the client knows once it holds IOEXCL: a write takes SIZE after the
// rest. A write's EXTENT read is taken separately, per allocation (Client::hold_allocated).
#pragma once

#include <utility>
#include <vector>

#include "model/token/token.h"
#include "model/vnode/file_access.h"

namespace sansim::cxfs {

enum class IoCall : std::uint8_t { read, write };

using TokenSet = std::vector<std::pair<token::TokenType, token::Level>>;

// In TokenType order. `alone`: the caller's I/O-exclusive state is true.
TokenSet io_token_set(IoCall call, vnode::IoMode mode, bool alone);

}  // namespace sansim::cxfs
