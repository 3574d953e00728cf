#include "scenarios/failure_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "scenarios/base64.h"

namespace sansim {

std::string failure_file_text(const Scenario& sc, const RunResult& res) {
  YAML::Node root = YAML::Load(sc.source);
  root["seed"] = std::to_string(res.seed);
  YAML::Node replay;
  replay["hash"] = hex64(res.hash);
  replay["events"] = std::to_string(res.events);
  YAML::Node cps(YAML::NodeType::Sequence);
  for (const TraceCheckpoint& c : res.checkpoints) cps.push_back(std::to_string(c.index) + ":" + hex64(c.hash));
  replay["checkpoints"] = cps;
  replay["digests"] = base64_encode(res.digests);
  if (auto v = res.first_violation_index()) replay["violation_index"] = std::to_string(*v);
  root["replay"] = replay;
  YAML::Emitter out;
  out << root;
  return std::string("# Failure of scenario '") + sc.name + "' (seed " + std::to_string(res.seed) +
         "), written by sansim run.\n# Reproduce: sansim replay <this file>\n" + out.c_str() + "\n";
}

std::string write_failure_file(const Scenario& sc, const RunResult& res, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = (std::filesystem::path(dir) / (sc.name + "-" + std::to_string(res.seed) + ".yaml")).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write failure file " + path);
  out << failure_file_text(sc, res);
  if (!out) throw std::runtime_error("cannot write failure file " + path);
  return path;
}

}  // namespace sansim
