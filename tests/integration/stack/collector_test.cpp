// hsops-collector against a real PostgreSQL (the stack's primary): bad input is refused with
// a 4xx, nothing is stored and the server keeps serving; aggregates equal what the test
// computes; small version groups are suppressed; SIGTERM lets a request in flight finish.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <regex>

#include "collector_support.h"
#include "net/http.h"

using hsops::test::CollectorProcess;
using hsops::test::RawConnection;

namespace {

const char* kPush = "/report-usage-stats/push";
const char* kLimits = "limits:\n  header_timeout: 1s\n  read_timeout: 1s\n  rate_per_second: 2\n  rate_burst: 20\n";

long push(const CollectorProcess& c, const std::string& body, const std::string& type = "application/json",
          const std::string& agent = "Synapse/1.160.0") {
  hsops::net::Request r;
  r.method = "PUT";
  r.url = c.url(kPush);
  r.headers = {{"Content-Type", type}, {"User-Agent", agent}};
  r.body = body;
  r.deadlines.total = std::chrono::milliseconds(10000);
  auto res = hsops::net::perform(r);
  if (!res) {
    INFO(res.error().message);
    return 0;
  }
  return res->status;
}

nlohmann::json report(const std::string& name) {
  return {{"homeserver", name}, {"timestamp", 1790000000}, {"total_users", 10}, {"server_context", nullptr},
          {"database_engine", "psycopg2"}, {"daily_active_users", 2}};
}

void require_serving(const CollectorProcess& c) {
  auto health = hsops::net::get(c.url("/health"));
  REQUIRE(health.ok());
  CHECK(health->status == 200);
}

std::int64_t reports(const std::string& db) { return hsops::test::count_rows(db, "SELECT count(*) FROM reports"); }

}  // namespace

TEST_CASE("bad input is refused and nothing is stored") {
  const std::string db = hsops::test::fresh_database("hsops_collector_bad");
  CollectorProcess c("bad", db, kLimits);

  SECTION("invalid JSON wrong types negative counts and non-JSON content type") {
    CHECK(push(c, "{\"homeserver\": ") == 400);
    CHECK(push(c, "[]") == 400);
    auto wrong = report("a.example");
    wrong["total_users"] = "ten";
    CHECK(push(c, wrong.dump()) == 400);
    auto negative = report("a.example");
    negative["daily_active_users"] = -5;
    CHECK(push(c, negative.dump()) == 400);
    CHECK(push(c, report("a.example").dump(), "text/plain") == 415);
    CHECK(push(c, report("a.example").dump(), "application/x-www-form-urlencoded") == 415);
    CHECK(reports(db) == 0);
    require_serving(c);
  }

  SECTION("a 10 MB body is refused with 413") {
    CHECK(push(c, std::string(10 * 1024 * 1024, ' ')) == 413);
    CHECK(reports(db) == 0);
    require_serving(c);
  }

  SECTION("a body that never finishes is cut off with 408") {
    RawConnection conn(c.port());
    conn.send(std::string("PUT ") + kPush + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              "Content-Length: 500\r\n\r\n{\"homeserver\":");
    bool closed = false;
    const std::string answer = conn.receive_all(std::chrono::milliseconds(4000), &closed);
    CHECK(answer.rfind("HTTP/1.1 408", 0) == 0);
    CHECK(closed);
    CHECK(reports(db) == 0);
    require_serving(c);
  }

  SECTION("a request head that never finishes is cut off") {
    const auto start = std::chrono::steady_clock::now();
    RawConnection conn(c.port());
    conn.send(std::string("PUT ") + kPush + " HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    bool closed = false;
    (void)conn.receive_all(std::chrono::milliseconds(5000), &closed);
    CHECK(closed);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(3000));
    require_serving(c);
  }

  SECTION("a burst of 1000 requests from one client is rate limited") {
    const auto start = std::chrono::steady_clock::now();
    int accepted = 0, limited = 0, other = 0;
    for (int i = 0; i < 1000; ++i) {
      const long s = push(c, report("burst.example").dump());
      accepted += s == 200;
      limited += s == 429;
      other += s != 200 && s != 429;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO("1000 requests in " << seconds << " s");
    CHECK(other == 0);
    CHECK(accepted <= 20 + static_cast<int>(std::ceil(seconds * 2)) + 1);
    CHECK(limited >= 1000 - accepted);
    CHECK(reports(db) == accepted);  // every 200 is a stored row, no 429 is
    require_serving(c);
  }
  CHECK(c.running());
}

TEST_CASE("out of file descriptors the collector waits instead of spinning and serves again after") {
  const std::string db = hsops::test::fresh_database("hsops_collector_fds");
  // About 17 descriptors in use once it has served a push and /health: 32 runs out quickly.
  CollectorProcess c("fds", db, "", 32);
  REQUIRE(push(c, report("before.example").dump()) == 200);
  require_serving(c);
  {
    std::vector<std::unique_ptr<RawConnection>> flood;
    for (int i = 0; i < 40; ++i) flood.push_back(std::make_unique<RawConnection>(c.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // accept fails with EMFILE from here
    const double before = c.cpu_seconds();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double used = c.cpu_seconds() - before;
    INFO("collector CPU while out of descriptors: " << used << " s in 1 s");
    CHECK(used < 0.3);  // an accept retried at once keeps a core busy
    CHECK(c.running());
    // Said once (not once per retry), with what to do.
    const std::string log = c.log();
    CHECK(log.find("cannot accept connections: Too many open files") != std::string::npos);
    CHECK(log.find("raise LimitNOFILE") != std::string::npos);
    CHECK(log.find("cannot accept") == log.rfind("cannot accept"));
  }
  // The flood hangs up: its connections close, the backlog drains and pushes are served again.
  CHECK(push(c, report("after.example").dump()) == 200);
  CHECK(reports(db) == 2);
}

TEST_CASE("stores the pseudonym never the name") {
  const std::string db = hsops::test::fresh_database("hsops_collector_names");
  CollectorProcess c("names", db, kLimits);
  REQUIRE(push(c, report("Private-Name.example").dump()) == 200);
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM reports WHERE server_pseudonym ~ '^[0-9a-f]{64}$'") == 1);
  // No column of any row holds the name (case-insensitive), and no table has a name column.
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM reports r WHERE lower(r::text) LIKE '%private-name%'") == 0);
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'reports' "
                                    "AND column_name IN ('homeserver', 'server_context', 'remote_addr')") == 0);
  CHECK(c.log().find("Private-Name") == std::string::npos);
  CHECK(hsops::test::count_rows(db, "SELECT max(version) FROM schema_migrations") == 5);  // reports, daily views, stored daily aggregates, lighter indexes, public views
}

TEST_CASE("aggregates of 50 servers equal the test's sums and quantiles") {
  const std::string db = hsops::test::fresh_database("hsops_collector_agg");
  CollectorProcess c("agg", db, "limits:\n  rate_per_second: 10000\n  rate_burst: 10000\nk_anonymity: 5\n");
  std::vector<std::int64_t> users, dau;
  for (int i = 0; i < 50; ++i) {
    const std::string name = "server" + std::to_string(i) + ".example";
    auto early = report(name);
    early["total_users"] = 999999;  // superseded by the later report of the same day
    REQUIRE(push(c, early.dump()) == 200);
    auto body = report(name);
    body["total_users"] = (i * 37) % 101 + 1;
    body["daily_active_users"] = (i * 13) % 50;
    users.push_back(body["total_users"]);
    dau.push_back(body["daily_active_users"]);
    REQUIRE(push(c, body.dump(), "application/json", i < 3 ? "Synapse/1.150.0" : "Synapse/1.160.0") == 200);
  }
  auto metrics = hsops::net::get(c.url("/metrics"));
  REQUIRE(metrics.ok());
  REQUIRE(metrics->status == 200);
  const std::string text = metrics->body;
  INFO(text);
  auto value = [&](const std::string& series) -> double {
    const auto pos = text.find("\n" + series + " ");  // a sample line, not # HELP / # TYPE
    if (pos == std::string::npos) return -1;
    return std::stod(text.substr(pos + series.size() + 2));
  };
  auto rank = [](std::vector<std::int64_t> v, double q) {
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1]);
  };
  auto sum = [](const std::vector<std::int64_t>& v) { std::int64_t s = 0; for (auto x : v) s += x; return static_cast<double>(s); };
  CHECK(value("hsops_ecosystem_servers") == 50);
  CHECK(value("hsops_ecosystem_figure_sum{figure=\"total_users\"}") == sum(users));
  CHECK(value("hsops_ecosystem_figure_sum{figure=\"daily_active_users\"}") == sum(dau));
  for (double q : {0.5, 0.9, 0.99}) {
    std::ostringstream label;
    label << q;
    CHECK(value("hsops_ecosystem_figure_quantile{figure=\"total_users\",quantile=\"" + label.str() + "\"}") == rank(users, q));
    CHECK(value("hsops_ecosystem_figure_quantile{figure=\"daily_active_users\",quantile=\"" + label.str() + "\"}") == rank(dau, q));
  }
  CHECK(value("hsops_ecosystem_servers_by_version{version=\"1.160.0\"}") == 47);
  CHECK(text.find("1.150.0") == std::string::npos);  // 3 servers < k = 5: suppressed
  CHECK(value("hsops_ecosystem_servers_by_database_engine{engine=\"psycopg2\"}") == 50);
  // The daily view counts each server once per day as well.
  CHECK(hsops::test::count_rows(db, "SELECT servers FROM daily_aggregates") == 50);
  CHECK(hsops::test::count_rows(db, "SELECT total_users FROM daily_aggregates") == static_cast<std::int64_t>(sum(users)));
}

TEST_CASE("SIGTERM lets a request in flight finish and commits it") {
  const std::string db = hsops::test::fresh_database("hsops_collector_stop");
  CollectorProcess c("stop", db, "limits:\n  read_timeout: 5s\nshutdown_grace: 10s\n");
  const std::string body = report("inflight.example").dump();
  RawConnection conn(c.port());
  conn.send(std::string("PUT ") + kPush + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  c.terminate();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  conn.send(body.substr(10));
  bool closed = false;
  const std::string answer = conn.receive_all(std::chrono::milliseconds(3000), &closed);
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(c.wait(std::chrono::milliseconds(5000)) == 0);
  CHECK(reports(db) == 1);
}

TEST_CASE("hsops report-stats push reaches the collector anonymised") {
  const std::string db = hsops::test::fresh_database("hsops_collector_push");
  CollectorProcess c("push", db, "");
  const auto dir = std::filesystem::temp_directory_path() / ("hsops-report-stats-it-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string synapse_db = hsops::test::stack_env().get("HSOPS_PG_SYNAPSE_DB");
  const std::string server = hsops::test::stack_env().get("HSOPS_SYNAPSE_SERVER_NAME");
  {
    std::ofstream config(dir / "hsops.yaml");
    config << "state_dir: " << (dir / "state").string() << "\nreport_stats:\n  server_name: " << server
           << "\n  database:\n    conninfo: \"" << synapse_db << "\"\n  endpoint: " << c.url(kPush)
           << "\n  anonymise: true\n";
  }
  const std::string hsops = std::string(HSOPS_BINARY_DIR) + "/cmd/hsops/hsops";
  const std::string base = "timeout 60 " + hsops + " --config " + (dir / "hsops.yaml").string() + " report-stats ";
  // --dry-run prints the exact body; the pseudonym replaces the name.
  const std::string dry_out = (dir / "dry.json").string();
  REQUIRE(std::system((base + "push --dry-run > " + dry_out).c_str()) == 0);
  const auto body = nlohmann::json::parse(hsops::test::read_file(dry_out));
  CHECK(body["homeserver"].get<std::string>().size() == 64);
  CHECK(hsops::test::read_file(dry_out).find(server) == std::string::npos);
  REQUIRE(std::system((base + "push > " + (dir / "push.out").string()).c_str()) == 0);
  CHECK(reports(db) == 1);
  CHECK(hsops::test::count_rows(db, "SELECT total_users FROM reports") == body["total_users"].get<std::int64_t>());
  std::filesystem::remove_all(dir);
}

TEST_CASE("concurrent pushes are group-committed and every 200 is a stored row") {
  const std::string db = hsops::test::fresh_database("hsops_collector_concurrent");
  CollectorProcess c("concurrent", db, "limits:\n  rate_per_second: 100000\n  rate_burst: 100000\nthreads: 8\n");
  std::atomic<int> ok{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) ok += push(c, report("s" + std::to_string(t) + "-" + std::to_string(i) + ".example").dump()) == 200;
    });
  }
  for (auto& s : senders) s.join();
  CHECK(ok == 200);
  CHECK(reports(db) == 200);
  CHECK(hsops::test::count_rows(db, "SELECT count(DISTINCT server_pseudonym) FROM reports") == 200);
}
