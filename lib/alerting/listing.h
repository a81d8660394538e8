// `hsops alerts list` and /api/v1/alerts: the active alerts as JSON.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "alerting/engine.h"

namespace hsops::alerting {

// {"alerts": [{id, fingerprint, check, labels, severity, summary, fired_at, tier, flapping,
// silenced, acked_by, acked_at, ack_until, ack_comment, next_page}]}; times in unix seconds.
nlohmann::json alerts_json(const std::vector<ListedAlert>& rows);

}  // namespace hsops::alerting
