// The real Synapse pushes its report-stats to hsops-collector, and `hsops report-stats
// collect` computes the same figures from the same database. Synapse's first push comes 5
// minutes after it starts (then every 3 hours), so this test brings up its own small stack
// (HSOPS_STACK_DIR under /tmp, its own ports, report_stats: true, the endpoint pointing at a
// collector this test started first), waits up to 7 minutes, and takes that stack down.
// The shared stack is only used for the collector's database.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "collector_support.h"

namespace {

// Runs a shell command with a hard deadline (coreutils timeout kills it); returns its status.
int sh(const std::string& command, int seconds) {
  return std::system(("timeout -s KILL " + std::to_string(seconds) + " sh -c '" + command + "'").c_str());
}

}  // namespace

TEST_CASE("a real Synapse push is stored under the pseudonym and matches collect") {
  const std::string db = hsops::test::fresh_database("hsops_collector_synapse");
  hsops::test::CollectorProcess c("synapse", db, "");
  const std::string dir = "/tmp/hsops-report-stats-stack-" + std::to_string(::getpid());
  const std::string stack = std::string(HSOPS_SOURCE_DIR) + "/tests/harness/stack";
  // A shell that sourced the shared stack's env has its ports exported: the harness would take
  // them as explicit requests (and refuse them, taken), so the private stack forgets them.
  std::string env = "env";
  for (const char* port : {"PG_PRIMARY", "PG_STANDBY", "SYNAPSE", "SYNAPSE_METRICS", "SYNAPSE_SPARE",
                           "SYNAPSE_SPARE_METRICS", "IRC", "IRC_TLS", "BRIDGE", "BRIDGE_ADMIN"}) {
    env += std::string(" -u HSOPS_") + port + "_PORT";
  }
  env += " HSOPS_STACK_DIR=" + dir + " HSOPS_STACK_PORT_BASE=27432 HSOPS_SYNAPSE_REPORT_STATS=true "
                          "HSOPS_SYNAPSE_REPORT_STATS_ENDPOINT=" + c.url("/report-usage-stats/push");
  struct Down {  // the private stack goes down (and its files go) on every path
    std::string command;
    ~Down() { sh(command, 180); }
  } down{env + " " + stack + " down >/dev/null 2>&1; rm -rf " + dir + " " + dir + ".lock " + dir + ".log"};
  const int up = sh(env + " " + stack + " up > " + dir + ".log 2>&1", 900);
  if (up != 0) {
    std::ifstream log(dir + ".log");  // deleted with the stack: show why it did not come up
    FAIL_CHECK("private stack up failed:\n" << std::string(std::istreambuf_iterator<char>(log), {}));
  }
  REQUIRE(up == 0);
  const auto stack_env = hsops::test::StackEnv::load(dir + "/env");
  REQUIRE(stack_env.has_value());
  const std::string server = stack_env->get("HSOPS_SYNAPSE_SERVER_NAME");

  // Up to 7 minutes for the first push (Synapse sends it 5 minutes after start).
  std::int64_t rows = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(7);
  while (rows == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    rows = hsops::test::count_rows(db, "SELECT count(*) FROM reports");
  }
  INFO(c.log());
  REQUIRE(rows == 1);
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM reports WHERE server_pseudonym ~ '^[0-9a-f]{64}$'") == 1);
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM reports r WHERE r::text LIKE '%" + server + "%'") == 0);
  CHECK(hsops::test::count_rows(db, "SELECT count(*) FROM reports WHERE server_version ~ '^[0-9]'") == 1);

  // collect against the same database right after the push: the stack is idle, so every
  // count Synapse sent must come out the same.
  const std::string config = dir + "/report-stats.yaml";
  {
    std::ofstream out(config);
    out << "report_stats:\n  server_name: " << server << "\n  database:\n    conninfo: \""
        << stack_env->get("HSOPS_PG_SYNAPSE_DB") << "\"\n";
  }
  const std::string json = dir + "/collect.json";
  REQUIRE(sh(std::string(HSOPS_BINARY_DIR) + "/cmd/hsops/hsops --config " + config +
                 " report-stats collect --format json > " + json, 60) == 0);
  const auto collected = nlohmann::json::parse(hsops::test::read_file(json));
  auto conn = hsops::pg::Connection::open(db);
  REQUIRE(conn.ok());
  for (const char* figure :
       {"total_users", "total_nonbridged_users", "daily_user_type_native", "daily_user_type_guest",
        "daily_user_type_bridged", "total_room_count", "daily_active_users", "monthly_active_users",
        "daily_active_rooms", "daily_active_e2ee_rooms", "daily_messages", "daily_sent_messages",
        "daily_e2ee_messages", "daily_sent_e2ee_messages", "r30v2_users_all", "r30v2_users_android",
        "r30v2_users_ios", "r30v2_users_electron", "r30v2_users_web"}) {
    auto stored = conn.value().query(std::string("SELECT ") + figure + " FROM reports");
    REQUIRE(stored.ok());
    INFO(figure);
    CHECK(std::stoll(stored->rows.at(0).at(0).value_or("-1")) == collected.at(figure).get<std::int64_t>());
  }
  auto engine = conn.value().query("SELECT database_engine, database_server_version FROM reports");
  REQUIRE(engine.ok());
  CHECK(engine->rows.at(0).at(0).value_or("") == collected.at("database_engine").get<std::string>());
  CHECK(engine->rows.at(0).at(1).value_or("") == collected.at("database_server_version").get<std::string>());
}
