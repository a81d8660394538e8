#include "checks/bridge/traffic.h"

#include <cstdio>
#include <cstdlib>

namespace hsops::checks::bridge {
namespace {

// Rooms where the namespace has joined members are the bridged rooms; the namespace regex is
// a parameter (POSIX, as in the registration), never spliced into the SQL.
constexpr const char* kTraffic = R"(
WITH bridged AS (
  SELECT DISTINCT room_id FROM local_current_membership WHERE user_id ~ $1 AND membership = 'join'
), recent AS (
  SELECT e.sender ~ $1 AS inbound, e.received_ts
    FROM events e JOIN bridged b ON b.room_id = e.room_id
   WHERE e.type = 'm.room.message' AND e.received_ts > (extract(epoch FROM now()) - $2::float8) * 1000
)
SELECT count(*) FILTER (WHERE inbound) AS inbound,
       count(*) FILTER (WHERE NOT inbound) AS outbound,
       extract(epoch FROM now()) - max(received_ts) FILTER (WHERE inbound) / 1000.0 AS inbound_age,
       extract(epoch FROM now()) - max(received_ts) FILTER (WHERE NOT inbound) / 1000.0 AS outbound_age
  FROM recent)";

std::optional<double> number(const pg::Value& v) {
  if (!v) return std::nullopt;
  return std::strtod(v->c_str(), nullptr);
}

}  // namespace

Result<Traffic> read_traffic(const TrafficOptions& o) {
  auto db = connect(o.database);
  if (!db) return db.error();
  auto rows = db.value().query(kTraffic, {o.user_regex, std::to_string(o.window.count())});
  if (!rows) return rows.error();
  Traffic t;
  if (rows->empty()) return t;
  t.inbound = static_cast<long>(number(rows->at(0, "inbound")).value_or(0));
  t.outbound = static_cast<long>(number(rows->at(0, "outbound")).value_or(0));
  t.inbound_age = number(rows->at(0, "inbound_age"));
  t.outbound_age = number(rows->at(0, "outbound_age"));
  return t;
}

std::string judge_traffic(const Traffic& t, const TrafficLimits& limits) {
  const bool inbound_quiet = t.inbound <= t.outbound;
  const long busy = inbound_quiet ? t.outbound : t.inbound;
  const long quiet = inbound_quiet ? t.inbound : t.outbound;
  if (busy == 0 || busy < limits.min_messages) return "";  // too little traffic to tell
  const char* quiet_way = inbound_quiet ? "remote -> Matrix" : "Matrix -> remote";
  const std::string busy_way = inbound_quiet ? " went Matrix -> remote" : " came remote -> Matrix";
  if (quiet == 0) return std::string(quiet_way) + " silent: 0 messages while " + std::to_string(busy) + busy_way;
  const double ratio = static_cast<double>(quiet) / static_cast<double>(busy);
  if (ratio >= limits.min_ratio) return "";
  char figures[64];
  std::snprintf(figures, sizeof figures, " (ratio %.3g < min_ratio %.3g)", ratio, limits.min_ratio);
  return std::string(quiet_way) + " nearly silent: " + std::to_string(quiet) + (quiet == 1 ? " message" : " messages") +
         " while " + std::to_string(busy) + busy_way + figures;
}

}  // namespace hsops::checks::bridge
