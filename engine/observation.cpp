#include "engine/observation.h"

namespace sansim {

const FieldValue* Observation::find(const std::string& key) const {
  for (const Field& f : fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

std::int64_t Observation::integer(const std::string& key, std::int64_t fallback) const {
  const FieldValue* v = find(key);
  if (v == nullptr) return fallback;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  return fallback;
}

std::string Observation::text(const std::string& key) const {
  const FieldValue* v = find(key);
  if (v == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return {};
}

std::vector<std::int64_t> Observation::list(const std::string& key) const {
  const FieldValue* v = find(key);
  if (v == nullptr) return {};
  if (const auto* l = std::get_if<std::vector<std::int64_t>>(v)) return *l;
  return {};
}

std::string render_fields(const Observation& o) {
  std::string out;
  for (const Field& f : o.fields) {
    if (!out.empty()) out += ' ';
    out += f.key;
    out += '=';
    if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
      out += std::to_string(*i);
    } else if (const auto* s = std::get_if<std::string>(&f.value)) {
      out += *s;
    } else {
      const auto& l = std::get<std::vector<std::int64_t>>(f.value);
      out += '[';
      for (std::size_t k = 0; k < l.size(); ++k) {
        if (k != 0) out += ',';
        out += std::to_string(l[k]);
      }
      out += ']';
    }
  }
  return out;
}

}  // namespace sansim
