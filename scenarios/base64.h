// Base64 (RFC 4648) for the per-record trace digests a failure file carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sansim {

std::string base64_encode(const std::vector<std::uint8_t>& in);
// nullopt on any character outside the alphabet or a bad length.
std::optional<std::vector<std::uint8_t>> base64_decode(const std::string& in);

}  // namespace sansim
