#include <catch2/catch.hpp>

#include "checks/bridge.h"
#include "checks/bridge_canary.h"
#include "checks/bridge_irc.h"

using namespace hsops;
using namespace hsops::checks::bridge;
using namespace std::chrono_literals;

namespace {

CanaryOutcome outcome(std::optional<double> m2r, std::optional<double> r2m) {
  CanaryOutcome o;
  o.bridge = "irc";
  o.matrix_to_remote.latency_seconds = m2r;
  if (!m2r) o.matrix_to_remote.error = "not delivered within 8.0 s";
  o.remote_to_matrix.latency_seconds = r2m;
  if (!r2m) o.remote_to_matrix.error = "not delivered within 8.0 s";
  return o;
}

double value(const CheckResult& r, const std::string& metric, const std::string& direction) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric && m.metric_labels.at("direction") == direction) return m.value;
  }
  return -1;
}

}  // namespace

TEST_CASE("bridge report: each direction judged on its own", "[bridge][report]") {
  Options o;
  auto r = build_bridge_result({outcome(0.12, 0.3)}, o);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "irc: Matrix -> remote 120 ms, irc: remote -> Matrix 300 ms");
  CHECK(value(r, "hsops_bridge_delivered", kMatrixToRemote) == 1);
  CHECK(value(r, "hsops_bridge_delivery_latency_seconds", kRemoteToMatrix) == Approx(0.3));

  r = build_bridge_result({outcome(std::nullopt, 0.3)}, o);  // the outage: one way wedged
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "irc: Matrix -> remote not delivered within 8.0 s; irc: remote -> Matrix 300 ms");
  CHECK(value(r, "hsops_bridge_delivered", kMatrixToRemote) == 0);
  CHECK(value(r, "hsops_bridge_delivered", kRemoteToMatrix) == 1);
  CHECK(value(r, "hsops_bridge_delivery_latency_seconds", kMatrixToRemote) == -1);  // absent, not 0

  r = build_bridge_result({outcome(6.0, 0.3)}, o);
  CHECK(r.status == Status::warning);
  CanaryOutcome failed;
  failed.bridge = "irc";
  failed.setup_error = "IRC: connect to 127.0.0.1:1: Connection refused";
  r = build_bridge_result({failed}, o);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("canary set-up failed") != std::string::npos);
  CHECK(build_bridge_result({}, o).status == Status::unknown);
}

TEST_CASE("bridge IRC: lines parsed", "[bridge][irc]") {
  auto m = parse_irc_line(":mxbridge!~u@127.0.0.1 PRIVMSG #bridge :<canary> hsops-canary-m2r-1\r");
  REQUIRE(m);
  CHECK(m->nick() == "mxbridge");
  CHECK(m->command == "PRIVMSG");
  CHECK(m->target == "#bridge");
  CHECK(m->text == "<canary> hsops-canary-m2r-1");
  m = parse_irc_line("PING :irc.hsops.test");
  REQUIRE(m);
  CHECK(m->command == "PING");
  CHECK(m->text == "irc.hsops.test");
  m = parse_irc_line(":irc.hsops.test 001 hsops-canary :Welcome");
  CHECK(m->command == "001");
  CHECK_FALSE(parse_irc_line("\r\n"));
}

TEST_CASE("bridge IRC: a refused or silent server ends within the deadline", "[bridge][irc]") {
  IrcClient c;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.connect("127.0.0.1", 1, "x", "#x", t0 + 2s);
  CHECK_FALSE(r);
  CHECK(std::chrono::steady_clock::now() - t0 < 2500ms);
}

TEST_CASE("bridge config: irc and exec remotes / direction timeout within the budget", "[bridge][config]") {
  ::setenv("HSOPS_TEST_CANARY_PW", "pw", 1);
  const FakeClock clock;
  checks::Services services{clock, {}, "/proc", {}, {}, Millis(10000)};
  const auto doc = config::Document::parse(R"(checks:
  bridge:
    homeserver_url: http://127.0.0.1:8008
    bridges:
      - name: irc
        room_id: '!a:b'
        user: '@canary:b'
        password_env: HSOPS_TEST_CANARY_PW
        remote: {type: irc, host: 127.0.0.1, port: 6667, channel: '#bridge', nick: canary}
      - name: other
        room_id: '!c:b'
        user: '@canary:b'
        password_env: HSOPS_TEST_CANARY_PW
        remote: {type: exec, send: [/bin/true], wait: [/bin/true]}
)",
                                           "t.yaml");
  const auto o = checks::read_bridge_options(doc.root().child("checks").child("bridge"), services);
  REQUIRE(o.bridges.size() == 2);
  CHECK(o.bridges[0].irc->channel == "#bridge");
  CHECK(o.bridges[1].exec->send == std::vector<std::string>{"/bin/true"});
  CHECK(o.direction_timeout == 6000ms);
  const auto bad = config::Document::parse(
      "checks:\n  bridge:\n    homeserver_url: http://h\n    bridges:\n      - {name: x, room_id: '!a:b', user: '@c:b', "
      "password_env: HSOPS_TEST_CANARY_PW, remote: {type: xmpp}}\n",
      "b.yaml");
  CHECK_THROWS_AS(checks::read_bridge_options(bad.root().child("checks").child("bridge"), services), config::ConfigError);
}

TEST_CASE("bridge passive view: a direction silent while the other flows is WARNING", "[bridge][traffic]") {
  CHECK(judge_traffic(Traffic{0, 7, std::nullopt, 3.0}, 5) == "remote -> Matrix silent: 0 messages while 7 went Matrix -> remote");
  CHECK(judge_traffic(Traffic{9, 0, 1.0, std::nullopt}, 5) == "Matrix -> remote silent: 0 messages while 9 came remote -> Matrix");
  CHECK(judge_traffic(Traffic{0, 4, std::nullopt, 3.0}, 5).empty());  // too little traffic to tell
  CHECK(judge_traffic(Traffic{0, 0, std::nullopt, std::nullopt}, 5).empty());
  CHECK(judge_traffic(Traffic{3, 50, 1.0, 1.0}, 5).empty());

  Options o;
  auto outcome_ok = outcome(0.1, 0.2);
  outcome_ok.traffic = Traffic{0, 7, std::nullopt, 3.0};
  const auto r = build_bridge_result({outcome_ok}, o);
  CHECK(r.status == Status::warning);
  CHECK(r.summary.rfind("irc: remote -> Matrix silent", 0) == 0);
  CHECK(value(r, "hsops_bridge_messages", kRemoteToMatrix) == 0);
  CHECK(value(r, "hsops_bridge_messages", kMatrixToRemote) == 7);
  CHECK(value(r, "hsops_bridge_last_message_age_seconds", kMatrixToRemote) == 3.0);
  CHECK(value(r, "hsops_bridge_last_message_age_seconds", kRemoteToMatrix) == -1);
}
