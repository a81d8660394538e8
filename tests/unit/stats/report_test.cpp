#include <catch2/catch.hpp>

#include <cstring>

#include "stats/report.h"

using hsops::stats::parse_report;

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
  return r.error().field;
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
    CHECK(r.error().field.empty());
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
  CHECK(r.error().field == "total_users");
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

namespace {

int refused = 0;  // bodies the fast reader handed to the reference reader

// Same outcome from both readers: the same error, or the same value of every slot.
void require_same_as_reference(const std::string& body) {
  using hsops::stats::read_report_row;
  using hsops::stats::RowReaders;
  INFO("body: " << body);
  const auto fast = read_report_row(body, RowReaders::fast_first);
  const auto reference = read_report_row(body, RowReaders::reference_only);
  REQUIRE(fast.ok() == reference.ok());
  const auto fast_alone = read_report_row(body, RowReaders::fast_only);
  if (!fast_alone.ok() && fast_alone.error().kind == "refused") ++refused;
  if (!fast.ok()) {
    CHECK(fast.error().kind == reference.error().kind);
    CHECK(fast.error().message() == reference.error().message());
    return;
  }
  for (std::size_t i = 0; i < fast->values.size(); ++i) {
    const auto& a = fast->values[i];
    const auto& b = reference->values[i];
    INFO("field " << hsops::stats::report_fields()[i].name);
    CHECK(a.kind == b.kind);
    CHECK(a.integer == b.integer);
    CHECK(a.unsigned_integer == b.unsigned_integer);
    CHECK(std::memcmp(&a.number, &b.number, sizeof a.number) == 0);
    CHECK(a.text == b.text);
  }
}

}  // namespace

TEST_CASE("the fast reader gives what the reference reader gives, refusals included") {
  const std::string base = R"("homeserver":"a.example","timestamp":1790000000,"total_users":3)";
  for (const std::string extra : {
           R"("cache_factor":0.5)", R"("cache_factor":2)", R"("cache_factor":1e2)", R"("cache_factor":-0)",
           R"("cache_factor":-0.0)", R"("cache_factor":1e400)", R"("cache_factor":1.5e-320)",
           R"("daily_messages":9223372036854775807)", R"("daily_messages":9223372036854775808)",
           R"("daily_messages":18446744073709551616)", R"("daily_messages":-9223372036854775809)",
           R"("daily_messages":-1)", R"("daily_messages":true)", R"("daily_messages":[1])",
           R"("daily_messages":{"a":1})", R"("daily_messages":null)", R"("server_context":"a\u0000b")",
           R"("server_context":"\ud800")", R"("server_context":"\udc00\ud800")", R"("server_context":"\ud83d\ude00")",
           R"("server_context":"caf\u00e9")", R"("log_level":"INFO","log_level":7)",
           // A repeated key: the last value wins, nothing of the first one stays behind.
           R"("daily_messages":-1,"daily_messages":-0)", R"("cache_factor":"x","cache_factor":0.5)",
           R"("daily_messages":[1],"daily_messages":2)", R"("x":[[[[[[[[[[1]]]]]]]]]])",
       }) {
    require_same_as_reference("{" + base + "," + extra + "}");
  }
  for (const std::string& body : {std::string(""), std::string("[]"), std::string("1"), std::string("{} x"),
                                 std::string("\xEF\xBB\xBF{" + base + "}"), std::string("{" + base + "\xff}"),
                                 std::string("{\"server_context\":\"\xC3\"," + base + "}"), std::string(" {" + base + "} "),
                                 std::string(2000, '[') + std::string(2000, ']'), "{" + base + ",}", "{" + base}) {
    require_same_as_reference(body);
  }
  // The fast reader really takes the common bodies: a Synapse push, a field error.
  CHECK(hsops::stats::read_report_row(synapse_body().dump(), hsops::stats::RowReaders::fast_only).ok());
  auto negative = synapse_body();
  negative["daily_messages"] = -1;
  const auto rejected = hsops::stats::read_report_row(negative.dump(), hsops::stats::RowReaders::fast_only);
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().message() == "daily_messages: must not be negative");
  // ... and hands over what it cannot read as the reference does: 64-bit overflow, bad UTF-8,
  // deep nesting, a BOM, syntax errors, non-objects.
  CHECK(refused >= 8);
}

// The field travels as a field from the validator to the 400 body, never packed into a message
// and split apart again; only the operator-facing message() joins them.
TEST_CASE("a rejected body carries kind, field and problem as fields") {
  auto negative = synapse_body();
  negative["daily_messages"] = -1;
  const auto field = parse_report(negative.dump());
  REQUIRE_FALSE(field.ok());
  CHECK(field.error().kind == "field");
  CHECK(field.error().field == "daily_messages");
  CHECK(field.error().problem == "must not be negative");
  CHECK(field.error().message() == "daily_messages: must not be negative");
  CHECK(field.error().to_json() ==
        nlohmann::json{{"error", "invalid_field"}, {"field", "daily_messages"}, {"message", "must not be negative"}});
  const auto body = parse_report("[1]");
  REQUIRE_FALSE(body.ok());
  CHECK(body.error().kind == "json");
  CHECK(body.error().field.empty());
  CHECK(body.error().message() == "the body must be a JSON object");
  CHECK(body.error().to_json()["error"] == "invalid_body");
}
