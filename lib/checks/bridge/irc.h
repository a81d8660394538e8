// A small IRC client over TCP or TLS with a deadline on every step (connect, TLS handshake,
// register, join, each read): the remote side of the bridge canary, and the test bridge's link
// to ngircd. TLS always verifies the server's certificate (system store plus an optional CA
// file) and its name (host name, or IP address when the host is one); there is no switch to
// skip that.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct ssl_st;
struct ssl_ctx_st;

namespace hsops::checks::bridge {

using SteadyTime = std::chrono::steady_clock::time_point;

struct IrcMessage {
  std::string prefix;   // "nick!user@host" ("" when absent)
  std::string command;  // "PRIVMSG", "001", "PING", ...
  std::string target;   // first parameter
  std::string text;     // trailing parameter
  std::string nick() const { return prefix.substr(0, prefix.find('!')); }
};

// Parses one line without CRLF; nullopt for an empty line. Exposed for tests.
std::optional<IrcMessage> parse_irc_line(std::string_view line);

struct IrcTls {
  bool enabled = false;
  std::string ca_file;  // extra CA bundle (PEM) besides the system store; "" = system store only
};

class IrcClient {
 public:
  IrcClient() = default;
  IrcClient(const IrcClient&) = delete;
  IrcClient& operator=(const IrcClient&) = delete;
  IrcClient(IrcClient&& other) noexcept;
  IrcClient& operator=(IrcClient&& other) noexcept;
  ~IrcClient();

  // TCP connect, TLS handshake (when tls.enabled), NICK/USER, wait for 001 (answering PINGs),
  // JOIN and wait for the join echo; all before `deadline`.
  Result<bool> connect(const std::string& host, int port, const std::string& nick, const std::string& channel,
                       SteadyTime deadline, const IrcTls& tls = {});
  Result<bool> send_line(const std::string& line);  // CRLF added; a stray CR/LF in it is cut
  // Next message (PINGs answered inside), or Error{ErrorKind::timeout} at the deadline.
  Result<IrcMessage> read(SteadyTime deadline);
  void quit(const std::string& reason);
  bool connected() const { return fd_ >= 0; }
  bool encrypted() const { return ssl_ != nullptr; }
  const std::string& nick() const { return nick_; }

 private:
  Result<bool> handshake(const std::string& host, int port, const IrcTls& tls, SteadyTime deadline);
  void close_connection();
  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  std::string buffer_;
  std::string nick_;
};

}  // namespace hsops::checks::bridge
