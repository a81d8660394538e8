#include <catch2/catch.hpp>

#include "checks/appservice/registration.h"
#include "config/config.h"

using namespace hsops;
using namespace hsops::checks::appservice;

namespace {

constexpr const char* kIrc = R"(id: irc
url: http://127.0.0.1:9999
as_token: AS_SECRET_1
hs_token: HS_SECRET_1
sender_localpart: _irc_bot
rate_limited: false
namespaces:
  users:
    - regex: '^@_irc_.*:hsops\.test$'
      exclusive: true
  aliases: []
  rooms: []
)";

Registration reg(std::string id, std::optional<std::string> url, std::string token, std::string user_regex) {
  Registration r;
  r.file = id + ".yaml";
  r.id = std::move(id);
  r.url = std::move(url);
  r.as_token = std::move(token);
  r.namespaces.push_back({"users", std::move(user_regex), true});
  return r;
}

bool mentions(const std::vector<LintFinding>& found, const std::string& text) {
  for (const auto& f : found) {
    if (f.text.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("appservice registration: parsed through lib/config / url null / errors with file:line:column",
          "[appservice][registration]") {
  const auto r = parse_registration(kIrc, "irc.yaml");
  CHECK(r.id == "irc");
  CHECK(r.url == std::optional<std::string>("http://127.0.0.1:9999"));
  CHECK(r.as_token == "AS_SECRET_1");
  REQUIRE(r.namespaces.size() == 1);
  CHECK(r.namespaces[0].kind == "users");
  CHECK(r.namespaces[0].exclusive);
  CHECK_FALSE(parse_registration("id: x\nurl: null\nas_token: t\n", "x.yaml").url);
  try {
    (void)parse_registration("id: x\nurl: http://a\n", "bad.yaml");
    FAIL("no as_token accepted");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()).find("bad.yaml:") != std::string::npos);
    CHECK(std::string(e.what()).find("as_token") != std::string::npos);
  }
}

TEST_CASE("appservice lint: scheme / self-pointing url / duplicates / anchors / overlap", "[appservice][registration]") {
  const std::string hs = "http://localhost:8008";
  CHECK(lint({reg("irc", "http://127.0.0.1:9999", "a", "^@_irc_.*")}, hs).empty());
  CHECK(lint({reg("irc", std::nullopt, "a", "^@_irc_.*")}, hs).empty());  // url: null is a choice
  auto found = lint({reg("irc", "127.0.0.1:9999", "a", "^@_irc_.*")}, hs);
  REQUIRE(found.size() == 1);
  CHECK(found[0].status == Status::critical);
  CHECK(mentions(found, "no http:// or https:// scheme"));
  CHECK(mentions(lint({reg("irc", "http://127.0.0.1:8008/", "a", "^@_irc_.*")}, hs), "points at the homeserver itself"));
  found = lint({reg("irc", "http://b:1", "SAME", "^@_irc_.*"), reg("irc", "http://b:2", "SAME", "^@_slack_.*")}, hs);
  CHECK(mentions(found, "registered twice"));
  CHECK(mentions(found, "share one as_token"));
  for (const auto& f : found) CHECK(f.text.find("SAME") == std::string::npos);  // the token is never printed
  CHECK(mentions(lint({reg("irc", "http://b:1", "a", "@_irc_.*")}, hs), "not anchored"));
  found = lint({reg("irc", "http://b:1", "a", "^@_irc_.*"), reg("irc2", "http://b:2", "b", "^@_irc_libera_.*")}, hs);
  CHECK(mentions(found, "may overlap"));
  CHECK(lint({reg("irc", "http://b:1", "a", "^@_irc_.*"), reg("slack", "http://b:2", "b", "^@_slack_.*")}, hs).empty());
}

TEST_CASE("appservice lint helpers: literal prefix and host:port", "[appservice][registration]") {
  CHECK(literal_prefix("^@_irc_.*:example\\.org$") == "@_irc_");
  CHECK(literal_prefix("@_irc\\_x.*") == "@_irc_x");
  CHECK(literal_prefix("^@_ab?c") == "@_a");
  CHECK(host_port("http://Localhost:8008/x") == "127.0.0.1:8008");
  CHECK(host_port("https://matrix.example.org") == "matrix.example.org:443");
  CHECK(host_port("http://u:p@h:1/") == "h:1");
  CHECK(host_port("127.0.0.1:9999").empty());
}
