// Synapse's own record of appservice delivery, read-only from its database: whether it has
// marked an appservice down, the transactions it holds for it (how many, how old), and how far
// the appservice sender lags behind the event stream. Synapse exports none of this as a
// metric (element-hq/synapse #3702), and in the outage it was the part that told the truth.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "checks/common/pg_target.h"
#include "core/result.h"
#include "pg/connection.h"

namespace hsops::checks::appservice {

struct DeliveryState {
  bool down = false;                         // application_services_state.state = 'down'
  long pending = 0;                          // rows in application_services_txns
  std::optional<double> oldest_pending_age;  // seconds since the oldest held event was received
};

struct SynapseDelivery {
  std::map<std::string, DeliveryState> by_id;  // only appservices with a row somewhere
  std::optional<double> sender_lag_events;     // max(events.stream_ordering) - appservice_stream_position
};

Result<SynapseDelivery> read_delivery(pg::Connection& db);

}  // namespace hsops::checks::appservice
