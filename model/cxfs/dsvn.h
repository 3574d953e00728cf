// dsvn: the server behavior on the metadata server's node (§0026, Fig. 4A). Its
// operations run the same token sets as dcvn on the node's Client, but the Client's
// token client talks to the token server in-process (Client::set_local_server), and
// metadata operations go straight to the Server and so to xfs, the next layer (§0027:
// dsvn -> local file system). It is what a relocation (issue 5) turns into dcvn on the
// old server and dcvn into on the new one.
#pragma once

#include "model/cxfs/dcvn.h"

namespace sansim::cxfs {

class Dsvn final : public Dcvn {
 public:
  explicit Dsvn(Client& client) : Dcvn(client) {}
  const char* name() const override { return "dsvn"; }
};

}  // namespace sansim::cxfs
