// hsops-watchdog's one HTTP port: /metrics through prometheus-cpp's pull Exposer (a scrape
// copies the last results under a short lock and never waits for a check or the API), and
// /health, /api/v1/alerts, acks and silences beside it on the same civetweb server.
// POSTs need the bearer token from watchdog.api_token_file; none configured refuses them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <prometheus/collectable.h>

#include "core/result.h"

namespace hsops::watchdog {

// The daemon's side, implemented over the AlertKeeper.
struct AlertsApi {
  virtual ~AlertsApi() = default;
  virtual nlohmann::json list() = 0;  // {"alerts": [...], "silences": [...]}
  // Error kind not_found for an id that is not active.
  virtual Result<nlohmann::json> ack(const std::string& id, const std::string& by,
                                     std::optional<std::chrono::seconds> duration, const std::string& comment) = 0;
  virtual Result<nlohmann::json> silence(const std::string& check, std::optional<std::string> alert,
                                         std::chrono::seconds duration, const std::string& by,
                                         const std::string& comment) = 0;
  virtual Result<bool> healthy() = 0;  // the error says why not
};

struct HttpApiOptions {
  std::string listen = "127.0.0.1:9187";
  std::string token;  // "" = POSTs refused (403)
};

class HttpApi {
 public:
  HttpApi(HttpApiOptions options, std::vector<std::weak_ptr<prometheus::Collectable>> collectables, AlertsApi& api);
  ~HttpApi();  // stop()
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds and serves; the bound port (listen may say port 0). Error kind listen names the address.
  Result<unsigned short> start();
  void stop();

  struct Routes;  // the request handling, shared with civetweb's threads

 private:
  HttpApiOptions options_;
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables_;
  std::shared_ptr<Routes> routes_;
  struct Server;
  std::unique_ptr<Server> server_;
};

}  // namespace hsops::watchdog
