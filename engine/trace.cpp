#include "engine/trace.h"

#include <cstdio>

#include "engine/observation.h"
#include "engine/random.h"

namespace sansim {
namespace {

inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

void json_escape(std::ostream& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out << buf;
        } else {
          out << c;
        }
    }
  }
}

}  // namespace

const char* to_string(TraceKind k) {
  switch (k) {
    case TraceKind::start: return "start";
    case TraceKind::resume: return "resume";
    case TraceKind::deliver: return "deliver";
    case TraceKind::bounce: return "bounce";
    case TraceKind::fault: return "fault";
    case TraceKind::timer: return "timer";
    case TraceKind::observation: return "observe";
  }
  return "?";
}

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string node_label(NodeId n, const std::vector<std::string>& names) {
  if (n == kNoNode) return "-";
  if (n < names.size()) return names[n];
  return "#" + std::to_string(n);
}

std::string describe(const TraceRecord& r, const std::vector<std::string>& names) {
  std::string s = "#" + std::to_string(r.index) + " t=" + format_duration(r.time) + " node=" + node_label(r.node, names) +
                  " " + to_string(r.kind);
  if (r.kind == TraceKind::observation) {
    s += " " + r.text;
  } else {
    s += " detail=" + std::to_string(r.detail);
  }
  return s;
}

void Trace::stream_to(std::ostream* out, std::vector<std::string> names) {
  stream_ = out;
  names_ = std::move(names);
}

void Trace::record_event(Time time, NodeId node, TraceKind kind, std::uint64_t detail) {
  // The hot path: no record is built unless someone keeps or streams records.
  const std::uint64_t rh = record_hash(time, node, kind, detail, 0);
  if (keep_records_ || stream_ != nullptr) {
    TraceRecord r;
    r.time = time;
    r.node = node;
    r.kind = kind;
    r.detail = detail;
    r.index = count_;
    emit(r, rh);
    if (keep_records_) records_.push_back(std::move(r));
  }
  TraceRecord& slot = ring_[count_ % kRing];
  slot.index = count_;
  slot.time = time;
  slot.node = node;
  slot.kind = kind;
  slot.detail = detail;
  slot.text.clear();
  fold(rh);
}

void Trace::record_observation(Observation& o) {
  TraceRecord r;
  r.index = count_;
  r.time = o.time;
  r.node = o.node;
  r.kind = TraceKind::observation;
  r.text = o.kind;
  std::string fields = render_fields(o);
  if (!fields.empty()) r.text += " " + fields;
  o.index = count_;
  const std::uint64_t rh = record_hash(r.time, r.node, r.kind, 0, stable_hash(r.text));
  if (keep_records_ || stream_ != nullptr) {
    emit(r, rh);
    if (keep_records_) records_.push_back(r);
  }
  ring_[count_ % kRing] = std::move(r);
  fold(rh);
}

// One record's hash: every field, mixed so that no field can cancel another.
std::uint64_t Trace::record_hash(Time time, NodeId node, TraceKind kind, std::uint64_t detail, std::uint64_t text_hash) {
  std::uint64_t h = static_cast<std::uint64_t>(time) * 0x9e3779b97f4a7c15ULL;
  h ^= (detail + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL;
  h ^= ((static_cast<std::uint64_t>(node) << 8) | static_cast<std::uint64_t>(kind)) * 0x165667b19e3779f9ULL;
  h ^= text_hash;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

// Folds one record's hash into the running hash and keeps what replays compare.
void Trace::fold(std::uint64_t rh) {
  hash_ = mix(hash_, rh);
  ++count_;
  if (digests_.size() < kDigestCap) digests_.push_back(static_cast<std::uint8_t>(rh ^ (rh >> 8) ^ (rh >> 16)));
  if (--until_checkpoint_ == 0) {  // a countdown: a division per record costs more than the rest
    checkpoints_.push_back({count_, hash_});
    until_checkpoint_ = checkpoint_every_;
  }
}

// Writes one record as a JSON line; the hash shown is the running hash after it.
void Trace::emit(const TraceRecord& r, std::uint64_t rh) {
  if (stream_ == nullptr) return;
  *stream_ << "{\"i\":" << r.index << ",\"t\":" << r.time << ",\"node\":\"" << node_label(r.node, names_)
           << "\",\"kind\":\"" << to_string(r.kind) << "\"";
  if (r.kind == TraceKind::observation) {
    *stream_ << ",\"what\":\"";
    json_escape(*stream_, r.text);
    *stream_ << "\"";
  } else {
    *stream_ << ",\"detail\":" << r.detail;
  }
  *stream_ << ",\"hash\":\"" << hex64(mix(hash_, rh)) << "\"}\n";
}

std::vector<TraceRecord> Trace::recent() const {
  std::vector<TraceRecord> out;
  const std::uint64_t n = count_ < kRing ? count_ : kRing;
  for (std::uint64_t i = count_ - n; i < count_; ++i) out.push_back(ring_[i % kRing]);
  return out;
}

Divergence find_divergence(const TraceSummary& want, const TraceSummary& actual) {
  Divergence d;
  if (want.count == actual.count && want.hash == actual.hash) return d;
  d.diverged = true;
  const auto& want_cp = want.checkpoints;
  const auto& want_dig = want.digests;
  const auto& have_cp = actual.checkpoints;
  const auto& have_dig = actual.digests;
  const std::uint64_t want_count = want.count;
  // The interval [lo, hi) of records known to contain the first difference.
  std::uint64_t lo = 0, hi = std::max(want_count, actual.count);
  for (std::size_t k = 0; k < want_cp.size(); ++k) {
    if (k < have_cp.size() && have_cp[k].index == want_cp[k].index && have_cp[k].hash == want_cp[k].hash) {
      lo = want_cp[k].index;
      continue;
    }
    hi = want_cp[k].index;
    break;
  }
  for (std::uint64_t i = lo; i < hi; ++i) {
    const bool have_w = i < want_dig.size(), have_a = i < have_dig.size();
    if (!have_w || !have_a) {
      if (i >= want_count || i >= actual.count) {
        d.index = i;
        d.exact = true;
        d.detail = i >= want_count ? "the replay runs past the original's last record"
                                   : "the replay ends before the original's last record";
        return d;
      }
      break;  // beyond the digest cap: only the checkpoint interval is known
    }
    if (want_dig[i] != have_dig[i]) {
      d.index = i;
      d.exact = true;
      d.detail = "record digests differ";
      return d;
    }
  }
  d.index = hi == 0 ? 0 : hi - 1;
  d.exact = false;
  d.detail = "records " + std::to_string(lo) + ".." + std::to_string(hi) +
             " contain the first difference (checkpoint hash mismatch; per-record digests agree or were not kept)";
  return d;
}

}  // namespace sansim
