// The appservice check from plain options (appservice.cpp reads them from config), and the
// pure step that turns what it gathered into a CheckResult (unit-tested).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/appservice/options.h"
#include "checks/appservice/db.h"
#include "checks/appservice/ping.h"
#include "checks/appservice/registration.h"
#include "checks/common/pg_target.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/range.h"

namespace hsops::checks::appservice {

struct ServiceFigures {
  std::string id;
  PingOutcome ping;
};

struct Report {
  std::vector<ServiceFigures> services;
  std::vector<LintFinding> lint;
  std::vector<std::string> load_errors;       // registration files that could not be read
  std::optional<SynapseDelivery> delivery;    // nullopt: no database configured, or it failed
  std::optional<std::string> database_error;
  Status database_error_status = Status::unknown;
};

CheckResult build_appservice_result(const Report& report, const Thresholds& thresholds);

std::shared_ptr<Check> make_appservice_check(Options options, const Clock& clock);

}  // namespace hsops::checks::appservice
