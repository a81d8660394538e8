// The appservice check from plain options (appservice.cpp reads them from config), and the
// pure step that turns what it gathered into a CheckResult (unit-tested).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/appservice/db.h"
#include "checks/appservice/ping.h"
#include "checks/appservice/registration.h"
#include "checks/common/pg_target.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/range.h"

namespace hsops::checks::appservice {

struct Thresholds {
  std::optional<Range> ping_warning = Range::parse("1").value();   // seconds the homeserver's call took
  std::optional<Range> ping_critical = Range::parse("5").value();
  std::optional<Range> pending_warning = Range::parse("10").value();  // transactions Synapse holds
  std::optional<Range> pending_critical;
  std::optional<Range> oldest_warning = Range::parse("60").value();   // seconds the oldest has waited
  std::optional<Range> oldest_critical = Range::parse("300").value();
  std::optional<Range> lag_warning = Range::parse("1000").value();    // events behind the stream
  std::optional<Range> lag_critical = Range::parse("10000").value();
};

struct Options {
  std::string homeserver_url;
  std::vector<std::string> registration_files;
  net::Deadlines deadlines;  // of the ping call: our deadline, well below Synapse's 60 s
  std::string ca_file;
  std::optional<PgTarget> database;  // Synapse's database; nullopt = ping and lint only
  Thresholds thresholds;
};

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
