// What an operator can do about the worst filesystem, in the words of a homeserver runbook.
#pragma once

#include <string>
#include <vector>

#include "checks/disk/report.h"

namespace hsops::checks::disk {

std::vector<std::string> advice_for(const FsReport& fs);

}  // namespace hsops::checks::disk
