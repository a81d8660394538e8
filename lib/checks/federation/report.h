// Turns one federation check run into a CheckResult: one line naming every failed check (as
// matrix-federation-tester's report does), details for -v/JSON, metrics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/federation/keys.h"
#include "checks/federation/options.h"
#include "core/check.h"
#include "core/result.h"

namespace hsops::checks::federation {

struct Run {
  std::vector<std::string> steps;        // resolution, one line each
  std::string target;                    // base URL used
  std::optional<std::string> failed;     // "resolution", "version" or "keys": nothing after it ran
  Error error;
  std::string server_software;           // "Synapse 1.160.0"
  std::optional<double> version_seconds;
  std::optional<KeyReport> keys;
  std::optional<double> cert_seconds;    // notAfter - now
  std::string cert_note;                 // subject/issuer, or why not checked
  std::optional<std::string> cert_problem;  // chain/name verification or connection failure
};

CheckResult build_federation_result(const Run& run, const Options& options);

}  // namespace hsops::checks::federation
