// A writer for Prometheus text exposition (format 0.0.4) for callers that know their families
// up front (the collector's /metrics): family() writes # HELP and # TYPE, sample() one line.
// Label values and help are escaped here, so no caller formats exposition text by hand.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace hsops::output {

using PromLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class PrometheusWriter {
 public:
  // Starts a family; its samples follow until the next family().
  void family(std::string_view name, std::string_view help, std::string_view type = "gauge");
  // Integers print exactly (a saturated sum is 2^63-1, beyond a double's exact range).
  void sample(std::string_view name, PromLabels labels, std::int64_t value);
  void sample(std::string_view name, std::int64_t value) { sample(name, {}, value); }
  void sample(std::string_view name, PromLabels labels, double value);
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void begin_sample(std::string_view name, PromLabels labels);
  std::string out_;
};

std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);

}  // namespace hsops::output
