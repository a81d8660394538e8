// libcurl behind http.h. Why it is this strict: in the outage hsops exists for, one HTTP call
// with no timeout wedged the homeserver-to-bridge path for hours. So every transfer here has a
// connect and a total deadline, there is no way to ask for "no timeout", TLS verification
// cannot be turned off, and a peer that accepts and never answers ends in a "timeout" value.
#include "net/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>
#include <utility>

namespace hsops::net {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kUserAgent = "hsops/0.1";
constexpr long kMaxRedirects = 5;
// Keeps the doubling backoff (and the budget sum) far from overflow: 200 ms * 2^19 is a day.
constexpr int kMaxAttempts = 20;

int attempts_of(const Retry& retry) { return std::clamp(retry.attempts, 1, kMaxAttempts); }
milliseconds first_backoff(const Retry& retry) { return std::max(retry.initial_backoff, milliseconds{0}); }

// curl_global_init is not thread-safe and must run before any other curl call; checks run on
// several threads, so it runs exactly once. There is deliberately no curl_global_cleanup:
// the library lives as long as the process.
CURLcode global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

// RAII owners for the two curl handles we allocate.
class EasyHandle {
 public:
  EasyHandle() : handle_(curl_easy_init()) {}
  ~EasyHandle() {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  bool append(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) return false;
    list_ = next;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Per-attempt state the curl callbacks write into.
struct Transfer {
  detail::HeaderBlock headers;
  std::string body;
  std::size_t max_body_bytes = 0;
  bool body_too_large = false;
  bool any_header = false;
  bool connected = false;  // the connection (TCP, and TLS for https) was established
};

// Called once the connection is up, before the request is sent: the reliable "connected"
// signal (CURLINFO_CONNECT_TIME_T stays 0 in curl 7.88 while a TLS handshake is pending).
int on_connected(void* user, char*, char*, int, int) {
  static_cast<Transfer*>(user)->connected = true;
  return CURL_PREREQFUNC_OK;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  transfer->any_header = true;
  transfer->headers.feed(std::string_view(data, bytes));
  return bytes;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->body.size() + bytes > transfer->max_body_bytes) {
    transfer->body_too_large = true;
    return 0;  // anything but `bytes` makes curl abort with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, bytes);
  return bytes;
}

std::string describe(const Request& request) { return request.method + " " + redact_url(request.url); }

Error make_error(const Request& request, ErrorKind kind, const std::string& cause) {
  return Error{kind, describe(request) + ": " + cause};
}

// A "url" error for requests we refuse before touching the network.
std::optional<Error> validate(const Request& request) {
  if (request.deadlines.connect.count() <= 0 || request.deadlines.total.count() <= 0) {
    return make_error(request, ErrorKind::url,
                      "connect and total deadlines must be positive (got " +
                          std::to_string(request.deadlines.connect.count()) + " ms and " +
                          std::to_string(request.deadlines.total.count()) +
                          " ms); hsops never waits without a deadline");
  }
  if (request.method.empty() ||
      std::any_of(request.method.begin(), request.method.end(),
                  [](unsigned char c) { return !std::isupper(c) && c != '-' && c != '_'; })) {
    return make_error(request, ErrorKind::url, "invalid HTTP method");
  }
  for (const auto& [name, value] : request.headers) {
    const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
    if (name.empty() || std::any_of(name.begin(), name.end(), bad) ||
        std::any_of(value.begin(), value.end(), bad) || name.find(':') != std::string::npos) {
      return make_error(request, ErrorKind::url, "a request header has an invalid name or value");
    }
  }
  return std::nullopt;
}

// Sets every option; returns the first failure (an unsupported option means a broken
// libcurl, and we would rather fail than run without a deadline).
class Options {
 public:
  explicit Options(CURL* curl) : curl_(curl) {}
  template <typename T>
  Options& set(CURLoption option, T value) {
    if (result_ == CURLE_OK) result_ = curl_easy_setopt(curl_, option, value);
    return *this;
  }
  CURLcode result() const { return result_; }

 private:
  CURL* curl_;
  CURLcode result_ = CURLE_OK;
};

CURLcode configure(CURL* curl, const Request& request, milliseconds total, Transfer& transfer,
                   const HeaderList& headers, char* error_buffer) {
  const milliseconds connect = std::min(request.deadlines.connect, total);
  Options options(curl);
  options.set(CURLOPT_URL, request.url.c_str())
      .set(CURLOPT_ERRORBUFFER, error_buffer)
      // The two deadlines: always set, never zero (validate() guarantees positive values).
      .set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()))
      .set(CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()))
      // Signals are process-wide; with several checks on several threads curl must not use
      // them (its threaded resolver still honours the deadline, see the unit test).
      .set(CURLOPT_NOSIGNAL, 1L)
      .set(CURLOPT_PROTOCOLS_STR, "http,https")
      .set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
      .set(CURLOPT_SSL_VERIFYPEER, 1L)
      .set(CURLOPT_SSL_VERIFYHOST, 2L)
      .set(CURLOPT_USERAGENT, kUserAgent)
      .set(CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L)
      .set(CURLOPT_MAXREDIRS, kMaxRedirects)
      // Refuses early when Content-Length announces too much; on_body catches the rest.
      .set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body_bytes))
      .set(CURLOPT_HEADERFUNCTION, on_header)
      .set(CURLOPT_HEADERDATA, &transfer)
      .set(CURLOPT_WRITEFUNCTION, on_body)
      .set(CURLOPT_WRITEDATA, &transfer)
      .set(CURLOPT_PREREQFUNCTION, on_connected)
      .set(CURLOPT_PREREQDATA, &transfer)
      .set(CURLOPT_HTTPHEADER, headers.get());
  if (!request.ca_file.empty()) options.set(CURLOPT_CAINFO, request.ca_file.c_str());

  if (request.method == "HEAD") {
    options.set(CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || request.body) {
    options.set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const bool wants_body = request.body || request.method == "POST" || request.method == "PUT";
  if (wants_body) {
    // POSTFIELDS does not copy; `request` outlives the transfer. An absent body on POST/PUT
    // is sent as "Content-Length: 0" rather than left to curl's defaults.
    static const std::string empty;
    const std::string& body = request.body ? *request.body : empty;
    options.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()))
        .set(CURLOPT_POSTFIELDS, body.c_str());
  }
  return options.result();
}

bool build_headers(const Request& request, HeaderList& list) {
  for (const auto& [name, value] : request.headers) {
    if (!list.append(name + ": " + value)) return false;
  }
  // No "Expect: 100-continue" round trip for large bodies: it only adds latency.
  return list.append("Expect:");
}

// Whether TCP was up when a connect timed out (so the TLS handshake is what stalled): curl
// only learns its local port once the TCP connection is established.
bool tcp_connected(CURL* curl) {
  long local_port = 0;
  return curl_easy_getinfo(curl, CURLINFO_LOCAL_PORT, &local_port) == CURLE_OK && local_port != 0;
}

struct AttemptFailure {
  Error error;
  bool retryable = false;
};

std::string curl_detail(CURLcode code, const char* error_buffer) {
  return error_buffer[0] != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(code));
}

AttemptFailure failure(const Request& request, CURL* curl, CURLcode code, const Transfer& transfer,
                       milliseconds total, const char* error_buffer) {
  if (transfer.body_too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return {make_error(request, ErrorKind::network,
                       "response larger than " + std::to_string(request.max_body_bytes) +
                           " bytes (max_body_bytes); refusing to read it"),
            false};
  }
  const bool connected = transfer.connected || transfer.any_header;
  const ErrorKind kind = detail::classify_curl_code(static_cast<int>(code), connected);
  std::string cause;
  if (kind == ErrorKind::timeout) {
    cause = (transfer.any_header ? "response not complete within " : "no response within ") +
            std::to_string(total.count()) + " ms (total deadline)";
  } else if (kind == ErrorKind::connect_timeout) {
    // Name resolution, TCP and the TLS handshake all count against the connect deadline.
    const bool by_connect = request.deadlines.connect <= total;
    const auto limit = by_connect ? request.deadlines.connect.count() : total.count();
    cause = (tcp_connected(curl) ? "TLS handshake not finished within " : "could not connect within ") +
            std::to_string(limit) + " ms (" + (by_connect ? "connect" : "total") + " deadline; " +
            curl_detail(code, error_buffer) + ")";
  } else if (kind == ErrorKind::refused) {
    cause = "connection refused or host unreachable (" + curl_detail(code, error_buffer) + ")";
  } else if (kind == ErrorKind::dns) {
    cause = "could not resolve the host name (" + curl_detail(code, error_buffer) + ")";
  } else if (kind == ErrorKind::tls) {
    cause = "TLS failure (" + curl_detail(code, error_buffer) +
            "); check the server certificate, or set ca_file for a private CA";
  } else if (kind == ErrorKind::url) {
    cause = "invalid or unsupported URL (" + curl_detail(code, error_buffer) + "); only http and https";
  } else {
    cause = "transfer failed (" + curl_detail(code, error_buffer) + ")";
  }
  const bool retryable = kind != ErrorKind::tls && kind != ErrorKind::url;
  return {make_error(request, kind, cause), retryable};
}

struct AttemptResult {
  std::optional<Response> response;
  std::optional<AttemptFailure> failure;
};

AttemptResult attempt(const Request& request, milliseconds total) {
  EasyHandle curl;
  HeaderList headers;
  if (curl.get() == nullptr || !build_headers(request, headers)) {
    return {std::nullopt, AttemptFailure{make_error(request, ErrorKind::network, "out of memory setting up the request"), false}};
  }
  Transfer transfer;
  transfer.max_body_bytes = request.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  if (const CURLcode setup = configure(curl.get(), request, total, transfer, headers, error_buffer);
      setup != CURLE_OK) {
    return {std::nullopt,
            AttemptFailure{make_error(request, ErrorKind::url, std::string("cannot set up the request (") +
                                                          curl_easy_strerror(setup) + ")"),
                           false}};
  }
  const auto start = steady_clock::now();
  const CURLcode code = curl_easy_perform(curl.get());
  const auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  if (code != CURLE_OK) return {std::nullopt, failure(request, curl.get(), code, transfer, total, error_buffer)};

  Response response;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  response.headers = transfer.headers.headers();
  response.body = std::move(transfer.body);
  response.elapsed = elapsed;
  return {std::move(response), std::nullopt};
}

bool secret_query_key(std::string_view key) {
  const std::string k = lower(key);
  return k.find("token") != std::string::npos || k.find("secret") != std::string::npos ||
         k.find("password") != std::string::npos || k.rfind("sig", 0) == 0;
}

std::string redact_query(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(pos, end - pos);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && secret_query_key(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append("REDACTED");
    } else {
      out.append(pair);
    }
    if (end == query.size()) break;
    out.push_back('&');
    pos = end + 1;
  }
  return out;
}

Error with_attempt(Error error, int n, int attempts) {
  if (attempts > 1) error.message += " (attempt " + std::to_string(n) + " of " + std::to_string(attempts) + ")";
  return error;
}

}  // namespace

std::string Response::header(const std::string& lower_name) const {
  const auto it = headers.find(lower(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::string redact_url(const std::string& url) {
  std::string_view rest(url);
  std::string out;
  // Drop "user:password@" from the authority.
  if (const size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    const size_t at = rest.substr(0, authority_end).rfind('@');
    if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  }
  const size_t query_start = rest.find('?');
  if (query_start == std::string_view::npos) return out.append(rest);
  out.append(rest.substr(0, query_start + 1));
  rest.remove_prefix(query_start + 1);
  const size_t fragment = std::min(rest.find('#'), rest.size());
  out.append(redact_query(rest.substr(0, fragment)));
  return out.append(rest.substr(fragment));
}

namespace detail {

void HeaderBlock::feed(std::string_view raw_line) {
  if (raw_line.rfind("HTTP/", 0) == 0) {
    // A new response starts (interim 1xx, or a redirect hop): forget the previous block.
    headers_.clear();
    last_name_.clear();
    const size_t space = raw_line.find(' ');
    status_ = 0;
    if (space != std::string_view::npos) {
      for (size_t i = space + 1; i < raw_line.size() && std::isdigit(static_cast<unsigned char>(raw_line[i])); ++i) {
        status_ = status_ * 10 + (raw_line[i] - '0');
      }
    }
    return;
  }
  if (!raw_line.empty() && (raw_line.front() == ' ' || raw_line.front() == '\t')) {
    // obs-fold: a continuation of the previous header's value.
    const std::string_view more = trim(raw_line);
    if (!last_name_.empty() && !more.empty()) headers_[last_name_].append(" ").append(more);
    return;
  }
  const size_t colon = raw_line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    last_name_.clear();  // the blank line ending the block, or garbage
    return;
  }
  last_name_ = lower(trim(raw_line.substr(0, colon)));
  headers_[last_name_] = std::string(trim(raw_line.substr(colon + 1)));
}

ErrorKind classify_curl_code(int curl_code, bool connected) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return connected ? ErrorKind::timeout : ErrorKind::connect_timeout;
    case CURLE_COULDNT_CONNECT:
      return ErrorKind::refused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ErrorKind::dns;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return ErrorKind::tls;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return ErrorKind::url;
    default:
      return ErrorKind::network;
  }
}

milliseconds retry_budget(const Request& request) {
  const int attempts = attempts_of(request.retry);
  milliseconds budget = request.deadlines.total * attempts;
  milliseconds backoff = first_backoff(request.retry);
  for (int i = 1; i < attempts; ++i) {
    budget += backoff;
    backoff *= 2;
  }
  return budget;
}

}  // namespace detail

Result<Response> perform(const Request& request) {
  if (auto invalid = validate(request)) return *invalid;
  if (global_init() != CURLE_OK) {
    return make_error(request, ErrorKind::network, "libcurl could not be initialised");
  }
  const int attempts = attempts_of(request.retry);
  // The whole call, retries and backoffs included, ends by this instant (see Retry in http.h).
  const auto budget_end = steady_clock::now() + detail::retry_budget(request);
  milliseconds backoff = first_backoff(request.retry);

  for (int n = 1;; ++n) {
    const auto left = std::chrono::ceil<milliseconds>(budget_end - steady_clock::now());
    const milliseconds total = std::min(request.deadlines.total, left);
    AttemptResult result = attempt(request, std::max(total, milliseconds{1}));
    const bool last = n >= attempts;
    if (result.response) {
      result.response->attempts = n;
      const bool retry_5xx = request.retry.on_5xx && result.response->status >= 500;
      if (!retry_5xx || last) return std::move(*result.response);
    } else if (!result.failure->retryable || last) {
      return with_attempt(std::move(result.failure->error), n, attempts);
    }
    // Sleep the backoff only if an attempt can still follow within the budget.
    if (steady_clock::now() + backoff >= budget_end) {
      if (result.response) return std::move(*result.response);
      return with_attempt(std::move(result.failure->error), n, attempts);
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

Result<Response> get(const std::string& url, Deadlines deadlines) {
  Request request;
  request.url = url;
  request.deadlines = deadlines;
  return perform(request);
}

}  // namespace hsops::net
