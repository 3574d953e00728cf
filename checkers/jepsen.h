// The register history as Jepsen JSON lines, one operation per line:
//   {"process":3,"type":"invoke","f":"write","value":["12/0",41],"index":120,"time":1500000}
// `value` is a jepsen.independent tuple [key, value-or-null], so Knossos, elle-cli or
// Porcupine can check each key on its own. `index` is the trace index of the
// observation (the blocks of one call share it), `time` virtual nanoseconds.
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "checkers/history.h"

namespace sansim {

// Where the run ended: the index and time given to the closing info lines.
struct HistoryEnd {
  std::uint64_t index = 0;
  Time time = 0;
};

// Writes `h` line by line, then one info line (same process, f, key and value as the
// invoke) for every invoke that has no completion, at `end` (default: the last
// operation's index and time).
void write_jepsen(std::ostream& out, const History& h, std::optional<HistoryEnd> end = std::nullopt);

// A line that is not a valid history operation: what() is "NAME:LINE: what is wrong".
class JepsenFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the format above, strictly: every key present with its type, f read/write,
// value [string, integer-or-null] (a positive stamp on writes, an integer >= -1 on ok
// reads, null on read invokes), a completion only for an open invoke of the same process, key and f,
// a write's completion carrying the invoke's value, index and time non-negative and
// never decreasing. Blank lines are skipped; invokes still open at the end are left
// open (indeterminate). Throws JepsenFormatError naming `name` and the line.
// Jepsen's register workload is read too: f cas with value [key, [old, new]], null as
// nil (kNil: an ok read of null read nil), writes of 0 or more. Keys Jepsen adds beyond
// these (error, node...) are ignored, with one note each in `notes` if given.
History read_jepsen(std::istream& in, const std::string& name, std::vector<std::string>* notes = nullptr);
// The same for a file; an unreadable file is a JepsenFormatError too.
History read_jepsen_file(const std::string& path, std::vector<std::string>* notes = nullptr);

// Jepsen's own formats of a single-register history (key ""): EDN maps, one per line
// ({:type :ok, :f :cas, :value [3 0], :process 2, :time 123, ...}), or jepsen.util log
// lines ("INFO  jepsen.util - 2\t:ok\t:cas\t[3 0]", as Porcupine's test_data/jepsen).
// Lines of neither kind (other log output, the nemesis) are skipped; index is the line
// number, time the :time given or the line number. Validated as read_jepsen validates.
History read_jepsen_edn(std::istream& in, const std::string& name, std::vector<std::string>* notes = nullptr);
// Reads a history file in whichever of the formats it is: JSON lines, EDN or log lines.
// `jepsen_format` (if given) is set when it was one of Jepsen's own (their registers
// start from nil).
History read_history_file(const std::string& path, std::vector<std::string>* notes = nullptr,
                          bool* jepsen_format = nullptr);

}  // namespace sansim
