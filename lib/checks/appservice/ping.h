// The homeserver -> appservice ping (POST /_matrix/client/v1/appservice/{id}/ping with the
// as_token): the homeserver calls the appservice and reports how that went. Synapse waits 60 s
// on an appservice that accepts and never answers; we do not: when /versions answers but the
// ping does not within our own deadline, that is the hung-appservice case (the outage).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/status.h"
#include "net/http.h"

namespace hsops::checks::appservice {

enum class PingKind {
  ok,
  url_not_set,          // 400 M_URL_NOT_SET: registration has url: null
  forbidden,            // 403 M_FORBIDDEN: token/id mismatch (or unknown id)
  bad_status,           // 502 M_BAD_STATUS, or M_CONNECTION_FAILED with "PartialDownloadError:
                        // NNN": the appservice answered non-2xx
  not_implemented,      // M_BAD_STATUS with 404: reachable, but no ping endpoint
  connection_failed,    // 502 M_CONNECTION_FAILED: refused, DNS, ...
  connection_timeout,   // 504 M_CONNECTION_TIMEOUT: Synapse's own 60 s ran out
  hangs,                // no answer within our deadline while /versions answers
  homeserver_down,      // /versions itself failed: not the appservice's fault
  other,                // anything else (proxy page, 5xx without errcode, ...)
};

struct PingOutcome {
  PingKind kind = PingKind::other;
  double seconds = 0;                         // our round trip of the ping call
  std::optional<double> appservice_seconds;   // duration_ms from the homeserver, in seconds
  std::string detail;                         // errcode, status/body, error text (no tokens)
};

struct PingRequest {
  std::string homeserver_url;  // client API base, no trailing slash
  std::string appservice_id;
  std::string as_token;        // secret
  net::Deadlines versions_deadlines{std::chrono::milliseconds(2000), std::chrono::milliseconds(5000)};
  net::Deadlines ping_deadlines;
  std::string ca_file;
  std::string transaction_id;  // shows up in the appservice's logs
};

PingOutcome ping(const PingRequest& request);

// Pure classification of the ping answer (exposed for tests). `versions_ok`: /versions answered.
PingOutcome classify_ping(const Result<net::Response>& answer, bool versions_ok, std::chrono::milliseconds deadline);

Status ping_status(PingKind kind);
std::string ping_kind_name(PingKind kind);  // "ok", "M_URL_NOT_SET", ..., "hangs"

// Removes every occurrence of `secret` (the as_token) from text bound for output.
std::string scrub(std::string text, const std::string& secret);

}  // namespace hsops::checks::appservice
