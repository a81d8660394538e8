#include "checks/wal/report.h"

#include <algorithm>
#include <cmath>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::wal {
namespace {

Measurement slot_measurement(const Slot& s, const std::string& what, double value, std::string unit, std::string metric,
                        std::string help) {
  return measurement("slot " + s.name + " " + what, value, std::move(unit), std::move(metric), std::move(help),
                     {{"slot", s.name}});
}

void add_measurements(const Report& r, std::vector<Measurement>& out) {
  for (const auto& s : r.server.slots) {
    out.push_back(slot_measurement(s, "retained", s.retained_wal_bytes.value_or(0), "B", "hsops_pg_slot_retained_bytes",
                              "WAL bytes the slot keeps (current LSN - restart_lsn)"));
    out.push_back(slot_measurement(s, "active", s.active ? 1 : 0, "", "hsops_pg_slot_active", "1 if a client uses the slot"));
    out.push_back(slot_measurement(s, "lost", s.wal_status == "lost" || s.wal_status == "unreserved" ? 1 : 0, "",
                              "hsops_pg_slot_wal_lost", "1 if the slot's WAL is removed or about to be (lost/unreserved)"));
    if (s.safe_wal_size) {
      out.push_back(slot_measurement(s, "safe_wal_size", *s.safe_wal_size, "B", "hsops_pg_slot_safe_wal_size_bytes",
                                "WAL bytes that can still be written before the slot is lost"));
    }
  }
  out.push_back(measurement("pg_wal", r.server.wal_dir_bytes, "B", "hsops_pg_wal_bytes", "Size of the WAL directory (pg_ls_waldir)"));
  out.push_back(measurement("pg_wal files", static_cast<double>(r.server.wal_files), "", "hsops_pg_wal_files",
                       "Files in the WAL directory"));
  if (r.rates.generation_bytes_per_second) {
    out.push_back(measurement("wal_generation", *r.rates.generation_bytes_per_second, "", "hsops_pg_wal_generation_bytes_per_second",
                         "Fitted rate at which the server writes WAL"));
  }
  if (r.rates.growth_bytes_per_second) {
    out.push_back(measurement("wal_growth", *r.rates.growth_bytes_per_second, "", "hsops_pg_wal_growth_bytes_per_second",
                         "Fitted rate at which the WAL directory grows (negative: shrinking)"));
  }
  if (r.fs.stats) {
    auto avail = measurement("wal_fs avail", static_cast<double>(r.fs.stats->avail_bytes), "B", "hsops_pg_wal_fs_avail_bytes",
                        "Bytes available to non-root on the filesystem holding pg_wal");
    avail.min = 0;
    avail.max = static_cast<double>(r.fs.stats->size_bytes);
    out.push_back(avail);
  }
  if (r.seconds_until_full && std::isfinite(*r.seconds_until_full)) {
    auto full = measurement("wal_fs full_in", *r.seconds_until_full, "s", "hsops_pg_wal_fs_predicted_full_seconds",
                       "Predicted seconds until the WAL filesystem is full (only while pg_wal grows)");
    full.min = 0;
    out.push_back(full);
  }
  out.push_back(measurement("archiver_failed", static_cast<double>(r.server.archiver.failed_count), "c",
                       "hsops_pg_archiver_failed_total", "Failed archive_command runs (pg_stat_archiver.failed_count)"));
  out.push_back(measurement("archiver_failing", r.server.archiver.failing() ? 1 : 0, "", "hsops_pg_archiver_failing",
                       "1 if the latest archive attempt failed"));
}

std::string slot_line(const Slot& s, const Thresholds& t, std::optional<double> wal_rate) {
  const Verdict v = judge_slot(s, t);
  std::string line = "slot " + s.name + " [" + std::string(to_string(v.status)) + "] " + s.type + ", " +
                     (s.active ? "active" : "INACTIVE") + ", retains " +
                     (s.retained_wal_bytes ? format_bytes(*s.retained_wal_bytes) : std::string("nothing (no restart_lsn)")) +
                     ", wal_status " + (s.wal_status.empty() ? std::string("-") : s.wal_status);
  if (s.safe_wal_size) {
    line += ", safe_wal_size " + format_bytes(*s.safe_wal_size);
    // max_slot_wal_keep_size's deadline: past it the slot is invalidated (standby re-clone).
    if (!s.active && wal_rate && *wal_rate > 0) line += " (lost in about " + format_duration(*s.safe_wal_size / *wal_rate) + " at the current WAL rate)";
  }
  return line;
}

std::string fs_line(const Report& r) {
  if (r.fs.path.empty()) return "WAL filesystem: not measured (" + r.fs.error + ")";
  if (!r.fs.stats) return "WAL filesystem " + r.fs.path + ": " + r.fs.error;
  const auto& s = *r.fs.stats;
  std::string line = "WAL filesystem " + r.fs.path + ": avail " + format_bytes(static_cast<double>(s.avail_bytes)) +
                     " of " + format_bytes(static_cast<double>(s.size_bytes));
  if (!r.rates.growth_bytes_per_second) return line + "; time until full: " + r.rates.no_rate_reason;
  line += "; pg_wal grows " + format_bytes(*r.rates.growth_bytes_per_second) + "/s";
  if (r.seconds_until_full && std::isfinite(*r.seconds_until_full)) return line + ", full in " + format_duration(*r.seconds_until_full);
  return line + ", not filling";
}

}  // namespace

CheckResult build_result(const Report& r) {
  CheckResult out;
  out.check = "wal";
  std::vector<Verdict> problems;
  auto consider = [&](Verdict v) {
    if (v.status != Status::ok) problems.push_back(std::move(v));
  };
  consider(judge_wal_fs(r.seconds_until_full, r.thresholds));
  for (const auto& s : r.server.slots) consider(judge_slot(s, r.thresholds));
  consider(judge_archiver(r.server.archiver));
  if (r.fs.configured && !r.fs.stats) consider({Status::unknown, "WAL filesystem " + r.fs.path + " not measured: " + r.fs.error});

  Status status = Status::ok;
  for (const auto& p : problems) status = worst(status, p.status);
  out.status = status;
  // Every reason, the worst first: "full in 3 h" is the headline, the slot behind it the next words.
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Verdict& a, const Verdict& b) { return worst(a.status, b.status) == a.status && a.status != b.status; });
  std::string summary;
  for (const auto& p : problems) summary += (summary.empty() ? "" : "; ") + p.reason;
  std::size_t active = 0;
  for (const auto& s : r.server.slots) active += s.active ? 1 : 0;
  const std::string overview = "pg_wal " + format_bytes(r.server.wal_dir_bytes) + " in " + std::to_string(r.server.wal_files) +
                               " files, " + std::to_string(active) + " of " + std::to_string(r.server.slots.size()) +
                               " slots active";
  out.summary = summary.empty() ? overview : summary + " (" + overview + ")";
  if (summary.empty() && r.seconds_until_full && std::isfinite(*r.seconds_until_full)) {
    out.summary += ", WAL filesystem full in " + format_duration(*r.seconds_until_full);
  }

  add_measurements(r, out.measurements);
  for (const auto& s : r.server.slots) {
    out.details.push_back(slot_line(s, r.thresholds, r.rates.generation_bytes_per_second));
  }
  out.details.push_back(fs_line(r));
  if (r.rates.generation_bytes_per_second) {
    out.details.push_back("WAL written at " + format_bytes(*r.rates.generation_bytes_per_second) + "/s (fit over " +
                          std::to_string(r.rates.samples) + " samples, " + format_duration(r.rates.span_seconds) + ")");
  }
  const auto& a = r.server.archiver;
  out.details.push_back(!a.enabled ? std::string("archiving: off")
                                   : "archiving: " + std::to_string(a.archived_count) + " archived, " +
                                         std::to_string(a.failed_count) + " failed" +
                                         (a.last_failed_wal.empty() ? "" : " (last failed " + a.last_failed_wal + ")"));
  for (const auto& n : r.notes) out.details.push_back("note: " + n);
  const auto fs_size = r.fs.stats ? std::optional<double>(static_cast<double>(r.fs.stats->size_bytes)) : std::nullopt;
  for (auto& line : advice_for({r.server.slots, r.server.archiver, r.server.max_slot_wal_keep_size_mb, fs_size, r.thresholds})) {
    out.details.push_back(std::move(line));
  }
  return out;
}

}  // namespace hsops::checks::wal
