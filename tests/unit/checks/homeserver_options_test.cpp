#include <catch2/catch.hpp>

#include "checks/appservice/config.h"
#include "checks/bridge/config.h"
#include "checks/common/homeserver_options.h"
#include "core/clock.h"

using namespace hsops;

namespace {
std::string url_error(const std::string& value) {
  const auto doc = config::Document::parse("checks:\n  bridge:\n    homeserver_url: " + value + "\n", "hs.yaml");
  try {
    checks::read_homeserver_url(doc.root().child("checks").child("bridge"), "bridge");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("homeserver_url: http(s) with a host is required and trailing slashes go") {
  const auto doc = config::Document::parse("checks:\n  bridge:\n    homeserver_url: https://matrix.example.org//\n", "hs.yaml");
  CHECK(checks::read_homeserver_url(doc.root().child("checks").child("bridge"), "bridge") == "https://matrix.example.org");
  for (const std::string bad : {"matrix.example.org", "ftp://matrix.example.org", "https://", "'http:///'", "''"}) {
    INFO(bad);
    const std::string why = url_error(bad);
    CHECK(why.find("hs.yaml:3:") != std::string::npos);
    CHECK(why.find("checks.bridge needs homeserver_url") != std::string::npos);
  }
}

TEST_CASE("the database section is optional and rejects unknown keys") {
  const FakeClock clock;
  checks::Services services{.clock = clock};
  const auto none = config::Document::parse("checks:\n  bridge:\n    homeserver_url: http://h\n", "a.yaml");
  CHECK_FALSE(checks::read_synapse_database(none.root().child("checks").child("bridge"), services));
  const auto some = config::Document::parse(
      "checks:\n  bridge:\n    database:\n      conninfo: 'host=/tmp dbname=synapse'\n", "b.yaml");
  const auto db = checks::read_synapse_database(some.root().child("checks").child("bridge"), services);
  REQUIRE(db);
  CHECK(db->conninfo == "host=/tmp dbname=synapse");
  const auto typo = config::Document::parse(
      "checks:\n  bridge:\n    database:\n      conninfo: 'host=/tmp'\n      pasword_file: /x\n", "c.yaml");
  CHECK_THROWS_WITH(checks::read_synapse_database(typo.root().child("checks").child("bridge"), services),
                    Catch::Contains("pasword_file"));
}

TEST_CASE("loopback_url: only this machine's addresses count as loopback") {
  for (const char* url : {"http://127.0.0.1:8008", "http://localhost", "http://localhost:8008/x", "http://[::1]:8008",
                          "http://127.1.2.3/"}) {
    INFO(url);
    CHECK(checks::loopback_url(url));
  }
  for (const char* url : {"http://localhost.example.org", "http://128.0.0.1", "http://[::1].evil", "http://matrix.example.org",
                          "http://127.0.0.1.nip.io.example.org@evil.example:80", "localhost"}) {
    INFO(url);
    CHECK_FALSE(checks::loopback_url(url));
  }
}

// Issue 15: appservice and bridge send access tokens, so they refuse http:// to another host
// like the probe does.
TEST_CASE("appservice and bridge refuse plain http to a non-loopback homeserver unless allowed") {
  ::setenv("HSOPS_TEST_CANARY_PW", "pw", 1);
  const FakeClock clock;
  const checks::Services services{clock, {}, "/proc", {}, {}, {}};
  const auto message = [&](const std::string& check, const std::string& body) {
    const auto doc = config::Document::parse("checks:\n  " + check + ":\n" + body, "p.yaml");
    const auto s = doc.root().child("checks").child(check);
    try {
      if (check == "appservice") (void)checks::read_appservice_options(s, services);
      else (void)checks::read_bridge_options(s, services);
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string appservice = "    registrations: [/etc/a.yaml]\n";
  const std::string bridge =
      "    bridges:\n      - {name: x, room_id: '!a:b', user: '@c:b', password_env: HSOPS_TEST_CANARY_PW, "
      "remote: {type: irc, host: h, channel: '#c'}}\n";
  for (const auto& [check, rest] : {std::pair{std::string("appservice"), appservice}, std::pair{std::string("bridge"), bridge}}) {
    INFO(check);
    CHECK(message(check, "    homeserver_url: http://matrix.example.org\n" + rest) ==
          "p.yaml:3:21: checks." + check +
              ".homeserver_url: 'http://matrix.example.org' is plain http: use https, or set allow_plain_http: true "
              "(passwords and access tokens would cross the network in clear)");
    CHECK(message(check, "    homeserver_url: http://matrix.example.org\n    allow_plain_http: true\n" + rest) == "(no error)");
    CHECK(message(check, "    homeserver_url: http://127.0.0.1:8008\n" + rest) == "(no error)");
    CHECK(message(check, "    homeserver_url: https://matrix.example.org\n" + rest) == "(no error)");
  }
}
