#include <catch2/catch.hpp>

#include "stats/collector/ingest.h"
#include "stats/pseudonym.h"

using namespace hsops::stats;

namespace {

// In-memory store: what the handler would have written.
class MemoryStore : public ReportStore {
 public:
  std::vector<StoredReport> rows;
  bool fail = false;
  hsops::Result<bool> insert(const StoredReport& r) override {
    if (fail) return hsops::Error{hsops::ErrorKind::connect, "down"};
    rows.push_back(r);
    return true;
  }
  hsops::Result<std::vector<ServerFigures>> latest_per_server() override { return std::vector<ServerFigures>{}; }
  hsops::Result<std::int64_t> purge_older_than(int) override { return std::int64_t{0}; }
  hsops::Result<bool> healthy() override { return true; }
};

HttpRequest push(std::string body, std::string type = "application/json") {
  return HttpRequest{"PUT", "/report-usage-stats/push", std::move(type), "Synapse/1.160.0", std::move(body), "127.0.0.1"};
}

const std::string kSecret = "0123456789abcdef0123456789abcdef";
const std::string kBody = R"({"homeserver":"secret-name.example","timestamp":1790000000,"total_users":3})";

}  // namespace

TEST_CASE("a valid push is stored under the pseudonym only") {
  MemoryStore store;
  RateLimiter limiter(100, 100);
  Ingest ingest(store, limiter, kSecret, 5);
  const auto r = ingest.handle(push(kBody));
  CHECK(r.status == 200);
  CHECK(r.body == "{}");
  REQUIRE(store.rows.size() == 1);
  CHECK(store.rows[0].pseudonym == pseudonym(kSecret, "secret-name.example"));
  CHECK(store.rows[0].server_version == "1.160.0");
  CHECK(store.rows[0].report.to_json().dump().find("secret-name") == std::string::npos);
}

TEST_CASE("bad requests are answered 4xx and nothing is stored") {
  MemoryStore store;
  RateLimiter limiter(100, 100);
  Ingest ingest(store, limiter, kSecret, 5);
  CHECK(ingest.handle(push("{nope")).status == 400);
  auto wrong = ingest.handle(push(R"({"homeserver":"a","timestamp":1,"total_users":-3})"));
  CHECK(wrong.status == 400);
  CHECK(nlohmann::json::parse(wrong.body)["field"] == "total_users");
  CHECK(ingest.handle(push(kBody, "text/plain")).status == 415);
  CHECK(ingest.handle(push(kBody, "application/x-www-form-urlencoded")).status == 415);
  auto get = push(kBody);
  get.method = "DELETE";
  CHECK(ingest.handle(get).status == 405);
  CHECK(store.rows.empty());
  CHECK(ingest.counters().invalid == 2);
}

TEST_CASE("POST works and the content type may carry charset") {
  MemoryStore store;
  RateLimiter limiter(100, 100);
  Ingest ingest(store, limiter, kSecret, 5);
  auto req = push(kBody, "Application/JSON; charset=utf-8");
  req.method = "POST";
  CHECK(ingest.handle(req).status == 200);
  CHECK(store.rows.size() == 1);
}

TEST_CASE("a burst from one client is rate limited") {
  MemoryStore store;
  RateLimiter limiter(0.01, 5);
  Ingest ingest(store, limiter, kSecret, 5);
  int limited = 0;
  for (int i = 0; i < 20; ++i) limited += ingest.handle(push(kBody)).status == 429;
  CHECK(limited == 15);
  CHECK(store.rows.size() == 5);
}

TEST_CASE("a store failure is a 503 not an acknowledgement") {
  MemoryStore store;
  store.fail = true;
  RateLimiter limiter(100, 100);
  Ingest ingest(store, limiter, kSecret, 5);
  CHECK(ingest.handle(push(kBody)).status == 503);
}

TEST_CASE("helpers: content type and version") {
  CHECK(is_json_content_type("application/json"));
  CHECK_FALSE(is_json_content_type("application/jsonx"));
  CHECK_FALSE(is_json_content_type("application/json; charset=latin1"));
  CHECK(synapse_version("Synapse/1.160.0 (b=main)") == "1.160.0");
  CHECK(synapse_version("curl/8") == "unknown");
  CHECK(synapse_version("Synapse/\"bad") == "unknown");
}
