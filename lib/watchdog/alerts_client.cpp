#include "watchdog/alerts_client.h"

#include <cmath>
#include <cstdio>

namespace hsops::watchdog {
namespace {

std::string unreachable(const AlertsClient& c, const Error& e) {
  return "cannot reach the watchdog at " + c.base_url + ": " + e.message +
         " (is hsops-watchdog running? see watchdog.listen, or pass --url)";
}

Result<nlohmann::json> answer_of(const AlertsClient& c, const Result<net::Response>& res) {
  if (!res) return Error{res.error().kind, unreachable(c, res.error())};
  const auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status == 200 && !body.is_discarded()) return body;
  std::string said = !body.is_discarded() && body.is_object() && body.contains("error") && body["error"].is_string()
                         ? body["error"].get<std::string>()
                         : "HTTP " + std::to_string(res->status);
  if (res->status == 404) return Error{ErrorKind::not_found, said + " (hsops alerts list shows the active ones)"};
  if (res->status == 401) said += ": the token is not the watchdog's (watchdog.api_token_file, or HSOPS_WATCHDOG_TOKEN)";
  return Error{res->status >= 500 ? ErrorKind::http_5xx : ErrorKind::http_4xx, said};
}

Result<nlohmann::json> post(const AlertsClient& c, const std::string& path, const nlohmann::json& body) {
  if (c.token.empty()) {
    return Error{ErrorKind::config, "no API token: set watchdog.api_token_file in the config (the watchdog's too), "
                                    "or HSOPS_WATCHDOG_TOKEN"};
  }
  net::Request r;
  r.method = "POST";
  r.url = c.base_url + path;
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + c.token}};
  r.body = body.dump();
  r.deadlines = c.deadlines;
  return answer_of(c, net::perform(r));
}

std::string ago(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string text_or_dash(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : "-"; }

}  // namespace

std::string watchdog_url(const std::string& listen) {
  std::string host_port = listen;
  if (host_port.rfind("0.0.0.0:", 0) == 0) host_port = "127.0.0.1" + host_port.substr(7);
  if (host_port.rfind("[::]:", 0) == 0) host_port = "[::1]" + host_port.substr(4);
  return "http://" + host_port;
}

Result<nlohmann::json> fetch_alerts(const AlertsClient& c) {
  net::Request r;
  r.url = c.base_url + "/api/v1/alerts";
  r.deadlines = c.deadlines;
  return answer_of(c, net::perform(r));
}

Result<nlohmann::json> post_ack(const AlertsClient& c, const std::string& id, const std::string& by,
                                const std::string& duration, const std::string& comment) {
  nlohmann::json body{{"by", by}, {"comment", comment}};
  if (!duration.empty()) body["for"] = duration;
  return post(c, "/api/v1/alerts/" + id + "/ack", body);
}

Result<nlohmann::json> post_silence(const AlertsClient& c, const std::string& check, const std::string& alert,
                                    const std::string& duration, const std::string& by, const std::string& comment) {
  nlohmann::json body{{"check", check}, {"for", duration}, {"by", by}, {"comment", comment}};
  if (!alert.empty()) body["alert"] = alert;
  return post(c, "/api/v1/silences", body);
}

std::string alerts_text(const nlohmann::json& list, double now) {
  std::string out;
  const auto& alerts = list.value("alerts", nlohmann::json::array());
  if (alerts.empty()) {
    out = "no active alerts\n";
  } else {
    char line[512];
    std::snprintf(line, sizeof line, "%-7s %-9s %-12s %-7s %-5s %-22s %-10s %s\n", "ID", "SEVERITY", "CHECK", "SINCE",
                  "TIER", "ACKED BY", "NEXT PAGE", "SUMMARY");
    out += line;
    for (const auto& a : alerts) {
      std::string acked = text_or_dash(a.value("acked_by", nlohmann::json()));
      if (acked != "-" && a.value("ack_until", nlohmann::json()).is_number()) {
        acked += " (" + ago(a["ack_until"].get<double>() - now) + " left)";
      }
      std::string next = a.value("next_page", nlohmann::json()).is_number() ? "in " + ago(a["next_page"].get<double>() - now) : "-";
      if (a.value("silenced", false)) next = "silenced";
      std::string summary = a.value("summary", "");
      if (a.value("flapping", false)) summary = "[flapping] " + summary;
      std::snprintf(line, sizeof line, "%-7s %-9s %-12s %-7s %-5d %-22s %-10s ", a.value("id", "").c_str(),
                    a.value("severity", "").c_str(), a.value("check", "").c_str(),
                    (ago(now - a.value("fired_at", now)) + " ago").c_str(), a.value("tier", 0), acked.c_str(), next.c_str());
      out += line + summary + "\n";
    }
  }
  const auto& silences = list.value("silences", nlohmann::json::array());
  for (const auto& s : silences) {
    out += "silence: " + s.value("check", "") +
           (s.value("fingerprint", nlohmann::json()).is_string() ? " (" + s["fingerprint"].get<std::string>() + ")" : "") +
           " for " + ago(s.value("until", now) - now) + " more, by " + s.value("by", "") +
           (s.value("comment", "").empty() ? "" : ": " + s.value("comment", "")) + "\n";
  }
  return out;
}

}  // namespace hsops::watchdog
