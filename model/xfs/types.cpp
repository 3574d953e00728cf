#include "model/xfs/types.h"

namespace sansim::xfs {

const char* to_string(FileType t) {
  switch (t) {
    case FileType::regular: return "regular";
    case FileType::directory: return "directory";
  }
  return "?";
}

const char* to_string(Errno e) {
  switch (e) {
    case Errno::ok: return "OK";
    case Errno::noent: return "ENOENT";
    case Errno::exist: return "EEXIST";
    case Errno::notdir: return "ENOTDIR";
    case Errno::isdir: return "EISDIR";
    case Errno::notempty: return "ENOTEMPTY";
    case Errno::nospc: return "ENOSPC";
    case Errno::io: return "EIO";
    case Errno::inval: return "EINVAL";
    case Errno::nametoolong: return "ENAMETOOLONG";
    case Errno::stale: return "ESTALE";
    case Errno::migrating: return "EMIGRATING";
  }
  return "E?";
}

}  // namespace sansim::xfs
