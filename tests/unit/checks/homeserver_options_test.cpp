#include <catch2/catch.hpp>

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
