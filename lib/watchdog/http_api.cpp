#include "watchdog/http_api.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <openssl/crypto.h>

#include <map>
#include <mutex>

#include <prometheus/exposer.h>

#include "core/units.h"

namespace hsops::watchdog {
namespace {

constexpr std::size_t kBodyLimit = 64 * 1024;

struct Answer {
  int status;
  std::string body;
  std::string type = "application/json";
};

Answer json_answer(int status, const nlohmann::json& body) { return {status, body.dump() + "\n"}; }
Answer error_answer(int status, const std::string& message) { return json_answer(status, {{"error", message}}); }

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// Constant time in the token's length: the comparison must not tell an attacker how much of
// a guess was right.
bool same_secret(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

Result<std::optional<std::chrono::seconds>> duration_field(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::optional<std::chrono::seconds>{};
  if (!body[key].is_string()) return Error{ErrorKind::parse, std::string("'") + key + "' must be a duration such as \"2h\""};
  const auto d = parse_duration(body[key].get<std::string>());
  if (!d || d->count() <= 0) return Error{ErrorKind::parse, std::string("'") + key + "' must be a positive duration such as \"2h\""};
  return std::optional<std::chrono::seconds>{std::chrono::duration_cast<std::chrono::seconds>(*d)};
}

std::string string_field(const nlohmann::json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
}

Answer from_result(const Result<nlohmann::json>& r) {
  if (r) return json_answer(200, *r);
  return error_answer(r.error().kind == ErrorKind::not_found ? 404 : 400, r.error().message);
}

}  // namespace

struct HttpApi::Routes {
  AlertsApi* api;
  std::string token;

  Answer handle(const std::string& method, const std::string& path, const std::string& authorization,
                const std::optional<std::string>& body) {
    if (path == "/health") {
      if (method != "GET") return error_answer(405, "use GET");
      const auto ok = api->healthy();
      return ok ? Answer{200, "ok\n", "text/plain"} : Answer{503, ok.error().message + "\n", "text/plain"};
    }
    if (path == "/api/v1/alerts") {
      if (method != "GET") return error_answer(405, "use GET");
      return json_answer(200, api->list());
    }
    const bool ack = path.rfind("/api/v1/alerts/", 0) == 0 && path.size() > 19 &&
                     path.compare(path.size() - 4, 4, "/ack") == 0;
    if (!ack && path != "/api/v1/silences") return error_answer(404, "no such path: /metrics, /health, /api/v1/alerts");
    if (method != "POST") return error_answer(405, "use POST");
    if (token.empty()) return error_answer(403, "acks over HTTP are off: set watchdog.api_token_file");
    if (!same_secret(authorization, "Bearer " + token)) return error_answer(401, "missing or wrong bearer token");
    if (!body) return error_answer(413, "the body is larger than 64 KiB");
    const auto doc = nlohmann::json::parse(*body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return error_answer(400, "the body must be a JSON object");
    const std::string by = string_field(doc, "by");
    if (by.empty()) return error_answer(400, "'by' is required: who acks or silences");
    const auto duration = duration_field(doc, "for");
    if (!duration) return error_answer(400, duration.error().message);
    if (ack) {
      const std::string id = path.substr(15, path.size() - 19);
      return from_result(api->ack(id, by, *duration, string_field(doc, "comment")));
    }
    if (!*duration) return error_answer(400, "'for' is required: how long the silence lasts, e.g. \"2h\"");
    const std::string check = string_field(doc, "check");
    if (check.empty()) return error_answer(400, "'check' is required");
    std::optional<std::string> alert;
    if (!string_field(doc, "alert").empty()) alert = string_field(doc, "alert");
    return from_result(api->silence(check, alert, **duration, by, string_field(doc, "comment")));
  }
};

namespace {

// civetweb calls begin_request without a user pointer when prometheus-cpp owns the server,
// so the routes are found by the port the request came in on.
std::mutex routes_mutex;
std::map<int, std::shared_ptr<HttpApi::Routes>> routes_by_port;

std::optional<std::string> read_body(mg_connection* conn, const mg_request_info* info) {
  std::string body;
  if (info->content_length > static_cast<long long>(kBodyLimit)) return std::nullopt;
  char buf[8192];
  for (int n; (n = mg_read(conn, buf, sizeof buf)) > 0;) {
    body.append(buf, static_cast<std::size_t>(n));
    if (body.size() > kBodyLimit) return std::nullopt;
  }
  return body;
}

int begin_request(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string path = info->local_uri != nullptr ? info->local_uri : "";
  if (path == "/metrics") return 0;  // the Exposer's own handler
  mg_server_port ports[4];
  const int n = mg_get_server_ports(mg_get_context(conn), 4, ports);
  std::shared_ptr<HttpApi::Routes> routes;
  {
    std::lock_guard lock(routes_mutex);
    for (int i = 0; i < n && !routes; ++i) {
      if (auto it = routes_by_port.find(ports[i].port); it != routes_by_port.end()) routes = it->second;
    }
  }
  const std::string method = info->request_method != nullptr ? info->request_method : "";
  const char* auth = mg_get_header(conn, "Authorization");
  Answer a = routes ? routes->handle(method, path, auth != nullptr ? auth : "",
                                     method == "POST" ? read_body(conn, info) : std::optional<std::string>(""))
                    : Answer{503, "starting\n", "text/plain"};
  mg_printf(conn, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            a.status, reason(a.status), a.type.c_str(), a.body.size());
  mg_write(conn, a.body.data(), a.body.size());
  return a.status;
}

}  // namespace

struct HttpApi::Server {
  CivetCallbacks callbacks;
  std::unique_ptr<prometheus::Exposer> exposer;
  int port = 0;
};

HttpApi::HttpApi(HttpApiOptions options, std::vector<std::weak_ptr<prometheus::Collectable>> collectables, AlertsApi& api)
    : options_(std::move(options)), collectables_(std::move(collectables)),
      routes_(std::make_shared<Routes>(Routes{&api, options_.token})) {}

HttpApi::~HttpApi() { stop(); }

Result<unsigned short> HttpApi::start() {
  auto server = std::make_unique<Server>();
  server->callbacks.begin_request = begin_request;
  try {
    server->exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", options_.listen, "num_threads", "4", "request_timeout_ms", "10000"},
        &server->callbacks);
  } catch (const std::exception& e) {
    return Error{ErrorKind::listen, "cannot listen on " + options_.listen + ": " + e.what()};
  }
  for (const auto& c : collectables_) server->exposer->RegisterCollectable(c);
  const auto ports = server->exposer->GetListeningPorts();
  if (ports.empty()) return Error{ErrorKind::listen, "cannot listen on " + options_.listen + ": no port bound"};
  server->port = ports.front();
  {
    std::lock_guard lock(routes_mutex);
    routes_by_port[server->port] = routes_;
  }
  server_ = std::move(server);
  return static_cast<unsigned short>(server_->port);
}

void HttpApi::stop() {
  if (!server_) return;
  {
    std::lock_guard lock(routes_mutex);
    if (auto it = routes_by_port.find(server_->port); it != routes_by_port.end() && it->second == routes_) {
      routes_by_port.erase(it);
    }
  }
  server_.reset();  // civetweb finishes the requests in flight (request_timeout_ms bounds them)
}

}  // namespace hsops::watchdog
