#include "checks/wal/rate.h"

#include "core/linear_fit.h"
#include "core/units.h"

namespace hsops::checks::wal {
namespace {

// A run beside the watchdog waits at most this long for the other to release the state file.
constexpr std::chrono::milliseconds kLockWait{2000};
constexpr const char* kPosition = "lsn";
constexpr const char* kWalDir = "pg_wal";

// The store's series carry one value each; the WAL check keeps it in the `avail_bytes` slot.
disk::Sample sample(double t, double value) { return disk::Sample{t, value, 0}; }

std::vector<disk::Sample> with_current(const disk::SampleMap& samples, const std::string& key, double now, double value) {
  std::vector<disk::Sample> series;
  if (auto it = samples.find(key); it != samples.end()) series = it->second;
  // The current figure always counts, even when too close to the last stored one.
  if (series.empty() || series.back().t != now) series.push_back(sample(now, value));
  return series;
}

std::optional<double> slope(const std::vector<disk::Sample>& series, double now) {
  std::vector<FitPoint> points;
  points.reserve(series.size());
  for (const auto& s : series) points.push_back({s.t, s.avail_bytes});
  const auto line = fit(points, now);
  if (!line) return std::nullopt;
  return line->slope;
}

}  // namespace

Rates update_rates(disk::SampleMap& samples, double now, double position, double wal_dir_bytes,
                   const RateOptions& options) {
  disk::prune(samples, now, options.bounds);
  if (auto it = samples.find(kPosition); it != samples.end() && !it->second.empty() &&
                                          position < it->second.back().avail_bytes) {
    samples.erase(kPosition);
    samples.erase(kWalDir);
  }
  disk::add_sample(samples, kPosition, sample(now, position), options.bounds);
  disk::add_sample(samples, kWalDir, sample(now, wal_dir_bytes), options.bounds);

  const auto positions = with_current(samples, kPosition, now, position);
  const auto sizes = with_current(samples, kWalDir, now, wal_dir_bytes);
  Rates rates;
  rates.samples = positions.size();
  rates.span_seconds = positions.back().t - positions.front().t;
  const auto min_span = static_cast<double>(options.min_span.count());
  if (rates.samples < options.min_samples || rates.span_seconds < min_span) {
    rates.no_rate_reason = "collecting samples (" + std::to_string(rates.samples) + " of " +
                           std::to_string(options.min_samples) + ", spanning " + format_duration(rates.span_seconds) +
                           " of " + format_duration(min_span) + ")";
    return rates;
  }
  rates.generation_bytes_per_second = slope(positions, now);
  rates.growth_bytes_per_second = slope(sizes, now);
  if (!rates.generation_bytes_per_second || !rates.growth_bytes_per_second) rates.no_rate_reason = "samples unusable for a fit";
  return rates;
}

Rates record_and_fit(const RateOptions& options, double now, double position, double wal_dir_bytes,
                     std::vector<std::string>& notes) {
  Rates none;
  if (options.state_file.empty()) {
    none.no_rate_reason = "rates disabled (no state file)";
    return none;
  }
  auto file = disk::SampleFile::open(options.state_file, kLockWait);
  if (!file) {
    notes.push_back("WAL rates UNKNOWN: " + file.error().message);
    none.no_rate_reason = "state file unavailable";
    return none;
  }
  disk::SampleMap samples;
  if (auto loaded = file.value().load()) {
    samples = std::move(loaded).value();
  } else {
    notes.push_back("state file " + options.state_file.string() + " was unreadable (" + loaded.error().message +
                    "); starting fresh");
  }
  Rates rates = update_rates(samples, now, position, wal_dir_bytes, options);
  if (auto saved = file.value().save(samples); !saved) {
    notes.push_back("WAL rates may lag: samples not saved: " + saved.error().message);
  }
  return rates;
}

}  // namespace hsops::checks::wal
