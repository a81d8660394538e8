#include "checks/federation/check.h"

#include "checks/federation/report.h"
#include "matrix/client.h"
#include "matrix/server_name.h"
#include "matrix/srv.h"
#include "matrix/tls_cert.h"

namespace hsops::checks::federation {
namespace {

using std::chrono::milliseconds;

class FederationCheck final : public Check {
 public:
  FederationCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "federation"; }

  CheckResult run() override {
    Run run;
    const auto deadline = clock_.monotonic() + options_.budget;
    matrix::Client discovery(client_options(""), clock_, deadline);
    auto target = where(discovery, run);
    if (!target) {
      run.failed = "resolution";
      run.error = target.error();
      return build_federation_result(run, options_);
    }
    run.target = target.value().base_url;
    matrix::ClientOptions fed_options = client_options(target.value().base_url);
    fed_options.host_header = target.value().host_header;
    matrix::Client fed(fed_options, clock_, deadline);
    if (version(fed, run)) keys(fed, run);
    // The certificate is dated even when the API failed: it is often the reason.
    if (!options_.plain_http) certificate(target.value(), deadline, run);
    if (options_.plain_http) run.cert_note = "not checked: plain HTTP (allow_plain_http is set)";
    return build_federation_result(run, options_);
  }

 private:
  struct Target {
    std::string base_url;
    std::string host_header;  // "" = the URL's
    std::string connect_host;
    std::uint16_t port = 0;
    std::string tls_name;
  };

  matrix::ClientOptions client_options(std::string base_url) const {
    matrix::ClientOptions c;
    c.base_url = std::move(base_url);
    c.deadlines = options_.deadlines;
    c.ca_file = options_.ca_file;
    c.max_rate_limit_retries = 0;  // federation endpoints are not rate limited per user
    return c;
  }

  Result<Target> where(matrix::Client& client, Run& run) {
    if (!options_.base_url.empty()) {
      run.steps.push_back("resolution skipped: base_url " + options_.base_url + " configured");
      return Target{options_.base_url, "", "", 0, ""};
    }
    matrix::ResolveDeps deps{
        [&](const std::string& host) -> Result<std::pair<long, std::string>> {
          auto r = client.fetch("https://" + host + "/.well-known/matrix/server", /*follow_redirects=*/true);
          if (!r) return r.error();
          return std::make_pair(r.value().status, r.value().body);
        },
        [&](const std::string& name) {
          return matrix::lookup_srv(name, std::min(options_.deadlines.total, client.remaining()));
        }};
    auto t = matrix::resolve_server_name(options_.server_name, deps);
    if (!t) return t.error();
    run.steps = t.value().steps;
    return Target{t.value().base_url(), t.value().host_header, t.value().connect_host, t.value().port, t.value().tls_name};
  }

  bool version(matrix::Client& fed, Run& run) {
    const auto t0 = clock_.monotonic();
    auto v = fed.call("GET", "/_matrix/federation/v1/version");
    if (!v) {
      run.failed = "version";
      run.error = v.error();
      return false;
    }
    run.version_seconds = std::chrono::duration<double>(clock_.monotonic() - t0).count();
    const auto server = v.value().value("server", nlohmann::json::object());
    if (server.is_object()) run.server_software = server.value("name", "?") + " " + server.value("version", "?");
    return true;
  }

  bool keys(matrix::Client& fed, Run& run) {
    auto k = fed.call("GET", "/_matrix/key/v2/server");
    if (!k) {
      run.failed = "keys";
      run.error = k.error();
      return false;
    }
    run.keys = check_server_keys(k.value(), options_.server_name, clock_.now());
    return true;
  }

  void certificate(const Target& t, std::chrono::steady_clock::time_point deadline, Run& run) {
    std::string host = t.connect_host;
    std::uint16_t port = t.port;
    std::string tls_name = t.tls_name;
    if (host.empty()) {  // base_url configured: https://host[:port]
      const std::string rest = options_.base_url.substr(8);
      auto hp = matrix::parse_server_name(rest.substr(0, rest.find('/')));
      if (!hp) {
        run.cert_problem = "cannot read host from base_url: " + hp.error().message;
        return;
      }
      host = hp.value().host;
      port = hp.value().port.value_or(443);
      tls_name = host;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_.monotonic());
    if (left.count() <= 0) {
      run.cert_problem = "not checked: the check's deadline has passed";
      return;
    }
    auto cert = matrix::fetch_certificate(host, port, tls_name, options_.ca_file,
                                          std::min(options_.deadlines.connect, left), std::min(options_.deadlines.total, left));
    if (!cert) {
      run.cert_problem = cert.error().message;
      return;
    }
    run.cert_seconds = std::chrono::duration<double>(cert.value().not_after - clock_.now()).count();
    run.cert_note = cert.value().subject + ", issued by " + cert.value().issuer + " (checked for " + tls_name + ")";
    if (!cert.value().verified) run.cert_problem = "does not verify for " + tls_name + ": " + cert.value().verify_error;
  }

  Options options_;
  const Clock& clock_;
};

}  // namespace

std::shared_ptr<Check> make_federation_check(Options options, const Clock& clock) {
  return std::make_shared<FederationCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::federation
