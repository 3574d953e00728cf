#include "model/app/generator.h"

#include <algorithm>
#include <stdexcept>

namespace sansim::app {

CallSource::CallSource(const GeneratorSpec& spec, std::size_t generator, std::uint64_t slot, Rng rng)
    : spec_(spec), generator_(generator), slot_(slot), rng_(rng) {
  if (spec_.size == 0 || spec_.size % kBlockSize != 0 || spec_.file_size < spec_.size ||
      spec_.file_size % kBlockSize != 0 || spec_.files == 0 || spec_.rate == 0 || spec_.modes.empty() ||
      (spec_.kind == GeneratorKind::mixed && spec_.mix.total() == 0) ||
      (spec_.kind == GeneratorKind::hot && spec_.mix.read + spec_.mix.write == 0))
    throw std::logic_error("CallSource: a generator spec the loader should have refused");
  if (spec_.path.empty()) spec_.path = "/hot" + std::to_string(generator_);
}

std::string CallSource::mixed_name(std::uint64_t i) const {
  return "/mix" + std::to_string(generator_) + "." + std::to_string(i);
}

std::uint64_t CallSource::random_offset() {
  const std::uint64_t last = (spec_.file_size - spec_.size) / kBlockSize;
  return static_cast<std::uint64_t>(rng_.uniform(0, static_cast<std::int64_t>(last))) * kBlockSize;
}

CallSpec CallSource::data(Call call, const std::string& path, std::uint64_t offset) {
  CallSpec c;
  c.call = call;
  c.fs = spec_.fs;
  c.path = path;
  c.offset = offset;
  c.length = spec_.size;
  c.mode = spec_.modes[rng_.below(spec_.modes.size())];
  return c;
}

CallSpec CallSource::next() {
  CallSpec c;
  c.fs = spec_.fs;
  if (!started_) {
    started_ = true;
    c.call = Call::create;
    switch (spec_.kind) {
      case GeneratorKind::mixed: c.path = mixed_name(slot_ % spec_.files); break;
      case GeneratorKind::hot: c.path = spec_.path; break;
      case GeneratorKind::sequential: c.path = "/seq" + std::to_string(generator_) + "." + std::to_string(slot_ % spec_.files); break;
    }
    return c;
  }
  switch (spec_.kind) {
    case GeneratorKind::hot: {
      const Call call = rng_.below(spec_.mix.read + spec_.mix.write) < spec_.mix.read ? Call::read : Call::write;
      return data(call, spec_.path, random_offset());
    }
    case GeneratorKind::sequential: {
      const std::string path = "/seq" + std::to_string(generator_) + "." + std::to_string(slot_ % spec_.files);
      CallSpec d = data(writing_ ? Call::write : Call::read, path, cursor_);
      d.length = std::min(spec_.size, spec_.file_size - cursor_);
      cursor_ += d.length;
      if (cursor_ >= spec_.file_size) {
        cursor_ = 0;
        writing_ = !writing_;
      }
      return d;
    }
    case GeneratorKind::mixed:
      break;
  }
  const Mix& m = spec_.mix;
  std::uint64_t pick = rng_.below(m.total());
  const std::string name = mixed_name(rng_.below(spec_.files));
  auto take = [&pick](std::uint32_t weight) {
    if (pick < weight) return true;
    pick -= weight;
    return false;
  };
  if (take(m.read)) return data(Call::read, name, random_offset());
  if (take(m.write)) return data(Call::write, name, random_offset());
  c.path = name;
  if (take(m.create)) {
    c.call = Call::create;
  } else if (take(m.unlink)) {
    c.call = Call::unlink;
  } else if (take(m.rename)) {
    c.call = Call::rename;
    c.path2 = mixed_name(rng_.below(spec_.files));  // may be the same name: rename onto itself is legal
  } else {
    c.call = Call::stat;
  }
  return c;
}

Duration CallSource::pause() {
  const Duration interval = 1'000'000'000 / static_cast<Duration>(spec_.rate);
  return rng_.uniform(interval / 2, interval + interval / 2);
}

}  // namespace sansim::app
