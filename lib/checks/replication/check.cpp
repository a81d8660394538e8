#include "checks/replication/check.h"

#include "checks/replication/query.h"
#include "checks/replication/report.h"

namespace hsops::checks::replication {
namespace {

CheckResult failed(const PgFailure& f) { return failed_result("replication", f); }

Verdict as_verdict(const std::string& who, const PgFailure& f) { return {f.status, who + ": " + f.summary}; }

// Connects and checks the role: what a standby says is NULL without pg_monitor. On failure
// `failure` says why (a server that is down is CRITICAL with the libpq error).
struct Opened {
  pg::Connection db;
  bool standby = false;
};
std::optional<Opened> open_checked(const PgTarget& target, PgFailure& failure) {
  auto db = connect(target);
  if (!db) {
    failure = describe_failure(db.error(), "");
    return std::nullopt;
  }
  auto who = db.value().query(std::string(kWhoAmI));
  if (!who || who->empty()) {
    failure = describe_failure(who ? Error{ErrorKind::sql, "the role query returned no row"} : who.error(), "");
    return std::nullopt;
  }
  if (who->at(0, "monitor").value_or("f") != "t") {
    failure = missing_pg_monitor(who->at(0, "role").value_or("?"),
                                 "the details of pg_stat_replication and pg_stat_wal_receiver");
    return std::nullopt;
  }
  const bool standby = who->at(0, "standby").value_or("f") == "t";
  return Opened{std::move(db).value(), standby};
}

class ReplicationCheck final : public Check {
 public:
  explicit ReplicationCheck(Options options) : options_(std::move(options)) {}
  std::string name() const override { return "replication"; }

  CheckResult run() override {
    PgFailure failure;
    auto opened = open_checked(options_.server, failure);
    if (!opened) return failed(failure);
    Report report;
    report.server = opened->db.target();
    if (opened->standby) return check_self(opened->db, report);

    auto senders = read_senders(opened->db);
    if (!senders) return failed(describe_failure(senders.error(), ""));
    report.primary = std::move(senders).value();
    for (const auto& want : options_.standbys) report.expected.push_back(check_expected(want, report.primary));
    for (const auto& s : report.primary.senders) {
      bool named = false;
      for (const auto& want : options_.standbys) named = named || find_sender({s}, want.name) != nullptr;
      if (!named) report.others.push_back(s);
    }
    if (options_.standbys.empty()) report.count = judge_count(report.others.size(), options_.min_standbys);
    return build_result(report);
  }

 private:
  CheckResult check_self(pg::Connection& db, Report& report) {
    auto figures = read_receiver(db);
    if (!figures) return failed(describe_failure(figures.error(), ""));
    report.self = standby_view(report.server, figures.value(), std::nullopt);
    report.self_verdict = judge_standby(*report.self, options_.thresholds);
    return build_result(report);
  }

  StandbyReport check_expected(const ExpectedStandby& want, const SenderFigures& primary) {
    StandbyReport out;
    out.name = want.name;
    const Sender* s = find_sender(primary.senders, want.name);
    if (s != nullptr) out.sender = *s;
    out.from_primary = judge_sender(want.name, s, options_.thresholds);
    if (!want.target) return out;
    out.checked_itself = true;
    PgFailure failure;
    auto opened = open_checked(*want.target, failure);
    if (!opened) {
      out.from_itself = as_verdict("standby '" + want.name + "'", failure);
      return out;
    }
    auto figures = read_receiver(opened->db);
    if (!figures) {
      out.from_itself = as_verdict("standby '" + want.name + "'", describe_failure(figures.error(), ""));
      return out;
    }
    out.view = standby_view(want.name, figures.value(), primary.wal_position_bytes);
    out.from_itself = judge_standby(*out.view, options_.thresholds);
    return out;
  }

  Options options_;
};

}  // namespace

std::shared_ptr<Check> make_replication_check(Options options) {
  return std::make_shared<ReplicationCheck>(std::move(options));
}

}  // namespace hsops::checks::replication
