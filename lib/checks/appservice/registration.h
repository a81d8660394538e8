// Appservice registration files (the YAML Synapse reads via app_service_config_files) and the
// lint that catches the mistakes behind one-way bridge outages: a url without scheme or
// pointing at the homeserver itself (matrix-appservice-irc #1314, #357), unanchored or
// overlapping exclusive namespaces, duplicate ids or tokens.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hsops::checks::appservice {

struct Namespace {
  std::string kind;   // "users", "aliases" or "rooms"
  std::string regex;
  bool exclusive = false;
};

struct Registration {
  std::string file;
  std::string id;
  std::optional<std::string> url;  // nullopt: `url: null` (the homeserver sends nothing)
  std::string as_token;            // secret: never in output
  std::string sender_localpart;
  std::vector<Namespace> namespaces;
};

// Reads through lib/config, so a broken file is a ConfigError with file:line:column.
Registration load_registration(const std::filesystem::path& file);
Registration parse_registration(std::string_view yaml, std::string file_name);

struct LintFinding {
  Status status = Status::warning;
  std::string appservice;  // id of the registration it concerns
  std::string text;
};

// `homeserver_url`: the client API base URL the check uses ("" = skip the self-pointing test).
std::vector<LintFinding> lint(const std::vector<Registration>& registrations, const std::string& homeserver_url);

// The literal text a namespace regex must start with ("@_irc_" for "^@_irc_.*"), used to
// spot overlapping exclusive namespaces. Exposed for tests.
std::string literal_prefix(std::string_view regex);
// "host:port" of an http(s) URL (default ports filled in), "" when it has no scheme.
std::string host_port(std::string_view url);

}  // namespace hsops::checks::appservice
