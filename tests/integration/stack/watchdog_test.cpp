// hsops-watchdog against the stack: it runs the stack's checks (probe, wal, replication,
// appservice, bridge, ...), the standby is stopped, and the replication alert goes through a
// real Synapse room, a real Alertmanager and a PagerDuty-compatible receiver; a webhook that
// black-holes requests delays none of them. Tier 1 is paged, the watchdog is killed -9 and
// started again (no tier-1 re-page, tier 2 still on time), a non-responder's "ack" is ignored,
// a responder's reply acks, and restarting the standby sends the resolution everywhere.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "matrix/client.h"
#include "support/alertmanager_process.h"
#include "support/child_process.h"
#include "support/local_http_server.h"
#include "support/pagerduty_fixture.h"
#include "support/temp_dir.h"
#include "wal_test_support.h"

using namespace std::chrono_literals;
using hsops::test::stack_env;
using hsops::test::wal::StandbyStopped;
using json = nlohmann::json;

namespace {

const std::string kWatchdog = HSOPS_BINARY_DIR "/cmd/hsops-watchdog/hsops-watchdog";
constexpr auto kTier2After = 12s;

std::string random_hex(int bytes) {
  std::random_device rd;
  std::string out;
  char b[3];
  for (int i = 0; i < bytes; ++i) {
    std::snprintf(b, sizeof b, "%02x", rd() & 0xff);
    out += b;
  }
  return out;
}

hsops::matrix::Client client_for(const std::string& token) {
  static const hsops::SystemClock clock;
  hsops::matrix::ClientOptions o;
  o.base_url = stack_env().get("HSOPS_SYNAPSE_URL");
  o.deadlines = {3000ms, 10000ms};
  hsops::matrix::Client c(o, clock, clock.monotonic() + 30s);
  c.set_access_token(token);
  return c;
}

json call(const std::string& token, std::string_view method, const std::string& path, const json& body = nullptr) {
  auto r = client_for(token).call(method, path, body);
  INFO(std::string(method) + " " + path);
  REQUIRE(r.ok());
  return *r;
}

struct Account {
  std::string user_id;
  std::string token;
};

// A fresh user (Synapse admin API) logged in with a password.
Account make_account(const std::string& admin_token, const std::string& localpart) {
  const std::string user_id = "@" + localpart + ":" + stack_env().get("HSOPS_SYNAPSE_SERVER_NAME");
  const std::string password = random_hex(16);
  call(admin_token, "PUT", "/_synapse/admin/v2/users/" + hsops::matrix::url_encode(user_id), {{"password", password}});
  const auto login = call("", "POST", "/_matrix/client/v3/login",
                          {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", localpart}}},
                           {"password", password}});
  return {user_id, login["access_token"]};
}

std::string room_path(const std::string& room) { return "/_matrix/client/v3/rooms/" + hsops::matrix::url_encode(room); }

struct Notice {
  std::string event_id;
  std::string body;
};

// The bot's notices in the room, oldest first.
std::vector<Notice> notices(const std::string& token, const std::string& room, const std::string& bot) {
  const auto page = call(token, "GET", room_path(room) + "/messages?dir=b&limit=200");
  std::vector<Notice> out;
  for (const auto& e : page["chunk"]) {
    if (e.value("type", "") != "m.room.message" || e.value("sender", "") != bot) continue;
    out.insert(out.begin(), Notice{e["event_id"], e["content"].value("body", "")});
  }
  return out;
}

int count_with(const std::vector<Notice>& ns, const std::string& a, const std::string& b = "") {
  int n = 0;
  for (const auto& x : ns) n += (x.body.find(a) != std::string::npos && x.body.find(b) != std::string::npos) ? 1 : 0;
  return n;
}

std::optional<Notice> wait_notice(const std::string& token, const std::string& room, const std::string& bot,
                                  const std::string& a, const std::string& b, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    for (const auto& n : notices(token, room, bot)) {
      if (n.body.find(a) != std::string::npos && n.body.find(b) != std::string::npos) return n;
    }
    std::this_thread::sleep_for(250ms);
  }
  return std::nullopt;
}

void reply(const std::string& token, const std::string& room, const std::string& to, const std::string& text) {
  call(token, "PUT", room_path(room) + "/send/m.room.message/" + random_hex(8),
       {{"msgtype", "m.text"}, {"body", text}, {"m.relates_to", {{"m.in_reply_to", {{"event_id", to}}}}}});
}

std::string file_with(const hsops::test::TempDir& dir, const std::string& name, const std::string& content) {
  const auto path = dir.path() / name;
  std::ofstream(path) << content << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path.string();
}

// The stack's own hsops.yaml with this test's state dir and a watchdog: section.
std::string watchdog_config(const hsops::test::TempDir& dir, int port, const std::string& room, const std::string& bot_token,
                            const std::string& am_url, const std::string& pd_url, const std::string& hole_url,
                            const std::string& responder) {
  std::ifstream in(stack_env().get("HSOPS_CONFIG"));
  std::stringstream stack;
  stack << in.rdbuf();
  std::string text = stack.str();
  const auto state = text.find("state_dir:");
  REQUIRE(state != std::string::npos);
  text.replace(state, text.find('\n', state) - state, "state_dir: " + (dir.path() / "state").string());
  // The clock check's default NTP pool is outside this machine: tests never send there.
  const auto clock = text.find("\n  clock:\n");
  REQUIRE(clock != std::string::npos);
  text.insert(clock + 10, "    enabled: false\n");
  const auto token_file = file_with(dir, "bot.token", bot_token);
  const auto key_file = file_with(dir, "pagerduty.key", random_hex(16));  // 32 characters, as PagerDuty wants
  const auto api_token = file_with(dir, "api.token", random_hex(16));
  return text + "\nwatchdog:\n"
                "  listen: 127.0.0.1:" + std::to_string(port) + "\n"
                "  state_file: " + (dir.path() / "watchdog-state.json").string() + "\n"
                "  interval: 1h\n"
                "  checks:\n"
                "    replication: {interval: 1s, for: 2s}\n"
                "  notifiers:\n"
                "    room: {type: matrix, homeserver_url: " + stack_env().get("HSOPS_SYNAPSE_URL") +
         ", room_id: \"" + room + "\", access_token_file: " + token_file + "}\n"
                "    am: {type: alertmanager, url: " + am_url + "}\n"
                "    pager: {type: pagerduty, url: " + pd_url + ", routing_key_file: " + key_file + ", source: hs1}\n"
                "    hole: {type: webhook, url: " + hole_url + "}\n"
                "  routes:\n"
                "    - name: replication\n"
                "      check: replication\n"
                "      tiers:\n"
                "        - {after: 0s, notify: [hole, room, am, pager]}\n"
                "        - {after: " + std::to_string(kTier2After.count()) + "s, notify: [room]}\n"
                "  responders: [\"" + responder + "\"]\n"
                "  api_token_file: " + api_token + "\n";
}

// The replication alert's incidents (an alert no route matches pages every notifier, so
// another check failing on this machine would page PagerDuty too).
std::map<std::string, hsops::test::PagerDutyFixture::Incident> replication_incidents(const hsops::test::PagerDutyFixture& pd) {
  std::map<std::string, hsops::test::PagerDutyFixture::Incident> out;
  for (const auto& [key, incident] : pd.incidents()) {
    if (key.find("replication") != std::string::npos) out.emplace(key, incident);
  }
  return out;
}

bool healthy(int port, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    const auto r = hsops::net::get("http://127.0.0.1:" + std::to_string(port) + "/health", {500ms, 1000ms});
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

json api_alerts(int port) {
  const auto r = hsops::net::get("http://127.0.0.1:" + std::to_string(port) + "/api/v1/alerts", {500ms, 2000ms});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("watchdog: standby stopped pages tier 1 everywhere, survives kill -9, tier 2 on time, ack in the room, resolution") {
  hsops::test::TempDir dir;
  const std::string admin_token = stack_env().secret("HSOPS_ADMIN_TOKEN_FILE");
  const std::string responder = stack_env().get("HSOPS_ADMIN_USER");
  const auto bot = make_account(admin_token, "hsops-bot-" + random_hex(3));
  const auto stranger = make_account(admin_token, "stranger-" + random_hex(3));
  const std::string room = call(admin_token, "POST", "/_matrix/client/v3/createRoom",
                                {{"preset", "private_chat"}, {"name", "ops"}, {"invite", {bot.user_id, stranger.user_id}}})["room_id"];
  call(bot.token, "POST", "/_matrix/client/v3/join/" + hsops::matrix::url_encode(room), json::object());
  call(stranger.token, "POST", "/_matrix/client/v3/join/" + hsops::matrix::url_encode(room), json::object());

  hsops::test::AlertmanagerProcess am;
  REQUIRE(am.wait_ready(30s));
  hsops::test::PagerDutyFixture pagerduty;
  hsops::test::LocalHttpServer hole(hsops::test::LocalHttpServer::Mode::black_hole);
  const int port = hsops::test::free_loopback_port();
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << watchdog_config(dir, port, room, bot.token, am.url(), pagerduty.url(), hole.url("/hook"), responder);

  auto watchdog = std::make_unique<hsops::test::ChildProcess>(
      std::vector<std::string>{kWatchdog, "--config", config.string()}, dir.path() / "watchdog.log");
  INFO((dir.path() / "watchdog.log").string());
  REQUIRE(healthy(port, 30s));

  std::optional<Notice> tier1;
  std::chrono::steady_clock::time_point tier1_seen;
  {
    StandbyStopped standby;
    tier1 = wait_notice(admin_token, room, bot.user_id, "CRITICAL replication", "tier 1", 60s);
    tier1_seen = std::chrono::steady_clock::now();
    INFO(watchdog->output());
    REQUIRE(tier1);

    // Killed mid-escalation and started again from its state file.
    watchdog->signal(SIGKILL);
    REQUIRE(watchdog->wait_exit(5s));
    watchdog = std::make_unique<hsops::test::ChildProcess>(
        std::vector<std::string>{kWatchdog, "--config", config.string()}, dir.path() / "watchdog.log");
    REQUIRE(healthy(port, 30s));
    CHECK(watchdog->output().find("restored 1 alert(s)") != std::string::npos);

    // The black-holed webhook held one delivery all along; scrapes still answer at once.
    for (int i = 0; i < 20; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const auto scrape = hsops::net::get("http://127.0.0.1:" + std::to_string(port) + "/metrics", {500ms, 2000ms});
      REQUIRE(scrape.ok());
      CHECK(std::chrono::steady_clock::now() - start < 500ms);
    }

    const auto tier2 = wait_notice(admin_token, room, bot.user_id, "CRITICAL replication", "tier 2", 60s);
    const auto tier2_seen = std::chrono::steady_clock::now();
    REQUIRE(tier2);
    CHECK(tier2_seen - tier1_seen >= kTier2After - 3s);  // not re-started from zero, not early
    CHECK(tier2_seen - tier1_seen <= kTier2After + 15s);
    CHECK(count_with(notices(admin_token, room, bot.user_id), "CRITICAL replication", "tier 1") == 1);  // no tier-1 re-page

    // PagerDuty and Alertmanager got the same alert.
    REQUIRE(replication_incidents(pagerduty).size() == 1);
    CHECK(replication_incidents(pagerduty).begin()->second.state == "triggered");
    bool in_am = false;
    for (const auto& a : am.alerts()) in_am = in_am || a["labels"].value("check", "") == "replication";
    CHECK(in_am);

    // A non-responder's ack changes nothing; the responder's reply acks.
    reply(stranger.token, room, tier2->event_id, "ack");
    std::this_thread::sleep_for(5s);
    CHECK(count_with(notices(admin_token, room, bot.user_id), "ACKED", "replication") == 0);
    CHECK(watchdog->output().find("not a responder") != std::string::npos);
    reply(admin_token, room, tier2->event_id, "ack");
    REQUIRE(wait_notice(admin_token, room, bot.user_id, "ACKED", "replication", 30s));
    const auto listed = api_alerts(port)["alerts"];
    REQUIRE(listed.size() >= 1);
    bool acked = false;
    for (const auto& a : listed) acked = acked || (a["check"] == "replication" && a["acked_by"] == responder);
    CHECK(acked);
    CHECK(hsops::test::wal::wait_until([&] { return replication_incidents(pagerduty).begin()->second.state == "acknowledged"; }, 20s));
  }  // the standby starts again

  REQUIRE(wait_notice(admin_token, room, bot.user_id, "RESOLVED", "replication", 90s));
  CHECK(hsops::test::wal::wait_until([&] { return replication_incidents(pagerduty).begin()->second.state == "resolved"; }, 20s));
  CHECK(replication_incidents(pagerduty).size() == 1);  // one dedup_key from trigger to resolve
  CHECK(hsops::test::wal::wait_until([&] {
    for (const auto& a : am.alerts()) {
      if (a["labels"].value("check", "") == "replication" && a["status"]["state"] == "active") return false;
    }
    return true;
  }, 30s));

  const auto stopping = std::chrono::steady_clock::now();
  watchdog->signal(SIGTERM);
  CHECK(watchdog->wait_exit(5s) == std::optional<int>(0));
  CHECK(std::chrono::steady_clock::now() - stopping < 5s);
}
