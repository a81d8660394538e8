// Stored daily aggregates against the stack's PostgreSQL: reports over several UTC days (one
// server reporting twice in a day, one not reporting messages) are rolled up into
// daily_totals / daily_figures / daily_breakdowns; the stored sums and nearest-rank quantiles
// equal what this test computes from each server's latest report of the day; a late report
// re-rolls its day; the daily rows survive the raw reports being purged; and the real
// collector rolls days up before its retention deletes their raw reports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "collector_support.h"
#include "stats/collector/rollup.h"
#include "stats/collector/store.h"

using hsops::pg::Connection;

namespace {

const std::vector<std::string> kFigures = {"total_users", "daily_active_users", "monthly_active_users",
                                           "total_room_count", "daily_messages"};

struct Figures {
  std::map<std::string, std::int64_t> counts;  // absent = not reported
  std::string version;
  std::string engine;
};

// The test's own model: day -> server -> its latest report of that day.
using Model = std::map<std::string, std::map<std::string, Figures>>;

Connection open(const std::string& conninfo) {
  auto db = Connection::open(conninfo);
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::string utc_day(Connection& db, int days_ago) {
  auto r = db.query("SELECT to_char((now() AT TIME ZONE 'UTC')::date - $1::int, 'YYYY-MM-DD')", {std::to_string(days_ago)});
  REQUIRE(r.ok());
  return r->rows.at(0).at(0).value();
}

// One raw report as the collector stores it; `at` is a UTC time of `day` ("05:00"), or
// "now" for a report received now but stamped with `day` (a late commit).
void insert(Connection& db, const std::string& day, const std::string& at, const std::string& server, const Figures& f) {
  auto value = [&](const std::string& figure) -> hsops::pg::Value {
    const auto it = f.counts.find(figure);
    if (it == f.counts.end()) return std::nullopt;
    return std::to_string(it->second);
  };
  auto r = db.query(
      "INSERT INTO reports (received_at, day, server_pseudonym, server_version, timestamp, total_users, "
      "daily_active_users, monthly_active_users, total_room_count, daily_messages, database_engine) VALUES ("
      "CASE WHEN $1 = 'now' THEN now() ELSE ($2::date + $1::time) AT TIME ZONE 'UTC' END, $2::date, $3, $4, "
      "1790000000, $5::bigint, $6::bigint, $7::bigint, $8::bigint, $9::bigint, $10)",
      {at, day, server, f.version, value("total_users"), value("daily_active_users"), value("monthly_active_users"),
       value("total_room_count"), value("daily_messages"), f.engine});
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
}

std::int64_t nearest_rank(std::vector<std::int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1];
}

std::int64_t one(Connection& db, const std::string& sql, const hsops::pg::Params& params) {
  auto r = db.query(sql, params);
  INFO(sql);
  REQUIRE(r.ok());
  if (r->empty() || !r->rows[0][0]) return -1;  // no row: -1, never a plausible figure
  return std::stoll(*r->rows[0][0]);
}

// The stored rows of every day in the model equal the model's sums, quantiles and groups.
void require_stored(Connection& db, const Model& model) {
  for (const auto& [day, servers] : model) {
    INFO("day " << day);
    CHECK(one(db, "SELECT servers FROM daily_totals WHERE day = $1::date", {day}) == static_cast<std::int64_t>(servers.size()));
    for (const auto& figure : kFigures) {
      INFO("figure " << figure);
      std::vector<std::int64_t> values;
      std::int64_t sum = 0;
      for (const auto& [name, f] : servers) {
        if (const auto it = f.counts.find(figure); it != f.counts.end()) {
          values.push_back(it->second);
          sum += it->second;
        }
      }
      REQUIRE_FALSE(values.empty());
      const hsops::pg::Params key = {day, figure};
      const std::string where = " FROM daily_figures WHERE day = $1::date AND figure = $2";
      CHECK(one(db, "SELECT servers" + where, key) == static_cast<std::int64_t>(values.size()));
      CHECK(one(db, "SELECT sum" + where, key) == sum);
      CHECK(one(db, "SELECT p50" + where, key) == nearest_rank(values, 0.5));
      CHECK(one(db, "SELECT p90" + where, key) == nearest_rank(values, 0.9));
      CHECK(one(db, "SELECT p99" + where, key) == nearest_rank(values, 0.99));
    }
    std::map<std::pair<std::string, std::string>, std::int64_t> groups;
    for (const auto& [name, f] : servers) {
      ++groups[{"version", f.version}];
      ++groups[{"database_engine", f.engine}];
    }
    CHECK(one(db, "SELECT count(*) FROM daily_breakdowns WHERE day = $1::date", {day}) == static_cast<std::int64_t>(groups.size()));
    for (const auto& [group, n] : groups) {
      INFO(group.first << " = " << group.second);
      CHECK(one(db, "SELECT servers FROM daily_breakdowns WHERE day = $1::date AND dimension = $2 AND value = $3",
                {day, group.first, group.second}) == n);
    }
  }
}

Figures figures_for(int server, int day_index) {
  Figures f;
  f.counts["total_users"] = (server * 37 + day_index * 11) % 101 + 1;
  f.counts["daily_active_users"] = (server * 13 + day_index) % 50;
  f.counts["monthly_active_users"] = (server * 13 + day_index) % 50 + server;
  f.counts["total_room_count"] = server * 3 + day_index;
  if (server != 0) f.counts["daily_messages"] = server * day_index + 5;  // server 0 never reports messages
  f.version = server < 2 ? "1.150.0" : "1.160.0";
  f.engine = server == 1 ? "sqlite3" : "psycopg2";
  return f;
}

std::vector<std::string> rolled_days(Connection& db, int retention_days) {
  auto run = hsops::stats::roll_up(db, retention_days);
  INFO((run.ok() ? std::string() : run.error().message));
  REQUIRE(run.ok());
  return run->days;
}

std::string migrated_database(const std::string& name) {
  const std::string conninfo = hsops::test::fresh_database(name);
  auto db = open(conninfo);
  auto version = hsops::stats::migrate(db);
  REQUIRE(version.ok());
  REQUIRE(*version == hsops::stats::migrations().back().version);
  return conninfo;
}

}  // namespace

TEST_CASE("daily aggregates equal each server's latest report of the day and survive the raw reports") {
  const std::string conninfo = migrated_database("hsops_rollup_days");
  auto db = open(conninfo);
  Model model;
  std::vector<std::string> days;
  for (int d = 0; d < 4; ++d) {
    const std::string day = utc_day(db, 4 - d);  // 4, 3, 2 and 1 days ago: completed UTC days
    days.push_back(day);
    for (int s = 0; s < 6 + d; ++s) {
      const std::string server = "pseudonym-" + std::to_string(s);
      Figures f = figures_for(s, d);
      if (d == 1 && s == 3) {
        // Reports twice that day: the earlier report (other version, huge figures) must not count.
        Figures early = f;
        early.version = "1.100.0";
        for (auto& [name, v] : early.counts) v = 999999;
        insert(db, day, "01:00", server, early);
        insert(db, day, "05:00", server, f);
      } else {
        insert(db, day, "03:00", server, f);
      }
      model[day][server] = f;
    }
  }

  CHECK(rolled_days(db, 400) == days);
  require_stored(db, model);
  CHECK(one(db, "SELECT count(*) FROM daily_breakdowns WHERE value = '1.100.0'", {}) == 0);

  // Nothing new: no day is rolled up again.
  CHECK(rolled_days(db, 400).empty());

  // A report of the newest day committed late (received now): that day alone is rolled up
  // again, and its rows are replaced, not merged (server 0 leaves the 1.150.0 group).
  Figures late = figures_for(0, 3);
  late.counts["total_users"] = 5000;
  late.version = "1.161.0";
  insert(db, days[3], "now", "pseudonym-0", late);
  model[days[3]]["pseudonym-0"] = late;
  CHECK(rolled_days(db, 400) == std::vector<std::string>{days[3]});
  require_stored(db, model);

  // Retention deletes every raw report: the daily rows stay, and a roll-up leaves them alone.
  REQUIRE(db.query("DELETE FROM reports").ok());
  CHECK(one(db, "SELECT count(*) FROM reports", {}) == 0);
  CHECK(rolled_days(db, 400).empty());
  require_stored(db, model);
}

TEST_CASE("a day retention may have cut into keeps the aggregates of its complete reports") {
  const std::string conninfo = migrated_database("hsops_rollup_retention");
  auto db = open(conninfo);
  const std::string old_day = utc_day(db, 5), recent_day = utc_day(db, 1);
  Model model;
  for (int s = 0; s < 4; ++s) {
    insert(db, old_day, "03:00", "pseudonym-" + std::to_string(s), figures_for(s, 0));
    insert(db, recent_day, "03:00", "pseudonym-" + std::to_string(s), figures_for(s, 1));
    model[old_day]["pseudonym-" + std::to_string(s)] = figures_for(s, 0);
    model[recent_day]["pseudonym-" + std::to_string(s)] = figures_for(s, 1);
  }
  // Retention of 2 days: the old day has no stored aggregates yet, so it is rolled up anyway.
  CHECK(rolled_days(db, 2) == std::vector<std::string>{old_day, recent_day});
  require_stored(db, model);

  // Retention cuts into the old day, then a late report for it arrives: rolling it up again
  // would count 1 server instead of 4, so it keeps its rows. The recent day still re-rolls.
  REQUIRE(db.query("DELETE FROM reports WHERE day = $1::date", {old_day}).ok());
  insert(db, old_day, "now", "pseudonym-9", figures_for(9, 0));
  insert(db, recent_day, "now", "pseudonym-9", figures_for(9, 1));
  model[recent_day]["pseudonym-9"] = figures_for(9, 1);
  CHECK(rolled_days(db, 2) == std::vector<std::string>{recent_day});
  require_stored(db, model);
}

TEST_CASE("the collector rolls days up before its retention deletes their raw reports") {
  const std::string conninfo = migrated_database("hsops_rollup_collector");
  auto db = open(conninfo);
  const std::string old_day = utc_day(db, 10), recent_day = utc_day(db, 1);
  Model model;
  for (int s = 0; s < 5; ++s) {
    const std::string server = "pseudonym-" + std::to_string(s);
    insert(db, old_day, "03:00", server, figures_for(s, 0));
    insert(db, recent_day, "03:00", server, figures_for(s, 1));
    model[old_day][server] = figures_for(s, 0);
    model[recent_day][server] = figures_for(s, 1);
  }
  hsops::test::CollectorProcess c("rollup", conninfo, "retention_days: 5\n");
  // Retention runs right after start: the old day's raw reports go, its aggregates stay.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until &&
         one(db, "SELECT count(*) FROM reports WHERE day = $1::date", {old_day}) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  INFO(c.log());
  CHECK(one(db, "SELECT count(*) FROM reports WHERE day = $1::date", {old_day}) == 0);
  CHECK(one(db, "SELECT count(*) FROM reports WHERE day = $1::date", {recent_day}) == 5);
  CHECK(c.log().find("deleted 5 reports older than 5 days") != std::string::npos);
  require_stored(db, model);
}
