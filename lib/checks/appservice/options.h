// What the appservice check needs, as plain values (config.cpp reads them from checks.appservice).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/common/pg_target.h"
#include "core/range.h"
#include "net/http.h"

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

}  // namespace hsops::checks::appservice
