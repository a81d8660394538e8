// The keys of a sample store and its fit, shared by the checks that predict "full in ..." from
// stored samples (disk, wal): one reader, so both validate them the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "checks/common/samples.h"
#include "config/config.h"

namespace hsops::checks {

struct FitOptions {
  std::string state_file;            // "" disables the fit
  disk::SampleBounds bounds;         // bounds.window is fit_window
  std::size_t min_samples = 3;       // fewer: no fit yet
  std::chrono::seconds min_span{5 * 60};  // the samples must span at least this
};

// Reads state_file, fit_window, max_samples (2..100000), min_samples (2..max_samples), min_span
// (at most fit_window) and, when `with_forget_after`, forget_after; absent keys keep `defaults`.
FitOptions read_fit_options(const config::Section& s, const FitOptions& defaults, bool with_forget_after);

// The same for an options struct carrying the four fields itself (disk::Options,
// wal::RateOptions): its current values are the defaults, the state file's is given.
template <typename Options>
void read_fit_options_into(Options& o, const config::Section& s, std::string default_state_file, bool with_forget_after) {
  const FitOptions f = read_fit_options(s, FitOptions{std::move(default_state_file), o.bounds, o.min_samples, o.min_span},
                                        with_forget_after);
  o.state_file = f.state_file;
  o.bounds = f.bounds;
  o.min_samples = f.min_samples;
  o.min_span = f.min_span;
}

// A positive duration in whole seconds (for windows and "full within" thresholds).
std::chrono::seconds positive_seconds(const config::Section& s, std::string_view key, std::chrono::seconds fallback);

}  // namespace hsops::checks
