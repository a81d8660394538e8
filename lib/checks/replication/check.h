// The replication check itself, from plain options (replication.cpp reads them from config).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/replication/options.h"
#include "checks/replication/verdict.h"
#include "checks/common/pg_target.h"
#include "core/check.h"

namespace hsops::checks::replication {

std::shared_ptr<Check> make_replication_check(Options options);

}  // namespace hsops::checks::replication
