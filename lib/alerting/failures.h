// What failed in one check result: one entry per alert it should raise.
#pragma once

#include <vector>

#include "alerting/alert.h"
#include "core/check.h"

namespace hsops::alerting {

struct Failure {
  std::string fingerprint;
  Labels labels;
  Severity severity;
};

// None for OK. For UNKNOWN, one "cannot tell" failure. Otherwise one per distinct
// metric_labels set among breached measurements (per slot, per bridge direction), or the
// check alone when no labelled measurement is breached.
std::vector<Failure> failures_of(const CheckResult& result);

}  // namespace hsops::alerting
