// libFuzzer target for the collector's request validation: any bytes as a body must give a
// Report or an Error (never a crash, a hang or an exception), and an accepted Report holds
// only known fields that pass validation again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stats/ingest.h"
#include "stats/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto report = hsops::stats::parse_report(body);
  if (report.ok()) {
    for (const auto& [key, value] : report->fields.items()) {
      if (hsops::stats::find_field(key) == nullptr) __builtin_trap();
    }
    if (!hsops::stats::validate_report(report->fields).ok()) __builtin_trap();
  } else {
    (void)hsops::stats::invalid_from(report.error()).to_json().dump();
  }
  (void)hsops::stats::is_json_content_type(body);
  (void)hsops::stats::synapse_version(body);
  return 0;
}
