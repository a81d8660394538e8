// The peer certificate of a TLS endpoint: validity, chain verification, name match, days left.
// libcurl does not hand us the certificate in a form we can date, so this opens its own TLS
// connection (OpenSSL), bounded by a connect deadline and a total deadline like every call.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace hsops::matrix {

struct CertInfo {
  std::chrono::system_clock::time_point not_after;
  std::chrono::system_clock::time_point not_before;
  std::string subject;
  std::string issuer;
  bool verified = false;      // chain to a trusted root AND the name matches
  std::string verify_error;   // OpenSSL's reason when !verified
};

Result<CertInfo> fetch_certificate(const std::string& connect_host, std::uint16_t port, const std::string& tls_name,
                                   const std::string& ca_file, std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds total_timeout);

}  // namespace hsops::matrix
