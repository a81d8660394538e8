// A small IRC client over TCP with a deadline on every step (connect, register, join, each
// read): the remote side of the bridge canary, and the test bridge's link to ngircd. Plain
// TCP only for now (TLS is listed as undone in docs/checks/bridge.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

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

class IrcClient {
 public:
  IrcClient() = default;
  IrcClient(const IrcClient&) = delete;
  IrcClient& operator=(const IrcClient&) = delete;
  IrcClient(IrcClient&& other) noexcept;
  IrcClient& operator=(IrcClient&& other) noexcept;
  ~IrcClient();

  // TCP connect, NICK/USER, wait for 001 (answering PINGs), JOIN and wait for the join echo.
  Result<bool> connect(const std::string& host, int port, const std::string& nick, const std::string& channel,
                       SteadyTime deadline);
  Result<bool> send_line(const std::string& line);  // CRLF added; a stray CR/LF in it is cut
  // Next message (PINGs answered inside), or Error{"timeout"} at the deadline.
  Result<IrcMessage> read(SteadyTime deadline);
  void quit(const std::string& reason);
  bool connected() const { return fd_ >= 0; }
  const std::string& nick() const { return nick_; }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::string nick_;
};

}  // namespace hsops::checks::bridge
