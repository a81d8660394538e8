#include "matrix/server_name.h"

#include <arpa/inet.h>

#include <cctype>

#include "matrix/well_known.h"

namespace hsops::matrix {
namespace {

bool is_ip(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string bracketed(const HostPort& hp) {
  return hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
}

std::string with_port(const HostPort& hp) {
  return bracketed(hp) + (hp.port ? ":" + std::to_string(*hp.port) : "");
}

// The SRV steps shared by the delegated and the plain path; nullopt when no record exists.
Result<std::optional<FederationTarget>> via_srv(const std::string& host, const std::string& host_header,
                                                const ResolveDeps& deps, std::vector<std::string>& steps) {
  for (const char* prefix : {"_matrix-fed._tcp.", "_matrix._tcp."}) {
    const std::string name = prefix + host;
    auto records = deps.srv(name);
    if (!records) {
      steps.push_back("SRV " + name + ": " + records.error().message);
      continue;  // a failed lookup is not an answer; fall through as for "no record"
    }
    if (records.value().empty()) {
      steps.push_back("SRV " + name + ": no record");
      continue;
    }
    const SrvRecord& best = records.value().front();
    steps.push_back("SRV " + name + " -> " + best.target + ":" + std::to_string(best.port));
    FederationTarget t{best.target, best.port, host_header, host, steps};
    return std::optional<FederationTarget>{t};
  }
  return std::optional<FederationTarget>{};
}

// Steps 3-6 of the spec for `hp`, which is either the server name or the delegated name.
Result<FederationTarget> resolve_host(const HostPort& hp, const ResolveDeps& deps, std::vector<std::string>& steps) {
  if (hp.ip_literal || hp.port) {
    steps.push_back(hp.ip_literal ? "IP literal: " + with_port(hp) : "explicit port: " + with_port(hp));
    return FederationTarget{hp.host, hp.port.value_or(8448), with_port(hp), hp.host, steps};
  }
  auto srv = via_srv(hp.host, hp.host, deps, steps);
  if (!srv) return srv.error();
  if (srv.value()) return *srv.value();
  steps.push_back("default port: " + hp.host + ":8448");
  return FederationTarget{hp.host, 8448, hp.host, hp.host, steps};
}

}  // namespace

Result<HostPort> parse_server_name(const std::string& text) {
  HostPort hp;
  std::string rest = text;
  if (text.empty()) return Error{ErrorKind::server_name, "server name is empty"};
  std::string port_text;
  if (rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) return Error{ErrorKind::server_name, "'" + text + "': unterminated IPv6 literal"};
    hp.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return Error{ErrorKind::server_name, "'" + text + "': junk after the IPv6 literal"};
      port_text = rest.substr(close + 2);
    }
    if (!is_ip(hp.host)) return Error{ErrorKind::server_name, "'" + text + "': not an IPv6 address"};
    hp.ip_literal = true;
  } else {
    const auto colon = rest.rfind(':');
    hp.host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
    for (const char c : hp.host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
        return Error{ErrorKind::server_name, "'" + text + "': invalid character in host name"};
      }
    }
    if (hp.host.empty()) return Error{ErrorKind::server_name, "'" + text + "': empty host"};
    hp.ip_literal = is_ip(hp.host);
  }
  if (!port_text.empty() || (text.back() == ':')) {
    if (port_text.empty() || port_text.size() > 5) return Error{ErrorKind::server_name, "'" + text + "': bad port"};
    for (const char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return Error{ErrorKind::server_name, "'" + text + "': bad port"};
    }
    const long port = std::stol(port_text);
    if (port < 1 || port > 65535) return Error{ErrorKind::server_name, "'" + text + "': port out of range"};
    hp.port = static_cast<std::uint16_t>(port);
  }
  return hp;
}

std::string FederationTarget::base_url() const {
  const bool v6 = connect_host.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + connect_host + "]" : connect_host) + ":" + std::to_string(port);
}

Result<FederationTarget> resolve_server_name(const std::string& server_name, const ResolveDeps& deps) {
  auto parsed = parse_server_name(server_name);
  if (!parsed) return parsed.error();
  std::vector<std::string> steps;
  const HostPort& hp = parsed.value();
  if (hp.ip_literal || hp.port) return resolve_host(hp, deps, steps);
  // No port, not an IP: ask the host for delegation first.
  auto wk = deps.fetch_well_known(hp.host);
  if (!wk) {
    steps.push_back("well-known: " + wk.error().message);
  } else {
    std::string why;
    if (auto delegated = parse_server_well_known(wk.value().first, wk.value().second, why)) {
      steps.push_back("well-known m.server: " + *delegated);
      auto dhp = parse_server_name(*delegated);
      if (!dhp) return Error{ErrorKind::well_known, "/.well-known/matrix/server m.server is invalid: " + dhp.error().message};
      return resolve_host(dhp.value(), deps, steps);
    }
    steps.push_back("well-known: " + why);
  }
  return resolve_host(hp, deps, steps);
}

}  // namespace hsops::matrix
