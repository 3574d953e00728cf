#include "checkers/fs_checkers.h"


#include "checkers/call_errors.h"
#include "checkers/calls_complete.h"
#include "checkers/data_coherent.h"
#include "checkers/fsck_checker.h"
#include "checkers/io_exclusive.h"
#include "checkers/linearizable_checker.h"
#include "checkers/metadata_coherent.h"
#include "checkers/recovery_checkers.h"
#include "checkers/relocation_checkers.h"
#include "checkers/token_exclusion.h"

namespace sansim {

const std::vector<std::string>& fs_checker_names() {
  static const std::vector<std::string> kNames{"token_exclusion", "data_coherent", "metadata_coherent", "fsck",
                                               "linearizable",    "fencing",       "recovery_liveness", "one_server",
                                               "token_recovery",  "dmapi_transparent", "relocation_liveness",
                                               "calls_complete", "io_exclusive", "call_errors"};
  return kNames;
}

std::unique_ptr<Checker> make_fs_checker(const std::string& name, const CheckerContext& ctx) {
  std::vector<std::string> fs_ids;
  for (const cxfs::FsConfig& f : ctx.filesystems) fs_ids.push_back(f.id);
  if (name == "token_exclusion") return std::make_unique<TokenExclusionChecker>(ctx.sim.node_names());
  if (name == "data_coherent") return std::make_unique<DataCoherentChecker>(ctx.sim.node_names(), fs_ids);
  if (name == "metadata_coherent") return std::make_unique<MetadataCoherentChecker>(ctx.sim.node_names(), fs_ids);
  if (name == "fsck") return std::make_unique<FsckChecker>(ctx.sim.storage(), ctx.filesystems);
  if (name == "linearizable") return make_linearizable_checker(fs_ids);
  if (name == "fencing") return std::make_unique<FencingChecker>(ctx.sim.node_names());
  if (name == "recovery_liveness") return std::make_unique<RecoveryLivenessChecker>(ctx.liveness_bound, ctx.faults_end);
  if (name == "dmapi_transparent") return std::make_unique<DmapiTransparentChecker>(ctx.sim.node_names());
  if (name == "relocation_liveness")
    return std::make_unique<RelocationLivenessChecker>(ctx.sim.node_names(), fs_ids, ctx.relocation_bound,
                                                       ctx.relocation_expected);
  if (name == "calls_complete")
    return std::make_unique<CallsCompleteChecker>(ctx.sim.node_names(), ctx.liveness_bound, ctx.faults_end);
  if (name == "call_errors") return std::make_unique<CallErrorsChecker>(ctx.sim.node_names(), fs_ids);
  if (name == "io_exclusive") return std::make_unique<IoExclusiveChecker>(ctx.sim.node_names());
  if (name == "token_recovery") return std::make_unique<TokenRecoveryChecker>(ctx.sim.node_names(), fs_ids);
  if (name == "one_server") {
    std::vector<std::vector<NodeId>> mounts;
    for (const cxfs::FsConfig& f : ctx.filesystems) mounts.push_back(f.mount);
    return std::make_unique<OneServerChecker>(ctx.sim.node_names(), fs_ids, mounts);
  }
  return nullptr;
}

}  // namespace sansim
