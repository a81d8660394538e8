#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "checks/bridge/config.h"
#include "checks/bridge/canary.h"
#include "checks/bridge/irc.h"

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

namespace {
// A loopback listener on an ephemeral port; the kernel completes TCP handshakes without accept().
struct Listener {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  Listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
};
}  // namespace

TEST_CASE("bridge IRC TLS: a server that never answers the handshake ends at the deadline", "[bridge][irc][tls]") {
  Listener silent;
  IrcClient c;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.connect("127.0.0.1", silent.port, "x", "#x", t0 + 1500ms, IrcTls{true, ""});
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == hsops::ErrorKind::timeout);
  CHECK(r.error().message.find("TLS handshake with 127.0.0.1:") != std::string::npos);
  CHECK(took >= 1400ms);
  CHECK(took < 2500ms);
}

TEST_CASE("bridge IRC TLS: a plain-text IRC server on the TLS port fails the handshake at once", "[bridge][irc][tls]") {
  Listener plain;
  std::thread server([&] {
    const int c = ::accept(plain.fd, nullptr, nullptr);
    if (c < 0) return;
    const std::string hello = ":irc.test NOTICE * :*** Looking up your hostname\r\n";
    (void)::send(c, hello.data(), hello.size(), MSG_NOSIGNAL);
    char buf[512];
    (void)::recv(c, buf, sizeof buf, 0);  // the ClientHello
    ::close(c);
  });
  IrcClient c;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.connect("127.0.0.1", plain.port, "x", "#x", t0 + 5s, IrcTls{true, ""});
  server.join();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == hsops::ErrorKind::tls);
  CHECK(r.error().message.rfind("IRC: TLS handshake with 127.0.0.1:", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK_FALSE(c.connected());
}

TEST_CASE("bridge IRC TLS: an unreadable CA file is an error, not a silent fallback", "[bridge][irc][tls]") {
  Listener l;
  IrcClient c;
  auto r = c.connect("127.0.0.1", l.port, "x", "#x", std::chrono::steady_clock::now() + 2s, IrcTls{true, "/nonexistent/ca.pem"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("cannot load CA file /nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("bridge config: irc and exec remotes / direction timeout within the budget", "[bridge][config]") {
  ::setenv("HSOPS_TEST_CANARY_PW", "pw", 1);
  const FakeClock clock;
  checks::Services services{.clock = clock, .timeout = Millis(10000)};
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
  CHECK_FALSE(o.bridges[0].irc->tls);
  CHECK(o.traffic_limits.min_messages == 5);
  CHECK(o.traffic_limits.min_ratio == Approx(0.05));
  const auto bad = config::Document::parse(
      "checks:\n  bridge:\n    homeserver_url: https://h\n    bridges:\n      - {name: x, room_id: '!a:b', user: '@c:b', "
      "password_env: HSOPS_TEST_CANARY_PW, remote: {type: xmpp}}\n",
      "b.yaml");
  CHECK_THROWS_AS(checks::read_bridge_options(bad.root().child("checks").child("bridge"), services), config::ConfigError);
}

TEST_CASE("bridge config: passive view limits min_messages / min_ratio", "[bridge][config]") {
  ::setenv("HSOPS_TEST_CANARY_PW", "pw", 1);
  const FakeClock clock;
  checks::Services services{.clock = clock, .timeout = Millis(10000)};
  const auto parse = [&](const std::string& extra) {
    const auto doc = config::Document::parse(
        "checks:\n  bridge:\n    homeserver_url: https://h\n" + extra +
            "    bridges:\n      - {name: x, room_id: '!a:b', user: '@c:b', password_env: HSOPS_TEST_CANARY_PW, "
            "remote: {type: irc, host: h, channel: '#c'}}\n",
        "t.yaml");
    return checks::read_bridge_options(doc.root().child("checks").child("bridge"), services);
  };
  const auto o = parse("    min_messages: 30\n    min_ratio: 0.2\n");
  CHECK(o.bridges[0].irc->port == 6667);
  CHECK(o.traffic_limits.min_messages == 30);
  CHECK(o.traffic_limits.min_ratio == Approx(0.2));
  CHECK(parse("    min_ratio: 0\n").traffic_limits.min_ratio == 0);
  CHECK_THROWS_AS(parse("    min_ratio: 1.5\n"), config::ConfigError);
  CHECK_THROWS_AS(parse("    min_ratio: -0.1\n"), config::ConfigError);
  CHECK_THROWS_AS(parse("    min_messages: 0\n"), config::ConfigError);
}

TEST_CASE("bridge config: IRC over TLS defaults to port 6697, ca_file only with tls", "[bridge][config][tls]") {
  ::setenv("HSOPS_TEST_CANARY_PW", "pw", 1);
  const FakeClock clock;
  checks::Services services{.clock = clock, .timeout = Millis(10000)};
  const auto parse = [&](const std::string& remote) {
    const auto doc = config::Document::parse(
        "checks:\n  bridge:\n    homeserver_url: https://h\n    bridges:\n      - {name: x, room_id: '!a:b', user: '@c:b', "
        "password_env: HSOPS_TEST_CANARY_PW, remote: {type: irc, host: irc.example.net, channel: '#c'" + remote + "}}\n",
        "t.yaml");
    return checks::read_bridge_options(doc.root().child("checks").child("bridge"), services);
  };
  auto o = parse(", tls: true");
  CHECK(o.bridges[0].irc->tls);
  CHECK(o.bridges[0].irc->port == 6697);
  CHECK(o.bridges[0].irc->ca_file.empty());
  o = parse(", tls: true, port: 7000, ca_file: /etc/hsops/irc-ca.pem");
  CHECK(o.bridges[0].irc->port == 7000);
  CHECK(o.bridges[0].irc->ca_file == "/etc/hsops/irc-ca.pem");
  CHECK_THROWS_AS(parse(", ca_file: /etc/hsops/irc-ca.pem"), config::ConfigError);
  // A port out of range is refused whole (a huge number no longer wraps into a valid int).
  CHECK_THROWS_WITH(parse(", port: 70000"), Catch::Contains("port: must be between 1 and 65535"));
  CHECK_THROWS_WITH(parse(", port: 4294967297"), Catch::Contains("port: must be between 1 and 65535"));
}

TEST_CASE("bridge passive view: a direction silent while the other flows is WARNING", "[bridge][traffic]") {
  const TrafficLimits limits;  // defaults: min_messages 5, min_ratio 0.05
  CHECK(judge_traffic(Traffic{0, 7, std::nullopt, 3.0}, limits) == "remote -> Matrix silent: 0 messages while 7 went Matrix -> remote");
  CHECK(judge_traffic(Traffic{9, 0, 1.0, std::nullopt}, limits) == "Matrix -> remote silent: 0 messages while 9 came remote -> Matrix");
  CHECK(judge_traffic(Traffic{0, 4, std::nullopt, 3.0}, limits).empty());  // too little traffic to tell
  CHECK(judge_traffic(Traffic{0, 0, std::nullopt, std::nullopt}, limits).empty());
  CHECK(judge_traffic(Traffic{3, 50, 1.0, 1.0}, limits).empty());  // 0.06: a normal lopsided channel
}

TEST_CASE("bridge passive view: a direction far below min_ratio of the other is WARNING once min_messages flowed",
          "[bridge][traffic]") {
  const TrafficLimits limits{20, 0.1};
  // 2 of 40 = 0.05 < 0.1: one way mostly stalled (e.g. only the canary got through).
  CHECK(judge_traffic(Traffic{2, 40, 1.0, 1.0}, limits) ==
        "remote -> Matrix nearly silent: 2 messages while 40 went Matrix -> remote (ratio 0.05 < min_ratio 0.1)");
  CHECK(judge_traffic(Traffic{40, 1, 1.0, 1.0}, limits) ==
        "Matrix -> remote nearly silent: 1 message while 40 came remote -> Matrix (ratio 0.025 < min_ratio 0.1)");
  CHECK(judge_traffic(Traffic{4, 40, 1.0, 1.0}, limits).empty());    // exactly the ratio: fine
  CHECK(judge_traffic(Traffic{1, 19, 1.0, 1.0}, limits).empty());    // busier side below min_messages: not judged
  CHECK(judge_traffic(Traffic{0, 19, std::nullopt, 1.0}, limits).empty());
  CHECK_FALSE(judge_traffic(Traffic{0, 20, std::nullopt, 1.0}, limits).empty());
  CHECK(judge_traffic(Traffic{25, 25, 1.0, 1.0}, limits).empty());
  // min_ratio 0: only total silence counts, however lopsided.
  CHECK(judge_traffic(Traffic{1, 1000, 1.0, 1.0}, TrafficLimits{5, 0}).empty());
  CHECK_FALSE(judge_traffic(Traffic{0, 1000, std::nullopt, 1.0}, TrafficLimits{5, 0}).empty());

  Options o;
  o.traffic_limits = limits;
  auto lopsided = outcome(0.1, 0.2);  // the canary itself got through both ways
  lopsided.traffic = Traffic{2, 40, 1.0, 1.0};
  const auto r = build_bridge_result({lopsided}, o);
  CHECK(r.status == Status::warning);
  CHECK(r.summary.rfind("irc: remote -> Matrix nearly silent: 2 messages while 40", 0) == 0);
  CHECK(value(r, "hsops_bridge_messages", kRemoteToMatrix) == 2);
}

TEST_CASE("bridge passive view: silence is WARNING in the report", "[bridge][traffic]") {
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
