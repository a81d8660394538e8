// Federation server-name resolution (server-server API, "Resolving server names"): where to
// connect, which Host header to send and which name the TLS certificate must carry.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "matrix/srv.h"

namespace hsops::matrix {

struct HostPort {
  std::string host;                  // IPv6 literals without brackets
  std::optional<std::uint16_t> port;
  bool ip_literal = false;
};

// "example.org", "example.org:8448", "1.2.3.4", "[::1]:8448". Error{ErrorKind::server_name} if invalid.
Result<HostPort> parse_server_name(const std::string& text);

struct FederationTarget {
  std::string connect_host;  // what to connect to (SRV target, delegated host, ...)
  std::uint16_t port = 8448;
  std::string host_header;   // server name or delegated name, with port if one was given
  std::string tls_name;      // the name the certificate must match
  std::vector<std::string> steps;  // how we got there, one line each, for details
  std::string base_url() const;    // "https://connect_host:port"
};

// What resolution needs from the outside, injectable for tests.
struct ResolveDeps {
  // GET https://<host>/.well-known/matrix/server -> (status, body), following redirects.
  std::function<Result<std::pair<long, std::string>>(const std::string& host)> fetch_well_known;
  std::function<Result<std::vector<SrvRecord>>(const std::string& name)> srv;
};

Result<FederationTarget> resolve_server_name(const std::string& server_name, const ResolveDeps& deps);

}  // namespace hsops::matrix
