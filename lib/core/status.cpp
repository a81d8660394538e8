#include "core/status.h"

namespace hsops {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok: return "OK";
    case Status::warning: return "WARNING";
    case Status::critical: return "CRITICAL";
    case Status::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::optional<Status> status_from_string(std::string_view text) {
  for (Status s : {Status::ok, Status::warning, Status::critical, Status::unknown}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

namespace {
int severity_rank(Status s) {
  switch (s) {
    case Status::ok: return 0;
    case Status::unknown: return 1;
    case Status::warning: return 2;
    case Status::critical: return 3;
  }
  return 1;
}
}  // namespace

Status worst(Status a, Status b) { return severity_rank(a) >= severity_rank(b) ? a : b; }

}  // namespace hsops
