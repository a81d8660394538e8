// The replication check itself, from plain options (replication.cpp reads them from config).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/replication/verdict.h"
#include "checks/common/pg_target.h"
#include "core/check.h"

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

std::shared_ptr<Check> make_replication_check(Options options);

}  // namespace hsops::checks::replication
