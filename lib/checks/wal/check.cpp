#include "checks/wal/check.h"

#include "checks/wal/query.h"
#include "checks/wal/report.h"

namespace hsops::checks::wal {
namespace {

CheckResult failed(const PgFailure& f) { return failed_result("wal", f); }

class WalCheck final : public Check {
 public:
  WalCheck(Options options, Deps deps) : options_(std::move(options)), deps_(std::move(deps)) {}
  std::string name() const override { return "wal"; }

  CheckResult run() override {
    auto db = connect(options_.target);
    if (!db) return failed(describe_failure(db.error(), ""));
    auto who = db.value().query(std::string(kWhoAmI));
    if (!who || who->empty()) return failed(describe_failure(who ? Error{ErrorKind::sql, "no answer"} : who.error(), ""));
    const std::string role = who->at(0, "role").value_or("?");
    if (who->at(0, "monitor").value_or("f") != "t") {
      return failed(missing_pg_monitor(role, "pg_ls_waldir() (the size of pg_wal) and data_directory"));
    }
    auto figures = read_figures(db.value());
    if (!figures) return failed(describe_failure(figures.error(), role));

    Report report;
    report.server = std::move(figures).value();
    report.thresholds = options_.thresholds;
    const double now = unix_seconds(deps_.clock.now());
    report.rates = record_and_fit(options_.rates, now, report.server.wal_position_bytes, report.server.wal_dir_bytes,
                                  report.notes);
    report.fs = measure_fs(report.server.data_directory);
    if (report.fs.stats && report.rates.growth_bytes_per_second) {
      report.seconds_until_full =
          seconds_until_full(static_cast<double>(report.fs.stats->avail_bytes), *report.rates.growth_bytes_per_second);
    }
    return build_result(report);
  }

 private:
  // The disk check's statvfs with its deadline: a hung filesystem cannot hang this check.
  WalFs measure_fs(const std::string& data_directory) {
    WalFs fs;
    fs.configured = options_.wal_path.has_value();
    if (options_.wal_path) {
      fs.path = *options_.wal_path;
    } else if (is_local(options_.target.conninfo) && !data_directory.empty()) {
      fs.path = data_directory + "/pg_wal";
    } else {
      fs.error = "remote server: set checks.wal.wal_path, or run hsops on the database host";
      return fs;
    }
    auto stats = disk::statfs_all(deps_.statfs, {fs.path}, options_.statfs_timeout, hung_);
    if (stats.front()) {
      fs.stats = stats.front().value();
    } else {
      fs.error = stats.front().error().message;
      if (!fs.configured) fs.error += " (set checks.wal.wal_path to the pg_wal directory as this host sees it)";
    }
    return fs;
  }

  Options options_;
  Deps deps_;
  disk::StatfsCalls hung_;
};

}  // namespace

bool is_local(const std::string& conninfo) {
  // No host at all means libpq's default Unix socket: local too.
  const auto at = conninfo.find("host=");
  if (at == std::string::npos) return conninfo.find("://") == std::string::npos || conninfo.find("://localhost") != std::string::npos ||
                                      conninfo.find("://127.0.0.1") != std::string::npos || conninfo.find(":///") != std::string::npos;
  std::string host = conninfo.substr(at + 5);
  host = host.substr(0, host.find_first_of(" \t"));
  if (!host.empty() && host.front() == '\'') host = host.substr(1, host.find('\'', 1) - 1);
  return host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" || host == "::1";
}

std::shared_ptr<Check> make_wal_check(Options options, Deps deps) {
  return std::make_shared<WalCheck>(std::move(options), std::move(deps));
}

}  // namespace hsops::checks::wal
