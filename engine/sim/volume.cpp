#include "engine/sim/volume.h"

namespace sansim {

const char* to_string(IoStatus s) {
  switch (s) {
    case IoStatus::ok: return "ok";
    case IoStatus::eio: return "eio";
    case IoStatus::path_down: return "path_down";
    case IoStatus::fenced: return "fenced";
    case IoStatus::out_of_range: return "out_of_range";
  }
  return "?";
}

}  // namespace sansim
