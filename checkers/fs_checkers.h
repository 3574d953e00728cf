// The file-system checkers by name, as scenarios name them:
//   token_exclusion    token_exclusion.h   no two holders of conflicting levels (§0028)
//   data_coherent      data_coherent.h     every read returns an allowed value
//   metadata_coherent  metadata_coherent.h stat sizes/times and names agree with completed calls
//   fsck               fsck_checker.h      the shared volume is consistent at the end
//   linearizable       linearizable_checker.h  every block's register history is linearizable
// They need CheckerContext::filesystems (ids in configuration order, volumes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checkers/checker.h"
#include "checkers/membership_checkers.h"

namespace sansim {

// Unknown names give nullptr.
std::unique_ptr<Checker> make_fs_checker(const std::string& name, const CheckerContext& ctx);
const std::vector<std::string>& fs_checker_names();

}  // namespace sansim
