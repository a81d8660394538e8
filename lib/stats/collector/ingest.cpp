#include "stats/collector/ingest.h"

#include <algorithm>
#include <cctype>
#include <future>

#include "stats/pseudonym.h"

namespace hsops::stats {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

HttpResponse error(int status, const std::string& code, const std::string& message, const std::string& field = {}) {
  nlohmann::json body = {{"error", code}, {"message", message}};
  if (!field.empty()) body["field"] = field;
  return HttpResponse{status, "application/json", body.dump(), {}};
}

}  // namespace

bool is_json_content_type(std::string_view value) {
  const std::string v = lower(value);
  const auto semi = v.find(';');
  if (trim(std::string_view(v).substr(0, semi)) != "application/json") return false;
  if (semi == std::string::npos) return true;
  const std::string param = trim(std::string_view(v).substr(semi + 1));
  return param.empty() || param == "charset=utf-8" || param == "charset=\"utf-8\"";
}

std::string synapse_version(std::string_view user_agent) {
  constexpr std::string_view prefix = "Synapse/";
  if (user_agent.substr(0, prefix.size()) != prefix) return "unknown";
  auto rest = user_agent.substr(prefix.size());
  rest = rest.substr(0, rest.find(' '));
  const std::string label = safe_label(rest);
  return label == "other" ? "unknown" : label;
}

Ingest::Ingest(ReportStore& store, RateLimiter& limiter, std::string secret, std::int64_t k, Blocking blocking)
    : store_(store), limiter_(limiter), secret_(std::move(secret)), k_(k), blocking_(std::move(blocking)) {
  if (!blocking_) blocking_ = [](std::function<void()> work) { work(); };
}

IngestCounters Ingest::counters() const {
  return IngestCounters{accepted_.load(), invalid_.load(), rate_limited_.load(), unsupported_.load(),
                        store_errors_.load()};
}

HttpResponse Ingest::handle(const HttpRequest& request) {
  std::promise<HttpResponse> answer;
  auto future = answer.get_future();
  handle(request, [&answer](HttpResponse r) { answer.set_value(std::move(r)); });
  return future.get();
}

void Ingest::handle(const HttpRequest& request, Reply reply) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/report-usage-stats/push") {
    if (request.method != "PUT" && request.method != "POST") {
      HttpResponse r = error(405, "method_not_allowed", "use PUT or POST");
      r.allow = "PUT, POST";
      return reply(std::move(r));
    }
    return push(request, std::move(reply));
  }
  if (path == "/health" && request.method == "GET") {
    return blocking_([this, reply = std::move(reply)] { reply(health()); });
  }
  if (path == "/metrics" && request.method == "GET") {
    return blocking_([this, reply = std::move(reply)] { reply(metrics()); });
  }
  reply(error(404, "not_found", "no such endpoint"));
}

HttpResponse Ingest::health() {
  auto ok = store_.healthy();
  if (!ok) return error(503, "database", "the database is not reachable");
  return HttpResponse{200, "application/json", R"({"status":"ok"})", {}};
}

void Ingest::push(const HttpRequest& request, Reply reply) {
  // Rate limit first: a flood costs no parsing and no database work.
  if (!limiter_.allow(request.client, std::chrono::steady_clock::now())) {
    ++rate_limited_;
    return reply(error(429, "rate_limited", "too many reports from this address; Synapse reports every 3 hours"));
  }
  if (!is_json_content_type(request.content_type)) {
    ++unsupported_;
    return reply(error(415, "unsupported_media_type", "send Content-Type: application/json"));
  }
  auto report = parse_report_row(request.body);
  if (!report) {
    ++invalid_;
    const Invalid& bad = report.error();
    return reply(error(400, bad.field.empty() ? "invalid_body" : "invalid_field", bad.problem, bad.field));
  }
  // Anonymised at the door: only the pseudonym travels on from here.
  StoredReport stored{pseudonym(secret_, report->homeserver()), synapse_version(request.user_agent),
                      std::move(report).value()};
  stored.report.drop("homeserver");
  // Acknowledged only after the commit: a 200 always means the report is stored.
  store_.submit(std::move(stored), [this, reply = std::move(reply)](Result<bool> saved) {
    if (!saved) {
      ++store_errors_;
      return reply(error(503, "unavailable", "the report could not be stored; try again later"));
    }
    ++accepted_;
    reply(HttpResponse{});
  });
}

HttpResponse Ingest::metrics() {
  auto servers = store_.latest_per_server();
  if (!servers) return error(503, "database", "aggregates unavailable: the database is not reachable");
  output::PrometheusWriter out;
  render_metrics(out, aggregate(*servers), k_);
  const IngestCounters c = counters();
  const auto requests = [&out](std::string_view outcome, std::int64_t n) {
    out.sample("hsops_collector_requests_total", {{"outcome", outcome}}, n);
  };
  out.family("hsops_collector_requests_total", "Report pushes by outcome", "counter");
  requests("accepted", c.accepted);
  requests("invalid", c.invalid);
  requests("rate_limited", c.rate_limited);
  requests("unsupported_media_type", c.unsupported);
  requests("store_error", c.store_errors);
  return HttpResponse{200, "text/plain; version=0.0.4", out.take(), {}};
}

}  // namespace hsops::stats
