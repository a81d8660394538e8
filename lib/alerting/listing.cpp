#include "alerting/listing.h"

namespace hsops::alerting {
namespace {

nlohmann::json seconds_or_null(const std::optional<TimePoint>& tp) {
  return tp ? nlohmann::json(unix_seconds(*tp)) : nlohmann::json(nullptr);
}

nlohmann::json row_json(const ListedAlert& row) {
  const Alert& a = row.alert;
  nlohmann::json j{{"id", a.id},
                   {"fingerprint", a.fingerprint},
                   {"check", a.check},
                   {"labels", a.labels},
                   {"severity", std::string(to_string(a.severity))},
                   {"summary", a.summary},
                   {"route", a.route},
                   {"fired_at", unix_seconds(a.fired_at)},
                   {"tier", a.tier},
                   {"flapping", a.flapping},
                   {"silenced", row.silenced},
                   {"next_page", seconds_or_null(row.next_page)}};
  j["acked_by"] = a.ack ? nlohmann::json(a.ack->who) : nlohmann::json(nullptr);
  j["acked_at"] = seconds_or_null(a.ack ? std::optional<TimePoint>(a.ack->at) : std::nullopt);
  j["ack_until"] = seconds_or_null(a.ack ? a.ack->until : std::nullopt);
  j["ack_comment"] = a.ack ? nlohmann::json(a.ack->comment) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

nlohmann::json alerts_json(const std::vector<ListedAlert>& rows) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& row : rows) alerts.push_back(row_json(row));
  return nlohmann::json{{"alerts", alerts}};
}

}  // namespace hsops::alerting
