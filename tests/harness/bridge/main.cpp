// hsops-test-bridge: the fixture appservice of the test stack (docs/testing.md). It bridges one
// Matrix room to one IRC channel on ngircd, and has switches (admin HTTP) that break it the
// ways real bridges break: drop Matrix->IRC, drop IRC->Matrix, and hang every homeserver ->
// appservice request without answering (the outage: that call had no timeout), and answer
// the ping with HTTP 500 (a bridge that is up but broken inside).
//
//   hsops-test-bridge --homeserver URL --server-name NAME --port P --admin-port A --irc-port I
//                     --channel '#bridge' --as-token-file F --hs-token-file F --room-file F
//   GET  /admin                      switches and counters (JSON)
//   POST /admin?hang=1&drop_matrix_to_irc=0&drop_irc_to_matrix=0&ping_500=0   set switches (any subset)
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "checks/bridge/irc.h"
#include "http_server.h"
#include "matrix/client.h"
#include "net/http.h"

using nlohmann::json;
using namespace std::chrono_literals;
namespace tb = hsops::test_bridge;
namespace irc = hsops::checks::bridge;

namespace {

struct Settings {
  std::string homeserver, server_name, channel = "#bridge", room_file, bot = "_irc_bot", prefix = "_irc_";
  std::string as_token, hs_token;
  int port = 0, admin_port = 0, irc_port = 0;
};

std::string first_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  if (line.empty()) throw std::runtime_error("cannot read " + file);
  return line;
}

class Bridge {
 public:
  explicit Bridge(Settings s) : s_(std::move(s)) {}

  // Calls the client API as the bot or a virtual user, with deadlines (this fixture must not
  // hang either).
  hsops::Result<json> call(const std::string& method, const std::string& path, const json& body, const std::string& as_user = "") {
    hsops::net::Request r;
    r.method = method;
    r.url = s_.homeserver + path;
    if (!as_user.empty()) r.url += (path.find('?') == std::string::npos ? "?" : "&") + std::string("user_id=") + hsops::matrix::url_encode(as_user);
    r.headers = {{"Authorization", "Bearer " + s_.as_token}, {"Content-Type", "application/json"}};
    if (!body.is_null()) r.body = body.dump();
    r.deadlines = {3000ms, 10000ms};
    auto res = hsops::net::perform(r);
    if (!res) return res.error();
    auto j = json::parse(res->body, nullptr, false);
    if (res->status / 100 != 2) {
      const std::string errcode = j.is_object() ? j.value("errcode", "") : "";
      return hsops::Error{errcode.empty() ? hsops::ErrorKind::http : hsops::ErrorKind::matrix,
                          std::to_string(res->status) + " " + res->body, errcode};
    }
    return j;
  }

  void ensure_room() {
    std::ifstream in(s_.room_file);
    std::getline(in, room_);
    if (!room_.empty()) return;
    auto r = call("POST", "/_matrix/client/v3/createRoom",
                  json{{"preset", "public_chat"}, {"name", "IRC " + s_.channel}, {"visibility", "private"}});
    if (!r) throw std::runtime_error("createRoom: " + r.error().message);
    room_ = r.value().at("room_id").get<std::string>();
    std::ofstream(s_.room_file) << room_ << "\n";
  }

  tb::HttpResponse appservice(const tb::HttpRequest& q) {
    if (q.headers.count("authorization") == 0 || q.headers.at("authorization") != "Bearer " + s_.hs_token) {
      return {403, R"({"errcode":"M_FORBIDDEN","error":"bad hs_token"})"};
    }
    // The original failure: the request is accepted and never answered (until un-hung).
    while (hang_) std::this_thread::sleep_for(100ms);
    if (q.path == "/_matrix/app/v1/ping") return ping_500_ ? tb::HttpResponse{500, "ping_500 switch", true} : tb::HttpResponse{200, "{}"};
    const std::string txn_prefix = "/_matrix/app/v1/transactions/";
    if (q.method == "PUT" && q.path.rfind(txn_prefix, 0) == 0) {
      const std::string txn = q.path.substr(txn_prefix.size());
      {
        std::lock_guard lock(mu_);
        if (!seen_txns_.insert(txn).second) return {200, "{}"};  // a retried transaction
      }
      ++transactions_;
      const auto body = json::parse(q.body, nullptr, false);
      if (body.is_object() && body.contains("events")) {
        for (const auto& e : body["events"]) matrix_event(e);
      }
      return {200, "{}"};
    }
    return {404, R"({"errcode":"M_UNRECOGNIZED","error":"unknown path"})"};
  }

  void matrix_event(const json& e) {
    if (e.value("type", "") != "m.room.message" || e.value("room_id", "") != room_) return;
    const std::string sender = e.value("sender", "");
    if (sender.rfind("@" + s_.prefix, 0) == 0) return;  // ours (virtual users and the bot)
    if (drop_matrix_to_irc_) return;
    const std::string body = e.contains("content") ? e["content"].value("body", "") : "";
    const std::string who = sender.substr(1, sender.find(':') - 1);
    std::lock_guard lock(irc_mu_);
    if (irc_.send_line("PRIVMSG " + s_.channel + " :<" + who + "> " + body)) ++to_irc_;
  }

  void irc_message(const irc::IrcMessage& m) {
    if (m.command != "PRIVMSG" || m.target != s_.channel || drop_irc_to_matrix_) return;
    const std::string user = "@" + s_.prefix + m.nick() + ":" + s_.server_name;
    if (joined_.count(user) == 0) {
      (void)call("POST", "/_matrix/client/v3/register", json{{"type", "m.login.application_service"}, {"username", s_.prefix + m.nick()}});
      if (!call("POST", "/_matrix/client/v3/join/" + hsops::matrix::url_encode(room_), json::object(), user)) return;
      joined_.insert(user);
    }
    const std::string txn = "irc" + std::to_string(++irc_txn_) + "-" + std::to_string(::getpid());
    if (call("PUT", "/_matrix/client/v3/rooms/" + hsops::matrix::url_encode(room_) + "/send/m.room.message/" + txn,
             json{{"msgtype", "m.text"}, {"body", m.text}}, user)) {
      ++to_matrix_;
    }
  }

  // Connects (and reconnects) to ngircd; reads on this thread, relays to Matrix.
  void irc_loop() {
    for (;;) {
      irc::IrcClient client;
      auto ok = client.connect("127.0.0.1", s_.irc_port, "mxbridge", s_.channel, std::chrono::steady_clock::now() + 10s);
      if (!ok) {
        std::cerr << "bridge: " << ok.error().message << "; retrying\n";
        std::this_thread::sleep_for(1s);
        continue;
      }
      {
        std::lock_guard lock(irc_mu_);
        irc_ = std::move(client);
      }
      irc_up_ = true;
      for (;;) {
        hsops::Result<irc::IrcMessage> m = hsops::Error{hsops::ErrorKind::timeout, ""};
        {
          // Short reads so senders on other threads get the lock in between.
          std::lock_guard lock(irc_mu_);
          m = irc_.read(std::chrono::steady_clock::now() + 50ms);
        }
        if (m) irc_message(m.value());
        else if (m.error().kind != hsops::ErrorKind::timeout) break;
        std::this_thread::sleep_for(5ms);
      }
      irc_up_ = false;
      std::this_thread::sleep_for(1s);
    }
  }

  tb::HttpResponse admin(const tb::HttpRequest& q) {
    if (q.method == "POST") {
      for (const auto& [key, flag] : std::map<std::string, std::atomic<bool>*>{
               {"hang", &hang_}, {"drop_matrix_to_irc", &drop_matrix_to_irc_}, {"drop_irc_to_matrix", &drop_irc_to_matrix_},
               {"ping_500", &ping_500_}}) {
        for (const char* v : {"=1", "=0"}) {
          if (("&" + q.query + "&").find("&" + key + v + "&") != std::string::npos) *flag = v[1] == '1';
        }
      }
    }
    return {200, json{{"hang", hang_.load()}, {"drop_matrix_to_irc", drop_matrix_to_irc_.load()},
                      {"drop_irc_to_matrix", drop_irc_to_matrix_.load()}, {"ping_500", ping_500_.load()}, {"irc_connected", irc_up_.load()},
                      {"room_id", room_}, {"transactions", transactions_.load()}, {"relayed_to_irc", to_irc_.load()},
                      {"relayed_to_matrix", to_matrix_.load()}}.dump()};
  }

 private:
  Settings s_;
  std::string room_;
  std::atomic<bool> hang_{false}, drop_matrix_to_irc_{false}, drop_irc_to_matrix_{false}, ping_500_{false}, irc_up_{false};
  std::atomic<long> transactions_{0}, to_irc_{0}, to_matrix_{0}, irc_txn_{0};
  std::mutex mu_, irc_mu_;
  std::set<std::string> seen_txns_, joined_;
  irc::IrcClient irc_;
};

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  std::string as_file, hs_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--homeserver") s.homeserver = v;
    else if (k == "--server-name") s.server_name = v;
    else if (k == "--port") s.port = std::stoi(v);
    else if (k == "--admin-port") s.admin_port = std::stoi(v);
    else if (k == "--irc-port") s.irc_port = std::stoi(v);
    else if (k == "--channel") s.channel = v;
    else if (k == "--as-token-file") as_file = v;
    else if (k == "--hs-token-file") hs_file = v;
    else if (k == "--room-file") s.room_file = v;
    else { std::cerr << "unknown option " << k << "\n"; return 2; }
  }
  try {
    s.as_token = first_line(as_file);
    s.hs_token = first_line(hs_file);
    Bridge bridge(s);
    bridge.ensure_room();
    tb::serve(s.port, [&](const tb::HttpRequest& q) { return bridge.appservice(q); });
    tb::serve(s.admin_port, [&](const tb::HttpRequest& q) { return bridge.admin(q); });
    std::cerr << "bridge: up, appservice :" << s.port << ", admin :" << s.admin_port << "\n";
    bridge.irc_loop();
  } catch (const std::exception& e) {
    std::cerr << "bridge: " << e.what() << "\n";
    return 1;
  }
}
