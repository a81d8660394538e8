// The REST calls behind the patroni.* steps and the patroni backend's observe. Every request
// is bounded by the caller's timeout; the basic-auth header is never logged (lib/net names
// only the method and the redacted URL in its errors).
#include "failover/patroni_api.h"

#include <nlohmann/json.hpp>

#include "checks/patroni/parse.h"
#include "matrix/signing.h"
#include "net/http.h"

namespace hsops::failover {
namespace {

namespace pc = checks::patroni;

net::Request request(const PatroniApi& api, std::string method, std::string url, Millis timeout) {
  net::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.deadlines = net::Deadlines{std::min(timeout, Millis(3000)), timeout};
  r.ca_file = api.ca_file;
  r.max_body_bytes = 1 << 20;  // a cluster listing is a few KiB
  if (api.password) {
    const std::string pair = api.username + ":" + *api.password;
    std::string b64 = matrix::base64_encode_unpadded(std::vector<unsigned char>(pair.begin(), pair.end()));
    while (b64.size() % 4 != 0) b64 += '=';  // HTTP basic auth wants padded base64
    r.headers.emplace_back("Authorization", "Basic " + b64);
  }
  return r;
}

}  // namespace

Result<PatroniCluster> read_patroni_cluster(const PatroniApi& api, Millis timeout, std::string* source) {
  std::string problems;
  for (const auto& url : api.urls) {
    auto got = net::perform(request(api, "GET", url + "/cluster", timeout));
    std::string why;
    if (!got) {
      why = got.error().message;
    } else if (got->status != 200) {
      why = "HTTP " + std::to_string(got->status);
    } else if (auto parsed = pc::parse_cluster(got->body); !parsed) {
      why = parsed.error().message;
    } else {
      if (source != nullptr) *source = url;
      return std::move(parsed).value();
    }
    problems += (problems.empty() ? "" : "; ") + net::redact_url(url) + ": " + why;
  }
  return Error{ErrorKind::network, "no Patroni REST API answered /cluster usably (" + problems + ")"};
}

std::string patroni_url_of(const PatroniApi& api, const PatroniCluster& cluster, const std::string& member) {
  for (const auto& url : api.urls) {
    if (pc::member_for_url(cluster, url) == member) return url;
  }
  for (const auto& m : cluster.members) {
    if (m.name != member || m.api_url.empty()) continue;
    std::string url = m.api_url;
    if (const auto at = url.rfind("/patroni"); at != std::string::npos && at + 8 == url.size()) url.resize(at);
    return url;
  }
  return "";
}

bool patroni_answers_primary(const PatroniApi& api, const std::string& url, Millis timeout) {
  auto got = net::perform(request(api, "GET", url + "/primary", timeout));
  return got && got->status == 200;
}

bool patroni_rest_answers(const PatroniApi& api, Millis timeout) {
  for (const auto& url : api.urls) {
    if (net::perform(request(api, "GET", url + "/patroni", timeout))) return true;
  }
  return false;
}

Result<std::string> post_switchover(const PatroniApi& api, const std::string& url, const std::string& leader,
                                    const std::string& candidate, Millis timeout) {
  auto r = request(api, "POST", url + "/switchover", timeout);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = nlohmann::json{{"leader", leader}, {"candidate", candidate}}.dump();
  // Never retried: a second POST while the first is being carried out would be refused at
  // best and would schedule a second move at worst.
  auto got = net::perform(r);
  if (!got) return got.error();  // lib/net names the method and the redacted URL
  std::string body = got->body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  if (got->status == 200) return body;
  const auto kind = got->status == 401 || got->status == 403 ? ErrorKind::http_4xx
                    : got->status >= 500                     ? ErrorKind::http_5xx
                                                             : ErrorKind::http;
  std::string hint;
  if (got->status == 401) hint = " (restapi.authentication: set database.patroni.username and password_file)";
  return Error{kind, "Patroni refused the switchover " + leader + " -> " + candidate + ": HTTP " +
                         std::to_string(got->status) + " \"" + body + "\"" + hint};
}

std::string patroni_leader(const PatroniCluster& cluster) {
  std::string leader;
  int n = 0;
  for (const auto& m : cluster.members) {
    if (pc::is_leader(m) && m.state == "running") {
      leader = m.name;
      ++n;
    }
  }
  return n == 1 ? leader : "";
}

std::vector<std::string> patroni_switchover_refusals(const PatroniCluster& cluster, const std::string& leader,
                                                     const std::string& candidate, std::uint64_t max_lag) {
  std::vector<std::string> out;
  if (cluster.paused) {
    out.push_back("the Patroni cluster is paused (maintenance mode): Patroni manages nothing now; resume it first "
                  "(`patronictl resume`), then switch over");
  }
  // The check's verdict: its CRITICAL reasons (no or two leaders, timelines, members) hold here too.
  pc::Snapshot snap;
  snap.cluster = cluster;
  pc::Thresholds t;
  t.members = 2;
  t.warn_lag_bytes = t.crit_lag_bytes = std::max<std::uint64_t>(max_lag, 1);
  const auto verdict = pc::judge(snap, t);
  if (verdict.status == Status::critical) {
    for (const auto& why : verdict.reasons) out.push_back("Patroni: " + why);
    return out;
  }
  const pc::Member* cand = nullptr;
  const pc::Member* lead = nullptr;
  for (const auto& m : cluster.members) {
    if (m.name == candidate) cand = &m;
    if (m.name == leader) lead = &m;
  }
  if (lead == nullptr || !pc::is_leader(*lead)) out.push_back(leader + " is not Patroni's leader");
  if (cand == nullptr) {
    out.push_back(candidate + " is not a member of the Patroni cluster (node names must be Patroni member names)");
    return out;
  }
  if (!pc::is_replicating(*cand)) {
    out.push_back("candidate " + candidate + " is " + cand->role + "/" + cand->state + ", not a running replica");
  } else if (cand->lag_unknown || !cand->lag_bytes) {
    out.push_back("candidate " + candidate + "'s lag is unknown to Patroni: wait until it reports a WAL position");
  } else if (*cand->lag_bytes > static_cast<double>(max_lag)) {
    out.push_back("candidate " + candidate + " is " + format_bytes(*cand->lag_bytes) + " behind, above switchover_max_lag (" +
                  format_bytes(static_cast<double>(max_lag)) + ")");
  }
  return out;
}

}  // namespace hsops::failover
