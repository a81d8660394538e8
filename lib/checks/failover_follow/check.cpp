#include "checks/failover_follow/check.h"

#include "checks/failover_follow/records.h"
#include "checks/failover_follow/report.h"

namespace hsops::checks::failover_follow {
namespace {

class FailoverFollowCheck final : public Check {
 public:
  FailoverFollowCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "failover_follow"; }

  CheckResult run() override {
    Report report;
    if (options_.state_dir) {
      report.deployment.state_dir = *options_.state_dir;
    } else {
      auto deployment = read_deployment(options_.playbook);
      if (!deployment) return unreadable_playbook(deployment.error());
      report.deployment = std::move(deployment).value();
    }
    report.follow = read_follow(report.deployment.state_dir);
    report.thresholds = options_.thresholds;
    report.now = unix_seconds(clock_.now());
    return build_result(report);
  }

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace

std::shared_ptr<Check> make_failover_follow_check(Options options, const Clock& clock) {
  return std::make_shared<FailoverFollowCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::failover_follow
