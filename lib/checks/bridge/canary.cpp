#include "checks/bridge/canary.h"

#include <random>
#include <thread>

#include "checks/bridge/irc.h"
#include "exec/exec.h"
#include "core/units.h"
#include "matrix/client.h"

namespace hsops::checks::bridge {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

double since(steady_clock::time_point t0) { return std::chrono::duration<double>(steady_clock::now() - t0).count(); }

std::string sync_path(const std::string& room, const std::string& since_token, milliseconds timeout) {
  const json filter{{"presence", {{"types", json::array()}}},
                    {"account_data", {{"types", json::array()}}},
                    {"room", {{"rooms", {room}}, {"timeline", {{"limit", 50}}}, {"state", {{"types", json::array()}}},
                              {"ephemeral", {{"types", json::array()}}}, {"account_data", {{"types", json::array()}}}}}};
  std::string p = "/_matrix/client/v3/sync?set_presence=offline&filter=" + matrix::url_encode(filter.dump()) +
                  "&timeout=" + std::to_string(timeout.count());
  if (!since_token.empty()) p += "&since=" + matrix::url_encode(since_token);
  return p;
}

bool timeline_has(const json& sync, const std::string& room, const std::string& tag) {
  const auto* events = &sync;
  for (const char* key : {"rooms", "join"}) {
    if (!events->is_object() || !events->contains(key)) return false;
    events = &(*events)[key];
  }
  if (!events->contains(room)) return false;
  const auto& r = (*events)[room];
  if (!r.contains("timeline") || !r["timeline"].contains("events")) return false;
  for (const auto& e : r["timeline"]["events"]) {
    if (!e.is_object() || !e.contains("content") || !e["content"].is_object()) continue;
    const auto body = e["content"].find("body");
    if (body != e["content"].end() && body->is_string() && body->get<std::string>().find(tag) != std::string::npos) return true;
  }
  return false;
}

Result<bool> matrix_setup(matrix::Client& c, const BridgeTarget& t) {
  if (t.access_token) {
    c.set_access_token(*t.access_token);
  } else {
    auto login = c.call("POST", "/_matrix/client/v3/login",
                        json{{"type", "m.login.password"},
                             {"identifier", {{"type", "m.id.user"}, {"user", t.user_id}}},
                             {"password", *t.password},
                             {"device_id", "HSOPS_BRIDGE_CANARY"}});
    if (!login) return Error{login.error().kind, "Matrix login as " + t.user_id + ": " + login.error().message};
    c.set_access_token(login.value().value("access_token", ""));
  }
  auto join = c.call("POST", "/_matrix/client/v3/join/" + matrix::url_encode(t.room_id), json::object());
  if (!join) return Error{join.error().kind, "joining the portal room " + t.room_id + ": " + join.error().message};
  return true;
}

}  // namespace

std::string make_tag(const Clock& clock, const char* direction) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::string("hsops-canary-") + direction + "-" + std::to_string(static_cast<long long>(unix_seconds(clock.now()) * 1000)) +
         "-" + std::to_string(rng() % 1000000);
}

CanaryOutcome run_canary(const BridgeTarget& t, const Options& o, const Clock& clock) {
  CanaryOutcome out;
  out.bridge = t.name;
  // Set-up has its own budget; then each direction gets direction_timeout from its send.
  const auto setup_deadline = steady_clock::now() + o.deadlines.total;
  matrix::ClientOptions co;
  co.base_url = o.homeserver_url;
  co.deadlines = o.deadlines;
  co.ca_file = o.ca_file;
  matrix::Client mx(co, clock, setup_deadline + o.direction_timeout + milliseconds(2000));
  if (auto ok = matrix_setup(mx, t); !ok) {
    out.setup_error = ok.error().message;
    return out;
  }
  auto first = mx.call("GET", sync_path(t.room_id, "", milliseconds(0)));
  if (!first) {
    out.setup_error = "Matrix /sync: " + first.error().message;
    return out;
  }
  std::string since_token = first.value().value("next_batch", "");
  IrcClient irc;
  if (t.irc) {
    if (auto ok = irc.connect(t.irc->host, t.irc->port, t.irc->nick, t.irc->channel, setup_deadline, IrcTls{t.irc->tls, t.irc->ca_file}); !ok) {
      out.setup_error = ok.error().message;
      return out;
    }
  }
  const std::string to_remote = make_tag(clock, "m2r");
  const std::string to_matrix = make_tag(clock, "r2m");

  // Remote -> Matrix: post on the remote side first (the IRC reader is not running yet, so
  // the socket has one user at a time).
  const auto r2m_start = steady_clock::now();
  if (t.irc) {
    if (auto s = irc.send_line("PRIVMSG " + t.irc->channel + " :" + to_matrix); !s) out.remote_to_matrix.error = s.error().message;
  } else {
    exec::Command send(t.exec->send.front(), {t.exec->send.begin() + 1, t.exec->send.end()});
    send.deadline = o.direction_timeout;
    send.stdin_data = to_matrix + "\n";
    auto r = exec::run(send);
    if (!r || r->exit_code != 0) {
      out.remote_to_matrix.error = r ? "send command exited " + std::to_string(r->exit_code) + (r->timed_out ? " (timed out)" : "") + ": " + r->err.substr(0, 200)
                                     : r.error().message;
    }
  }
  // Matrix -> remote: the remote side listens while the canary posts in the portal room.
  const auto m2r_start = steady_clock::now();
  std::thread waiter([&] {
    const auto deadline = m2r_start + o.direction_timeout;
    if (t.irc) {
      for (;;) {
        auto m = irc.read(deadline);
        if (!m) {
          out.matrix_to_remote.error = m.error().kind == ErrorKind::timeout ? "not delivered within " + format_duration(o.direction_timeout.count() / 1000.0)
                                                                   : m.error().message;
          return;
        }
        if (m->command == "PRIVMSG" && m->text.find(to_remote) != std::string::npos) {
          out.matrix_to_remote.latency_seconds = since(m2r_start);
          return;
        }
      }
    }
    exec::Command wait(t.exec->wait.front(), {t.exec->wait.begin() + 1, t.exec->wait.end()});
    wait.deadline = o.direction_timeout;
    wait.env_overrides = {{"HSOPS_CANARY_TAG", to_remote}};
    auto r = exec::run(wait);
    if (r && r->exit_code == 0) out.matrix_to_remote.latency_seconds = since(m2r_start);
    else out.matrix_to_remote.error = r ? (r->timed_out ? "not delivered within the deadline (wait command killed)" : "wait command exited " + std::to_string(r->exit_code)) : r.error().message;
  });
  const std::string txn = to_remote;
  auto sent = mx.call("PUT", "/_matrix/client/v3/rooms/" + matrix::url_encode(t.room_id) + "/send/m.room.message/" + txn,
                      json{{"msgtype", "m.text"}, {"body", to_remote}});
  std::string send_error;  // merged after join: the waiter owns out.matrix_to_remote meanwhile
  if (!sent) send_error = "sending in the portal room: " + sent.error().message;

  // Meanwhile, on this thread: wait for the remote's message in the portal room.
  if (out.remote_to_matrix.error.empty()) {
    const auto deadline = r2m_start + o.direction_timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) {
        out.remote_to_matrix.error = "not delivered within " + format_duration(o.direction_timeout.count() / 1000.0);
        break;
      }
      auto s = mx.call("GET", sync_path(t.room_id, since_token, std::min(left, milliseconds(5000))), nullptr, std::min(left, milliseconds(5000)));
      if (!s) {
        out.remote_to_matrix.error = "Matrix /sync: " + s.error().message;
        break;
      }
      if (timeline_has(s.value(), t.room_id, to_matrix)) {
        out.remote_to_matrix.latency_seconds = since(r2m_start);
        break;
      }
      since_token = s.value().value("next_batch", since_token);
    }
  }
  waiter.join();
  if (!send_error.empty() && !out.matrix_to_remote.latency_seconds) out.matrix_to_remote.error = send_error;
  if (t.irc) irc.quit("hsops canary done");
  return out;
}

}  // namespace hsops::checks::bridge
