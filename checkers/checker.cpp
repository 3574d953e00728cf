#include "checkers/checker.h"

namespace sansim {

std::string judged_text(const std::vector<Judged>& judged) {
  if (judged.empty()) return "nothing";
  std::string s;
  for (const Judged& j : judged) s += (s.empty() ? "" : ", ") + std::to_string(j.count) + " " + j.what;
  return s;
}

}  // namespace sansim
