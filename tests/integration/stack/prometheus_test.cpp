// The shipped dashboards and alert rules on a real Prometheus and Alertmanager (Debian
// packages): Prometheus scrapes the stack's watchdog and a collector with reports, loads every
// rule file, and every dashboard query must run and return data; the replication alert goes
// from a stopped standby through Prometheus to Alertmanager and resolves when it is back.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "collector_support.h"
#include "net/http.h"
#include "support/alertmanager_process.h"
#include "support/child_process.h"
#include "support/stack_env.h"
#include "support/temp_dir.h"
#include "wal_test_support.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hsops::test::stack_env;
using json = nlohmann::json;

namespace {

const std::string kWatchdog = HSOPS_BINARY_DIR "/cmd/hsops-watchdog/hsops-watchdog";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(500ms);
  }
  return done();
}

bool http_ok(const std::string& url) {
  const auto r = hsops::net::get(url, {500ms, 2000ms});
  return r.ok() && r->status == 200;
}

// The stack's hsops.yaml with this test's state and a watchdog that runs every check every 2 s.
std::string watchdog_config(const hsops::test::TempDir& dir, int port, const std::string& am_url) {
  std::string text = slurp(stack_env().get("HSOPS_CONFIG"));
  const auto state = text.find("state_dir:");
  REQUIRE(state != std::string::npos);
  text.replace(state, text.find('\n', state) - state, "state_dir: " + (dir.path() / "state").string());
  // The clock check asks no NTP server outside this machine: a closed loopback port (the
  // offset then comes from the stack's Synapse's Date header, the kernel view from adjtimex).
  const auto clock = text.find("\n  clock:\n");
  REQUIRE(clock != std::string::npos);
  text.insert(clock + 10, "    servers: ['127.0.0.1:9']\n    timeout: 500ms\n");
  // Hook lint on a fixture (the machine's own /etc/network/interfaces is not the test's).
  const auto hooks = text.find("    hooks: {enabled: false}");
  REQUIRE(hooks != std::string::npos);
  text.replace(hooks, std::string("    hooks: {enabled: false}").size(),
               "    hooks: {interfaces_files: [" HSOPS_FIXTURES_DIR "/network/hooks/interfaces], dhclient_hooks: []}");
  return text + "\nwatchdog:\n"
                "  listen: 127.0.0.1:" + std::to_string(port) + "\n"
                "  state_file: " + (dir.path() / "watchdog-state.json").string() + "\n"
                "  interval: 2s\n"
                "  notifiers:\n"
                "    am: {type: alertmanager, url: " + am_url + "}\n";
}

// A report with every figure the ecosystem dashboard plots.
json report(int i) {
  json r = {{"homeserver", "server" + std::to_string(i) + ".example"}, {"timestamp", 1790000000}, {"server_context", nullptr},
            {"database_engine", i % 2 ? "psycopg2" : "Sqlite3"}, {"database_server_version", "15.8"}};
  for (const char* figure : {"total_users", "total_nonbridged_users", "total_room_count", "daily_active_users",
                             "monthly_active_users", "daily_active_rooms", "daily_active_e2ee_rooms", "daily_messages",
                             "daily_sent_messages", "daily_e2ee_messages", "daily_sent_e2ee_messages", "r30v2_users_all",
                             "daily_user_type_native", "daily_user_type_guest", "daily_user_type_bridged"}) {
    r[figure] = 10 + i;
  }
  return r;
}

void push_reports(const hsops::test::CollectorProcess& c, int servers) {
  for (int i = 0; i < servers; ++i) {
    hsops::net::Request r;
    r.method = "PUT";
    r.url = c.url("/report-usage-stats/push");
    r.headers = {{"Content-Type", "application/json"}, {"User-Agent", "Synapse/1.160.0"}};
    r.body = report(i).dump();
    auto res = hsops::net::perform(r);
    REQUIRE(res.ok());
    REQUIRE(res->status == 200);
  }
}

// A test copy of the rule files: every `for:` shortened to 2 s so alerts fire within the test.
void copy_rules(const fs::path& to) {
  fs::create_directories(to);
  const std::regex for_line(R"(^(\s+)for: .*$)");
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "alerts")) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 10 || name.substr(name.size() - 10) != ".rules.yml") continue;
    std::istringstream in(slurp(entry.path()));
    std::ofstream out(to / name);
    for (std::string line; std::getline(in, line);) out << std::regex_replace(line, for_line, "$1for: 2s") << "\n";
  }
}

class PrometheusProcess {
 public:
  PrometheusProcess(const fs::path& dir, const std::vector<std::string>& targets, const std::string& am_host_port)
      : port_(hsops::test::free_loopback_port()) {
    copy_rules(dir / "rules");
    std::ofstream config(dir / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "rule_files: ['" << (dir / "rules").string() << "/*.rules.yml']\n"
           << "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['" << am_host_port << "']\n"
           << "scrape_configs:\n";
    for (const auto& t : targets) {
      const auto eq = t.find('=');
      config << "  - job_name: " << t.substr(0, eq) << "\n    static_configs:\n      - targets: ['" << t.substr(eq + 1) << "']\n";
    }
    config.close();
    process_ = std::make_unique<hsops::test::ChildProcess>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir / "tsdb").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
        dir / "prometheus.log");
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string output() const { return process_->output(); }

  // GET /api/v1/<path>: the `data` of a successful answer; REQUIREs success.
  json api(const std::string& path) const {
    const auto r = hsops::net::get(url() + "/api/v1/" + path, {1000ms, 10000ms});
    REQUIRE(r.ok());
    INFO(path << " -> " << r->body);
    const auto body = json::parse(r->body);
    REQUIRE(body.value("status", "") == "success");
    return body.at("data");
  }
  json query(const std::string& expr) const {
    std::string encoded;
    char hex[4];
    for (unsigned char c : expr) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        encoded += static_cast<char>(c);
      } else {
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        encoded += hex;
      }
    }
    return api("query?query=" + encoded);
  }

 private:
  int port_;
  std::unique_ptr<hsops::test::ChildProcess> process_;
};

// A dashboard query with Grafana's variables replaced: template variables match anything,
// the interval macros get fixed values.
std::string concrete(std::string expr, const std::set<std::string>& variables) {
  expr = std::regex_replace(expr, std::regex(R"(\$__rate_interval|\$\{__rate_interval\})"), "1m");
  expr = std::regex_replace(expr, std::regex(R"(\$__interval|\$\{__interval\})"), "15s");
  expr = std::regex_replace(expr, std::regex(R"(\$__range|\$\{__range\})"), "5m");
  for (const auto& v : variables) {
    expr = std::regex_replace(expr, std::regex("\\$\\{" + v + "(:[a-z]+)?\\}|\\$" + v + "\\b"), ".+");
  }
  return expr;
}

struct PanelQuery {
  std::string dashboard;
  std::string panel;
  std::string expr;
};

std::vector<PanelQuery> prometheus_queries() {
  std::vector<PanelQuery> out;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const auto d = json::parse(slurp(entry.path()));
    std::set<std::string> variables;
    for (const auto& v : d["templating"]["list"]) variables.insert(v.value("name", ""));
    for (const auto& p : d["panels"]) {
      for (const auto& t : p.value("targets", json::array())) {
        if (!t.contains("expr")) continue;  // SQL targets run in the ecosystem history test
        out.push_back({entry.path().filename().string(), p.value("title", ""), concrete(t["expr"], variables)});
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("prometheus: every dashboard query returns data and every rule group loads on a real Prometheus", "[prometheus]") {
  hsops::test::TempDir dir;
  const std::string db = hsops::test::fresh_database("hsops_collector_prometheus");
  hsops::test::CollectorProcess collector("prometheus", db, "limits:\n  rate_per_second: 10000\n  rate_burst: 10000\nk_anonymity: 5\n");
  push_reports(collector, 12);

  hsops::test::AlertmanagerProcess am;
  REQUIRE(am.wait_ready(30s));
  const int watchdog_port = hsops::test::free_loopback_port();
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << watchdog_config(dir, watchdog_port, am.url());
  hsops::test::ChildProcess watchdog({kWatchdog, "--config", config.string()}, dir.path() / "watchdog.log");
  REQUIRE(eventually([&] { return http_ok("http://127.0.0.1:" + std::to_string(watchdog_port) + "/health"); }, 30s));

  PrometheusProcess prometheus(dir.path() / "prometheus",
                               {"hsops-watchdog=127.0.0.1:" + std::to_string(watchdog_port),
                                "hsops-collector=127.0.0.1:" + std::to_string(collector.port())},
                               am.url().substr(std::string("http://").size()));
  INFO(prometheus.output());
  REQUIRE(eventually([&] { return http_ok(prometheus.url() + "/-/ready"); }, 60s));

  // Every rule file is a group Prometheus loaded, and no rule failed to evaluate.
  std::set<std::string> expected_groups;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "alerts")) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 10 || name.substr(name.size() - 10) != ".rules.yml") continue;
    const std::string text = slurp(entry.path());
    const std::regex group(R"(- name: (hsops-[a-z-]+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), group); it != std::sregex_iterator(); ++it) {
      expected_groups.insert((*it)[1]);
    }
  }
  REQUIRE(expected_groups.size() >= 6);

  // Data from both targets and every enabled check: wait until each panel query has a series
  // (checks run in parallel in the watchdog; the bridge canary takes a few seconds).
  // Panels that are empty on a healthy stack within a test's minutes, and why.
  const std::map<std::string, std::string> empty_when_healthy{
      {"hsops_federation_cert_expiry_seconds", "the stack's Synapse speaks plain HTTP: there is no certificate"},
      {"hsops_disk_predicted_full_seconds", "a prediction needs samples spanning min_span (30 min) of a filling disk "
                                            "(tests/integration/disk_test.cpp fills a loop mount)"},
      {"hsops_disk_fill_rate_bytes_per_second", "the same fit as the prediction"},
      {"hsops_pg_wal_fs_predicted_full_seconds", "WAL growth needs samples spanning min_span (5 min); the wal stack test covers it"},
      {"hsops_pg_wal_generation_bytes_per_second", "a rate needs samples spanning min_span (5 min)"},
      {"hsops_pg_wal_growth_bytes_per_second", "a rate needs samples spanning min_span (5 min)"},
      {"hsops_pg_slot_safe_wal_size_bytes", "PostgreSQL reports safe_wal_size only with max_slot_wal_keep_size set; the stack leaves it unlimited"},
      {"hsops_report_stats_figure", "written by `hsops report-stats collect --textfile` for node_exporter, not by the watchdog"},
      {"hsops_clock_ntp_delay_seconds", "no NTP server answers on loopback, and tests never ask the public pool"},
      {"hsops_network_default_route_present", "the stack's config does not require a default route (a test machine may have none)"},
      {"hsops_network_dhcp_lease", "the stack has no DHCP lease (tests/integration/network_test.cpp runs a real one)"},
      {"hsops_failover_last_drill_success", "no drill has run on the Prometheus test's stack"},
      {"hsops_failover_last_drill_timestamp_seconds", "no drill has run on the Prometheus test's stack"},
      {"hsops_failover_last_good_drill_timestamp_seconds", "no drill has run on the Prometheus test's stack"},
      {"hsops_failover_drill_max_age_seconds", "no drill has run on the Prometheus test's stack"},
      {"hsops_failover_last_drill_rto_seconds", "no drill has run on the Prometheus test's stack"},
      {"hsops_failover_follow_", "no `hsops failover follow` runs on the Prometheus test's stack (a prefix: every follow series)"},
      {"hsops_patroni_leader_present", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_members", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_paused", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_member_streaming", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_member_lag_bytes", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_member_timeline", "the Prometheus test's stack has no Patroni cluster"},
      {"hsops_patroni_member_dcs_last_seen_seconds", "the Prometheus test's stack has no Patroni cluster"},
  };
  auto allowed_empty = [&](const std::string& expr) {
    for (const auto& [metric, why] : empty_when_healthy) {
      if (expr.find(metric) != std::string::npos) return true;
    }
    return false;
  };
  const auto queries = prometheus_queries();
  REQUIRE(queries.size() > 40);
  std::vector<PanelQuery> without_data;
  eventually([&] {
    without_data.clear();
    for (const auto& q : queries) {
      if (!allowed_empty(q.expr) && prometheus.query(q.expr)["result"].empty()) without_data.push_back(q);
    }
    return without_data.empty();
  }, 90s);
  for (const auto& q : without_data) {
    INFO(q.dashboard << " / " << q.panel << ": " << q.expr);
    CHECK(false);
  }

  const auto rules = prometheus.api("rules");
  std::set<std::string> loaded;
  for (const auto& g : rules["groups"]) {
    loaded.insert(g["name"].get<std::string>());
    for (const auto& r : g["rules"]) {
      INFO(g["name"] << " / " << r.value("name", "") << ": " << r.value("lastError", ""));
      CHECK(r.value("health", "") != "err");
    }
  }
  for (const auto& g : expected_groups) {
    INFO(g);
    CHECK(loaded.count(g) == 1);
  }

  // The always-firing dead man's switch reaches Alertmanager: the whole path works.
  CHECK(eventually([&] {
    for (const auto& a : am.alerts()) {
      if (a["labels"].value("alertname", "") == "HsopsWatchdog") return true;
    }
    return false;
  }, 60s));

  // A stopped standby: the watchdog's replication check -> hsops_pg_standby_connected 0 ->
  // HsopsStandbyMissing in Prometheus -> Alertmanager; resolved once the standby is back.
  auto standby_alert = [&] {
    for (const auto& a : am.alerts()) {
      if (a["labels"].value("alertname", "") == "HsopsStandbyMissing") return true;
    }
    return false;
  };
  {
    hsops::test::wal::StandbyStopped standby;
    const bool fired = eventually(standby_alert, 60s);
    INFO(watchdog.output());
    INFO("hsops_pg_standby_connected: " << prometheus.query("hsops_pg_standby_connected").dump());
    INFO("ALERTS: " << prometheus.query("ALERTS").dump());
    REQUIRE(fired);
  }
  CHECK(eventually([&] { return !standby_alert(); }, 90s));
}
