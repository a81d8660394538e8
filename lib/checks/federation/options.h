// What `hsops check federation` needs, as plain values (federation.cpp reads checks.federation).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/range.h"
#include "net/http.h"

namespace hsops::checks::federation {

struct Options {
  std::string server_name;      // as other servers know it: "example.org", "example.org:8448"
  std::string base_url;         // skip resolution and use this ("" = resolve per the spec)
  bool plain_http = false;      // base_url is http:// (only with allow_plain_http: tests)
  // "N:" alerts below N seconds. Defaults: keys 1 h / expired, certificate 14 d / 3 d.
  Range key_warning = Range::parse("3600:").value();  // on seconds until valid_until_ts
  Range key_critical = Range::parse("0:").value();
  Range cert_warning = Range::parse("1209600:").value();  // on seconds until notAfter
  Range cert_critical = Range::parse("259200:").value();
  net::Deadlines deadlines;
  std::string ca_file;
  std::chrono::milliseconds budget{10000};
};

}  // namespace hsops::checks::federation
