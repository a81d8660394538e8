// Finds the commands in ifupdown up/down lines and dhclient hooks that will not resolve on the PATH those hooks run with.
#include "checks/network/hooks.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <system_error>

namespace hsops::checks::network {

namespace {

namespace fs = std::filesystem;

// Both ifupdown (`/bin/sh -c`) and dhclient-script (`#!/bin/sh`) run these lines under /bin/sh,
// dash on Debian: these are dash's builtins, which need no PATH lookup.
const std::set<std::string, std::less<>> kBuiltins{
    ".",    ":",     "[",       "alias",  "bg",       "break", "cd",   "chdir",  "command", "continue",
    "echo", "eval",  "exec",    "exit",   "export",   "false", "fg",   "getopts", "hash",   "jobs",
    "kill", "local", "printf",  "pwd",    "read",     "readonly", "return", "set", "shift", "test",
    "times", "trap", "true",    "type",   "ulimit",   "umask", "unalias", "unset", "wait"};

// Keywords after which the next word is again a command (`if ip link ...`, `then ip ...`).
const std::set<std::string, std::less<>> kKeywordsBeforeCommand{"if", "then", "else", "elif", "do", "while", "until", "!", "{"};
// Keywords that close a compound command: what follows is a redirection or a separator.
const std::set<std::string, std::less<>> kKeywordsClosing{"fi", "done", "esac", "}", "in"};

// Hooks are sourced into dhclient-script, so its functions are callable from them (seen in
// Debian/Ubuntu's script: run_hook does `. $script`).
const std::vector<std::string> kDhclientScriptFunctions{"error",        "wait_for_rw",          "make_resolv_conf",
                                                        "set_hostname", "ipv6_link_up_and_dad", "run_hook",
                                                        "run_hookdir",  "exit_with_hooks"};

// Where an admin's binary usually is; a name found here but not on the hook PATH gets its
// absolute path suggested (the outage: `ip` in /usr/sbin, called from a PATH without it).
const std::vector<std::string> kCommonDirs{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"};

// Hook options of an iface stanza whose value is a shell command (interfaces(5)).
const std::set<std::string, std::less<>> kHookOptions{"up", "pre-up", "post-up", "down", "pre-down", "post-down"};

// run-parts' default name rule, which ifupdown's source-directory and dhclient-script's
// `run-parts --list` both use: editor backups and dpkg leftovers are not sourced.
bool run_parts_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-';
  });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_assignment(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos || std::isdigit(static_cast<unsigned char>(word[0])) != 0) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// A command word found in a line: `raw` as written, `value` without quoting, where it starts.
struct Word {
  std::string raw;
  std::string value;
  std::size_t offset = 0;
};

// A deliberately small sh tokenizer: enough to find the first word of each simple command in
// one (logical) line. It does not aim to be a shell parser; what it cannot decide it skips.
class Scanner {
 public:
  Scanner(std::string_view text, const std::vector<std::string>& functions) : s_(text), functions_(functions) {}

  std::vector<Word> run() {
    std::size_t i = 0;
    scan(i, '\0');
    return std::move(out_);
  }

 private:
  enum class Skip { None, ForHeader, CaseHeader, FunctionName };

  std::string_view s_;
  const std::vector<std::string>& functions_;
  std::vector<Word> out_;

  bool at(std::size_t i, char c) const { return i < s_.size() && s_[i] == c; }

  // `$((...))`: arithmetic runs no commands.
  void skip_arithmetic(std::size_t& i) const {
    int depth = 0;
    for (; i < s_.size(); ++i) {
      if (s_[i] == '(') ++depth;
      if (s_[i] == ')' && --depth == 0) {
        ++i;
        return;
      }
    }
  }

  // `${...}`: a parameter expansion; commands nested in it are too rare to chase.
  void skip_braces(std::size_t& i) const {
    int depth = 0;
    for (; i < s_.size(); ++i) {
      if (s_[i] == '{') ++depth;
      if (s_[i] == '}' && --depth == 0) {
        ++i;
        return;
      }
    }
  }

  // At `$`: the word becomes dynamic; `$(...)` is scanned for the commands it runs.
  void dollar(std::size_t& i, bool& dynamic) {
    dynamic = true;
    if (at(i + 1, '(') && at(i + 2, '(')) {
      ++i;
      skip_arithmetic(i);
    } else if (at(i + 1, '(')) {
      i += 2;
      scan(i, ')');
    } else if (at(i + 1, '{')) {
      ++i;
      skip_braces(i);
    } else {
      ++i;
    }
  }

  void double_quoted(std::size_t& i, bool& dynamic) {
    ++i;
    while (i < s_.size() && s_[i] != '"') {
      if (s_[i] == '\\') {
        i += 2;
      } else if (s_[i] == '$') {
        dollar(i, dynamic);
      } else if (s_[i] == '`') {
        dynamic = true;
        ++i;
        scan(i, '`');
      } else {
        ++i;
      }
    }
    if (i < s_.size()) ++i;
  }

  // `BOUND|RENEW)` at the start of a command: a case pattern, not a command (the spec: skip
  // pattern words ending in `)`).
  std::optional<std::size_t> case_pattern_end(std::size_t i) const {
    std::size_t j = i;
    while (j < s_.size() && !is_space(s_[j]) && std::string_view{";&()<>`"}.find(s_[j]) == std::string_view::npos) {
      if (s_[j] == '"' || s_[j] == '\'') {  // `"0 0 1777 directory")`: a quoted pattern may hold spaces
        const auto close = s_.find(s_[j], j + 1);
        if (close == std::string_view::npos) return std::nullopt;
        j = close;
      }
      ++j;
    }
    if (j > i && at(j, ')')) return j + 1;
    return std::nullopt;
  }

  bool is_function(const std::string& name) const {
    return std::find(functions_.begin(), functions_.end(), name) != functions_.end();
  }

  static std::string unquote(std::string_view raw) {
    std::string v;
    for (char c : raw)
      if (c != '\'' && c != '"' && c != '\\') v.push_back(c);
    return v;
  }

  // terminator: '\0' for the line, ')' inside `$(`, '`' inside backquotes.
  void scan(std::size_t& i, char terminator) {
    bool expect = true;            // the next word is in command position
    bool redirect_target = false;  // the next word is a file name after `>`, `<`, `<<`
    bool just_emitted = false;     // the last token was a word we reported (for `name ()`)
    Skip skip = Skip::None;
    int depth = 0;  // open subshells in this scan
    bool in_word = false;
    bool dynamic = false;
    std::size_t start = 0;

    auto begin_word = [&] {
      if (!in_word) {
        in_word = true;
        dynamic = false;
        start = i;
      }
    };
    auto end_word = [&](std::size_t end) {
      if (!in_word) return;
      in_word = false;
      const std::string raw{s_.substr(start, end - start)};
      const std::string value = unquote(raw);
      just_emitted = false;
      if (redirect_target) {
        redirect_target = false;
        return;
      }
      if (skip == Skip::FunctionName) {
        skip = Skip::None;
        return;
      }
      if (skip == Skip::CaseHeader) {
        if (value == "in") {
          skip = Skip::None;
          expect = true;
        }
        return;
      }
      if (skip == Skip::ForHeader || !expect) return;
      if (is_assignment(raw)) return;
      expect = false;
      // Not judged: what runs is decided when the hook runs.
      if (dynamic) return;
      if (value == "for") {
        skip = Skip::ForHeader;
      } else if (value == "case") {
        skip = Skip::CaseHeader;
      } else if (value == "function") {
        skip = Skip::FunctionName;
        expect = true;
      } else if (kKeywordsBeforeCommand.count(value) != 0) {
        expect = true;
      } else if (kKeywordsClosing.count(value) == 0 && kBuiltins.count(value) == 0 && !is_function(value)) {
        // Wrappers (sudo, env, nice, timeout) are judged themselves, not what they run: simple
        // and honest; `command`/`exec` are builtins, so what follows them is not judged either.
        out_.push_back(Word{raw, value, start});
        just_emitted = true;
      }
    };
    auto separator = [&] {
      expect = true;
      just_emitted = false;
      if (skip == Skip::ForHeader) skip = Skip::None;
    };

    while (i < s_.size()) {
      const char c = s_[i];
      if (terminator != '\0' && c == terminator && (terminator == '`' || depth == 0)) {
        end_word(i);
        ++i;
        return;
      }
      if (!in_word && expect && !redirect_target && skip == Skip::None && depth == 0 && terminator == '\0') {
        if (auto end = case_pattern_end(i)) {
          i = *end;
          continue;
        }
      }
      if (c == '\n') {  // a quoted string spanning lines was joined: a newline ends a command
        end_word(i);
        ++i;
        separator();
      } else if (is_space(c)) {
        end_word(i);
        ++i;
      } else if (c == '#' && !in_word) {
        i = s_.size();
      } else if (c == '\\') {
        begin_word();
        i += 2;
      } else if (c == '\'') {
        begin_word();
        const auto close = s_.find('\'', i + 1);
        i = close == std::string_view::npos ? s_.size() : close + 1;
      } else if (c == '"') {
        begin_word();
        double_quoted(i, dynamic);
      } else if (c == '$') {
        begin_word();
        dollar(i, dynamic);
      } else if (c == '`') {
        begin_word();
        dynamic = true;
        ++i;
        scan(i, '`');
      } else if (c == ';' || c == '&' || c == '|') {
        end_word(i);
        while (i < s_.size() && (s_[i] == ';' || s_[i] == '&' || s_[i] == '|')) ++i;
        separator();
      } else if (c == '<' || c == '>') {
        // `2>&1`: the 2 is a file descriptor, not a command.
        if (in_word && all_digits(s_.substr(start, i - start))) in_word = false;
        end_word(i);
        while (i < s_.size() && (s_[i] == '<' || s_[i] == '>' || s_[i] == '&' || s_[i] == '-')) ++i;
        redirect_target = true;
      } else if (c == '(') {
        end_word(i);
        std::size_t j = i + 1;
        while (j < s_.size() && is_space(s_[j])) ++j;
        if (at(j, ')')) {
          // `name() {`: a function definition; the name is not a command.
          if (just_emitted) out_.pop_back();
          just_emitted = false;
          skip = Skip::None;
          i = j + 1;
          expect = true;
        } else {
          ++depth;
          ++i;
          separator();
        }
      } else if (c == ')') {
        end_word(i);
        ++i;
        if (depth > 0) {
          --depth;
          expect = false;
        } else {
          expect = true;  // the end of a case pattern the look-ahead did not catch
        }
      } else {
        begin_word();
        ++i;
      }
    }
    end_word(i);
  }
};

// --- files ---------------------------------------------------------------------------------

bool read_file(const fs::path& path, std::string& text, std::string& why) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    why = std::generic_category().message(errno);
    return false;
  }
  char buf[8192];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) why = std::generic_category().message(err != 0 ? err : EIO);
  return !failed;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

// A line joined from `\`-continued physical lines, with where each piece starts, so a command
// is reported on the physical line it starts on.
struct LogicalLine {
  std::string text;
  std::vector<std::pair<std::size_t, int>> pieces;  // offset in text, 1-based line

  int line_at(std::size_t offset) const {
    int line = pieces.empty() ? 0 : pieces.front().second;
    for (const auto& [at, l] : pieces)
      if (at <= offset) line = l;
    return line;
  }
};

bool continues(const std::string& line) {
  std::size_t backslashes = 0;
  for (auto it = line.rbegin(); it != line.rend() && *it == '\\'; ++it) ++backslashes;
  return backslashes % 2 == 1;
}

// Joins from lines[i] on; leaves i on the last physical line used.
LogicalLine join_continued(const std::vector<std::string>& lines, std::size_t& i) {
  LogicalLine out;
  while (true) {
    out.pieces.emplace_back(out.text.size(), static_cast<int>(i) + 1);
    std::string piece = lines[i];
    const bool more = continues(piece) && i + 1 < lines.size();
    if (continues(piece)) piece.pop_back();
    out.text += piece;
    if (!more) return out;
    ++i;
  }
}

// Whether `text` ends inside a quoted string (comments skipped: "the bridges' VPN" in a comment
// opens nothing), so a multi-line string is read as one piece rather than as commands.
bool ends_in_quote(const std::string& text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
    } else if (c == '\\') {
      ++i;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (i == 0 || is_space(text[i - 1]))) {
      while (i < text.size() && text[i] != '\n') ++i;
    }
  }
  return quote != 0;
}

// A shell logical line: `\`-continued, and carried on while a quoted string is open.
LogicalLine join_shell(const std::vector<std::string>& lines, std::size_t& i) {
  auto line = join_continued(lines, i);
  while (ends_in_quote(line.text) && i + 1 < lines.size()) {
    ++i;
    auto more = join_continued(lines, i);
    line.text += '\n';
    for (auto& [at, l] : more.pieces) line.pieces.emplace_back(line.text.size() + at, l);
    line.text += more.text;
  }
  return line;
}

std::string trim_left(const std::string& s) {
  const auto p = s.find_first_not_of(" \t");
  return p == std::string::npos ? std::string{} : s.substr(p);
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (true) {
    pos = s.find_first_not_of(" \t", pos);
    if (pos == std::string::npos) return words;
    const auto end = s.find_first_of(" \t", pos);
    words.push_back(s.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) return words;
    pos = end;
  }
}

std::vector<std::string> split_path_env(const std::string& path_env) {
  std::vector<std::string> dirs;
  std::size_t pos = 0;
  while (pos <= path_env.size()) {
    auto colon = path_env.find(':', pos);
    if (colon == std::string::npos) colon = path_env.size();
    // An empty entry would mean "the current directory", which is not a place to rely on.
    if (colon > pos) dirs.push_back(path_env.substr(pos, colon - pos));
    pos = colon + 1;
  }
  return dirs;
}

// --- lint state ---------------------------------------------------------------------------

struct Linter {
  const IsExecutableFn& is_executable;
  const PathExistsFn& path_exists;
  HookLint result;
  std::set<std::string> visited;  // canonical interfaces files already read (include loops)

  std::string judge_bare(const std::string& name, const std::string& path_env) const {
    for (const auto& dir : split_path_env(path_env))
      if (is_executable(fs::path(dir) / name)) return {};
    const std::string head = "'" + name + "' is not on the PATH these hooks run with (" + path_env + ")";
    for (const auto& dir : kCommonDirs) {
      const auto candidate = fs::path(dir) / name;
      if (is_executable(candidate)) return head + ": write " + candidate.string();
    }
    // Bash syntax that dash (Debian's /bin/sh) looks up as a command and does not find.
    if (name == "[[" || name == "source")
      return head + ": it is bash, and these hooks run under /bin/sh; use " + (name == "[[" ? "[ ... ]" : ".");
    return head + " nor in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin: install it or write its absolute path";
  }

  std::string judge(const std::string& command, const std::string& path_env) const {
    if (command.find('/') == std::string::npos) return judge_bare(command, path_env);
    const fs::path p{command};
    if (!p.is_absolute())
      return "'" + command + "' is a relative path and hooks do not run from their own directory: write an absolute path";
    if (is_executable(p)) return {};
    if (!path_exists(p)) return "'" + command + "' does not exist";
    return "'" + command + "' is not executable";
  }

  void lint_line(const LogicalLine& line, std::size_t offset, const std::string& file, const std::string& context,
                 const std::string& path_env, const std::vector<std::string>& functions) {
    Scanner scanner{std::string_view{line.text}.substr(offset), functions};
    for (const auto& word : scanner.run()) {
      ++result.commands_checked;
      auto problem = judge(word.value, path_env);
      if (problem.empty()) continue;
      result.findings.push_back(HookFinding{file, line.line_at(offset + word.offset), word.raw, context, std::move(problem)});
    }
  }

  // Missing files are normal (most hosts have no dhclient hooks): only a default path may be
  // absent silently; a path the config names explicitly must exist.
  bool read(const fs::path& path, bool missing_ok, std::string& text) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (!missing_ok) result.problems.push_back(path.string() + ": cannot read: " + std::generic_category().message(ENOENT));
      return false;
    }
    std::string why;
    if (read_file(path, text, why)) return true;
    result.problems.push_back(path.string() + ": cannot read: " + why);
    return false;
  }

  // --- /etc/network/interfaces ---

  static std::vector<fs::path> glob_paths(const fs::path& pattern) {
    std::vector<fs::path> paths;
    glob_t g{};
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
      for (std::size_t k = 0; k < g.gl_pathc; ++k) paths.emplace_back(g.gl_pathv[k]);
    ::globfree(&g);
    return paths;
  }

  static std::vector<fs::path> run_parts_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (run_parts_name(it->path().filename().string()) && it->is_regular_file(type_ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());  // run-parts order: C-locale lexical
    return files;
  }

  // interfaces(5): relative `source` paths are taken from the including file's directory.
  static fs::path relative_to(const fs::path& including, const std::string& target) {
    const fs::path p{target};
    return p.is_absolute() ? p : including.parent_path() / p;
  }

  void interfaces_file(const fs::path& path, bool missing_ok, const std::string& ifupdown_path) {
    std::error_code ec;
    auto canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = path.lexically_normal();
    if (!visited.insert(canonical.string()).second) return;  // an include loop, or the same file twice

    std::string text;
    if (!read(path, missing_ok, text)) return;
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (trim_left(lines[i]).rfind('#', 0) == 0) continue;  // comments only at line start (interfaces(5))
      const auto line = join_continued(lines, i);
      interfaces_line(path, line, ifupdown_path);
    }
  }

  void interfaces_line(const fs::path& path, const LogicalLine& line, const std::string& ifupdown_path) {
    const auto words = split_words(line.text);
    if (words.empty()) return;
    const auto& keyword = words[0];
    if (keyword == "iface" && words.size() >= 4 && words[3] == "dhcp" && (words[2] == "inet" || words[2] == "inet6")) {
      result.dhcp_interfaces.push_back(DhcpStanza{path.string(), line.line_at(0), words[1], words[2]});
    } else if (keyword == "source") {
      for (std::size_t k = 1; k < words.size(); ++k)
        for (const auto& p : glob_paths(relative_to(path, words[k]))) interfaces_file(p, false, ifupdown_path);
    } else if (keyword == "source-directory" && words.size() >= 2) {
      for (const auto& p : run_parts_files(relative_to(path, words[1]))) interfaces_file(p, false, ifupdown_path);
    } else if (kHookOptions.count(keyword) != 0) {
      const auto at = line.text.find(keyword) + keyword.size();
      lint_line(line, at, path.string(), keyword, ifupdown_path, {});
    }
  }

  // --- dhclient hooks ---

  static std::vector<std::string> functions_defined(const std::vector<std::string>& lines) {
    static const std::regex def{R"(^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*\(\s*\))"};
    static const std::regex kw{R"(^\s*function\s+([A-Za-z_][A-Za-z0-9_.-]*))"};
    std::vector<std::string> names = kDhclientScriptFunctions;
    std::smatch m;
    for (const auto& line : lines)
      if (std::regex_search(line, m, def) || std::regex_search(line, m, kw)) names.push_back(m[1]);
    return names;
  }

  // `cat <<EOF` / `<<-'EOF'`: the body is data, not commands.
  static std::optional<std::string> heredoc_delimiter(const std::string& line) {
    static const std::regex re{R"((?:^|[^<])<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1)"};
    std::smatch m;
    if (std::regex_search(line, m, re)) return m[2].str();
    return std::nullopt;
  }

  void shell_file(const fs::path& path, bool missing_ok, const std::string& context, const std::string& dhclient_path) {
    std::string text;
    if (!read(path, missing_ok, text)) return;
    const auto lines = split_lines(text);
    const auto functions = functions_defined(lines);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto line = join_shell(lines, i);
      lint_line(line, 0, path.string(), context, dhclient_path, functions);
      if (auto delimiter = heredoc_delimiter(line.text)) {
        while (i + 1 < lines.size() && trim_left(lines[i + 1]) != *delimiter) ++i;
        ++i;  // the delimiter line
      }
    }
  }

  void dhclient_hook(const fs::path& path, bool missing_ok, const std::string& dhclient_path) {
    const std::string context =
        path.filename().string().find("enter") != std::string::npos ? "dhclient enter hook" : "dhclient exit hook";
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      // dhclient-script: `for script in $(run-parts --list $dir); do run_hook $script` and
      // run_hook sources it when `[ -f $script ]`: every matching regular file, executable or not.
      for (const auto& file : run_parts_files(path)) shell_file(file, false, context, dhclient_path);
    } else {
      shell_file(path, missing_ok, context, dhclient_path);
    }
  }
};

bool is_default(const fs::path& path, const std::vector<fs::path>& defaults) {
  return std::find(defaults.begin(), defaults.end(), path) != defaults.end();
}

}  // namespace

bool is_executable_real(const std::filesystem::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

bool path_exists_real(const std::filesystem::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::vector<std::string> commands_in_shell_line(const std::string& line, const std::vector<std::string>& functions) {
  std::vector<std::string> commands;
  for (auto& word : Scanner{line, functions}.run()) commands.push_back(std::move(word.value));
  return commands;
}

HookLint lint_hooks(const HookSources& sources, const IsExecutableFn& is_executable, const PathExistsFn& path_exists) {
  const HookSources defaults;
  Linter linter{is_executable, path_exists, {}, {}};
  const std::string ifupdown_path = sources.ifupdown_path.empty() ? kIfupdownPath : sources.ifupdown_path;
  const std::string dhclient_path = sources.dhclient_path.empty() ? kDhclientPath : sources.dhclient_path;
  for (const auto& file : sources.interfaces_files)
    linter.interfaces_file(file, is_default(file, defaults.interfaces_files), ifupdown_path);
  for (const auto& hook : sources.dhclient_hooks)
    linter.dhclient_hook(hook, is_default(hook, defaults.dhclient_hooks), dhclient_path);
  return std::move(linter.result);
}

}  // namespace hsops::checks::network
