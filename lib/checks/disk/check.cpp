#include "checks/disk/check.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "checks/disk/report.h"
#include "core/linear_fit.h"
#include "core/units.h"

namespace hsops::checks::disk {
namespace {

// How long a run waits for a concurrent run (CLI beside the watchdog) to release the state.
constexpr std::chrono::milliseconds kLockWait{2000};

struct Target {
  std::string path;
  std::string fs_type;
  std::string source;
  bool readonly = false;
};

Result<std::vector<Target>> find_targets(const Options& options, const std::filesystem::path& proc_root,
                                         std::vector<std::string>& notes) {
  auto mounts = read_mountinfo(proc_root);
  std::vector<Target> targets;
  if (options.paths.empty()) {
    if (!mounts) return mounts.error();
    for (const auto& m : select_mounts(mounts.value(), options.filter)) {
      targets.push_back({m.mountpoint, m.fs_type, m.source, m.readonly});
    }
    if (targets.empty()) return Error{ErrorKind::config, "no filesystem left to check after the exclusions"};
    return targets;
  }
  // Configured paths are checked as given; mountinfo only names their filesystem.
  if (!mounts) notes.push_back("mount table unavailable (" + mounts.error().message + "); fs types not shown");
  for (const auto& path : options.paths) {
    Target t{path, "", "", false};
    if (mounts) {
      if (const MountEntry* m = mount_for_path(mounts.value(), path)) {
        t.fs_type = m->fs_type;
        t.source = m->source;
        t.readonly = m->readonly;
      }
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

std::vector<FitPoint> points(const std::vector<Sample>& series, double Sample::*field) {
  std::vector<FitPoint> pts;
  pts.reserve(series.size());
  for (const auto& s : series) pts.push_back({s.t, s.*field});
  return pts;
}

Trend trend_of(const std::vector<Sample>& series, double Sample::*field, double now, const Options& options) {
  Trend trend;
  const double span = series.empty() ? 0 : series.back().t - series.front().t;
  const auto min_span = static_cast<double>(options.min_span.count());
  if (series.size() < options.min_samples || span < min_span) {
    trend.no_prediction_reason = "collecting samples (" + std::to_string(series.size()) + " of " +
                                 std::to_string(options.min_samples) + ", spanning " + format_duration(span) +
                                 " of " + format_duration(min_span) + ")";
    return trend;
  }
  const auto pts = points(series, field);
  const auto line = fit(pts, now);
  if (!line) {
    trend.no_prediction_reason = "samples unusable for a fit";
    return trend;
  }
  trend.prediction = Prediction{-line->slope, time_until_zero(*line), line->n, span};
  return trend;
}

class DiskCheck final : public Check {
 public:
  DiskCheck(Options options, Deps deps) : options_(std::move(options)), deps_(std::move(deps)) {}
  std::string name() const override { return "disk"; }

  CheckResult run() override {
    std::vector<std::string> notes;
    auto targets = find_targets(options_, deps_.proc_root, notes);
    if (!targets) {
      CheckResult r;
      r.check = "disk";
      r.status = Status::unknown;
      r.summary = "no filesystem checked: " + targets.error().message;
      return r;
    }
    std::vector<std::string> paths;
    for (const auto& t : targets.value()) paths.push_back(t.path);
    const auto stats = statfs_all(deps_.statfs, paths, options_.statfs_timeout, hung_);

    std::vector<FsReport> reports;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const Target& t = targets.value()[i];
      FsReport r;
      r.path = t.path;
      r.fs_type = t.fs_type;
      r.source = t.source;
      if (stats[i]) {
        r.stats = stats[i].value();
        r.readonly = t.readonly || r.stats->readonly;
      } else {
        r.error = stats[i].error().message;
      }
      reports.push_back(std::move(r));
    }
    predict(reports, notes);
    for (auto& r : reports) {
      if (!r.stats) continue;
      r.space_verdict = judge(r.avail_percent(), r.space.seconds_until_full(), options_.space);
      if (r.has_inodes()) r.inode_verdict = judge(r.inodes_free_percent(), r.inodes.seconds_until_full(), options_.inodes);
    }
    return build_result(reports, options_.space, options_.inodes, notes);
  }

 private:
  // Records this run's samples and fits a trend per writable filesystem. Any trouble with the
  // state file costs the prediction only, never the check.
  void predict(std::vector<FsReport>& reports, std::vector<std::string>& notes) {
    auto no_prediction = [&](const std::string& why) {
      for (auto& r : reports) {
        r.space.no_prediction_reason = r.inodes.no_prediction_reason = why;
      }
    };
    if (options_.state_file.empty()) return no_prediction("prediction disabled (no state file)");
    auto file = SampleFile::open(options_.state_file, kLockWait);
    if (!file) {
      notes.push_back("time-until-full UNKNOWN: " + file.error().message);
      return no_prediction("state file unavailable");
    }
    SampleMap samples;
    if (auto loaded = file.value().load()) {
      samples = std::move(loaded).value();
    } else {
      notes.push_back("state file " + options_.state_file.string() + " was unreadable (" + loaded.error().message +
                      "); starting fresh");
    }
    const double now = unix_seconds(deps_.clock.now());
    prune(samples, now, options_.bounds);
    for (auto& r : reports) {
      if (!r.stats) continue;
      if (r.readonly) {
        r.space.no_prediction_reason = r.inodes.no_prediction_reason = "read-only: no prediction";
        continue;
      }
      const Sample current{now, static_cast<double>(r.stats->avail_bytes), static_cast<double>(r.stats->inodes_avail)};
      add_sample(samples, r.path, current, options_.bounds);
      // The current figure always counts, even when too close to the last one to be stored.
      auto series = samples[r.path];
      if (series.back().t != now) series.push_back(current);
      r.space = trend_of(series, &Sample::avail_bytes, now, options_);
      if (r.has_inodes()) r.inodes = trend_of(series, &Sample::inodes_avail, now, options_);
    }
    if (auto saved = file.value().save(samples); !saved) {
      notes.push_back("time-until-full may lag: samples not saved: " + saved.error().message);
    }
  }

  Options options_;
  Deps deps_;
  StatfsCalls hung_;  // statfs calls still hung from earlier runs of this check
};

}  // namespace

std::shared_ptr<Check> make_disk_check(Options options, Deps deps) {
  return std::make_shared<DiskCheck>(std::move(options), std::move(deps));
}

}  // namespace hsops::checks::disk
