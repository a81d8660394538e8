// Reading Patroni's REST answers (GET /cluster and GET /patroni, Patroni 3.0). Bodies come in
// as text so nlohmann/json stays out of the headers. A body that is not what Patroni writes is
// an Error{ErrorKind::json} naming what is missing.
#pragma once

#include <string_view>

#include "checks/patroni/verdict.h"
#include "core/result.h"

namespace hsops::checks::patroni {

Result<Cluster> parse_cluster(std::string_view body);

// GET /patroni: only what the check judges. `dcs_last_seen` is absent on Patroni before 2.1;
// then the member's DCS contact is simply not judged.
struct OwnView {
  std::optional<double> dcs_last_seen;
  std::string name;        // newer Patroni writes "name"; 3.0 does not ("" then)
  std::string scope;       // patroni.scope
};
Result<OwnView> parse_status(std::string_view body);

// The member whose api_url is the configured URL (".../patroni" and a trailing '/' ignored);
// "" when none.
std::string member_for_url(const Cluster& c, std::string_view url);

}  // namespace hsops::checks::patroni
