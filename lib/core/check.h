// The result model every check produces and the one interface every check implements.
// Checks never print and never exit: they return a CheckResult, and the cmd/ layer renders it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/range.h"
#include "core/status.h"

namespace hsops {

// One figure a check measured. The same value feeds Nagios perfdata and a Prometheus sample.
struct Measurement {
  std::string label;                // perfdata label, e.g. "/var avail"
  double value = 0;                 // in base units: bytes, seconds, a count, or percent
  std::string unit;                 // perfdata UOM: "", "s", "B", "%", "c"
  std::optional<Range> warning;     // thresholds applied to this figure, if any
  std::optional<Range> critical;
  std::optional<double> min;
  std::optional<double> max;
  // Prometheus name (hsops_ prefix, base units; "%" values are exported as a 0-1 ratio) and
  // bounded labels. An empty metric means "perfdata only".
  std::string metric;
  std::map<std::string, std::string> metric_labels;
  std::string help;                 // one line for # HELP and docs/metrics.md
};

struct CheckResult {
  std::string check;                // registry name, e.g. "disk"
  Status status = Status::unknown;  // never OK by default: a check must decide
  std::string summary;              // one line, the figure that matters
  std::vector<Measurement> measurements;
  std::vector<std::string> details; // further lines for -v and JSON
  double duration_seconds = 0;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string name() const = 0;
  // Must finish within its own deadlines; a stray exception is turned into UNKNOWN by run_check.
  virtual CheckResult run() = 0;
};

// Runs one check: times it, turns an exception into UNKNOWN with the message, and gives up
// waiting after `backstop` (the check's own deadlines should end it first) with UNKNOWN.
// A check that overran keeps its thread until it returns; callers that exit are unaffected.
CheckResult run_check(std::shared_ptr<Check> check, const Clock& clock, std::chrono::milliseconds backstop);

// Adds "value" to a result with thresholds evaluated; returns the status that figure implies.
Status evaluate(const Measurement& m);

}  // namespace hsops
