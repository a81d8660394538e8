// Pure helpers behind net::perform: header parsing, error classification, URL redaction,
// retry budget, and the requests refused before any network I/O.
#include <curl/curl.h>  // only for the CURLcode values; the test links hsops::net, not curl

#include <catch2/catch.hpp>

#include "net/http.h"
#include "net/json.h"

using namespace std::chrono_literals;
using hsops::net::detail::classify_curl_code;
using hsops::net::detail::HeaderBlock;

TEST_CASE("HeaderBlock lower-cases names / trims values / last value wins") {
  HeaderBlock block;
  block.feed("HTTP/1.1 200 OK\r\n");
  block.feed("Content-Type:  application/json \r\n");
  block.feed("X-Thing: one\r\n");
  block.feed("x-thing: two\r\n");
  block.feed("Empty:\r\n");
  block.feed("\r\n");
  CHECK(block.status() == 200);
  CHECK(block.headers().at("content-type") == "application/json");
  CHECK(block.headers().at("x-thing") == "two");
  CHECK(block.headers().at("empty").empty());
  CHECK(block.headers().size() == 3);
}

TEST_CASE("HeaderBlock: an interim 100 Continue block is replaced by the final one") {
  HeaderBlock block;
  block.feed("HTTP/1.1 100 Continue\r\n");
  block.feed("X-Interim: yes\r\n");
  block.feed("\r\n");
  block.feed("HTTP/1.1 503 Service Unavailable\r\n");
  block.feed("Retry-After: 5\r\n");
  block.feed("\r\n");
  CHECK(block.status() == 503);
  CHECK(block.headers().count("x-interim") == 0);
  CHECK(block.headers().at("retry-after") == "5");
}

TEST_CASE("HeaderBlock handles HTTP/2 status lines / obs-fold and garbage") {
  HeaderBlock block;
  block.feed("HTTP/2 204\r\n");
  block.feed("X-Long: first\r\n");
  block.feed("   second part\r\n");
  block.feed("no colon here\r\n");
  block.feed(": no name\r\n");
  CHECK(block.status() == 204);
  CHECK(block.headers().at("x-long") == "first second part");
  CHECK(block.headers().size() == 1);
}

TEST_CASE("classify_curl_code maps curl failures to Error kinds") {
  CHECK(classify_curl_code(CURLE_OPERATION_TIMEDOUT, true) == hsops::ErrorKind::timeout);
  CHECK(classify_curl_code(CURLE_OPERATION_TIMEDOUT, false) == hsops::ErrorKind::connect_timeout);
  CHECK(classify_curl_code(CURLE_COULDNT_CONNECT, false) == hsops::ErrorKind::refused);
  CHECK(classify_curl_code(CURLE_COULDNT_RESOLVE_HOST, false) == hsops::ErrorKind::dns);
  CHECK(classify_curl_code(CURLE_SSL_CONNECT_ERROR, true) == hsops::ErrorKind::tls);
  CHECK(classify_curl_code(CURLE_PEER_FAILED_VERIFICATION, true) == hsops::ErrorKind::tls);
  CHECK(classify_curl_code(CURLE_SSL_CACERT_BADFILE, false) == hsops::ErrorKind::tls);
  CHECK(classify_curl_code(CURLE_URL_MALFORMAT, false) == hsops::ErrorKind::url);
  CHECK(classify_curl_code(CURLE_UNSUPPORTED_PROTOCOL, false) == hsops::ErrorKind::url);
  CHECK(classify_curl_code(CURLE_RECV_ERROR, true) == hsops::ErrorKind::network);
  CHECK(classify_curl_code(CURLE_GOT_NOTHING, true) == hsops::ErrorKind::network);
}

TEST_CASE("redact_url drops credentials and secret query values") {
  using hsops::net::redact_url;
  CHECK(redact_url("https://hs.example/_matrix/client/versions") == "https://hs.example/_matrix/client/versions");
  CHECK(redact_url("https://bob:hunter2@hs.example/x") == "https://hs.example/x");
  CHECK(redact_url("https://hs.example/sync?access_token=syt_abc&timeout=0") ==
        "https://hs.example/sync?access_token=REDACTED&timeout=0");
  CHECK(redact_url("http://h/x?a=1&Client_Secret=s&sig=z#frag") == "http://h/x?a=1&Client_Secret=REDACTED&sig=REDACTED#frag");
  CHECK(redact_url("http://h/x?flag") == "http://h/x?flag");
  CHECK(redact_url("not a url") == "not a url");
}

TEST_CASE("retry_budget is attempts * total + doubling backoffs") {
  hsops::net::Request request;
  request.deadlines.total = 1000ms;
  CHECK(hsops::net::detail::retry_budget(request) == 1000ms);
  request.retry.attempts = 3;
  request.retry.initial_backoff = 100ms;
  CHECK(hsops::net::detail::retry_budget(request) == 3000ms + 100ms + 200ms);
  request.retry.attempts = 0;  // treated as 1
  CHECK(hsops::net::detail::retry_budget(request) == 1000ms);
  request.retry.attempts = 2;
  request.retry.initial_backoff = -50ms;  // treated as 0
  CHECK(hsops::net::detail::retry_budget(request) == 2000ms);
  request.retry.attempts = 1'000'000;  // capped at 20, no overflow
  request.retry.initial_backoff = 1ms;
  CHECK(hsops::net::detail::retry_budget(request) == 20 * 1000ms + ((1 << 19) - 1) * 1ms);
}

TEST_CASE("perform refuses zero or negative deadlines as a url error / never 'no timeout'") {
  hsops::net::Request request;
  request.url = "http://127.0.0.1:9/";
  request.deadlines.total = 0ms;
  auto r = hsops::net::perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);
  CHECK(r.error().message.find("GET http://127.0.0.1:9/: ") == 0);
  CHECK(r.error().message.find("must be positive") != std::string::npos);
  request.deadlines.total = 1000ms;
  request.deadlines.connect = -5ms;
  r = hsops::net::perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);
}

TEST_CASE("perform rejects other protocols / malformed URLs and header injection") {
  using hsops::net::perform;
  hsops::net::Request request;
  request.deadlines = {500ms, 500ms};
  request.url = "file:///etc/passwd";
  auto r = perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);

  request.url = "http://[::1";
  r = perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);

  request.url = "http://127.0.0.1:9/";
  request.method = "get";
  r = perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);

  request.method = "GET";
  request.headers = {{"Authorization", "Bearer secret\r\nX-Evil: 1"}};
  r = perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::url);
  CHECK(r.error().message.find("secret") == std::string::npos);
}

TEST_CASE("error messages redact the URL") {
  hsops::net::Request request;
  request.url = "ftp://127.0.0.1/x?access_token=syt_secret";
  request.deadlines = {500ms, 500ms};
  auto r = hsops::net::perform(request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("syt_secret") == std::string::npos);
  CHECK(r.error().message.find("access_token=REDACTED") != std::string::npos);
}

TEST_CASE("libcurl resolves names asynchronously / so NOSIGNAL keeps DNS under the deadline") {
  // Without an async resolver, CURLOPT_NOSIGNAL makes name lookups ignore the timeouts.
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  CHECK((info->features & CURL_VERSION_ASYNCHDNS) != 0);
  CHECK(info->version_num >= 0x075500);  // CURLOPT_PROTOCOLS_STR needs 7.85
}

TEST_CASE("Response::header is a lower-case lookup returning empty when absent") {
  hsops::net::Response response;
  response.headers["date"] = "Tue, 01 Jan 2030 00:00:00 GMT";
  CHECK(response.header("date") == "Tue, 01 Jan 2030 00:00:00 GMT");
  CHECK(response.header("Date") == "Tue, 01 Jan 2030 00:00:00 GMT");
  CHECK(response.header("server").empty());
}

TEST_CASE("parse_json: valid body / and an error naming the URL for invalid") {
  hsops::net::Response response;
  response.body = R"({"versions":["v1.1"]})";
  auto ok = hsops::net::parse_json(response, "http://h/v");
  REQUIRE(ok.ok());
  CHECK(ok.value()["versions"][0] == "v1.1");

  response.body = "<html>Bad Gateway</html>";
  auto bad = hsops::net::parse_json(response, "http://h/v?access_token=abc");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == hsops::ErrorKind::parse);
  CHECK(bad.error().message.rfind("http://h/v?access_token=REDACTED: response is not JSON: ", 0) == 0);
}
