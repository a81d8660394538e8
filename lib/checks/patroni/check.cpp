#include "checks/patroni/check.h"

#include <future>

#include "checks/patroni/parse.h"
#include "checks/patroni/report.h"

namespace hsops::checks::patroni {
namespace {

// One GET, its body when the answer is usable. Patroni answers /patroni with 503 while its
// PostgreSQL is not running, with the same JSON: that body is still the member's view.
Result<std::string> fetch(const std::string& url, const Options& o, bool accept_503) {
  net::Request r;
  r.url = url;
  r.deadlines = o.deadlines;
  r.ca_file = o.ca_file;
  r.max_body_bytes = 1 << 20;  // a cluster listing is a few KiB
  auto got = net::perform(r);
  if (!got) return got.error();
  const long status = got.value().status;
  if (status == 200 || (accept_503 && status == 503)) return std::move(got).value().body;
  return Error{status >= 500 ? ErrorKind::http_5xx : ErrorKind::http, "HTTP " + std::to_string(status) + " from " + net::redact_url(url)};
}

class PatroniCheck final : public Check {
 public:
  PatroniCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "patroni"; }

  CheckResult run() override {
    // Every request at once, so a member that black-holes costs one deadline, not one per member.
    std::vector<std::future<Result<std::string>>> own, cluster;
    for (const auto& url : options_.urls) {
      own.push_back(std::async(std::launch::async, fetch, url + "/patroni", std::cref(options_), true));
      cluster.push_back(std::async(std::launch::async, fetch, url + "/cluster", std::cref(options_), false));
    }
    Snapshot s;
    s.now = std::chrono::duration<double>(clock_.now().time_since_epoch()).count();
    std::vector<std::string> cluster_errors;
    for (std::size_t i = 0; i < options_.urls.size(); ++i) {
      auto body = cluster[i].get();
      if (s.cluster) continue;  // the first member in config order that answered speaks for the cluster
      auto parsed = body ? parse_cluster(body.value()) : Result<Cluster>(body.error());
      if (parsed) {
        s.cluster = std::move(parsed).value();
        s.cluster_source = options_.urls[i];
      } else {
        cluster_errors.push_back(options_.urls[i] + ": " + parsed.error().message);
      }
    }
    if (!s.cluster) {
      s.cluster_problem = "no member answered /cluster usably (";
      for (std::size_t i = 0; i < cluster_errors.size(); ++i) s.cluster_problem += (i ? "; " : "") + cluster_errors[i];
      s.cluster_problem += ")";
    }
    for (std::size_t i = 0; i < options_.urls.size(); ++i) s.apis.push_back(member_api(options_.urls[i], own[i].get(), s));
    return build_result(s, options_.thresholds);
  }

 private:
  static MemberApi member_api(const std::string& url, Result<std::string> body, const Snapshot& s) {
    MemberApi api;
    api.url = url;
    auto status = body ? parse_status(body.value()) : Result<OwnView>(body.error());
    if (!status) {
      api.error = status.error().message;
    } else {
      api.dcs_last_seen = status.value().dcs_last_seen;
      api.member = status.value().name;
    }
    if (api.member.empty() && s.cluster) api.member = member_for_url(*s.cluster, url);
    return api;
  }

  Options options_;
  const Clock& clock_;
};

}  // namespace

std::shared_ptr<Check> make_patroni_check(Options options, const Clock& clock) {
  return std::make_shared<PatroniCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::patroni
