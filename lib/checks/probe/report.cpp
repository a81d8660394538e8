#include "checks/probe/report.h"

#include "checks/common/measurement.h"
#include "core/units.h"
#include "matrix/errors.h"

namespace hsops::checks::probe {
namespace {

Measurement phase_measurement(const std::string& phase, double seconds, const Options& options) {
  Measurement m = measurement(phase, seconds, "s", "hsops_probe_phase_duration_seconds",
                              "seconds each probe phase took (discovery, login, send, sync_echo, total)",
                              {{"phase", phase}});
  if (auto w = options.warning.find(phase); w != options.warning.end()) m.warning = w->second;
  if (auto c = options.critical.find(phase); c != options.critical.end()) m.critical = c->second;
  m.min = 0;
  return m;
}

Measurement plain(std::string label, double value, std::string metric, std::string help) {
  return measurement(std::move(label), value, "", std::move(metric), std::move(help));
}

std::string phase_list(const RunRecord& run) {
  std::string out;
  for (const char* phase : kPhases) {
    const auto it = run.seconds.find(phase);
    if (it == run.seconds.end() || std::string(phase) == "total") continue;
    out += (out.empty() ? "" : ", ") + std::string(phase) + " " + format_duration(it->second);
  }
  return out;
}

}  // namespace

CheckResult build_probe_result(const RunRecord& run, const Options& options) {
  CheckResult r;
  r.check = "probe";
  r.details = run.details;
  for (const char* phase : kPhases) {
    if (const auto it = run.seconds.find(phase); it != run.seconds.end()) {
      r.measurements.push_back(phase_measurement(phase, it->second, options));
    }
  }
  r.measurements.push_back(plain("success", run.failed_phase ? 0 : 1, "hsops_probe_success",
                                 "1 if the last probe round trip succeeded, else 0"));
  if (run.last_success) {
    r.measurements.push_back(plain("last_success", *run.last_success, "hsops_probe_last_success_timestamp_seconds",
                                   "Unix time of the last successful probe round trip"));
  }
  r.measurements.push_back(plain("rate_limited", run.rate_limited, "hsops_probe_rate_limited_responses",
                                 "HTTP 429 answers the last probe run received"));
  if (run.failed_phase) {
    r.status = Status::critical;
    r.summary = *run.failed_phase + " failed: " + run.error.message;
    if (const auto hint = matrix::advice(run.error); !hint.empty()) r.details.insert(r.details.begin(), "advice: " + hint);
    r.details.insert(r.details.begin(), "failed phase: " + *run.failed_phase + " (error kind " + kind_name(run.error) + ")");
    return r;
  }
  r.status = Status::ok;
  std::string over;
  for (const auto& m : r.measurements) {
    if (m.metric != "hsops_probe_phase_duration_seconds") continue;
    const Status s = evaluate(m);
    if (s == Status::ok) continue;
    over += (over.empty() ? "; " : ", ") + m.label + " " + format_duration(m.value) + " outside " +
            (s == Status::critical ? m.critical->text() : m.warning->text());
    r.status = worst(r.status, s);
  }
  r.summary = "round trip " + format_duration(run.seconds.at("total")) + " (" + phase_list(run) + ")" + over;
  return r;
}

}  // namespace hsops::checks::probe
