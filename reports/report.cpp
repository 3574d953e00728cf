#include "reports/report.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sansim {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o;
}

std::string q(const std::string& s) { return "\"" + esc(s) + "\""; }

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + p.string());
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

std::string results_json(const std::vector<RunResult>& results) {
  std::ostringstream o;
  std::size_t passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  o << "{\n  \"summary\": {\"scenarios\": " << results.size() << ", \"passed\": " << passed
    << ", \"failed\": " << results.size() - passed << "},\n  \"scenarios\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RunResult& r = results[i];
    o << (i ? "," : "") << "\n    {\"name\": " << q(r.name) << ", \"file\": " << q(r.file) << ", \"seed\": " << r.seed
      << ", \"passed\": " << (r.passed ? "true" : "false") << ", \"trace_hash\": " << q(hex64(r.hash))
      << ", \"events\": " << r.events << ", \"steps\": " << r.steps << ", \"virtual_time_ns\": " << r.end_time
      << ", \"wall_seconds\": " << r.wall_seconds << ",\n     \"lan\": {\"sent\": " << r.lan.sent
      << ", \"delivered\": " << r.lan.delivered << ", \"lost\": " << r.lan.lost << ", \"bounced\": " << r.lan.bounced
      << ", \"held\": " << r.lan.held << "},\n     \"final_states\": {";
    for (std::size_t n = 0; n < r.final_states.size(); ++n)
      o << (n ? ", " : "") << q(r.node_names[n]) << ": " << q(r.final_states[n]);
    o << "},\n     \"faults\": [";
    for (std::size_t k = 0; k < r.faults.size(); ++k)
      o << (k ? ", " : "") << "{\"time_ns\": " << r.faults[k].time << ", \"what\": " << q(r.faults[k].text) << "}";
    o << "],\n     \"expectations\": [";
    for (std::size_t k = 0; k < r.expectations.size(); ++k) {
      const auto& e = r.expectations[k];
      o << (k ? ", " : "") << "{\"expect\": " << q(e.text) << ", \"passed\": " << (e.passed ? "true" : "false")
        << ", \"detail\": " << q(e.detail);
      if (!e.checker.empty()) {
        o << ", \"checker\": " << q(e.checker) << ", \"vacuous\": " << (e.vacuous ? "true" : "false")
          << ", \"judged\": {";
        for (std::size_t j = 0; j < e.judged.size(); ++j)
          o << (j ? ", " : "") << q(e.judged[j].what) << ": " << e.judged[j].count;
        o << "}";
      }
      o << "}";
    }
    o << "],\n     \"violations\": [";
    for (std::size_t k = 0; k < r.violations.size(); ++k) {
      const auto& v = r.violations[k];
      o << (k ? ", " : "") << "{\"checker\": " << q(v.checker) << ", \"event\": " << v.index
        << ", \"time_ns\": " << v.time << ", \"node\": " << q(node_label(v.node, r.node_names))
        << ", \"message\": " << q(v.message) << "}";
    }
    o << "]}";
  }
  o << "\n  ]\n}\n";
  return o.str();
}

std::string summary_markdown(const std::vector<RunResult>& results) {
  std::ostringstream o;
  std::size_t passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  o << "# sansim run: " << passed << " of " << results.size() << " scenarios passed\n\n";
  o << "| scenario | seed | result | virtual time | events | trace hash |\n|---|---|---|---|---|---|\n";
  for (const auto& r : results)
    o << "| " << r.name << " | " << r.seed << " | " << (r.passed ? "pass" : "**FAIL**") << " | "
      << format_duration(r.end_time) << " | " << r.events << " | `" << hex64(r.hash) << "` |\n";
  for (const auto& r : results) {
    if (r.passed) continue;
    o << "\n## " << r.name << " (seed " << r.seed << ")\n\n";
    for (const auto& e : r.expectations)
      if (!e.passed) o << "- expectation failed: " << e.text << (e.detail.empty() ? "" : " — " + e.detail) << "\n";
    for (const auto& v : r.violations)
      o << "- violation `" << v.checker << "` at event " << v.index << ", t=" << format_duration(v.time) << ", node "
        << node_label(v.node, r.node_names) << ": " << v.message << "\n";
    o << "\nReplay: `sansim replay failures/" << r.name << "-" << r.seed << ".yaml`\n";
  }
  return o.str();
}

void write_report(const std::string& dir, const std::vector<RunResult>& results) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create report directory " + dir + ": " + ec.message());
  write_file(std::filesystem::path(dir) / "results.json", results_json(results));
  write_file(std::filesystem::path(dir) / "summary.md", summary_markdown(results));
}

}  // namespace sansim
