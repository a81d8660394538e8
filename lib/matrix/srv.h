// DNS SRV lookups for federation server-name resolution (libresolv, with a deadline).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace hsops::matrix {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // without the trailing dot
};

// SRV records for `name` ("_matrix-fed._tcp.example.org"), best (lowest priority, highest
// weight) first. NXDOMAIN / no records -> empty vector. The resolver's per-try timeout and
// attempts are set from `timeout`, so the call ends within about that time.
Result<std::vector<SrvRecord>> lookup_srv(const std::string& name, std::chrono::milliseconds timeout);

// Parses a DNS answer (exposed for unit tests).
Result<std::vector<SrvRecord>> parse_srv_answer(const unsigned char* answer, int length);

}  // namespace hsops::matrix
