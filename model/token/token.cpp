#include "model/token/token.h"

namespace sansim::token {
namespace {
constexpr std::array<const char*, kTokenTypes> kTypeNames = {
    "EXIST", "IOEXCL", "IO", "PAGE_DIRTY", "PAGE_CLEAN", "NAME", "ATTR", "TIMES", "SIZE", "EXTENT", "DMAPI"};
constexpr std::array<const char*, 4> kLevelNames = {"none", "read", "shared_write", "write"};
}  // namespace

const char* to_string(TokenType t) { return kTypeNames[static_cast<std::size_t>(t)]; }
const char* to_string(Level l) { return kLevelNames[static_cast<std::size_t>(l)]; }

std::optional<TokenType> token_type_from(const std::string& s) {
  for (std::size_t i = 0; i < kTokenTypes; ++i)
    if (s == kTypeNames[i]) return static_cast<TokenType>(i);
  return std::nullopt;
}

std::optional<Level> level_from(const std::string& s) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (s == kLevelNames[i]) return static_cast<Level>(i);
  return std::nullopt;
}

}  // namespace sansim::token
