#include <catch2/catch.hpp>

#include "stats/report.h"

using hsops::stats::parse_report;
using hsops::stats::invalid_from;

namespace {

nlohmann::json synapse_body() {
  // The shape a real Synapse 1.160 sends (docs/report-stats.md).
  return nlohmann::json::parse(R"({
    "homeserver": "hsops.test", "server_context": null, "timestamp": 1790000000, "uptime_seconds": 300,
    "python_version": "3.13.5", "memory_rss": 123456, "cpu_average": 3, "total_users": 4,
    "total_nonbridged_users": 3, "daily_user_type_native": 2, "daily_user_type_guest": 0,
    "daily_user_type_bridged": 1, "total_room_count": 2, "daily_active_users": 2, "monthly_active_users": 2,
    "daily_active_rooms": 1, "daily_active_e2ee_rooms": 0, "daily_messages": 5, "daily_sent_messages": 5,
    "daily_e2ee_messages": 0, "daily_sent_e2ee_messages": 0, "r30v2_users_all": 0, "r30v2_users_android": 0,
    "r30v2_users_ios": 0, "r30v2_users_electron": 0, "r30v2_users_web": 0, "cache_factor": 0.5,
    "event_cache_size": 10240, "database_engine": "psycopg2", "database_server_version": "15.10",
    "log_level": "INFO"})");
}

std::string field_of(const nlohmann::json& body) {
  auto r = parse_report(body.dump());
  REQUIRE_FALSE(r.ok());
  return invalid_from(r.error()).field;
}

}  // namespace

TEST_CASE("a Synapse body is accepted with all 31 fields") {
  auto r = parse_report(synapse_body().dump());
  REQUIRE(r.ok());
  CHECK(r->fields.size() == 31);
  CHECK(r->homeserver() == "hsops.test");
  CHECK(r->count("daily_messages") == 5);
}

TEST_CASE("unknown fields are dropped not stored") {
  auto body = synapse_body();
  body["evil"] = "x";
  body["r30_users_all"] = 3;
  auto r = parse_report(body.dump());
  REQUIRE(r.ok());
  CHECK_FALSE(r->has("evil"));
  CHECK_FALSE(r->has("r30_users_all"));
}

TEST_CASE("invalid JSON and non-objects are rejected as a whole") {
  for (const char* body : {"", "{", "[1]", "\"x\"", "null", "{\"homeserver\": \"a\"} trailing"}) {
    auto r = parse_report(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == "json");
    CHECK(invalid_from(r.error()).field.empty());
  }
}

TEST_CASE("wrong types name the field") {
  auto body = synapse_body();
  body["total_users"] = "4";
  CHECK(field_of(body) == "total_users");
  body = synapse_body();
  body["daily_messages"] = 1.5;
  CHECK(field_of(body) == "daily_messages");
  body = synapse_body();
  body["homeserver"] = 7;
  CHECK(field_of(body) == "homeserver");
  body = synapse_body();
  body["cache_factor"] = "0.5";
  CHECK(field_of(body) == "cache_factor");
  body = synapse_body();
  body["log_level"] = nullptr;
  CHECK(field_of(body) == "log_level");
}

TEST_CASE("negative and huge counts are rejected") {
  auto body = synapse_body();
  body["daily_active_users"] = -1;
  CHECK(field_of(body) == "daily_active_users");
  body = synapse_body();
  body["total_users"] = 18446744073709551615ULL;
  CHECK(field_of(body) == "total_users");
  body = synapse_body();
  body["timestamp"] = 99999999999LL;
  CHECK(field_of(body) == "timestamp");
}

TEST_CASE("string lengths and control characters are checked") {
  auto body = synapse_body();
  body["homeserver"] = std::string(256, 'a');
  CHECK(field_of(body) == "homeserver");
  body = synapse_body();
  body["homeserver"] = "";
  CHECK(field_of(body) == "homeserver");
  body = synapse_body();
  body["log_level"] = "INFO\nforged";
  CHECK(field_of(body) == "log_level");
}

TEST_CASE("required fields are required and optional ones may be absent") {
  auto body = synapse_body();
  body.erase("homeserver");
  CHECK(field_of(body) == "homeserver");
  auto minimal = parse_report(R"({"homeserver":"a.example","timestamp":1,"total_users":0})");
  REQUIRE(minimal.ok());
  CHECK(minimal->fields.size() == 3);
}

TEST_CASE("invalid UTF-8 is not JSON") {
  auto r = parse_report("{\"homeserver\":\"\xff\xfe\",\"timestamp\":1,\"total_users\":0}");
  REQUIRE_FALSE(r.ok());
}

TEST_CASE("the streaming reader keeps top-level known fields only, whatever nests") {
  auto body = synapse_body();
  body["extra"] = {{"total_users", 99}, {"deep", {1, 2, {{"homeserver", "x"}}}}};
  body["list"] = {1, "total_users", nullptr};
  auto r = parse_report(body.dump());
  REQUIRE(r.ok());
  CHECK(r->count("total_users") == 4);
  CHECK(r->homeserver() == "hsops.test");
  CHECK(r->fields.size() == 31);
}

TEST_CASE("a known field holding an object or array is a type error") {
  auto body = synapse_body();
  body["total_users"] = {{"n", 4}};
  CHECK(field_of(body) == "total_users");
  body = synapse_body();
  body["homeserver"] = {"a.example"};
  CHECK(field_of(body) == "homeserver");
  body = synapse_body();
  body["server_context"] = nlohmann::json::object();
  CHECK(field_of(body) == "server_context");
}

TEST_CASE("the first problem in field order is named, and syntax errors win over field errors") {
  // total_users comes before daily_messages in the field list, whatever the body's order.
  auto r = parse_report(R"({"daily_messages":-1,"homeserver":"a","timestamp":1,"total_users":"x"})");
  REQUIRE_FALSE(r.ok());
  CHECK(invalid_from(r.error()).field == "total_users");
  r = parse_report(R"({"homeserver":7,"timestamp":1,"total_users":0,)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == "json");
}

TEST_CASE("a repeated key counts with its last value, as in a parse into a tree") {
  auto r = parse_report(R"({"homeserver":"a","timestamp":1,"total_users":-5,"total_users":3})");
  REQUIRE(r.ok());
  CHECK(r->count("total_users") == 3);
}

TEST_CASE("numbers keep their kind: a whole cache_factor stays whole, a big count unsigned") {
  auto r = hsops::stats::parse_report_row(
      R"({"homeserver":"a","timestamp":1,"total_users":9007199254740992,"cache_factor":2})");
  REQUIRE(r.ok());
  CHECK(r->to_json()["cache_factor"].is_number_integer());
  CHECK(r->to_json()["total_users"].get<std::uint64_t>() == 9007199254740992ULL);
  CHECK(r->homeserver() == "a");
  auto row = std::move(r).value();
  row.drop("homeserver");
  CHECK(row.homeserver().empty());
  CHECK_FALSE(row.to_json().contains("homeserver"));
}
