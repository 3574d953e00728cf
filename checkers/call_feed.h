// What the file-system checkers share about user calls: a HistoryRecorder (history.h)
// that parses every app.* observation once, and the answer "which call did this
// observation invoke or complete", so a checker reads CallRecords instead of parsing
// fields itself. The few fields CallRecord does not keep (a rename's `to`, a truncate's
// `size` and `ino`, an ok stat's or create's `ino`, a data call's `mode`) the checker reads
// from the observation it is handed alongside.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "checkers/history.h"

namespace sansim {

class CallFeed {
 public:
  struct Event {
    const CallRecord* call = nullptr;  // null: not an app.* observation, or one the recorder refused
    bool completion = false;           // the observation completed the call (else invoked it)
    const HistoryProblem* problem = nullptr;  // set when this observation was refused as malformed
  };

  // Feeds `o` to the recorder. The pointers stay valid until the next call.
  Event on_observation(const Observation& o);
  const HistoryRecorder& recorder() const { return recorder_; }

 private:
  HistoryRecorder recorder_;
  std::map<std::int64_t, std::size_t> position_;  // call id -> position in recorder_.calls()
};

// An integer field, if the observation has one under `key`.
std::optional<std::int64_t> integer_field(const Observation& o, const std::string& key);
// A text field, if the observation has one under `key`.
std::optional<std::string> text_field(const Observation& o, const std::string& key);
// A list-of-integers field, if the observation has one under `key`.
std::optional<std::vector<std::int64_t>> integer_list_field(const Observation& o, const std::string& key);

}  // namespace sansim
