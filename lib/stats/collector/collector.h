// hsops-collector as a whole: migrate the schema, apply retention (at start, then hourly),
// serve until SIGTERM. cmd/hsops-collector only parses arguments and calls this.
#pragma once

#include <ostream>

#include "stats/collector/config.h"

namespace hsops::stats {

// Returns the process exit code: 0 after a clean shutdown, 1 when the database cannot be
// prepared or the address cannot be bound. Progress and errors go to `log` (never a server
// name, a client address or a secret).
int run_collector(const CollectorConfig& config, std::ostream& log);

// --check-config: connects to the database and reports the schema version it would migrate
// from. 0 ok, 1 not.
int check_collector(const CollectorConfig& config, std::ostream& out);

}  // namespace hsops::stats
