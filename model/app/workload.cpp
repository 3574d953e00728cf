#include "model/app/workload.h"

#include <algorithm>

namespace sansim::app {
namespace {

constexpr const char* kCallNames[] = {"read", "write",    "create", "mkdir",   "unlink", "rename",
                                      "stat", "truncate", "fsync",  "setattr", "lookup", "migrate"};
constexpr const char* kModeNames[] = {"buffered", "direct", "mapped"};
constexpr const char* kGeneratorNames[] = {"mixed", "hot", "sequential"};

}  // namespace

const char* to_string(Call c) { return kCallNames[static_cast<std::size_t>(c)]; }

std::optional<Call> parse_call(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kCallNames); ++i)
    if (name == kCallNames[i]) return static_cast<Call>(i);
  return std::nullopt;
}

const char* mode_name(vnode::IoMode m) { return kModeNames[static_cast<std::size_t>(m)]; }

std::optional<vnode::IoMode> parse_mode(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kModeNames); ++i)
    if (name == kModeNames[i]) return static_cast<vnode::IoMode>(i);
  return std::nullopt;
}

const char* to_string(GeneratorKind k) { return kGeneratorNames[static_cast<std::size_t>(k)]; }

std::optional<GeneratorKind> parse_generator_kind(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kGeneratorNames); ++i)
    if (name == kGeneratorNames[i]) return static_cast<GeneratorKind>(i);
  return std::nullopt;
}

std::string describe(const CallSpec& c) {
  std::string s = std::string(to_string(c.call)) + " " + c.fs + ":" + c.path;
  switch (c.call) {
    case Call::read:
    case Call::write:
      s += " " + std::to_string(c.offset) + "+" + std::to_string(c.length) + " " + mode_name(c.mode);
      break;
    case Call::rename: s += " " + c.path2; break;
    case Call::truncate: s += " " + std::to_string(c.size); break;
    case Call::migrate: s += c.release ? " release" : ""; break;
    case Call::setattr:
      if (c.attrs.atime) s += " atime=" + std::to_string(*c.attrs.atime);
      if (c.attrs.mtime) s += " mtime=" + std::to_string(*c.attrs.mtime);
      break;
    default: break;
  }
  return s;
}

std::uint64_t generator_processes(const Workload& w, NodeId node) {
  std::uint64_t n = 0;
  for (const GeneratorSpec& g : w.generators)
    if (std::find(g.nodes.begin(), g.nodes.end(), node) != g.nodes.end()) n += g.processes;
  return n;
}

}  // namespace sansim::app
