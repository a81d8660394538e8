// Reads the DHCP lease files of dhclient, systemd-networkd, dhcpcd and NetworkManager into one
// Lease per interface, so the network check can tell how long each address is still good for.
#include "checks/network/leases.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace hsops::checks::network {
namespace {

// RFC 2131 4.4.5: without T1/T2 from the server, clients renew at 1/2 and rebind at 7/8 of the lease.
constexpr double kDefaultRenewFraction = 0.5;
constexpr double kDefaultRebindFraction = 0.875;
// RFC 2132: a lease time of 0xffffffff means infinite.
constexpr std::uint32_t kInfiniteLease = 0xffffffffu;
// dhclient.leases grows until dhclient rewrites it; anything past this is not a lease file.
constexpr std::uintmax_t kMaxLeaseFileBytes = 4u << 20;

Error parse_error(const std::string& file, std::size_t line, const std::string& what) {
  return Error{ErrorKind::parse, file + ": line " + std::to_string(line) + ": " + what};
}
Error file_error(const std::string& file, const std::string& what) { return Error{ErrorKind::parse, file + ": " + what}; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ipv4(std::string_view s) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(s).c_str(), &addr) == 1;
}

std::optional<std::uint64_t> to_uint(std::string_view s) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

// Renew/rebind/expiry from a start and the server's durations, as the clients themselves derive them.
void derive_times(Lease& lease, std::optional<double> lifetime, std::optional<double> t1, std::optional<double> t2) {
  if (!lease.start) return;
  if (lifetime) {
    lease.expiry = *lease.start + *lifetime;
    if (!t1) t1 = *lifetime * kDefaultRenewFraction;
    if (!t2) t2 = *lifetime * kDefaultRebindFraction;
  }
  if (t1) lease.renew = *lease.start + *t1;
  if (t2) lease.rebind = *lease.start + *t2;
}

// ---- dhclient -------------------------------------------------------------------------------

struct Token {
  enum Kind { word, string, open, close, semicolon } kind;
  std::string text;
  std::size_t line;
};

// dhclient's lease syntax (dhclient.leases(5)): words, "strings", { } and ; with # comments.
Result<std::vector<Token>> tokenize_dhclient(std::string_view text, const std::string& file) {
  std::vector<Token> tokens;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') { ++line; ++i; continue; }
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '{') { tokens.push_back({Token::open, "{", line}); ++i; continue; }
    if (c == '}') { tokens.push_back({Token::close, "}", line}); ++i; continue; }
    if (c == ';') { tokens.push_back({Token::semicolon, ";", line}); ++i; continue; }
    if (c == '"') {
      const std::size_t start_line = line;
      std::string value;
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;  // octal escapes stay escaped: only names matter here
        if (text[i] == '\n') ++line;
        value += text[i++];
      }
      if (i >= text.size()) return parse_error(file, start_line, "string not closed");
      ++i;
      tokens.push_back({Token::string, value, start_line});
      continue;
    }
    std::string word;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
           std::string_view("{};\"#").find(text[i]) == std::string_view::npos)
      word += text[i++];
    tokens.push_back({Token::word, word, line});
  }
  return tokens;
}

// print_time() in ISC dhcp's common/print.c: "W YYYY/MM/DD HH:MM:SS" in UTC, "epoch N" when
// db-time-format is local, or "never". nullopt time with ok = true means "never".
struct DhclientTime {
  bool ok = false;
  std::optional<double> when;
};

DhclientTime parse_dhclient_time(const std::vector<std::string>& words) {
  if (words.size() == 1 && words[0] == "never") return {true, std::nullopt};
  if (words.size() == 2 && words[0] == "epoch") {
    auto seconds = to_uint(words[1]);
    if (!seconds) return {};
    return {true, static_cast<double>(*seconds)};
  }
  if (words.size() != 3) return {};
  std::tm tm{};
  char extra = 0;
  if (std::sscanf(words[1].c_str(), "%d/%d/%d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &extra) != 3) return {};
  if (std::sscanf(words[2].c_str(), "%d:%d:%d%c", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &extra) != 3) return {};
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60 || tm.tm_year < 1970)
    return {};
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return {true, static_cast<double>(timegm(&tm))};
}

// dhclient.eth0.leases, dhclient-<uuid>-eth0.lease: the interface when a block names none.
std::string interface_from_dhclient_file(const std::string& file) {
  std::string name = std::filesystem::path(file).filename().string();
  if (starts_with(name, "dhclient.") && ends_with(name, ".leases")) {
    return name.substr(9, name.size() - 9 - 7);
  }
  if (starts_with(name, "dhclient-") && ends_with(name, ".lease")) {
    name = name.substr(0, name.size() - 6);
    // A NetworkManager connection UUID has 36 characters: dhclient-<36>-<iface>.
    if (name.size() > 9 + 36 + 1) return name.substr(9 + 36 + 1);
  }
  return "";
}

class DhclientParser {
 public:
  DhclientParser(std::vector<Token> tokens, const std::string& file) : tokens_(std::move(tokens)), file_(file) {}

  Result<std::vector<Lease>> parse() {
    std::vector<Lease> leases;
    while (pos_ < tokens_.size()) {
      const Token& t = tokens_[pos_];
      if (t.kind == Token::word && t.text == "lease" && next_is(Token::open)) {
        pos_ += 2;
        auto lease = parse_lease_block(t.line);
        if (!lease) return lease.error();
        keep_last(leases, std::move(lease).value());
      } else if (auto skipped = skip_statement(); !skipped) {
        return skipped.error();  // lease6 { } blocks, default-duid, anything newer
      }
    }
    return leases;
  }

 private:
  bool next_is(Token::Kind kind) const { return pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == kind; }
  std::size_t last_line() const { return tokens_.empty() ? 1 : tokens_.back().line; }

  // The last block per interface is the current one: dhclient appends each new lease.
  static void keep_last(std::vector<Lease>& leases, Lease lease) {
    std::erase_if(leases, [&](const Lease& l) { return l.interface == lease.interface; });
    leases.push_back(std::move(lease));
  }

  // A statement up to ';', or a balanced { } block (and a ';' right after it).
  Result<bool> skip_statement() {
    const std::size_t line = tokens_[pos_].line;
    int depth = 0;
    while (pos_ < tokens_.size()) {
      const Token& t = tokens_[pos_++];
      if (t.kind == Token::open) ++depth;
      if (t.kind == Token::close && --depth < 0) return parse_error(file_, t.line, "'}' without '{'");
      if (depth == 0 && (t.kind == Token::semicolon || t.kind == Token::close)) return true;
    }
    return parse_error(file_, line, depth > 0 ? "block not closed (truncated file?)" : "statement without ';'");
  }

  // The words of one statement inside a lease block, up to its ';'.
  Result<std::vector<std::string>> statement_words(std::size_t line) {
    std::vector<std::string> words;
    while (pos_ < tokens_.size()) {
      const Token& t = tokens_[pos_++];
      if (t.kind == Token::semicolon) return words;
      if (t.kind == Token::open || t.kind == Token::close) return parse_error(file_, t.line, "'" + t.text + "' inside a statement");
      words.push_back(t.text);
    }
    return parse_error(file_, line, "lease block not closed (truncated file?)");
  }

  Result<Lease> parse_lease_block(std::size_t block_line) {
    Lease lease;
    lease.client = DhcpClient::dhclient;
    lease.file = file_;
    std::optional<double> lease_time;
    bool has_expire = false;
    while (true) {
      if (pos_ >= tokens_.size()) return parse_error(file_, last_line(), "lease block not closed (truncated file?)");
      if (tokens_[pos_].kind == Token::close) { ++pos_; break; }
      const std::size_t line = tokens_[pos_].line;
      auto words = statement_words(line);
      if (!words) return words.error();
      const auto& w = words.value();
      if (w.empty()) continue;
      if (w[0] == "interface" && w.size() == 2) {
        lease.interface = w[1];
      } else if (w[0] == "fixed-address") {
        if (w.size() != 2 || !is_ipv4(w[1])) return parse_error(file_, line, "fixed-address is not an IPv4 address");
        lease.address = w[1];
      } else if (w[0] == "option" && w.size() >= 3 && w[1] == "routers") {
        lease.router = first_of_list(w);
      } else if (w[0] == "option" && w.size() == 3 && w[1] == "dhcp-lease-time") {
        auto seconds = to_uint(w[2]);
        if (!seconds) return parse_error(file_, line, "dhcp-lease-time is not a number of seconds");
        lease_time = static_cast<double>(*seconds);
      } else if (w[0] == "renew" || w[0] == "rebind" || w[0] == "expire") {
        auto when = parse_dhclient_time({w.begin() + 1, w.end()});
        if (!when.ok) return parse_error(file_, line, w[0] + ": not a time dhclient writes");
        (w[0] == "renew" ? lease.renew : w[0] == "rebind" ? lease.rebind : lease.expiry) = when.when;
        has_expire = has_expire || w[0] == "expire";
      }
    }
    if (lease.address.empty()) return parse_error(file_, block_line, "lease block without fixed-address");
    if (lease.interface.empty()) lease.interface = interface_from_dhclient_file(file_);
    if (has_expire && lease.expiry && lease_time) lease.start = *lease.expiry - *lease_time;
    return lease;
  }

  // "option routers 10.0.0.1,10.0.0.2" (dhclient joins lists with ',').
  static std::string first_of_list(const std::vector<std::string>& w) {
    std::string joined;
    for (std::size_t i = 2; i < w.size(); ++i) joined += w[i];
    return joined.substr(0, joined.find(','));
  }

  std::vector<Token> tokens_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

// ---- systemd-networkd -----------------------------------------------------------------------

// systemd's time spans (parse_sec): "600" (older networkd wrote plain seconds) or
// "1h 30min", "12h", "1d 2h 3min 4s" (FORMAT_TIMESPAN, newer networkd); "infinity".
struct Timespan {
  bool ok = false;
  std::optional<double> seconds;  // nullopt: infinity
};

std::optional<double> timespan_unit(std::string_view unit) {
  static const std::map<std::string_view, double> units{
      {"", 1},          {"s", 1},          {"sec", 1},       {"second", 1},     {"seconds", 1},
      {"us", 1e-6},     {"usec", 1e-6},    {"ms", 1e-3},     {"msec", 1e-3},    {"m", 60},
      {"min", 60},      {"minute", 60},    {"minutes", 60},  {"h", 3600},       {"hr", 3600},
      {"hour", 3600},   {"hours", 3600},   {"d", 86400},     {"day", 86400},    {"days", 86400},
      {"w", 604800},    {"week", 604800},  {"weeks", 604800}, {"M", 2629800},   {"month", 2629800},
      {"months", 2629800}, {"y", 31557600}, {"year", 31557600}, {"years", 31557600}};
  auto it = units.find(unit);
  if (it == units.end()) return std::nullopt;
  return it->second;
}

Timespan parse_timespan(std::string_view text) {
  text = trim(text);
  if (text == "infinity") return {true, std::nullopt};
  if (text.empty()) return {};
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t number_start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == number_start) return {};
    double number = 0;
    auto [end, ec] = std::from_chars(text.data() + number_start, text.data() + i, number);
    if (ec != std::errc{} || end != text.data() + i) return {};
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    auto unit = timespan_unit(text.substr(unit_start, i - unit_start));
    if (!unit) return {};
    total += number * *unit;
  }
  return {true, total};
}

// KEY=VALUE lines as systemd's env files have them; values may be quoted.
struct KeyValues {
  std::map<std::string, std::pair<std::string, std::size_t>> values;  // key -> (value, line)
};

Result<KeyValues> parse_key_values(std::string_view text, const std::string& file) {
  KeyValues kv;
  std::size_t line_number = 0;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    ++line_number;
    const std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return parse_error(file, line_number, "not KEY=VALUE");
    std::string_view value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    kv.values[std::string(trim(line.substr(0, eq)))] = {std::string(value), line_number};
  }
  return kv;
}

Result<std::optional<double>> duration_value(const KeyValues& kv, const std::string& key, const std::string& file,
                                             bool& infinite) {
  auto it = kv.values.find(key);
  if (it == kv.values.end()) return std::optional<double>{};
  auto span = parse_timespan(it->second.first);
  if (!span.ok) return parse_error(file, it->second.second, key + "=" + it->second.first + " is not a duration");
  if (!span.seconds) infinite = true;
  return span.seconds;
}

// ---- dhcpcd ---------------------------------------------------------------------------------

// RFC 2131 section 2: the fixed BOOTP header, then the magic cookie, then options.
constexpr std::size_t kYiaddrOffset = 16;
constexpr std::size_t kCookieOffset = 236;
constexpr std::size_t kOptionsOffset = 240;
constexpr std::uint8_t kMagicCookie[4] = {99, 130, 83, 99};

std::string dotted_quad(const std::uint8_t* p) {
  return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." + std::to_string(p[3]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

bool has_magic_cookie(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= kOptionsOffset && std::equal(std::begin(kMagicCookie), std::end(kMagicCookie), bytes.begin() + kCookieOffset);
}

Error binary_error(const std::string& file, std::size_t offset, const std::string& what) {
  return Error{ErrorKind::parse, file + ": byte " + std::to_string(offset) + ": " + what};
}

// ---- NetworkManager -------------------------------------------------------------------------

// GKeyFile: [group] lines and key=value lines. Returns group -> key -> value.
using KeyFile = std::map<std::string, std::map<std::string, std::string>>;

Result<KeyFile> parse_keyfile(std::string_view text, const std::string& file) {
  KeyFile groups;
  std::string group;
  std::size_t line_number = 0;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    ++line_number;
    const std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return parse_error(file, line_number, "group header without ']'");
      group = std::string(line.substr(1, line.size() - 2));
      groups[group];
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return parse_error(file, line_number, "not key=value");
    if (group.empty()) return parse_error(file, line_number, "key before any [group]");
    groups[group][std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return groups;
}

// ---- find_leases ----------------------------------------------------------------------------

enum class FileKind { not_a_lease, dhclient, networkd, dhcpcd, nm_device, nm_internal };

std::string name_of(const std::filesystem::path& path) { return path.filename().string(); }

// Files that live beside leases and are plainly something else: skipped without a word.
bool plainly_not_a_lease(const std::string& name) {
  static const std::vector<std::string_view> suffixes{".pid", ".conf", ".state", ".lease6", ".leases6", "~", ".tmp"};
  static const std::vector<std::string_view> names{"timesync", "duid", "secret", "timestamps", "seen-bssids",
                                                   "secret_key", "NetworkManager.state", "no-auto-default.state"};
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  if (starts_with(name, ".")) return true;  // networkd and NetworkManager write temporaries as .#name
  return std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view s) { return ends_with(name, s); });
}

FileKind classify(const std::filesystem::path& path, const std::string& content) {
  const std::string name = name_of(path);
  const std::string parent = name_of(path.parent_path());
  if (plainly_not_a_lease(name)) return FileKind::not_a_lease;
  if (content.find("lease {") != std::string::npos || content.find("lease{") != std::string::npos ||
      (starts_with(name, "dhclient") && (ends_with(name, ".leases") || ends_with(name, ".lease"))))
    return FileKind::dhclient;
  if (starts_with(name, "internal-") && ends_with(name, ".lease")) return FileKind::nm_internal;
  if (all_digits(name)) {
    if (content.find("[device]") != std::string::npos || content.find("[dhcp4]") != std::string::npos ||
        parent == "devices")
      return FileKind::nm_device;
    return FileKind::networkd;
  }
  if (ends_with(name, ".lease")) {
    const std::vector<std::uint8_t> bytes(content.begin(), content.end());
    if (has_magic_cookie(bytes) || parent == "dhcpcd") return FileKind::dhcpcd;
  }
  return FileKind::not_a_lease;
}

// dhcpcd names its lease <iface>.lease, <iface>-<ssid>.lease on wireless, dhcpcd-<iface>.lease
// before 6.x. Interface names can contain '-' too; an <ssid> suffix is assumed from the first '-'.
std::string interface_from_dhcpcd_file(const std::string& name) {
  std::string stem = name.substr(0, name.size() - std::string_view(".lease").size());
  if (starts_with(stem, "dhcpcd-")) stem = stem.substr(7);
  return stem.substr(0, stem.find('-'));
}

// internal-<uuid>-<iface>.lease: NetworkManager's own DHCP client.
std::string interface_from_nm_internal_file(const std::string& name) {
  const std::string stem = name.substr(0, name.size() - std::string_view(".lease").size());
  constexpr std::size_t kPrefix = std::string_view("internal-").size() + 36 + 1;
  return stem.size() > kPrefix ? stem.substr(kPrefix) : "";
}

std::string interface_of_ifindex(const std::string& name, const InterfaceNameFn& interface_name) {
  const auto index = to_uint(name);
  if (!index || *index > 0x7fffffff) return "ifindex " + name;
  std::string found = interface_name ? interface_name(static_cast<int>(*index)) : "";
  return found.empty() ? "ifindex " + name : found;
}

struct FileRead {
  bool ok = false;
  std::string content;
  double modified = 0;
  std::string why;
};

FileRead read_file(const std::filesystem::path& path) {
  FileRead read;
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    read.why = "cannot stat";
    return read;
  }
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxLeaseFileBytes) {
    read.why = "too large for a lease file (" + std::to_string(st.st_size) + " bytes)";
    return read;
  }
  read.modified = static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    read.why = "cannot be read (permissions?)";
    return read;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    read.why = "read failed";
    return read;
  }
  read.content = buffer.str();
  read.ok = true;
  return read;
}

// The leases one file holds, or why it holds none that can be used.
Result<std::vector<Lease>> leases_in(FileKind kind, const std::filesystem::path& path, const FileRead& read,
                                     const InterfaceNameFn& interface_name) {
  const std::string file = path.string();
  const std::string name = name_of(path);
  auto one = [](Result<Lease> lease) -> Result<std::vector<Lease>> {
    if (!lease) return lease.error();
    return std::vector<Lease>{std::move(lease).value()};
  };
  switch (kind) {
    case FileKind::dhclient:
      return parse_dhclient_leases(read.content, file);
    case FileKind::networkd:
      return one(parse_networkd_lease(read.content, file, interface_of_ifindex(name, interface_name), read.modified));
    case FileKind::dhcpcd:
      return one(parse_dhcpcd_lease({read.content.begin(), read.content.end()}, file, interface_from_dhcpcd_file(name),
                                    read.modified));
    case FileKind::nm_device:
      return one(
          parse_network_manager_device(read.content, file, interface_of_ifindex(name, interface_name), read.modified));
    case FileKind::nm_internal:
      return one(parse_network_manager_internal_lease(read.content, file, interface_from_nm_internal_file(name)));
    case FileKind::not_a_lease:
      break;
  }
  return std::vector<Lease>{};
}

// NetworkManager's device state file only says how the device is managed, and holds no lease
// unless it has a [dhcp4] group: a file without one is not worth a problem line.
bool nm_device_without_lease(FileKind kind, const std::string& content) {
  return kind == FileKind::nm_device && content.find("[dhcp4]") == std::string::npos;
}

// One lease per (client, interface): the later start wins; without starts, the later file.
class Newest {
 public:
  void offer(Lease lease, double modified) {
    const auto key = std::make_pair(lease.client, lease.interface);
    auto it = index_.find(key);
    if (it == index_.end()) {
      index_[key] = leases_.size();
      leases_.push_back({std::move(lease), modified});
      return;
    }
    auto& kept = leases_[it->second];
    const bool newer = (kept.lease.start && lease.start) ? *lease.start >= *kept.lease.start : modified >= kept.modified;
    if (newer) kept = {std::move(lease), modified};
  }
  std::vector<Lease> take() {
    std::vector<Lease> out;
    for (auto& k : leases_) out.push_back(std::move(k.lease));
    return out;
  }

 private:
  struct Kept {
    Lease lease;
    double modified;
  };
  std::map<std::pair<DhcpClient, std::string>, std::size_t> index_;
  std::vector<Kept> leases_;
};

std::vector<std::filesystem::path> files_at(const std::filesystem::path& path, std::vector<std::string>& problems) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return {};
  if (std::filesystem::is_regular_file(status)) return {path};
  if (!std::filesystem::is_directory(status)) return {};
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) {
    problems.push_back(path.string() + ": cannot list (" + ec.message() + ")");
    return {};
  }
  for (const auto& entry : it) {
    std::error_code entry_ec;
    if (entry.is_regular_file(entry_ec)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // directory order is arbitrary; ties go to the later name
  return files;
}

}  // namespace

std::string_view to_string(DhcpClient client) {
  switch (client) {
    case DhcpClient::dhclient: return "dhclient";
    case DhcpClient::networkd: return "systemd-networkd";
    case DhcpClient::dhcpcd: return "dhcpcd";
    case DhcpClient::network_manager: return "NetworkManager";
  }
  return "unknown";
}

std::string interface_name_real(int ifindex) {
  char name[IF_NAMESIZE] = {};
  if (ifindex <= 0 || if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return "";
  return name;
}

std::vector<std::filesystem::path> default_lease_paths() {
  return {"/var/lib/dhcp", "/run/systemd/netif/leases", "/var/lib/dhcpcd", "/run/NetworkManager/devices",
          "/var/lib/NetworkManager"};
}

Result<std::vector<Lease>> parse_dhclient_leases(std::string_view text, const std::string& file) {
  auto tokens = tokenize_dhclient(text, file);
  if (!tokens) return tokens.error();
  return DhclientParser(std::move(tokens).value(), file).parse();
}

Result<Lease> parse_networkd_lease(std::string_view text, const std::string& file, const std::string& interface,
                                   double modified) {
  if (!trim(text).empty() && trim(text).front() == '{')
    return file_error(file, "a JSON lease file, a newer networkd format this reader does not know yet");
  auto kv = parse_key_values(text, file);
  if (!kv) return kv.error();
  const auto& values = kv.value().values;
  Lease lease;
  lease.client = DhcpClient::networkd;
  lease.file = file;
  lease.interface = interface;
  auto address = values.find("ADDRESS");
  if (address == values.end()) return file_error(file, "no ADDRESS= line");
  if (!is_ipv4(address->second.first)) return parse_error(file, address->second.second, "ADDRESS is not an IPv4 address");
  lease.address = address->second.first;
  if (auto router = values.find("ROUTER"); router != values.end()) {
    const std::string_view list = trim(router->second.first);
    lease.router = std::string(list.substr(0, list.find(' ')));
  }
  bool infinite = false;
  auto lifetime = duration_value(kv.value(), "LIFETIME", file, infinite);
  if (!lifetime) return lifetime.error();
  auto t1 = duration_value(kv.value(), "T1", file, infinite);
  if (!t1) return t1.error();
  auto t2 = duration_value(kv.value(), "T2", file, infinite);
  if (!t2) return t2.error();
  lease.start = modified;
  if (!infinite) derive_times(lease, lifetime.value(), t1.value(), t2.value());
  return lease;
}

Result<Lease> parse_dhcpcd_lease(const std::vector<std::uint8_t>& bytes, const std::string& file,
                                 const std::string& interface, double modified) {
  if (bytes.size() < kOptionsOffset)
    return file_error(file, "truncated: " + std::to_string(bytes.size()) + " bytes, a DHCP message has at least 240");
  if (!has_magic_cookie(bytes)) return binary_error(file, kCookieOffset, "no DHCP magic cookie");
  Lease lease;
  lease.client = DhcpClient::dhcpcd;
  lease.file = file;
  lease.interface = interface;
  lease.address = dotted_quad(&bytes[kYiaddrOffset]);
  if (lease.address == "0.0.0.0") return binary_error(file, kYiaddrOffset, "no address offered (yiaddr 0.0.0.0)");
  std::optional<std::uint32_t> lease_time, t1, t2;
  // Older dhcpcd stops writing before the end option, so running out of bytes between options is fine.
  for (std::size_t i = kOptionsOffset; i < bytes.size();) {
    const std::uint8_t code = bytes[i];
    if (code == 0) { ++i; continue; }
    if (code == 255) break;
    if (i + 1 >= bytes.size()) return binary_error(file, i, "option " + std::to_string(code) + " has no length (truncated?)");
    const std::size_t length = bytes[i + 1];
    const std::size_t data = i + 2;
    if (data + length > bytes.size())
      return binary_error(file, i, "option " + std::to_string(code) + " runs past the end of the file (truncated?)");
    const bool is_time = code == 51 || code == 58 || code == 59;
    if (is_time && length != 4) return binary_error(file, i, "option " + std::to_string(code) + " is not 4 bytes");
    if (code == 3 && length >= 4 && lease.router.empty()) lease.router = dotted_quad(&bytes[data]);
    if (code == 51) lease_time = be32(&bytes[data]);
    if (code == 58) t1 = be32(&bytes[data]);
    if (code == 59) t2 = be32(&bytes[data]);
    i = data + length;
  }
  lease.start = modified;
  if (lease_time == kInfiniteLease) return lease;
  auto seconds = [](std::optional<std::uint32_t> v) { return v ? std::optional<double>(*v) : std::nullopt; };
  derive_times(lease, seconds(lease_time), seconds(t1), seconds(t2));
  return lease;
}

Result<Lease> parse_network_manager_device(std::string_view text, const std::string& file,
                                           const std::string& interface, double modified) {
  (void)modified;  // the file is rewritten on any device change, not only on renewal: no lease start
  auto groups = parse_keyfile(text, file);
  if (!groups) return groups.error();
  // NetworkManager (src/core/nm-config.c, nm_config_device_state_write) writes only a [device]
  // group here: managed, perm-hw-addr-fake, connection-uuid, nm-owned, route-metric-default-*,
  // next-server, root-path, dhcp-bootfile. No released version seen writes a [dhcp4] group; it
  // is read here in case one does, with the option names NetworkManager uses for DHCP4 options
  // (ip_address, routers, dhcp_lease_time, dhcp_renewal_time, dhcp_rebinding_time, expiry).
  auto dhcp4 = groups.value().find("dhcp4");
  if (dhcp4 == groups.value().end()) return file_error(file, "no [dhcp4] group: NetworkManager keeps no lease here");
  const auto& options = dhcp4->second;
  auto get = [&](const std::string& key) -> std::string {
    auto it = options.find(key);
    return it == options.end() ? "" : it->second;
  };
  auto seconds = [&](const std::string& key) -> Result<std::optional<double>> {
    const std::string value = get(key);
    if (value.empty()) return std::optional<double>{};
    auto n = to_uint(value);
    if (!n) return file_error(file, "[dhcp4] " + key + "=" + value + " is not a number");
    return std::optional<double>(static_cast<double>(*n));
  };
  Lease lease;
  lease.client = DhcpClient::network_manager;
  lease.file = file;
  lease.interface = interface;
  lease.address = get("ip_address");
  if (!is_ipv4(lease.address)) return file_error(file, "[dhcp4] has no IPv4 ip_address");
  const std::string routers{trim(get("routers"))};
  lease.router = routers.substr(0, routers.find(' '));
  auto lease_time = seconds("dhcp_lease_time");
  auto expiry = seconds("expiry");
  auto t1 = seconds("dhcp_renewal_time");
  auto t2 = seconds("dhcp_rebinding_time");
  for (auto* r : {&lease_time, &expiry, &t1, &t2})
    if (!*r) return r->error();
  if (expiry.value() && lease_time.value()) lease.start = *expiry.value() - *lease_time.value();
  derive_times(lease, lease_time.value(), t1.value(), t2.value());
  if (!lease.expiry) lease.expiry = expiry.value();
  return lease;
}

Result<Lease> parse_network_manager_internal_lease(std::string_view text, const std::string& file,
                                                   const std::string& interface) {
  auto kv = parse_key_values(text, file);
  if (!kv) return kv.error();
  auto address = kv.value().values.find("ADDRESS");
  if (address == kv.value().values.end()) return file_error(file, "no ADDRESS= line");
  if (!is_ipv4(address->second.first)) return parse_error(file, address->second.second, "ADDRESS is not an IPv4 address");
  Lease lease;
  lease.client = DhcpClient::network_manager;
  lease.file = file;
  lease.interface = interface;
  lease.address = address->second.first;
  return lease;
}

LeaseScan find_leases(const std::vector<std::filesystem::path>& paths, const InterfaceNameFn& interface_name) {
  LeaseScan scan;
  Newest newest;
  for (const auto& root : paths) {
    for (const auto& path : files_at(root, scan.problems)) {
      if (plainly_not_a_lease(name_of(path))) continue;
      const FileRead read = read_file(path);
      if (!read.ok) {
        scan.problems.push_back(path.string() + ": " + read.why);
        continue;
      }
      const FileKind kind = classify(path, read.content);
      if (kind == FileKind::not_a_lease || nm_device_without_lease(kind, read.content)) continue;
      auto leases = leases_in(kind, path, read, interface_name);
      if (!leases) {
        scan.problems.push_back(leases.error().message);
        continue;
      }
      for (auto& lease : leases.value()) newest.offer(std::move(lease), read.modified);
    }
  }
  scan.leases = newest.take();
  return scan;
}

}  // namespace hsops::checks::network
