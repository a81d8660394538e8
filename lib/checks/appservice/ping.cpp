#include "checks/appservice/ping.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "matrix/client.h"
#include "matrix/errors.h"

namespace hsops::checks::appservice {
namespace {

using nlohmann::json;

std::string trimmed(std::string text, std::size_t max = 200) {
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

// Synapse (1.160) answers a ping to an appservice that returned a non-2xx with an empty or
// short body as 502 M_CONNECTION_FAILED, its error text carrying "PartialDownloadError: NNN":
// the appservice did answer, with HTTP NNN. Returns NNN, or 0 when the text has none.
long partial_download_status(const std::string& error_text) {
  static const std::string marker = "PartialDownloadError: ";
  const auto at = error_text.find(marker);
  if (at == std::string::npos) return 0;
  long status = 0;
  for (auto i = at + marker.size(); i < error_text.size() && std::isdigit(static_cast<unsigned char>(error_text[i])); ++i) {
    status = status * 10 + (error_text[i] - '0');
    if (status > 999) return 0;
  }
  return status >= 100 ? status : 0;
}

}  // namespace

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) text.replace(at, secret.size(), "REDACTED");
  return text;
}

PingOutcome classify_ping(const Result<net::Response>& answer, bool versions_ok, std::chrono::milliseconds deadline) {
  PingOutcome o;
  if (!answer) {
    const auto& e = answer.error();
    if (!versions_ok) {
      o.kind = PingKind::homeserver_down;
      o.detail = e.message;
    } else if (e.kind == ErrorKind::timeout) {
      o.kind = PingKind::hangs;
      o.detail = "homeserver -> appservice call hangs: no answer to the ping within " +
                 format_duration(std::chrono::duration<double>(deadline).count()) +
                 " while /_matrix/client/versions answers";
    } else {
      o.kind = PingKind::other;
      o.detail = e.message;
    }
    return o;
  }
  const auto& r = answer.value();
  o.seconds = std::chrono::duration<double>(r.elapsed).count();
  if (r.status >= 200 && r.status < 300) {
    const auto body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("duration_ms") && body["duration_ms"].is_number()) {
      o.kind = PingKind::ok;
      o.appservice_seconds = body["duration_ms"].get<double>() / 1000.0;
    } else {
      o.kind = PingKind::other;
      o.detail = "HTTP " + std::to_string(r.status) + " without duration_ms: " + trimmed(r.body);
    }
    return o;
  }
  const auto api = matrix::parse_api_error(r);
  const std::string code = api.errcode;
  const auto ends_with = [&](const char* name) {
    const std::string n(name);
    return code.size() >= n.size() && code.compare(code.size() - n.size(), n.size(), n) == 0;  // also FI.MAU.MSC2659_*
  };
  o.detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) + (api.error.empty() ? "" : ": " + api.error);
  if (ends_with("URL_NOT_SET")) {
    o.kind = PingKind::url_not_set;
  } else if (code == "M_FORBIDDEN" || code == "M_UNKNOWN_TOKEN") {
    o.kind = PingKind::forbidden;
  } else if (ends_with("BAD_STATUS")) {
    const auto body = json::parse(r.body, nullptr, false);
    long status = 0;
    if (body.is_object() && body.contains("status") && body["status"].is_number_integer()) status = body["status"].get<long>();
    std::string as_body = body.is_object() && body.contains("body") && body["body"].is_string() ? body["body"].get<std::string>() : "";
    o.kind = status == 404 ? PingKind::not_implemented : PingKind::bad_status;
    o.detail = "appservice answered HTTP " + std::to_string(status) + (as_body.empty() ? "" : ": " + trimmed(as_body));
  } else if (ends_with("CONNECTION_FAILED") && partial_download_status(api.error) != 0) {
    o.kind = PingKind::bad_status;  // the appservice answered: not a connection failure
    o.detail = "appservice answered HTTP " + std::to_string(partial_download_status(api.error));
  } else if (ends_with("CONNECTION_FAILED")) {
    o.kind = PingKind::connection_failed;
  } else if (ends_with("CONNECTION_TIMEOUT")) {
    o.kind = PingKind::connection_timeout;
  } else {
    o.kind = PingKind::other;
  }
  return o;
}

PingOutcome ping(const PingRequest& q) {
  net::Request v;
  v.url = q.homeserver_url + "/_matrix/client/versions";
  v.deadlines = q.versions_deadlines;
  v.ca_file = q.ca_file;
  const auto versions = net::perform(v);
  const bool versions_ok = versions.ok() && versions.value().status == 200;

  net::Request p;
  p.method = "POST";
  p.url = q.homeserver_url + "/_matrix/client/v1/appservice/" + matrix::url_encode(q.appservice_id) + "/ping";
  p.headers = {{"Authorization", "Bearer " + q.as_token}, {"Content-Type", "application/json"}};
  p.body = json{{"transaction_id", q.transaction_id}}.dump();
  p.deadlines = q.ping_deadlines;
  p.ca_file = q.ca_file;
  p.max_body_bytes = 64 * 1024;
  const auto started = std::chrono::steady_clock::now();
  auto outcome = classify_ping(net::perform(p), versions_ok, q.ping_deadlines.total);
  if (outcome.seconds == 0) outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (outcome.kind == PingKind::homeserver_down && !versions.ok()) outcome.detail = versions.error().message;
  outcome.detail = scrub(outcome.detail, q.as_token);
  return outcome;
}

Status ping_status(PingKind kind) {
  switch (kind) {
    case PingKind::ok: return Status::ok;
    case PingKind::url_not_set:
    case PingKind::not_implemented: return Status::warning;
    case PingKind::other:
    case PingKind::homeserver_down: return Status::unknown;  // the probe check owns that
    default: return Status::critical;
  }
}

std::string ping_kind_name(PingKind kind) {
  switch (kind) {
    case PingKind::ok: return "ok";
    case PingKind::url_not_set: return "M_URL_NOT_SET";
    case PingKind::forbidden: return "M_FORBIDDEN";
    case PingKind::bad_status: return "M_BAD_STATUS";
    case PingKind::not_implemented: return "M_BAD_STATUS (404: no ping endpoint)";
    case PingKind::connection_failed: return "M_CONNECTION_FAILED";
    case PingKind::connection_timeout: return "M_CONNECTION_TIMEOUT";
    case PingKind::hangs: return "hangs";
    case PingKind::homeserver_down: return "homeserver unreachable";
    case PingKind::other: return "unexpected answer";
  }
  return "?";
}

}  // namespace hsops::checks::appservice
