#include "model/cxfs/token_sets.h"

namespace sansim::cxfs {

using token::Level;
using token::TokenType;
using vnode::IoMode;

TokenSet io_token_set(IoCall call, IoMode mode, bool alone) {
  TokenSet s;
  s.emplace_back(TokenType::ioexcl, Level::read);
  if (call == IoCall::read) {
    if (mode != IoMode::mapped) s.emplace_back(TokenType::io, Level::read);
    s.emplace_back(TokenType::page_clean, mode == IoMode::direct ? Level::shared_write : Level::read);
    s.emplace_back(TokenType::size, Level::read);
    s.emplace_back(TokenType::extent, Level::read);
    return s;
  }
  if (mode != IoMode::mapped) s.emplace_back(TokenType::io, mode == IoMode::direct ? Level::read : Level::write);
  const Level page = mode == IoMode::direct ? Level::shared_write : Level::write;
  s.emplace_back(TokenType::page_dirty, page);
  s.emplace_back(TokenType::page_clean, page);
  s.emplace_back(TokenType::times, Level::shared_write);
  s.emplace_back(TokenType::size, alone ? Level::write : Level::read);
  return s;
}

}  // namespace sansim::cxfs
