// A PagerDuty Events API v2 receiver for tests (the real service is unreachable from the test
// machine): POST /v2/enqueue validated as PagerDuty does (routing_key of 32 characters,
// event_action, a trigger's payload.summary/source/severity, dedup_key <= 255), 202 with
// {"status":"success","message":"Event processed","dedup_key"} or 400 {"status":"invalid event",
// "message":"Event object is invalid","errors":[...]}. Incidents are kept per routing key and
// dedup_key (triggered / acknowledged / resolved; after a resolve a new trigger opens a new one).
// Failures on demand: throttle() answers 429 as PagerDuty does past its rate limit, outage()
// answers 500. Requests are recorded by the underlying LocalHttpServer.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/local_http_server.h"

namespace hsops::test {

class PagerDutyFixture {
 public:
  struct Incident {
    std::string state;                // "triggered", "acknowledged", "resolved"
    int triggers = 0;                 // trigger events folded into it
    std::vector<std::string> actions;  // every accepted event_action, in order
    nlohmann::json last_payload;
  };

  PagerDutyFixture() {
    server_.handle("/v2/enqueue", [this](const RecordedRequest& r) { return enqueue(r); });
  }
  std::string url() const { return server_.url("/v2/enqueue"); }
  void throttle(bool on) { std::lock_guard l(mutex_); throttled_ = on; }
  void outage(bool on) { std::lock_guard l(mutex_); down_ = on; }
  int requests() const { return server_.request_count("/v2/enqueue"); }
  std::map<std::string, Incident> incidents() const { std::lock_guard l(mutex_); return incidents_; }

 private:
  static CannedResponse json_answer(int status, const nlohmann::json& body) {
    return {status, {{"Content-Type", "application/json"}}, body.dump()};
  }

  static std::vector<std::string> problems_of(const nlohmann::json& e) {
    std::vector<std::string> errors;
    if (!e.is_object()) return {"Event object is not a JSON object"};
    const auto key = e.value("routing_key", std::string());
    if (key.size() != 32) errors.push_back("'routing_key' must be 32 characters");
    const auto action = e.value("event_action", std::string());
    if (action != "trigger" && action != "acknowledge" && action != "resolve") {
      errors.push_back("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
    }
    if (e.value("dedup_key", std::string()).size() > 255) errors.push_back("'dedup_key' is too long");
    if (action != "trigger") {
      if (!e.contains("dedup_key")) errors.push_back("'dedup_key' is missing");
      return errors;
    }
    const auto& p = e.contains("payload") ? e["payload"] : nlohmann::json();
    if (!p.is_object()) return errors.push_back("'payload' is missing or not an object"), errors;
    const auto summary = p.value("summary", std::string());
    if (summary.empty() || summary.size() > 1024) errors.push_back("'payload.summary' is missing or too long");
    if (p.value("source", std::string()).empty()) errors.push_back("'payload.source' is missing");
    const auto sev = p.value("severity", std::string());
    if (sev != "critical" && sev != "error" && sev != "warning" && sev != "info") {
      errors.push_back("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
    }
    return errors;
  }

  CannedResponse enqueue(const RecordedRequest& r) {
    std::lock_guard l(mutex_);
    if (down_) return {500, {}, "Internal Server Error"};
    if (throttled_) return json_answer(429, {{"status", "throttle event"}, {"message", "Requests for this service are arriving too quickly.  Please retry later."}});
    const auto e = nlohmann::json::parse(r.body, nullptr, false);
    if (e.is_discarded()) return json_answer(400, {{"status", "invalid event"}, {"message", "Event object is invalid"}, {"errors", {"Malformed JSON"}}});
    if (auto errors = problems_of(e); !errors.empty()) {
      return json_answer(400, {{"status", "invalid event"}, {"message", "Event object is invalid"}, {"errors", errors}});
    }
    const std::string action = e["event_action"];
    const std::string dedup = e.value("dedup_key", "generated-" + std::to_string(++generated_));
    auto& incident = incidents_[e["routing_key"].get<std::string>() + "/" + dedup];
    if (action == "trigger") {
      if (incident.state.empty() || incident.state == "resolved") incident = Incident{"triggered", 0, {}, {}};
      ++incident.triggers;
      incident.last_payload = e["payload"];
      incident.actions.push_back(action);
    } else if (!incident.state.empty() && incident.state != "resolved") {
      // After a resolve, acks and resolves for the old key are dropped (still 202).
      incident.state = action == "resolve" ? "resolved" : "acknowledged";
      incident.actions.push_back(action);
    }
    return json_answer(202, {{"status", "success"}, {"message", "Event processed"}, {"dedup_key", dedup}});
  }

  LocalHttpServer server_;
  mutable std::mutex mutex_;
  bool throttled_ = false;
  bool down_ = false;
  int generated_ = 0;
  std::map<std::string, Incident> incidents_;
};

}  // namespace hsops::test
