// What `hsops check patroni` needs, as plain values (config.cpp reads them from checks.patroni).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "checks/patroni/verdict.h"
#include "net/http.h"

namespace hsops::checks::patroni {

struct Options {
  std::vector<std::string> urls;    // members' REST API base URLs, e.g. http://db1:8008
  Thresholds thresholds;
  net::Deadlines deadlines;         // per request
  std::string ca_file;              // extra CA bundle for an https REST API ("" = system store)
};

}  // namespace hsops::checks::patroni
