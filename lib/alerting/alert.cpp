#include "alerting/alert.h"

#include <cstdint>
#include <cstdio>

namespace hsops::alerting {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
    case Severity::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<Severity> severity_from_string(std::string_view text) {
  for (Severity s : {Severity::warning, Severity::critical, Severity::unknown}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

Severity severity_of(Status status) {
  if (status == Status::warning) return Severity::warning;
  if (status == Status::critical) return Severity::critical;
  return Severity::unknown;
}

std::string fingerprint_of(const std::string& check, const Labels& labels) {
  if (labels.empty()) return check;
  std::string text = check + "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    text += (first ? "" : ",") + key + "=" + value;
    first = false;
  }
  return text + "}";
}

std::string short_id(std::string_view fingerprint) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : fingerprint) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(hex, 6);
}

bool acked_at(const Alert& alert, TimePoint now) {
  return alert.ack && (!alert.ack->until || now < *alert.ack->until);
}

}  // namespace hsops::alerting
