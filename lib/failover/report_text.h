// The readable summary of a run, beside its JSON report (<state_dir>/reports/<run>.txt) and at
// the end of the command's output: what a cron mail or an operator reads first.
#pragma once

#include <string>

#include "failover/engine.h"

namespace hsops::failover {

std::string summary_text(const RunReport& report, const std::string& deployment);

}  // namespace hsops::failover
