#include "pg/conninfo.h"

#include <cstdio>

namespace hsops::pg {
namespace {

bool is_uri(std::string_view conninfo) {
  return conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
}

std::string quoted(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string percent_encoded(std::string_view v) {
  std::string out;
  for (unsigned char c : v) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string with_password(std::string_view conninfo, std::string_view password) {
  std::string out(conninfo);
  if (is_uri(conninfo)) {
    out += (conninfo.find('?') == std::string_view::npos ? "?" : "&");
    return out + "password=" + percent_encoded(password);
  }
  return out + (out.empty() ? "" : " ") + "password=" + quoted(password);
}

bool is_insufficient_privilege(const Error& error) {
  return error.kind == ErrorKind::sql && error.message.find("SQLSTATE 42501") != std::string::npos;
}

}  // namespace hsops::pg
