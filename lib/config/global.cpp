// The settings every part of hsops shares: top-level state_dir and the http: deadlines.
#include "config/config.h"

namespace hsops::config {
namespace {

void require_positive(const Section& http, std::string_view key, Millis value) {
  if (value.count() <= 0) {
    http.fail(key, "must be greater than 0 (e.g. 3s): every HTTP call needs a deadline");
  }
}

}  // namespace

GlobalConfig read_global(const Section& root) {
  GlobalConfig global;
  const std::string state_dir = root.string("state_dir", global.state_dir.string());
  if (state_dir.empty() || !std::filesystem::path(state_dir).is_absolute()) {
    root.fail("state_dir", "must be an absolute path (e.g. /var/lib/hsops), got '" + state_dir + "'");
  }
  global.state_dir = state_dir;

  const Section http = root.child("http");
  global.connect_timeout = http.duration("connect_timeout", global.connect_timeout);
  global.request_timeout = http.duration("timeout", global.request_timeout);
  global.ca_file = http.string("ca_file", global.ca_file);
  require_positive(http, "connect_timeout", global.connect_timeout);
  require_positive(http, "timeout", global.request_timeout);
  if (global.connect_timeout > global.request_timeout) {
    http.fail("connect_timeout", "connect_timeout (" + format_duration(global.connect_timeout.count() / 1000.0) +
                                     ") is longer than timeout (" +
                                     format_duration(global.request_timeout.count() / 1000.0) +
                                     "), the deadline for the whole call: lower it or raise timeout");
  }
  std::error_code ec;
  if (!global.ca_file.empty() && !std::filesystem::is_regular_file(global.ca_file, ec)) {
    http.fail("ca_file", "CA bundle " + global.ca_file +
                             " is not a readable file: fix the path, or remove ca_file to use the system store");
  }
  http.reject_unknown_keys();
  return global;
}

}  // namespace hsops::config
