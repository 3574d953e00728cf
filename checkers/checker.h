// A checker watches the observation stream and reports violations of one property. It
// never steers the system: it has no way to call into the model.
#pragma once

#include <string>
#include <vector>

#include "engine/observation.h"

namespace sansim {

// How much a checker judged, as named counts ("reads" 12): what it compared against its
// property, not what it merely saw. A checker with no counts judged nothing, so its pass
// says nothing: the runner reports it as vacuous (scenarios/README.md, vacuous_ok).
struct Judged {
  std::string what;
  std::uint64_t count = 0;
};

// "12 reads, 3 stats", or "nothing".
std::string judged_text(const std::vector<Judged>& judged);

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
  // What it judged so far (after finish(): in the whole run), in the order first counted.
  const std::vector<Judged>& judged() const { return judged_; }
  bool vacuous() const { return judged_.empty(); }

 protected:
  // Counts `n` more of `what` as judged; call it where the property is actually checked.
  void count(const char* what, std::uint64_t n = 1) {
    if (n == 0) return;
    for (Judged& j : judged_)
      if (j.what == what) {
        j.count += n;
        return;
      }
    judged_.push_back(Judged{what, n});
  }

  void report(const Observation& o, std::string message) { report(o.index, o.time, o.node, std::move(message)); }
  void report(std::uint64_t index, Time time, NodeId node, std::string message) {
    violations_.push_back(Violation{name(), index, time, node, std::move(message)});
  }

 private:
  std::vector<Violation> violations_;
  std::vector<Judged> judged_;
};

}  // namespace sansim
