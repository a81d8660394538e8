#include "core/result.h"

namespace hsops {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::connect_timeout: return "connect_timeout";
    case ErrorKind::refused: return "refused";
    case ErrorKind::dns: return "dns";
    case ErrorKind::tls: return "tls";
    case ErrorKind::network: return "network";
    case ErrorKind::url: return "url";
    case ErrorKind::http: return "http";
    case ErrorKind::http_4xx: return "http_4xx";
    case ErrorKind::http_5xx: return "http_5xx";
    case ErrorKind::matrix: return "matrix";
    case ErrorKind::server_name: return "server_name";
    case ErrorKind::well_known: return "well_known";
    case ErrorKind::versions: return "versions";
    case ErrorKind::oauth_only: return "oauth_only";
    case ErrorKind::wrong_user: return "wrong_user";
    case ErrorKind::canonical_json: return "canonical_json";
    case ErrorKind::base64: return "base64";
    case ErrorKind::key: return "key";
    case ErrorKind::signature: return "signature";
    case ErrorKind::not_signed: return "unsigned";
    case ErrorKind::connect: return "connect";
    case ErrorKind::sql: return "sql";
    case ErrorKind::busy: return "busy";
    case ErrorKind::copy_count: return "copy_count";
    case ErrorKind::kod: return "kod";
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::stepped: return "stepped";
    case ErrorKind::inconsistent: return "inconsistent";
    case ErrorKind::kernel: return "kernel";
    case ErrorKind::parse: return "parse";
    case ErrorKind::json: return "json";
    case ErrorKind::field: return "field";
    case ErrorKind::config: return "config";
    case ErrorKind::io: return "io";
    case ErrorKind::state: return "state";
    case ErrorKind::statfs: return "statfs";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::spawn: return "spawn";
    case ErrorKind::exit_status: return "exit_status";
    case ErrorKind::random: return "random";
    case ErrorKind::listen: return "listen";
    case ErrorKind::irc: return "irc";
    case ErrorKind::internal: return "internal";
  }
  return "unknown";  // not reached: the switch names every kind
}

std::string kind_name(const Error& error) {
  if (error.kind == ErrorKind::matrix && !error.errcode.empty()) return error.errcode;
  return std::string(to_string(error.kind));
}

}  // namespace hsops
