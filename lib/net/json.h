// JSON helpers over the HTTP client (nlohmann/json).
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "net/http.h"

namespace hsops::net {

// Parses a body as JSON; a parse failure is Error{ErrorKind::parse, "...: <what>"} naming the URL.
Result<nlohmann::json> parse_json(const Response& response, const std::string& url);

// Sends `body` as application/json (method from the request) and parses the reply.
struct JsonResponse {
  Response http;
  nlohmann::json json;  // null when the body was empty or not JSON
};
Result<JsonResponse> perform_json(Request request, const nlohmann::json& body);

}  // namespace hsops::net
