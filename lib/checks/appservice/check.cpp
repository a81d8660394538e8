#include "checks/appservice/check.h"

#include "config/config.h"
#include "pg/conninfo.h"

namespace hsops::checks::appservice {
namespace {

class AppserviceCheck final : public Check {
 public:
  AppserviceCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "appservice"; }

  CheckResult run() override {
    Report report;
    std::vector<Registration> regs;
    for (const auto& file : options_.registration_files) {
      try {
        regs.push_back(load_registration(file));
      } catch (const config::ConfigError& e) {
        report.load_errors.push_back(e.what());
      }
    }
    report.lint = lint(regs, options_.homeserver_url);
    const auto stamp = std::to_string(static_cast<long long>(unix_seconds(clock_.now())));
    for (const auto& r : regs) {
      PingRequest q;
      q.homeserver_url = options_.homeserver_url;
      q.appservice_id = r.id;
      q.as_token = r.as_token;
      q.ping_deadlines = options_.deadlines;
      q.versions_deadlines = {options_.deadlines.connect, std::min(options_.deadlines.total, std::chrono::milliseconds(5000))};
      q.ca_file = options_.ca_file;
      q.transaction_id = "hsops-" + stamp;
      report.services.push_back({r.id, ping(q)});
    }
    if (options_.database) {
      auto db = connect(*options_.database);
      if (!db) {
        const auto f = describe_failure(db.error(), "");
        report.database_error = "Synapse database: " + f.summary;
        report.database_error_status = f.status;
      } else if (auto d = read_delivery(db.value()); d) {
        report.delivery = std::move(d).value();
      } else {
        const auto f = describe_failure(d.error(), "");
        report.database_error = "Synapse database: " + f.summary +
                                (pg::is_insufficient_privilege(d.error())
                                     ? " (GRANT SELECT ON application_services_state, application_services_txns, "
                                       "appservice_stream_position, events TO the monitoring role)"
                                     : "");
        report.database_error_status = Status::unknown;
      }
    }
    return build_appservice_result(report, options_.thresholds);
  }

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace

std::shared_ptr<Check> make_appservice_check(Options options, const Clock& clock) {
  return std::make_shared<AppserviceCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::appservice
