#include <catch2/catch.hpp>

#include "checks/patroni/check.h"
#include "checks/patroni/config.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace hsops::checks::patroni;
using namespace std::chrono_literals;
using hsops::test::CannedResponse;
using hsops::test::LocalHttpServer;

namespace {

// FakeClock starts at 1'700'000'000.
constexpr long long kNow = 1'700'000'000;

CannedResponse json(std::string body, int status = 200) { return {status, {{"Content-Type", "application/json"}}, std::move(body)}; }

std::string member(const std::string& name, const std::string& role, const std::string& state, const std::string& api,
                   const std::string& extra) {
  return R"({"name": ")" + name + R"(", "role": ")" + role + R"(", "state": ")" + state + R"(", "api_url": ")" + api +
         R"(/patroni", "host": "127.0.0.1", "port": 5432, "timeline": 2)" + extra + "}";
}

std::string own(const std::string& role, long long dcs_last_seen) {
  return R"({"state": "running", "role": ")" + role + R"(", "timeline": 2, "dcs_last_seen": )" +
         std::to_string(dcs_last_seen) + R"(, "patroni": {"version": "3.0.2", "scope": "hs"}})";
}

const Measurement* find(const CheckResult& r, const std::string& metric, const std::string& who) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric && (who.empty() || m.metric_labels.at("member") == who)) return &m;
  }
  return nullptr;
}

Options options(std::vector<std::string> urls) {
  Options o;
  o.urls = std::move(urls);
  o.deadlines = {500ms, 1000ms};
  return o;
}

// pg1 (leader) and pg2 (replica) answer; `pg3_url` is listed in the cluster as a third member.
struct Pair {
  LocalHttpServer pg1, pg2;
  void serve(const std::string& pg3_url, const std::string& pg3_state, bool paused = false) {
    std::string members = member("pg1", "leader", "running", pg1.url(""), "") + ", " +
                          member("pg2", "replica", "streaming", pg2.url(""), R"(, "lag": 0)");
    if (!pg3_url.empty()) members += ", " + member("pg3", "replica", pg3_state, pg3_url, R"(, "lag": "unknown")");
    const std::string cluster = R"({"members": [)" + members + "]" + (paused ? R"(, "pause": true)" : "") + "}";
    for (auto* s : {&pg1, &pg2}) s->route("/cluster", json(cluster));
    pg1.route("/patroni", json(own("master", kNow - 3)));
    pg2.route("/patroni", json(own("replica", kNow - 4)));
  }
};

std::string config_error(const std::string& yaml, std::optional<std::string> w = {}) {
  const FakeClock clock;
  const auto doc = config::Document::parse(yaml, "t.yaml");
  try {
    (void)checks::read_patroni_options(doc.root().child("checks").child("patroni"),
                                       checks::Services{.clock = clock, .warning = std::move(w)});
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("patroni check: a healthy pair end to end", "[patroni][check]") {
  Pair p;
  p.serve("", "");
  const FakeClock clock;
  const auto r = make_patroni_check(options({p.pg1.url(""), p.pg2.url("")}), clock)->run();
  INFO(r.summary);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "leader pg1 (timeline 2), 1 replica streaming, lag 0 B");
  CHECK(find(r, "hsops_patroni_leader_present", "")->value == 1);
  CHECK(find(r, "hsops_patroni_members", "")->value == 2);
  CHECK(find(r, "hsops_patroni_paused", "")->value == 0);
  CHECK(find(r, "hsops_patroni_member_streaming", "pg2")->value == 1);
  CHECK(find(r, "hsops_patroni_member_lag_bytes", "pg2")->value == 0);
  CHECK(find(r, "hsops_patroni_member_timeline", "pg1")->value == 2);
  CHECK(find(r, "hsops_patroni_member_dcs_last_seen_seconds", "pg1")->value == 3);
  CHECK(find(r, "hsops_patroni_member_dcs_last_seen_seconds", "pg2")->value == 4);
  CHECK(p.pg1.request_count("/cluster") == 1);
}

TEST_CASE("patroni check: a member that never answers costs one deadline and the rest is judged", "[patroni][check]") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  Pair p;
  p.serve(hole.url(""), "stopped", /*paused=*/true);
  const FakeClock clock;
  // The silent member first: /cluster then comes from the next one.
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = make_patroni_check(options({hole.url(""), p.pg1.url(""), p.pg2.url("")}), clock)->run();
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO(r.summary);
  CHECK(took < 2500ms);  // one 1 s deadline (requests run at once), not one per request
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("member pg3 is stopped, not streaming") != std::string::npos);
  CHECK(r.summary.find("member pg3 REST API does not answer") != std::string::npos);
  CHECK(r.summary.find("maintenance mode") != std::string::npos);
  CHECK(find(r, "hsops_patroni_members", "")->value == 3);
  CHECK(find(r, "hsops_patroni_paused", "")->value == 1);
  CHECK(find(r, "hsops_patroni_member_streaming", "pg3")->value == 0);
  CHECK(find(r, "hsops_patroni_member_lag_bytes", "pg3") == nullptr);  // "unknown"
  CHECK(find(r, "hsops_patroni_member_dcs_last_seen_seconds", "pg2")->value == 4);
}

TEST_CASE("patroni check: nobody answers or the answer is not Patroni's", "[patroni][check]") {
  const FakeClock clock;
  const std::string refused = "http://127.0.0.1:" + std::to_string(hsops::test::closed_port());
  const auto r = make_patroni_check(options({refused}), clock)->run();
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("no member answered /cluster usably") != std::string::npos);

  LocalHttpServer odd;
  odd.route("/cluster", json(R"({"leader": "pg1"})"));
  odd.route("/patroni", json(own("master", kNow)));
  const auto s = make_patroni_check(options({odd.url("")}), clock)->run();
  CHECK(s.status == Status::unknown);
  CHECK(s.summary.find("no 'members' list") != std::string::npos);
}

TEST_CASE("patroni check: etcd lost by every member", "[patroni][check]") {
  Pair p;
  p.serve("", "");
  p.pg1.route("/patroni", json(own("master", kNow - 120)));
  p.pg2.route("/patroni", json(own("replica", kNow - 125)));
  const FakeClock clock;
  const auto r = make_patroni_check(options({p.pg1.url(""), p.pg2.url("")}), clock)->run();
  CHECK(r.status == Status::critical);
  CHECK(r.summary.rfind("etcd unreachable from every member", 0) == 0);
}

TEST_CASE("patroni config: defaults and overrides", "[patroni][config]") {
  const FakeClock clock;
  const auto doc = config::Document::parse("checks:\n  patroni:\n    urls: [http://db1:8008/, https://db2:8008]\n", "t.yaml");
  const auto o = checks::read_patroni_options(doc.root().child("checks").child("patroni"),
                                              checks::Services{.clock = clock, .critical = "64MiB", .timeout = 2s});
  CHECK(o.urls == std::vector<std::string>{"http://db1:8008", "https://db2:8008"});
  CHECK(o.thresholds.members == 2);
  CHECK(o.thresholds.warn_lag_bytes == 1u << 20);
  CHECK(o.thresholds.crit_lag_bytes == 64u << 20);
  CHECK(o.thresholds.dcs_max_age == 30s);
  CHECK(o.deadlines.total == 2s);
}

TEST_CASE("patroni config: errors say where", "[patroni][config]") {
  CHECK(config_error("checks:\n  patroni:\n    members: 3\n").find("t.yaml:") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    members: 3\n").find("needs urls") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [db1:8008]\n").find("t.yaml:3:") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008, http://a:8008/]\n").find("listed twice") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008]\n    max_lag: 2GiB\n").find("above crit_lag") !=
        std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008]\n    dcs_max_age: 0s\n").find("t.yaml:4:") !=
        std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008]\n    lag: 1\n").find("lag") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008]\n", "lots").find("-w") != std::string::npos);
  CHECK(config_error("checks:\n  patroni:\n    urls: [http://a:8008]\n").empty());
}
