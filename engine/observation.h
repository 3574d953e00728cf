// An observation is what model code reports about itself (a state change, a membership
// delivered, a message sent): a kind, the node, and named fields. Checkers subscribe to
// observations; fault triggers match them. Observations are recorded in the trace, so a
// change in what the model reports changes the trace hash.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/node_id.h"
#include "engine/time.h"

namespace sansim {

using FieldValue = std::variant<std::int64_t, std::string, std::vector<std::int64_t>>;

struct Field {
  std::string key;
  FieldValue value;
};

struct Observation {
  Time time = 0;
  NodeId node = kNoNode;
  std::string kind;  // "<subsystem>.<what>", e.g. "cms.deliver"
  std::vector<Field> fields;
  std::uint64_t index = 0;  // trace index, filled in when recorded

  const FieldValue* find(const std::string& key) const;
  std::int64_t integer(const std::string& key, std::int64_t fallback = 0) const;
  std::string text(const std::string& key) const;
  std::vector<std::int64_t> list(const std::string& key) const;
};

// "key=value key=[1,2]" in field order; `names` renders node ids in lists named
// "members"/"node"-like keys when given.
std::string render_fields(const Observation& o);

class ObservationSink {
 public:
  virtual void on_observation(const Observation& o) = 0;

 protected:
  ~ObservationSink() = default;
};

}  // namespace sansim
