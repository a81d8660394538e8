#include "checks/federation/report.h"

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::federation {
namespace {

Measurement gauge(std::string label, double value, std::string unit, std::string metric, std::string help,
                  const std::string& server) {
  return measurement(std::move(label), value, std::move(unit), std::move(metric), std::move(help), {{"server", server}});
}

// Adds a figure with thresholds; returns what it implies and says why in `critical`/`warning`.
Status judged(CheckResult& r, Measurement m, const Range& warn_range, const Range& crit_range, const std::string& what,
              std::vector<std::string>& critical, std::vector<std::string>& warning) {
  m.warning = warn_range;
  m.critical = crit_range;
  const Status s = evaluate(m);
  if (s != Status::ok) (s == Status::critical ? critical : warning).push_back(what + " " + (m.value < 0 ? "expired " + format_duration(-m.value) + " ago"
                                                                    : "ends in " + format_duration(m.value)));
  r.measurements.push_back(std::move(m));
  return s;
}

}  // namespace

CheckResult build_federation_result(const Run& run, const Options& o) {
  CheckResult r;
  r.check = "federation";
  r.details = run.steps;
  if (!run.target.empty()) r.details.push_back("federation API at " + run.target);
  const std::string& server = o.server_name;
  std::vector<std::string> critical;
  std::vector<std::string> warning;
  Status status = Status::ok;

  if (run.version_seconds) {
    r.measurements.push_back(gauge("version_time", *run.version_seconds, "s", "hsops_federation_version_duration_seconds",
                                   "seconds GET /_matrix/federation/v1/version took", server));
  }
  if (!run.server_software.empty()) r.details.push_back("server software: " + run.server_software);
  if (run.failed) {
    critical.push_back(*run.failed + ": " + run.error.message);
    status = Status::critical;
  }
  if (run.keys) {
    const KeyReport& k = *run.keys;
    for (const auto& key : k.ed25519) {
      r.details.push_back(key.key_id + ": " + (key.problem.empty() ? "32-byte key, self-signature verifies" : key.problem));
    }
    for (const auto& p : k.problems) critical.push_back(p);
    if (!k.problems.empty()) status = Status::critical;
    r.measurements.push_back(gauge("signature_valid", k.all_ok() ? 1 : 0, "", "hsops_federation_keys_valid",
                                   "1 if the server's keys pass every check (name, ed25519 key, self-signature)", server));
    if (k.valid_seconds) {
      status = worst(status, judged(r, gauge("key_valid", *k.valid_seconds, "s", "hsops_federation_key_valid_seconds",
                                             "seconds until the signing keys' valid_until_ts", server),
                                    o.key_warning, o.key_critical, "key validity", critical, warning));
    }
  }
  if (run.cert_seconds) {
    status = worst(status, judged(r, gauge("cert_expiry", *run.cert_seconds, "s", "hsops_federation_cert_expiry_seconds",
                                           "seconds until the federation TLS certificate expires", server),
                                  o.cert_warning, o.cert_critical, "TLS certificate", critical, warning));
  }
  if (!run.cert_note.empty()) r.details.push_back("certificate: " + run.cert_note);
  if (run.cert_problem) {
    critical.push_back("TLS certificate: " + *run.cert_problem);
    status = Status::critical;
  }
  r.status = status;
  r.measurements.push_back(gauge("ok", status == Status::critical ? 0 : 1, "", "hsops_federation_ok",
                                 "1 if every federation check passed (no CRITICAL), else 0", server));
  std::string line;
  for (const auto& c : critical) line += (line.empty() ? "" : "; ") + c;
  for (const auto& w : warning) line += (line.empty() ? "" : "; ") + w;
  if (line.empty()) {
    line = server + " reachable";
    if (!run.server_software.empty()) line += " (" + run.server_software + ")";
    if (run.keys && !run.keys->ed25519.empty()) line += ", " + std::to_string(run.keys->ed25519.size()) + " ed25519 key(s) self-signed";
    if (run.keys && run.keys->valid_seconds) line += ", keys valid " + format_duration(*run.keys->valid_seconds);
    if (run.cert_seconds) line += ", certificate expires in " + format_duration(*run.cert_seconds);
  } else {
    line = server + ": " + line;
  }
  r.summary = line;
  return r;
}

}  // namespace hsops::checks::federation
