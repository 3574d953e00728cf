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
    case Errno::ok: return "ok";
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

std::optional<Errno> errno_from(std::string_view name) {
  for (std::uint8_t i = 0; i < kErrnos; ++i)
    if (name == to_string(static_cast<Errno>(i))) return static_cast<Errno>(i);
  return std::nullopt;
}

}  // namespace sansim::xfs
