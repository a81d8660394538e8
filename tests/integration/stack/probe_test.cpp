// `hsops check probe` against the real Synapse of the test stack, through the CLI as an
// operator runs it (JSON output). Faults Synapse cannot produce on demand come from the test:
// a closed port, a black hole, a proxy that answers 429, a .well-known with invalid JSON.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include "net/http.h"
#include "net/json.h"
#include "support/haproxy_api.h"
#include "support/local_http_server.h"
#include "support/stack_env.h"

using namespace std::chrono_literals;
using hsops::test::CannedResponse;
using hsops::test::LocalHttpServer;
using hsops::test::stack_env;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct CliRun {
  int exit_code = -1;
  json check;  // checks[0] of the JSON output
  std::chrono::duration<double> elapsed{};
  std::string raw;
};

// Writes the config (0600: it may name secret files) in a fresh directory.
struct Workdir {
  fs::path dir;
  Workdir() {
    dir = fs::temp_directory_path() / ("hsops-probe-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Workdir() { fs::remove_all(dir); }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const auto p = dir / name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), 0600);
    return p;
  }
};

CliRun run_probe(const Workdir& w, const std::string& probe_section, const std::string& extra_args = "") {
  const auto config = w.write("hsops.yaml", "state_dir: " + (w.dir / "state").string() + "\nchecks:\n  probe:\n" + probe_section);
  const std::string cmd = "timeout 60 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check probe --format json --config " +
                          config.string() + " " + extra_args + " 2>&1";
  CliRun r;
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.raw.append(buf, n);
  const int status = ::pclose(p);
  r.elapsed = std::chrono::steady_clock::now() - t0;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  INFO(r.raw);
  const auto doc = json::parse(r.raw, nullptr, false);
  REQUIRE(doc.is_object());
  r.check = doc["checks"][0];
  return r;
}

std::string synapse_section(const std::string& url) {
  const auto& env = stack_env();
  return "    homeserver_url: " + url + "\n    user: '" + env.get("HSOPS_PROBE_USER") + "'\n    password_file: " +
         env.get("HSOPS_PROBE_PASSWORD_FILE") + "\n";
}

std::optional<double> metric(const json& check, const std::string& name, const std::string& phase = "") {
  for (const auto& m : check["measurements"]) {
    if (m["metric"] != name) continue;
    if (!phase.empty() && m["labels"].value("phase", "") != phase) continue;
    return m["value"].get<double>();
  }
  return std::nullopt;
}

std::string detail_after(const json& check, const std::string& prefix) {
  for (const auto& d : check["details"]) {
    const std::string s = d.get<std::string>();
    if (s.rfind(prefix, 0) == 0) return s.substr(prefix.size());
  }
  return "";
}

// A token of the probe user's own, independent of hsops (a separate device).
std::string reader_token() {
  const auto& env = stack_env();
  const std::string url = env.get("HSOPS_SYNAPSE_URL");
  hsops::net::Request login;
  login.method = "POST";
  login.url = url + "/_matrix/client/v3/login";
  auto l = hsops::net::perform_json(login, {{"type", "m.login.password"},
                                            {"identifier", {{"type", "m.id.user"}, {"user", env.get("HSOPS_PROBE_USER")}}},
                                            {"password", env.secret("HSOPS_PROBE_PASSWORD_FILE")},
                                            {"device_id", "HSOPS_IT_READER"}});
  REQUIRE(l.ok());
  REQUIRE(l->http.status == 200);
  return l->json["access_token"].get<std::string>();
}

// The probe user's own view of the room: /messages.
json room_messages(const std::string& room_id) {
  const std::string url = stack_env().get("HSOPS_SYNAPSE_URL");
  std::string encoded;
  for (const char c : room_id) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
    encoded += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? std::string(1, c) : std::string(hex);
  }
  hsops::net::Request get;
  get.url = url + "/_matrix/client/v3/rooms/" + encoded + "/messages?dir=b&limit=20";
  get.headers = {{"Authorization", "Bearer " + reader_token()}};
  auto m = hsops::net::perform_json(get, nullptr);
  REQUIRE(m.ok());
  INFO(m->http.body);
  REQUIRE(m->http.status == 200);
  return m->json;
}

// Device ids of the probe user (the probe logs out at the end, so its device is gone).
std::vector<std::string> probe_devices() {
  hsops::net::Request get;
  get.url = stack_env().get("HSOPS_SYNAPSE_URL") + "/_matrix/client/v3/devices";
  get.headers = {{"Authorization", "Bearer " + reader_token()}};
  auto d = hsops::net::perform_json(get, nullptr);
  REQUIRE(d.ok());
  REQUIRE(d->http.status == 200);
  std::vector<std::string> ids;
  for (const auto& dev : d->json["devices"]) ids.push_back(dev.value("device_id", ""));
  return ids;
}

// A forwarding proxy in front of Synapse that answers the first `limited` requests for one
// path with 429 + Retry-After, as a rate-limiting reverse proxy would.
class RateLimitingProxy {
 public:
  RateLimitingProxy(std::string upstream, std::string path, int limited, std::string retry_after)
      : upstream_(std::move(upstream)), path_(std::move(path)), limited_(limited), retry_after_(std::move(retry_after)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~RateLimitingProxy() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int answered_429() const { return answered_429_; }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        serve(c);  // one at a time: the probe makes one request at a time
        ::close(c);
      }
    }
  }
  void serve(int c) {
    std::string in;
    char buf[8192];
    std::size_t head_end;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    hsops::net::Request out;
    const std::string head = in.substr(0, head_end);
    out.method = head.substr(0, head.find(' '));
    const std::string target = head.substr(out.method.size() + 1, head.find(' ', out.method.size() + 1) - out.method.size() - 1);
    std::size_t length = 0;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, (next == std::string::npos ? head.size() : next) - pos - 2);
      const std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const std::string value = colon == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', colon + 1));
      if (name == "content-length") length = std::stoul(value);
      if (name == "authorization" || name == "content-type") out.headers.emplace_back(name, value);
      pos = next;
    }
    while (in.size() < head_end + 4 + length) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    if (length > 0) out.body = in.substr(head_end + 4, length);
    std::string reply;
    if (target.substr(0, target.find('?')) == path_ && answered_429_ < limited_) {
      ++answered_429_;
      const std::string body = R"js({"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests (test proxy)"})js";
      reply = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: " + retry_after_ + "\r\nContent-Type: application/json\r\n"
              "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    } else {
      out.url = upstream_ + target;
      auto r = hsops::net::perform(out);
      const std::string body = r.ok() ? r->body : "";
      reply = "HTTP/1.1 " + std::to_string(r.ok() ? r->status : 502) + " Proxied\r\nContent-Type: application/json\r\n"
              "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  std::string upstream_, path_;
  int limited_;
  std::string retry_after_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_429_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("probe succeeds against the real Synapse and its event is really in the room", "[probe]") {
  const auto& env = stack_env();
  Workdir w;
  const auto first = run_probe(w, synapse_section(env.get("HSOPS_SYNAPSE_URL")));
  INFO(first.raw);
  REQUIRE(first.exit_code == 0);
  CHECK(first.check["status"] == "OK");
  for (const char* phase : {"discovery", "login", "send", "sync_echo", "total"}) {
    INFO(phase);
    CHECK(metric(first.check, "hsops_probe_phase_duration_seconds", phase).has_value());
  }
  CHECK(metric(first.check, "hsops_probe_success") == 1.0);
  CHECK(metric(first.check, "hsops_probe_last_success_timestamp_seconds").has_value());
  CHECK_FALSE(detail_after(first.check, "created probe room ").empty());

  // "sent $event to !room (txn ...)": read it back as the probe user, not through hsops.
  const std::string sent = detail_after(first.check, "sent ");
  const std::string event_id = sent.substr(0, sent.find(' '));
  const std::string room_id = sent.substr(sent.find(" to ") + 4, sent.find(" (txn") - sent.find(" to ") - 4);
  const auto messages = room_messages(room_id);
  bool found = false;
  for (const auto& e : messages["chunk"]) {
    if (e.value("event_id", "") == event_id) {
      found = true;
      CHECK(e["content"]["msgtype"] == "m.notice");
      CHECK(e["sender"] == env.get("HSOPS_PROBE_USER"));
    }
  }
  CHECK(found);

  // Second run: the room is remembered, not created again.
  const auto second = run_probe(w, synapse_section(env.get("HSOPS_SYNAPSE_URL")));
  CHECK(second.exit_code == 0);
  CHECK(detail_after(second.check, "created probe room ").empty());
  CHECK(detail_after(second.check, "sent ").find(room_id) != std::string::npos);
  std::cout << "probe against the stack: first run " << first.check["duration_seconds"] << " s (room created), second run "
            << second.check["duration_seconds"] << " s; " << second.check["summary"] << "\n";
  // No token or device left behind by the probe's own login.
  const auto devices = probe_devices();
  CHECK(std::find(devices.begin(), devices.end(), "HSOPS_PROBE") == devices.end());
  // The secret never shows.
  CHECK(second.raw.find(env.secret("HSOPS_PROBE_PASSWORD_FILE")) == std::string::npos);
}

TEST_CASE("the stack's own config: the probe goes through haproxy to the main Synapse and succeeds", "[probe]") {
  const auto& env = stack_env();
  // The stack's hsops config points the probe (only) at haproxy.
  std::ifstream cfg(env.get("HSOPS_CONFIG"));
  const std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  const auto probe_at = text.find("  probe:\n");
  REQUIRE(probe_at != std::string::npos);
  const auto url_at = text.find("homeserver_url: ", probe_at);
  REQUIRE(url_at != std::string::npos);
  CHECK(text.substr(url_at + 16, text.find('\n', url_at) - url_at - 16) == env.get("HSOPS_HAPROXY_URL"));

  const std::string sock = env.get("HSOPS_HAPROXY_SOCKET");
  const auto before = hsops::test::haproxy_servers(sock, env.get("HSOPS_HAPROXY_BACKEND"));
  REQUIRE(before.count("master") == 1);
  const std::string cmd = "timeout 60 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check probe --format json --config " +
                          env.get("HSOPS_CONFIG") + " 2>&1";
  std::string raw;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) raw.append(buf, n);
  const int status = ::pclose(p);
  INFO(raw);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const auto doc = json::parse(raw, nullptr, false);
  REQUIRE(doc.is_object());
  CHECK(doc["checks"][0]["status"] == "OK");
  // Discovery (.well-known, answered by haproxy itself) keeps the client API on haproxy.
  CHECK(raw.find("client API at " + env.get("HSOPS_HAPROXY_URL") + " ") != std::string::npos);
  // Login, send and the /sync long-poll went through haproxy's server master.
  const auto after = hsops::test::haproxy_servers(sock, env.get("HSOPS_HAPROXY_BACKEND"));
  CHECK(after.at("master").stot >= before.at("master").stot + 3);
  CHECK(raw.find(env.secret("HSOPS_PROBE_PASSWORD_FILE")) == std::string::npos);
}

TEST_CASE("wrong password: CRITICAL with M_FORBIDDEN", "[probe]") {
  const auto& env = stack_env();
  Workdir w;
  const auto pw = w.write("wrong.password", "definitely-not-the-password\n");
  const auto r = run_probe(w, "    homeserver_url: " + env.get("HSOPS_SYNAPSE_URL") + "\n    user: '" +
                                  env.get("HSOPS_PROBE_USER") + "'\n    password_file: " + pw.string() + "\n");
  CHECK(r.exit_code == 2);
  CHECK(r.check["status"] == "CRITICAL");
  const std::string summary = r.check["summary"];
  CHECK(summary.find("login failed") == 0);
  CHECK(summary.find("M_FORBIDDEN") != std::string::npos);
  CHECK(r.raw.find("definitely-not-the-password") == std::string::npos);
}

TEST_CASE("access-token mode works - a revoked token is CRITICAL with M_UNKNOWN_TOKEN", "[probe]") {
  const auto& env = stack_env();
  const std::string url = env.get("HSOPS_SYNAPSE_URL");
  hsops::net::Request login;
  login.method = "POST";
  login.url = url + "/_matrix/client/v3/login";
  auto l = hsops::net::perform_json(login, {{"type", "m.login.password"},
                                            {"identifier", {{"type", "m.id.user"}, {"user", env.get("HSOPS_PROBE_USER")}}},
                                            {"password", env.secret("HSOPS_PROBE_PASSWORD_FILE")},
                                            {"device_id", "HSOPS_IT_TOKEN"}});
  REQUIRE(l.ok());
  REQUIRE(l->http.status == 200);
  const std::string token = l->json["access_token"];
  Workdir w;
  const auto token_file = w.write("probe.token", token + "\n");
  const std::string section = "    homeserver_url: " + url + "\n    user: '" + env.get("HSOPS_PROBE_USER") +
                              "'\n    access_token_file: " + token_file.string() + "\n";
  const auto ok = run_probe(w, section);
  CHECK(ok.exit_code == 0);
  CHECK(ok.raw.find(token) == std::string::npos);

  hsops::net::Request logout;
  logout.method = "POST";
  logout.url = url + "/_matrix/client/v3/logout";
  logout.headers = {{"Authorization", "Bearer " + token}};
  auto out = hsops::net::perform_json(logout, json::object());
  REQUIRE(out.ok());
  REQUIRE(out->http.status == 200);
  const auto revoked = run_probe(w, section);
  CHECK(revoked.exit_code == 2);
  const std::string summary = revoked.check["summary"];
  CHECK(summary.find("login failed") == 0);
  CHECK(summary.find("M_UNKNOWN_TOKEN") != std::string::npos);
  CHECK(revoked.raw.find(token) == std::string::npos);
}

TEST_CASE("Synapse stopped (connection refused): CRITICAL quickly", "[probe]") {
  Workdir w;
  const auto r = run_probe(w, synapse_section("http://127.0.0.1:" + std::to_string(hsops::test::closed_port())));
  CHECK(r.exit_code == 2);
  CHECK(r.check["details"][0].get<std::string>().find("refused") != std::string::npos);
  CHECK(r.elapsed < 2s);
}

TEST_CASE("a port that accepts and never answers: the probe ends at the deadline", "[probe]") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  Workdir w;
  const auto r = run_probe(w, synapse_section(hole.url("")), "-t 2s");
  CHECK(r.exit_code == 2);
  CHECK(r.check["details"][0].get<std::string>().find("timeout") != std::string::npos);
  CHECK(r.elapsed >= 1900ms);
  CHECK(r.elapsed < 4s);
  std::cout << "probe against a black hole with -t 2s ended after " << r.elapsed.count() << " s\n";
}

TEST_CASE("429 with Retry-After from a proxy: retried within the deadline or reported", "[probe]") {
  const auto& env = stack_env();
  SECTION("Retry-After: 1 -> retried, OK") {
    RateLimitingProxy proxy(env.get("HSOPS_SYNAPSE_URL"), "/_matrix/client/v3/login", 1, "1");
    Workdir w;
    // No discovery: Synapse's own .well-known (public_baseurl) would lead around the proxy.
    const auto r = run_probe(w, synapse_section(proxy.url()) + "    discovery: false\n");
    CHECK(r.exit_code == 0);
    CHECK(proxy.answered_429() == 1);
    CHECK(metric(r.check, "hsops_probe_rate_limited_responses") == 1.0);
    CHECK(metric(r.check, "hsops_probe_phase_duration_seconds", "login").value_or(0) >= 0.95);
  }
  SECTION("Retry-After: 120 -> beyond the deadline, CRITICAL at once") {
    RateLimitingProxy proxy(env.get("HSOPS_SYNAPSE_URL"), "/_matrix/client/v3/login", 100, "120");
    Workdir w;
    const auto r = run_probe(w, synapse_section(proxy.url()) + "    discovery: false\n");
    CHECK(r.exit_code == 2);
    const std::string summary = r.check["summary"];
    CHECK(summary.find("M_LIMIT_EXCEEDED") != std::string::npos);
    CHECK(summary.find("beyond the check's deadline") != std::string::npos);
    CHECK(r.elapsed < 5s);
  }
}

TEST_CASE(".well-known discovery: invalid JSON is CRITICAL with the reason - a valid one is followed", "[probe]") {
  const auto& env = stack_env();
  LocalHttpServer site;
  Workdir w;
  SECTION("invalid") {
    site.route("/.well-known/matrix/client", {200, {{"Content-Type", "application/json"}}, "{\"m.homeserver\": {"});
    const auto r = run_probe(w, synapse_section(env.get("HSOPS_SYNAPSE_URL")) + "    discovery_url: " + site.url("") + "\n");
    CHECK(r.exit_code == 2);
    const std::string summary = r.check["summary"];
    CHECK(summary.find("discovery failed") == 0);
    CHECK(summary.find("not valid JSON") != std::string::npos);
  }
  SECTION("valid, pointing at Synapse while homeserver_url is dead") {
    site.route("/.well-known/matrix/client", {200, {{"Content-Type", "application/json"}},
                                              json{{"m.homeserver", {{"base_url", env.get("HSOPS_SYNAPSE_URL") + "/"}}}}.dump()});
    const auto dead = "http://127.0.0.1:" + std::to_string(hsops::test::closed_port());
    const auto r = run_probe(w, synapse_section(dead) + "    discovery_url: " + site.url("") + "\n");
    INFO(r.raw);
    CHECK(r.exit_code == 0);
    CHECK(r.check["details"][0].get<std::string>().find("from " + site.url("") + "/.well-known") != std::string::npos);
  }
}
