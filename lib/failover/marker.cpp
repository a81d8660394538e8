#include "failover/marker.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "matrix/client.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

std::filesystem::path marker_file(const Playbook& p) { return p.state_dir / "drill-marker.json"; }

// A client through the public route, logged in as the probe user on a device of its own (one
// device reused by every drill, so drills do not pile up devices).
Result<matrix::Client> logged_in(const Playbook& p, const Clock& clock, Steady::time_point deadline) {
  if (!p.probe_password) return Error{ErrorKind::config, "probe has no password_file or password_env: the marker cannot log in"};
  matrix::ClientOptions o;
  o.base_url = p.probe_url;
  o.deadlines.connect = std::chrono::milliseconds(3000);
  o.deadlines.total = std::chrono::milliseconds(10000);
  matrix::Client client(o, clock, deadline);
  auto login = client.call("POST", "/_matrix/client/v3/login",
                           {{"type", "m.login.password"},
                            {"identifier", {{"type", "m.id.user"}, {"user", p.probe_user}}},
                            {"password", *p.probe_password},
                            {"device_id", "HSOPS_FAILOVER_MARKER"},
                            {"initial_device_display_name", "hsops failover drill marker"}});
  if (!login) return Error{login.error().kind, "logging in as " + p.probe_user + " through " + p.probe_url + ": " + login.error().message};
  client.set_access_token(login->value("access_token", ""));
  return client;
}

nlohmann::json read_marker(const Playbook& p) {
  std::ifstream in(marker_file(p));
  if (!in) return nlohmann::json::object();
  auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

Result<bool> write_marker(const Playbook& p, const nlohmann::json& marker) {
  const auto file = marker_file(p);
  const auto tmp = file.string() + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  out << marker.dump(2) << '\n';
  out.close();
  if (!out || std::rename(tmp.c_str(), file.c_str()) != 0) return Error{ErrorKind::io, file.string() + ": cannot write"};
  return true;
}

std::string room_path(const std::string& room) { return "/_matrix/client/v3/rooms/" + matrix::url_encode(room); }

class MarkerWrite final : public Action {
 public:
  MarkerWrite(const Playbook& p, const Clock& clock) : p_(p), clock_(clock) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    auto client = logged_in(p_, clock_, deadline);
    if (!client) return client.error();
    auto marker = read_marker(p_);
    std::string room = marker.value("room_id", "");
    auto sent = room.empty() ? Result<nlohmann::json>(Error{ErrorKind::state, "no room yet"}) : send(client.value(), room);
    if (!sent) {
      // First drill, or the room is gone or left: a private room of the probe user's own.
      auto made = client.value().call("POST", "/_matrix/client/v3/createRoom",
                               {{"preset", "private_chat"}, {"name", "hsops failover drill markers"}});
      if (!made) return Error{made.error().kind, "creating the marker room: " + made.error().message};
      room = made->value("room_id", "");
      sent = send(client.value(), room);
      if (!sent) return Error{sent.error().kind, "sending the marker to " + room + ": " + sent.error().message};
    }
    marker = nlohmann::json{{"room_id", room}, {"event_id", sent->value("event_id", "")}, {"body", body_},
                            {"written_at", unix_seconds(clock_.now())}};
    if (auto w = write_marker(p_, marker); !w) return w.error();
    return ActionResult{"marker " + marker["event_id"].get<std::string>() + " written to " + room + " through " + p_.probe_url,
                        {{"room_id", room}, {"event_id", marker["event_id"]}}};
  }

 private:
  Result<nlohmann::json> send(matrix::Client& client, const std::string& room) {
    const auto now = unix_seconds(clock_.now());
    body_ = "hsops failover drill marker, written before the switch at unix time " + std::to_string(static_cast<long long>(now));
    return client.call("PUT", room_path(room) + "/send/m.room.message/hsops-marker-" + std::to_string(static_cast<long long>(now * 1000)),
                       {{"msgtype", "m.notice"}, {"body", body_}});
  }

  const Playbook& p_;
  const Clock& clock_;
  std::string body_;
};

class MarkerCheck final : public Action {
 public:
  MarkerCheck(const Playbook& p, const Clock& clock) : p_(p), clock_(clock) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    const auto marker = read_marker(p_);
    const std::string room = marker.value("room_id", ""), event = marker.value("event_id", "");
    if (room.empty() || event.empty()) {
      return Error{ErrorKind::state, "no marker in " + marker_file(p_).string() + ": put a marker.write step before the switch"};
    }
    auto client = logged_in(p_, clock_, deadline);
    if (!client) return client.error();
    auto got = client.value().call("GET", room_path(room) + "/event/" + matrix::url_encode(event));
    if (!got) {
      return Error{got.error().kind, "the marker " + event + " written before the switch cannot be read through " + p_.probe_url +
                                         ": " + got.error().message + " (lost writes, or a server on another database?)"};
    }
    const std::string body = got->value("content", nlohmann::json::object()).value("body", "");
    if (body != marker.value("body", "")) {
      return Error{ErrorKind::state, "the marker " + event + " reads back as '" + body + "', not what was written"};
    }
    return ActionResult{"marker " + event + " from before the switch is readable through " + p_.probe_url, {}};
  }

 private:
  const Playbook& p_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<Action> make_marker_write(const Playbook& playbook, const Clock& clock) {
  return std::make_unique<MarkerWrite>(playbook, clock);
}

std::unique_ptr<Action> make_marker_check(const Playbook& playbook, const Clock& clock) {
  return std::make_unique<MarkerCheck>(playbook, clock);
}

}  // namespace hsops::failover
