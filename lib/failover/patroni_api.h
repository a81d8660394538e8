// hsops's side of Patroni's REST API (Patroni 3.0): GET /cluster, read with the patroni
// check's parser, and POST /switchover. Patroni owns the leadership; these calls only ask it.
#pragma once

#include <string>

#include "checks/patroni/verdict.h"
#include "core/result.h"
#include "core/units.h"
#include "failover/playbook.h"

namespace hsops::failover {

using PatroniCluster = checks::patroni::Cluster;

// GET /cluster from the first configured URL that answers usably; the error names every URL's
// problem. `source` (optional) receives the URL that answered.
Result<PatroniCluster> read_patroni_cluster(const PatroniApi& api, Millis timeout, std::string* source = nullptr);

// The configured URL of `member` (matched through /cluster's api_url), else the member's own
// api_url without "/patroni"; "" when neither is known.
std::string patroni_url_of(const PatroniApi& api, const PatroniCluster& cluster, const std::string& member);

// GET <url>/primary: Patroni's health check for "I am the running leader" (200), the one
// haproxy routes PostgreSQL clients by. False on any other answer or none.
bool patroni_answers_primary(const PatroniApi& api, const std::string& url, Millis timeout);

// Whether any member's REST API answers GET /patroni at all (any HTTP status): when they do
// but none serves /cluster, Patroni cannot read its DCS (Patroni 3.0 answers /cluster with an
// empty reply while etcd is unreachable).
bool patroni_rest_answers(const PatroniApi& api, Millis timeout);

// POST <url>/switchover {"leader": leader, "candidate": candidate}. Patroni 3.0 answers after
// it has polled the DCS for the result (up to 20 s): 200 "Successfully switched over to ..."
// or 4xx/5xx with its reason as text (412 "... not possible: ...", 503 "Switchover failed").
// Returns Patroni's answer on 200; an Error quoting it otherwise.
Result<std::string> post_switchover(const PatroniApi& api, const std::string& url, const std::string& leader,
                                    const std::string& candidate, Millis timeout);

// Whether the cluster is fit for moving the leader from `leader` to `candidate`; empty when it is.
// The patroni check's verdict supplies the cluster-wide reasons (leaders, timelines).
std::vector<std::string> patroni_switchover_refusals(const PatroniCluster& cluster, const std::string& leader,
                                                     const std::string& candidate, std::uint64_t max_lag);

// The one running leader's name; "" when there is none or more than one.
std::string patroni_leader(const PatroniCluster& cluster);

}  // namespace hsops::failover
