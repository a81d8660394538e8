#include "output/render.h"

#include "output/json.h"
#include "output/nagios.h"
#include "output/prometheus.h"

namespace hsops::output {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "nagios") return Format::nagios;
  if (name == "json") return Format::json;
  if (name == "prom") return Format::prom;
  return std::nullopt;
}

std::string render(const std::vector<CheckResult>& results, Format format, int verbosity, double now_unix) {
  switch (format) {
    case Format::json:
      return json_report(results, now_unix).dump(2) + '\n';
    case Format::prom:
      return prometheus_text(results, now_unix);
    case Format::nagios:
      break;
  }
  return nagios_report(results, verbosity);
}

}  // namespace hsops::output
