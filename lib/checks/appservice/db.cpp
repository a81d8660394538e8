#include "checks/appservice/db.h"

#include <cstdlib>

namespace hsops::checks::appservice {
namespace {

// No row (or NULL) means up: Synapse writes one only when the state changes.
constexpr const char* kStates = "SELECT as_id, state FROM application_services_state";

// The oldest pending transaction's age is estimated from the events it holds (the table has
// no timestamp): the earliest received_ts among them.
constexpr const char* kPending = R"(
SELECT t.as_id, count(*) AS pending,
       (SELECT extract(epoch FROM now()) - min(e.received_ts) / 1000.0
          FROM application_services_txns o
          CROSS JOIN LATERAL json_array_elements_text(o.event_ids::json) AS x(event_id)
          JOIN events e ON e.event_id = x.event_id
         WHERE o.as_id = t.as_id
           AND o.txn_id = (SELECT min(txn_id) FROM application_services_txns WHERE as_id = t.as_id)) AS oldest_age
  FROM application_services_txns t
 GROUP BY t.as_id)";

constexpr const char* kLag = R"(
SELECT (SELECT coalesce(max(stream_ordering), 0) FROM events) -
       (SELECT stream_ordering FROM appservice_stream_position LIMIT 1) AS lag)";

}  // namespace

Result<SynapseDelivery> read_delivery(pg::Connection& db) {
  SynapseDelivery out;
  auto states = db.query(kStates);
  if (!states) return states.error();
  for (std::size_t i = 0; i < states->size(); ++i) {
    out.by_id[states->at(i, "as_id").value_or("")].down = states->at(i, "state").value_or("") == "down";
  }
  auto pending = db.query(kPending);
  if (!pending) return pending.error();
  for (std::size_t i = 0; i < pending->size(); ++i) {
    auto& s = out.by_id[pending->at(i, "as_id").value_or("")];
    s.pending = std::strtol(pending->at(i, "pending").value_or("0").c_str(), nullptr, 10);
    if (const auto& age = pending->at(i, "oldest_age")) s.oldest_pending_age = std::strtod(age->c_str(), nullptr);
  }
  auto lag = db.query(kLag);
  if (!lag) return lag.error();
  if (!lag->empty()) {
    if (const auto& v = lag->at(0, "lag")) out.sender_lag_events = std::strtod(v->c_str(), nullptr);
  }
  return out;
}

}  // namespace hsops::checks::appservice
