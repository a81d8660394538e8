// Ecosystem history for Grafana against the stack's PostgreSQL: a database owned and migrated by
// the stack's collector role (CREATEROLE, not a superuser), reports over four UTC days rolled up,
// then read as hsops_grafana (a member of hsops_stats_reader, $HSOPS_STATS_READER): every SQL
// query of every dashboard runs and returns rows; the tables behind the public_daily_* views are
// out of reach; breakdown groups and figures under k never show; k follows publication_settings;
// a reader's own condition cannot probe hidden rows; the collector publishes its k_anonymity.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "collector_support.h"
#include "stats/collector/rollup.h"
#include "stats/collector/store.h"

using hsops::pg::Connection;
using hsops::test::stack_env;
namespace fs = std::filesystem;

namespace {

Connection open(const std::string& conninfo) {
  auto db = Connection::open(conninfo);
  INFO((db.ok() ? std::string() : db.error().message));
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::string with_database(const std::string& conninfo, const std::string& name) {
  return std::regex_replace(conninfo, std::regex("dbname=\\S+"), "dbname=" + name);
}

// The conninfos of one test database: superuser, the collector's role, Grafana's role.
struct Database {
  std::string admin;
  std::string collector;
  std::string reader;
};

// Owned by the stack's collector role and migrated by it, as in production: the views belong
// to that role, so the reader reads them with its rights.
Database collector_database(const std::string& name) {
  Database d;
  d.admin = hsops::test::fresh_database(name);
  REQUIRE(open(d.admin).query("ALTER DATABASE " + name + " OWNER TO hsops_collector").ok());
  const std::string password = hsops::test::read_file(stack_env().get("HSOPS_STACK_DIR") + "/secrets/pg-collector.password");
  d.collector = "host=127.0.0.1 port=" + stack_env().get("HSOPS_PG_PRIMARY_PORT") + " user=hsops_collector dbname=" + name +
                " password=" + password.substr(0, password.find('\n'));
  d.reader = with_database(stack_env().get("HSOPS_STATS_READER"), name);
  auto db = open(d.collector);
  auto version = hsops::stats::migrate(db);
  INFO((version.ok() ? std::string() : version.error().message));
  REQUIRE(version.ok());
  REQUIRE(*version == hsops::stats::migrations().back().version);
  return d;
}

void set_k(const Database& d, int k) {
  auto db = open(d.collector);
  auto state = hsops::stats::publish_settings(db, k);
  INFO((state.ok() ? std::string() : state.error().message));
  REQUIRE(state.ok());
  CHECK(state->reader_role);
}

struct Server {
  std::string version;
  std::string engine;
  bool e2ee = false;  // reports daily_e2ee_messages (2 servers: hidden at k = 3)
};

// Versions 4 x 1.160.0, 2 x 1.150.0, 1 x 1.140.0; engines 6 x psycopg2, 1 x sqlite3.
const std::vector<Server> kServers = {
    {"1.160.0", "psycopg2", true}, {"1.160.0", "psycopg2", true}, {"1.160.0", "psycopg2"}, {"1.160.0", "psycopg2"},
    {"1.150.0", "psycopg2"},       {"1.150.0", "psycopg2"},       {"1.140.0", "sqlite3"},
};

void insert(Connection& db, const std::string& days_ago, int index) {
  const Server& s = kServers.at(static_cast<std::size_t>(index));
  const std::string n = std::to_string(index + 1);
  auto r = db.query(
      "INSERT INTO reports (received_at, day, server_pseudonym, server_version, timestamp, total_users, "
      "total_nonbridged_users, daily_active_users, monthly_active_users, r30v2_users_all, total_room_count, "
      "daily_active_rooms, daily_active_e2ee_rooms, daily_messages, daily_sent_messages, daily_e2ee_messages, "
      "daily_sent_e2ee_messages, database_engine) "
      "SELECT (d + time '03:00') AT TIME ZONE 'UTC', d, $2, $3, 1790000000, 100 * $4::int, 90 * $4::int, 10 * $4::int, "
      "40 * $4::int, 5 * $4::int, 7 * $4::int, 3 * $4::int, $4::int, 50 * $4::int, 20 * $4::int, "
      "CASE WHEN $5 THEN 9 * $4::int END, CASE WHEN $5 THEN 4 * $4::int END, $6 "
      "FROM (SELECT (now() AT TIME ZONE 'UTC')::date - $1::int AS d) day",
      {days_ago, "pseudonym-" + n, s.version, n, s.e2ee ? "true" : "false", s.engine});
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
}

// Days 3, 2 and 1 ago: all seven servers. Day 4 ago: two servers (under k = 3).
Database populated(const std::string& name, int k) {
  Database d = collector_database(name);
  auto db = open(d.collector);
  for (const char* days_ago : {"3", "2", "1"}) {
    for (int s = 0; s < static_cast<int>(kServers.size()); ++s) insert(db, days_ago, s);
  }
  insert(db, "4", 0);
  insert(db, "4", 6);
  auto run = hsops::stats::roll_up(db, 400);
  INFO((run.ok() ? std::string() : run.error().message));
  REQUIRE(run.ok());
  REQUIRE(run->days.size() == 4);
  set_k(d, k);
  return d;
}

hsops::pg::Rows rows(Connection& db, const std::string& sql) {
  auto r = db.query(sql);
  INFO(sql);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::int64_t one(Connection& db, const std::string& sql) {
  const auto r = rows(db, sql);
  REQUIRE(r.rows.size() == 1);
  return std::stoll(r.rows[0][0].value_or("-1"));
}

// Grafana's macros as Grafana would expand them for a range covering every stored day.
std::string expand_macros(const std::string& sql) {
  const std::string from = "'2000-01-01T00:00:00Z'", to = "'2100-01-01T00:00:00Z'";
  std::string out = std::regex_replace(sql, std::regex(R"(\$__timeFilter\(([^)]+)\))"), "$1 BETWEEN " + from + " AND " + to);
  out = std::regex_replace(out, std::regex(R"(\$__timeGroupAlias\(([^,]+),[^)]*\))"), "$1 AS time");
  out = std::regex_replace(out, std::regex(R"(\$__timeGroup\(([^,]+),[^)]*\))"), "$1");
  out = std::regex_replace(out, std::regex(R"(\$__timeFrom\(\))"), from);
  return std::regex_replace(out, std::regex(R"(\$__timeTo\(\))"), to);
}

struct Query {
  std::string where;  // dashboard file and panel title
  std::string sql;
};

void collect_queries(const nlohmann::json& panels, const std::string& file, std::vector<Query>& out) {
  for (const auto& panel : panels) {
    if (panel.contains("panels")) collect_queries(panel["panels"], file, out);  // panels of a collapsed row
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel["targets"]) {
      if (target.contains("rawSql")) out.push_back({file + ": " + panel.value("title", "?"), target["rawSql"]});
    }
  }
}

std::vector<Query> dashboard_queries() {
  std::vector<Query> out;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const auto dashboard = nlohmann::json::parse(hsops::test::read_file(entry.path()));
    collect_queries(dashboard.value("panels", nlohmann::json::array()), entry.path().filename().string(), out);
  }
  return out;
}

std::set<std::string> values(Connection& db, const std::string& dimension) {
  std::set<std::string> out;
  for (const auto& row : rows(db, "SELECT DISTINCT value FROM public_daily_breakdowns WHERE dimension = '" + dimension + "'").rows) {
    out.insert(row[0].value_or(""));
  }
  return out;
}

}  // namespace

TEST_CASE("every SQL query of the dashboards runs as the reader and returns rows") {
  const Database d = populated("hsops_history_dashboards", 3);
  auto reader = open(d.reader);
  const auto queries = dashboard_queries();
  CHECK(queries.size() >= 8);  // the ecosystem dashboard's history row
  for (const auto& q : queries) {
    const std::string sql = expand_macros(q.sql);
    INFO(q.where << "\n" << sql);
    CHECK(sql.find('$') == std::string::npos);  // a macro or variable this test does not expand
    auto r = reader.query(sql);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    CHECK(r->rows.size() >= 1);
  }
}

TEST_CASE("the reader role reads the public views and nothing behind them") {
  const Database d = populated("hsops_history_privileges", 3);
  auto reader = open(d.reader);
  CHECK(one(reader, "SELECT (current_user = 'hsops_grafana' AND pg_has_role('hsops_stats_reader', 'MEMBER'))::int") == 1);
  for (const char* view : {"public_daily_totals", "public_daily_figures", "public_daily_breakdowns"}) {
    CHECK(one(reader, std::string("SELECT count(*) FROM ") + view) > 0);
  }
  for (const char* relation : {"reports", "daily_figures", "daily_totals", "daily_breakdowns", "publication_settings",
                               "daily_server_reports", "daily_aggregates", "schema_migrations"}) {
    INFO(relation);
    auto r = reader.query(std::string("SELECT * FROM ") + relation);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("permission denied") != std::string::npos);
  }
  // Nor may it change what the views show.
  auto update = reader.query("UPDATE publication_settings SET k_anonymity = 2");
  CHECK_FALSE(update.ok());
}

TEST_CASE("groups and figures under k never appear in the public views") {
  const Database d = populated("hsops_history_k", 3);
  auto reader = open(d.reader);
  CHECK(one(reader, "SELECT min(servers) FROM public_daily_breakdowns") >= 3);
  CHECK(one(reader, "SELECT min(servers) FROM public_daily_figures") >= 3);
  // 1.150.0 (2 servers) and 1.140.0 (1) are pooled: 3 servers, so the pool is shown.
  CHECK(values(reader, "version") == std::set<std::string>{"1.160.0", "suppressed"});
  CHECK(one(reader, "SELECT count(*) FROM public_daily_breakdowns WHERE dimension = 'version' AND value = 'suppressed' "
                    "AND servers = 3") == 3);
  // sqlite3 (1 server) alone in its pool: under k, not shown at all.
  CHECK(values(reader, "database_engine") == std::set<std::string>{"psycopg2"});
  // Day 4 ago had two servers; e2ee messages come from two servers a day.
  CHECK(one(reader, "SELECT count(*) FROM public_daily_totals") == 3);
  CHECK(one(reader, "SELECT count(*) FROM public_daily_figures WHERE figure LIKE '%e2ee_messages'") == 0);
  CHECK(one(reader, "SELECT count(*) FROM public_daily_figures WHERE figure = 'total_users' AND servers = 7 AND sum = 2800") == 3);
}

TEST_CASE("changing k in publication_settings changes what the views show") {
  const Database d = populated("hsops_history_change_k", 3);
  auto reader = open(d.reader);
  set_k(d, 2);
  // 1.140.0 alone is under k; on day 4 it pools with 1.160.0 (1 server that day) into 2.
  CHECK(values(reader, "version") == std::set<std::string>{"1.150.0", "1.160.0", "suppressed"});
  CHECK(one(reader, "SELECT count(*) FROM public_daily_breakdowns WHERE value = '1.140.0'") == 0);
  CHECK(one(reader, "SELECT count(*) FROM public_daily_totals") == 4);
  CHECK(one(reader, "SELECT count(*) FROM public_daily_figures WHERE figure = 'daily_e2ee_messages'") == 3);

  set_k(d, 5);
  CHECK(values(reader, "version") == std::set<std::string>{"suppressed"});  // 1.160.0 (4) joins the pool: 7
  CHECK(one(reader, "SELECT max(servers) FROM public_daily_breakdowns WHERE dimension = 'version'") == 7);
  CHECK(values(reader, "database_engine") == std::set<std::string>{"psycopg2"});
  CHECK(one(reader, "SELECT count(*) FROM public_daily_totals") == 3);

  set_k(d, 8);
  for (const char* view : {"public_daily_totals", "public_daily_figures", "public_daily_breakdowns"}) {
    INFO(view);
    CHECK(one(reader, std::string("SELECT count(*) FROM ") + view) == 0);
  }
}

TEST_CASE("without publication settings the views show nothing") {
  const Database d = collector_database("hsops_history_no_k");
  auto db = open(d.collector);
  insert(db, "1", 0);
  REQUIRE(hsops::stats::roll_up(db, 400).ok());
  auto admin = open(d.admin);
  CHECK(one(admin, "SELECT count(*) FROM daily_totals") == 1);
  CHECK(one(admin, "SELECT count(*) FROM public_daily_totals") == 0);
}

TEST_CASE("a reader's own condition cannot probe rows the views hide") {
  const Database d = populated("hsops_history_barrier", 3);
  auto reader = open(d.reader);
  // Hidden rows have 2 servers (day 4's total, the e2ee figures, the 1.150.0 group): were the
  // reader's condition evaluated on them first, it would divide by zero.
  for (const char* view : {"public_daily_totals", "public_daily_figures", "public_daily_breakdowns"}) {
    INFO(view);
    CHECK(one(reader, std::string("SELECT count(*) FROM ") + view + " WHERE 1 / (servers - 2) >= 0") > 0);
  }
}

TEST_CASE("the collector publishes its k_anonymity at start") {
  const Database d = collector_database("hsops_history_collector");
  // The superuser conninfo: the collector refuses a password inside conninfo.
  {
    hsops::test::CollectorProcess c("history-k7", d.admin, "k_anonymity: 7\n");
    INFO(c.log());
    CHECK(hsops::test::count_rows(d.admin, "SELECT k_anonymity FROM publication_settings") == 7);
    CHECK(c.log().find("hsops_stats_reader is missing") == std::string::npos);
  }
  hsops::test::CollectorProcess c("history-k4", d.admin, "k_anonymity: 4\n");
  CHECK(hsops::test::count_rows(d.admin, "SELECT k_anonymity FROM publication_settings") == 4);
}
