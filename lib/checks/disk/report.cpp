#include "checks/disk/report.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "checks/common/measurement.h"
#include "checks/disk/advice.h"
#include "core/units.h"

namespace hsops::checks::disk {
namespace {

int severity(Status s) {
  switch (s) {
    case Status::critical: return 3;
    case Status::warning: return 2;
    case Status::unknown: return 1;
    case Status::ok: return 0;
  }
  return 1;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string count(double v) { return fixed(v, 0); }

Measurement figure(const std::string& path, const std::string& what, double value, std::string unit,
                   std::string metric, std::string help) {
  return measurement(path + " " + what, value, std::move(unit), std::move(metric), std::move(help), {{"mountpoint", path}});
}

// A 0-100 % figure judged against the floors of `t` (the perfdata shows them).
Measurement percent_with_floors(Measurement m, const Thresholds& t) {
  m.warning = t.warn_floor;
  m.critical = t.crit_floor;
  m.min = 0;
  m.max = 100;
  return m;
}

void add_measurements(const FsReport& fs, const Thresholds& space, const Thresholds& inodes,
                      std::vector<Measurement>& out) {
  const std::string& p = fs.path;
  if (!fs.stats) {
    out.push_back(figure(p, "device_error", 1, "", "hsops_disk_device_error",
                         "1 if statfs failed or timed out for this filesystem"));
    return;
  }
  const FsStats& s = *fs.stats;
  const auto size = static_cast<double>(s.size_bytes);
  auto avail = figure(p, "avail", static_cast<double>(s.avail_bytes), "B", "hsops_disk_avail_bytes",
                      "Bytes available to non-root users (statvfs f_bavail)");
  avail.min = 0;
  avail.max = size;
  out.push_back(avail);
  out.push_back(percent_with_floors(figure(p, "avail_pct", fs.avail_percent(), "%", "hsops_disk_avail_ratio",
                                           "Share of the filesystem available to non-root users (0-1)"),
                                    space));
  out.push_back(figure(p, "size", size, "B", "hsops_disk_size_bytes", "Filesystem size in bytes"));
  auto reserved = figure(p, "root_reserved", static_cast<double>(s.root_reserved_bytes()), "B",
                         "hsops_disk_root_reserved_bytes", "Free bytes only root can use (f_bfree - f_bavail)");
  reserved.min = 0;
  reserved.max = size;
  out.push_back(reserved);
  if (fs.has_inodes()) {
    out.push_back(percent_with_floors(figure(p, "inodes_free_pct", fs.inodes_free_percent(), "%",
                                             "hsops_disk_inodes_free_ratio", "Share of inodes free for non-root users (0-1)"),
                                      inodes));
  }
  if (const auto& pred = fs.space.prediction) {
    // Perfdata has no bytes-per-second UOM, hence no unit here.
    out.push_back(figure(p, "fill_rate", pred->fill_rate, "", "hsops_disk_fill_rate_bytes_per_second",
                         "Fitted rate at which available bytes shrink (negative: freeing)"));
    if (std::isfinite(pred->seconds_until_full)) {
      auto full = figure(p, "full_in", pred->seconds_until_full, "s", "hsops_disk_predicted_full_seconds",
                         "Predicted seconds until available bytes reach 0 (only while filling)");
      full.min = 0;
      out.push_back(full);
    }
  }
  out.push_back(figure(p, "readonly", fs.readonly ? 1 : 0, "", "hsops_disk_readonly", "1 if mounted read-only"));
  out.push_back(figure(p, "device_error", 0, "", "hsops_disk_device_error",
                       "1 if statfs failed or timed out for this filesystem"));
}

std::string trend_text(const Trend& trend, const char* unit_name) {
  if (!trend.prediction) return trend.no_prediction_reason;
  const Prediction& p = *trend.prediction;
  const std::string over = " (OLS over " + std::to_string(p.samples) + " samples, " + format_duration(p.span_seconds) + ")";
  if (!std::isfinite(p.seconds_until_full)) return "not filling" + over;
  const std::string rate = std::string(unit_name) == "B" ? format_bytes(p.fill_rate) + "/s" : fixed(p.fill_rate * 3600, 1) + " inodes/h";
  return "filling at " + rate + over + ", full in " + format_duration(p.seconds_until_full);
}

// The one line per filesystem for -v: every figure an operator would ask for next.
std::string detail_line(const FsReport& fs) {
  std::string line = fs.path + " [" + std::string(to_string(fs.status())) + "]";
  if (!fs.fs_type.empty()) line += " " + fs.fs_type + " on " + fs.source;
  if (!fs.stats) return line + ": device error: " + fs.error;
  const FsStats& s = *fs.stats;
  const auto size = static_cast<double>(s.size_bytes);
  const auto reserved = static_cast<double>(s.root_reserved_bytes());
  line += ": size " + format_bytes(size) + ", avail " + format_bytes(static_cast<double>(s.avail_bytes)) + " (" +
          fixed(fs.avail_percent(), 1) + "%), root reserve " + format_bytes(reserved) + " (" +
          fixed(size > 0 ? reserved / size * 100 : 0, 1) + "% of size, usable by root only)";
  if (fs.readonly) line += ", read-only";
  line += "; space: " + trend_text(fs.space, "B");
  if (fs.has_inodes()) {
    line += "; inodes: " + count(static_cast<double>(s.inodes_avail)) + " of " + count(static_cast<double>(s.inodes_total)) +
            " free (" + fixed(fs.inodes_free_percent(), 1) + "%), " + trend_text(fs.inodes, "inodes");
  } else {
    line += "; no inode figures (f_files = 0)";
  }
  for (const Verdict* v : {&fs.space_verdict, &fs.inode_verdict}) {
    if (v->status != Status::ok) line += "; " + std::string(v == &fs.space_verdict ? "space " : "inodes ") + v->reason;
  }
  return line;
}

// "/var 4.2% avail (1.1 GiB of 26 GiB), full in 3 h 10 min"
std::string headline(const FsReport& fs) {
  if (!fs.stats) return fs.path + " device error: " + fs.error;
  const FsStats& s = *fs.stats;
  if (fs.has_inodes() && severity(fs.inode_verdict.status) > severity(fs.space_verdict.status)) {
    std::string text = fs.path + " " + fixed(fs.inodes_free_percent(), 1) + "% inodes free (" +
                       count(static_cast<double>(s.inodes_avail)) + " of " + count(static_cast<double>(s.inodes_total)) + ")";
    if (auto t = fs.inodes.seconds_until_full(); t && std::isfinite(*t)) text += ", out of inodes in " + format_duration(*t);
    return text;
  }
  std::string text = fs.path + " " + fixed(fs.avail_percent(), 1) + "% avail (" +
                     format_bytes(static_cast<double>(s.avail_bytes)) + " of " +
                     format_bytes(static_cast<double>(s.size_bytes)) + ")";
  if (auto t = fs.space.seconds_until_full(); t && std::isfinite(*t)) text += ", full in " + format_duration(*t);
  if (fs.readonly) text += ", read-only";
  return text;
}

std::string others_text(const std::vector<FsReport>& filesystems, std::size_t worst) {
  std::map<int, std::size_t> by_severity;
  for (std::size_t i = 0; i < filesystems.size(); ++i) {
    if (i != worst) ++by_severity[severity(filesystems[i].status())];
  }
  const std::size_t others = filesystems.size() - 1;
  if (others == 0) return "";
  if (by_severity.size() == 1 && by_severity.count(0)) {
    return "; " + std::to_string(others) + (others == 1 ? " other filesystem OK" : " other filesystems OK");
  }
  std::string text = "; others:";
  for (const Status s : {Status::critical, Status::warning, Status::unknown, Status::ok}) {
    if (auto it = by_severity.find(severity(s)); it != by_severity.end()) {
      text += " " + std::to_string(it->second) + " " + std::string(to_string(s)) + ",";
    }
  }
  text.pop_back();
  return text;
}

}  // namespace

double FsReport::avail_percent() const {
  if (!stats || stats->size_bytes == 0) return 0;
  return static_cast<double>(stats->avail_bytes) / static_cast<double>(stats->size_bytes) * 100.0;
}

double FsReport::inodes_free_percent() const {
  if (!has_inodes()) return 100;
  return static_cast<double>(stats->inodes_avail) / static_cast<double>(stats->inodes_total) * 100.0;
}

Status FsReport::status() const {
  if (!stats) return Status::unknown;
  return worst(space_verdict.status, inode_verdict.status);
}

CheckResult build_result(const std::vector<FsReport>& filesystems, const Thresholds& space,
                         const Thresholds& inodes, const std::vector<std::string>& notes) {
  CheckResult result;
  result.check = "disk";
  result.status = Status::unknown;
  if (filesystems.empty()) {
    result.summary = "no filesystem checked";
    return result;
  }
  // The worst filesystem: most severe status, then the least space left.
  std::size_t worst_index = 0;
  for (std::size_t i = 1; i < filesystems.size(); ++i) {
    const auto& a = filesystems[i];
    const auto& b = filesystems[worst_index];
    const int sa = severity(a.status()), sb = severity(b.status());
    if (sa > sb || (sa == sb && a.stats && b.stats && a.avail_percent() < b.avail_percent())) worst_index = i;
  }
  bool any_checked = false;
  Status overall = Status::ok;
  for (const auto& fs : filesystems) {
    any_checked = any_checked || fs.stats.has_value();
    overall = worst(overall, fs.status());
    add_measurements(fs, space, inodes, result.measurements);
    result.details.push_back(detail_line(fs));
  }
  const FsReport& w = filesystems[worst_index];
  result.summary = headline(w) + others_text(filesystems, worst_index);
  // Never OK by default: with no filesystem stat'ed there is nothing to vouch for.
  result.status = any_checked ? overall : Status::unknown;
  if (!any_checked) result.summary = "no filesystem could be checked: " + result.summary;
  for (const auto& note : notes) result.details.push_back(note);
  if (w.status() != Status::ok) {
    for (auto& line : advice_for(w)) result.details.push_back(std::move(line));
  }
  return result;
}

}  // namespace hsops::checks::disk
