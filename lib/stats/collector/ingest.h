// The collector's request handling, independent of the HTTP library so it is unit-testable:
// routes, content type, rate limit, validation, pseudonymisation, storage, /metrics, /health.
// Body size and read deadlines are enforced by the server before a request gets here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "stats/collector/rate_limit.h"
#include "stats/collector/store.h"

namespace hsops::stats {

struct HttpRequest {
  std::string method;        // "PUT", "POST", "GET", ...
  std::string target;        // path and query
  std::string content_type;  // raw header value
  std::string user_agent;
  std::string body;
  std::string client;        // peer IP: for the rate limit only, never stored or logged
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body = "{}";
  std::string allow;  // the Allow header for 405
};

// Counters for the collector's own /metrics (requests by outcome).
struct IngestCounters {
  std::int64_t accepted = 0, invalid = 0, rate_limited = 0, unsupported = 0, store_errors = 0;
};

using Reply = std::function<void(HttpResponse)>;
// Runs work that may block on the database (/metrics, /health) away from the HTTP threads.
using Blocking = std::function<void(std::function<void()>)>;

class Ingest {
 public:
  // `blocking` defaults to running the work in the caller's thread (unit tests).
  Ingest(ReportStore& store, RateLimiter& limiter, std::string secret, std::int64_t k, Blocking blocking = {});
  // Answers through `reply`, exactly once: at once for a rejected push, after the commit for
  // an accepted one (possibly on a store thread), or from the blocking runner for GETs.
  void handle(const HttpRequest& request, Reply reply);
  // The same, waiting for the answer (tests, tools).
  HttpResponse handle(const HttpRequest& request);
  IngestCounters counters() const;

 private:
  void push(const HttpRequest& request, Reply reply);
  HttpResponse metrics();
  HttpResponse health();

  ReportStore& store_;
  RateLimiter& limiter_;
  std::string secret_;
  std::int64_t k_;
  Blocking blocking_;
  std::atomic<std::int64_t> accepted_{0}, invalid_{0}, rate_limited_{0}, unsupported_{0}, store_errors_{0};
};

// "application/json" or "application/json; charset=utf-8" (case-insensitive), nothing else.
bool is_json_content_type(std::string_view value);
// The version from "Synapse/1.160.0 (b=...)", safe_label'd; "unknown" for other agents.
std::string synapse_version(std::string_view user_agent);

}  // namespace hsops::stats
