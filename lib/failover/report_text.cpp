#include "failover/report_text.h"

#include <cstdio>

#include "core/units.h"
#include "failover/rto.h"

namespace hsops::failover {
namespace {

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string rto_line(const RunReport& report) {
  const auto outages = outage_seconds(report);
  if (outages.empty()) return "RTO: none measured (no probe succeeded after writes stopped)";
  std::string line = "RTO " + std::string(outages.size() > 1 ? "there " : "") + format_duration(outages[0]);
  if (outages.size() > 1) line += ", back " + format_duration(outages[1]);
  return line + " (first stopped write to the next good probe through the public route)";
}

}  // namespace

std::string summary_text(const RunReport& report, const std::string& deployment) {
  const std::string what = report.mode == "run" ? report.operation : report.operation + " " + report.mode;
  std::string out = what + " " + report.run_id + " on " + deployment + ": " + (report.ok ? "OK" : "FAILED") +
                    " in " + format_duration(report.seconds) + "\n" + rto_line(report) + "\n";
  // The zero-loss evidence: what each replay wait compared.
  for (const auto& s : report.steps) {
    if (s.type == "pg.wait_replay" && s.state == StepState::done) out += "zero loss: " + s.detail + "\n";
  }
  out += "step  type                  node      took        state\n";
  for (const auto& s : report.steps) {
    char index[8];
    std::snprintf(index, sizeof index, "%2d", s.index);
    out += std::string(index) + "    " + padded(s.type, 22) + padded(s.node, 10) +
           padded(s.state == StepState::skipped ? "-" : format_duration(s.seconds), 12) + std::string(to_string(s.state)) +
           (s.over_budget ? " (OVER BUDGET)" : "") + "\n";
  }
  return out + "left: " + report.left_state + "\n";
}

}  // namespace hsops::failover
