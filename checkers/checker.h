// A checker watches the observation stream and reports violations of one property. It
// never steers the system: it has no way to call into the model.
#pragma once

#include <string>
#include <vector>

#include "engine/observation.h"

namespace sansim {

struct Violation {
  std::string checker;
  std::uint64_t index = 0;  // trace index of the observation that exposed it
  Time time = 0;
  NodeId node = kNoNode;
  std::string message;
};

class Checker : public ObservationSink {
 public:
  virtual ~Checker() = default;
  virtual const char* name() const = 0;
  // Called once when the run ends, at virtual time `end`, after the last event.
  virtual void finish(Time end, std::uint64_t index) { (void)end; (void)index; }
  const std::vector<Violation>& violations() const { return violations_; }

 protected:
  void report(const Observation& o, std::string message) { report(o.index, o.time, o.node, std::move(message)); }
  void report(std::uint64_t index, Time time, NodeId node, std::string message) {
    violations_.push_back(Violation{name(), index, time, node, std::move(message)});
  }

 private:
  std::vector<Violation> violations_;
};

}  // namespace sansim
