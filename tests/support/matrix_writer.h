// A Matrix client for failover tests: log in through the public route (retried: after a
// database restart each of Synapse's pooled connections fails one request), send a message
// every 100 ms from a thread, and check afterwards that every message that got a 200 is there.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "matrix/client.h"

namespace hsops::test {

class MatrixWriter {
 public:
  struct Sent {
    std::string event_id;
    std::string body;
  };

  explicit MatrixWriter(std::string base_url) : base_url_(std::move(base_url)) {}
  ~MatrixWriter() { stop(); }

  Result<nlohmann::json> call(std::string_view method, const std::string& path, const nlohmann::json& body = nullptr,
                              std::chrono::milliseconds limit = std::chrono::seconds(3)) const {
    matrix::ClientOptions o;
    o.base_url = base_url_;
    o.deadlines.connect = std::chrono::seconds(1);
    o.deadlines.total = limit;
    o.max_rate_limit_retries = 0;
    matrix::Client c(o, clock_, std::chrono::steady_clock::now() + limit);
    if (!token_.empty()) c.set_access_token(token_);
    return c.call(method, path, body);
  }

  void login(const std::string& user, const std::string& password, const std::string& device) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      auto r = call("POST", "/_matrix/client/v3/login",
                    {{"type", "m.login.password"},
                     {"identifier", {{"type", "m.id.user"}, {"user", user}}},
                     {"password", password},
                     {"device_id", device}},
                    std::chrono::seconds(10));
      if (r.ok()) {
        token_ = r->at("access_token").get<std::string>();
        return;
      }
      INFO("login through " << base_url_ << ": " << r.error().message);
      REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  void create_room() {
    auto r = call("POST", "/_matrix/client/v3/createRoom", {{"preset", "private_chat"}}, std::chrono::seconds(10));
    INFO((r ? r->dump() : r.error().message));
    REQUIRE(r.ok());
    room_ = r->at("room_id").get<std::string>();
  }

  std::optional<Sent> send(const std::string& body, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
    const std::string txn = "w-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    auto r = call("PUT", "/_matrix/client/v3/rooms/" + matrix::url_encode(room_) + "/send/m.room.message/" + txn,
                  {{"msgtype", "m.text"}, {"body", body}}, limit);
    if (!r || !r->contains("event_id")) return std::nullopt;
    return Sent{r->at("event_id").get<std::string>(), body};
  }

  // The event's body as the homeserver behind the route has it; "" when it cannot say.
  std::string body_of(const std::string& event_id) const {
    auto r = call("GET", "/_matrix/client/v3/rooms/" + matrix::url_encode(room_) + "/event/" + matrix::url_encode(event_id));
    if (!r) return "";
    return r->value("content", nlohmann::json::object()).value("body", "");
  }

  // A message every 100 ms until stop(): the acknowledged ones are kept, the rest counted.
  void start_every_100ms(const std::string& prefix) {
    thread_ = std::thread([this, prefix] {
      int n = 0;
      while (!stop_) {
        const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        if (auto s = send(prefix + " " + std::to_string(++n))) {
          std::lock_guard<std::mutex> lock(mu_);
          acked_.push_back(*s);
        } else {
          ++refused_;
        }
        std::this_thread::sleep_until(next);
      }
    });
  }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::vector<Sent> acked() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int refused() const { return refused_; }

  // Acknowledged messages that are not there (retried for a while: the route may just be moving).
  std::vector<std::string> missing() const {
    std::vector<std::string> out;
    for (const auto& m : acked()) {
      bool found = false;
      for (int attempt = 0; attempt < 5 && !found; ++attempt) {
        found = body_of(m.event_id) == m.body;
        if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
      if (!found) out.push_back(m.body + " (" + m.event_id + ")");
    }
    return out;
  }

 private:
  std::string base_url_;
  std::string token_;
  std::string room_;
  SystemClock clock_;
  mutable std::mutex mu_;
  std::vector<Sent> acked_;
  std::atomic<int> refused_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hsops::test
