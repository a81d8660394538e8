// libFuzzer target for the collector's request validation: any bytes as a body must give a
// Report or an Error (never a crash, a hang or an exception), an accepted Report holds only
// known fields that pass validation again, and the fast (simdjson) reader never disagrees
// with the reference (nlohmann) reader on what it does not hand over.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "stats/collector/ingest.h"
#include "stats/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using hsops::stats::RowReaders;
  const auto fast = hsops::stats::read_report_row(body, RowReaders::fast_only);
  if (fast.ok() || fast.error().kind != "refused") {
    const auto reference = hsops::stats::read_report_row(body, RowReaders::reference_only);
    if (fast.ok() != reference.ok()) __builtin_trap();
    if (!fast.ok() && fast.error().message() != reference.error().message()) __builtin_trap();
    for (std::size_t i = 0; fast.ok() && i < fast->values.size(); ++i) {
      const auto& a = fast->values[i];
      const auto& b = reference->values[i];
      if (a.kind != b.kind || a.integer != b.integer || a.unsigned_integer != b.unsigned_integer ||
          std::memcmp(&a.number, &b.number, sizeof a.number) != 0 || a.text != b.text) {
        __builtin_trap();
      }
    }
  }
  auto report = hsops::stats::parse_report(body);
  if (report.ok()) {
    for (const auto& [key, value] : report->fields.items()) {
      if (hsops::stats::find_field(key) == nullptr) __builtin_trap();
    }
    if (!hsops::stats::validate_report(report->fields).ok()) __builtin_trap();
  } else {
    (void)report.error().to_json().dump();
  }
  (void)hsops::stats::is_json_content_type(body);
  (void)hsops::stats::synapse_version(body);
  return 0;
}
