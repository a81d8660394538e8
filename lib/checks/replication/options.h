// What the replication check needs, as plain values (config.cpp reads them from checks.replication).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "checks/common/pg_target.h"
#include "checks/replication/verdict.h"

namespace hsops::checks::replication {

struct ExpectedStandby {
  std::string name;                 // application_name or slot name on the primary
  std::optional<PgTarget> target;   // also ask the standby itself
};

struct Options {
  PgTarget server;                  // normally the primary; a standby is checked from its side
  std::vector<ExpectedStandby> standbys;
  std::size_t min_standbys = 1;     // used when no standby is named
  Thresholds thresholds;
};

}  // namespace hsops::checks::replication
