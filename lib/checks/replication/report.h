// Turns what both ends of each pair said into the replication check's CheckResult.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/replication/query.h"
#include "checks/replication/verdict.h"
#include "core/check.h"

namespace hsops::checks::replication {

// One configured standby: the primary's view of it and, when it has a conninfo, its own.
struct StandbyReport {
  std::string name;
  std::optional<Sender> sender;        // nullopt: no row in pg_stat_replication
  Verdict from_primary;
  bool checked_itself = false;         // a conninfo was configured for it
  std::optional<StandbyView> view;
  Verdict from_itself;                 // also holds a failure to ask it (down: CRITICAL)
};

struct Report {
  std::string server;                  // user@host:port/db of the configured conninfo
  std::optional<StandbyView> self;     // set when that server is itself a standby
  Verdict self_verdict;
  SenderFigures primary;
  std::vector<StandbyReport> expected;
  std::vector<Sender> others;          // connected but not configured
  Verdict count;                       // fewer than min_standbys connected (when none are named)
};

CheckResult build_result(const Report& report);

// The label a sender is known by: its slot's name when it has one, else its application_name.
std::string sender_label(const Sender& s);

}  // namespace hsops::checks::replication
