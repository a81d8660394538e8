// Turns a Patroni snapshot into the patroni check's CheckResult: verdict, summary, metrics.
#pragma once

#include "checks/patroni/verdict.h"
#include "core/check.h"

namespace hsops::checks::patroni {

CheckResult build_result(const Snapshot& s, const Thresholds& t);

}  // namespace hsops::checks::patroni
