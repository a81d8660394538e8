// `hsops alerts`: the running watchdog's alerts over its HTTP API (list, ack, silence), and the
// table `hsops alerts list` prints. Errors say what to do (is the watchdog running? which id?).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "net/http.h"

namespace hsops::watchdog {

struct AlertsClient {
  std::string base_url;  // "http://127.0.0.1:9187"
  std::string token;     // for ack and silence; never printed
  net::Deadlines deadlines{std::chrono::milliseconds(1000), std::chrono::milliseconds(5000)};
};

// "127.0.0.1:9187" -> "http://127.0.0.1:9187"; a wildcard address becomes loopback.
std::string watchdog_url(const std::string& listen);

Result<nlohmann::json> fetch_alerts(const AlertsClient& client);
Result<nlohmann::json> post_ack(const AlertsClient& client, const std::string& id, const std::string& by,
                                const std::string& duration, const std::string& comment);
Result<nlohmann::json> post_silence(const AlertsClient& client, const std::string& check, const std::string& alert,
                                    const std::string& duration, const std::string& by, const std::string& comment);

// The list as a table: id, severity, check, since, tier, acked, next page, summary; then the
// silences. `now` in unix seconds.
std::string alerts_text(const nlohmann::json& list, double now);

}  // namespace hsops::watchdog
