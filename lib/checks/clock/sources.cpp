#include "checks/clock/sources.h"

#include <glob.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hsops::checks {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string with_port(const std::string& host, const std::string& port) {
  if (port.empty()) return host;
  return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

fs::path relative_to(const fs::path& file, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : file.parent_path() / p;
}

// Sorted files in `dir` with extension `ext` (chrony reads them in that order).
std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ext) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> glob_files(const std::string& pattern) {
  std::vector<fs::path> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

bool is_comment(const std::vector<std::string>& w) {
  return w.empty() || std::string("#%;!").find(w[0][0]) != std::string::npos;
}

// depth guards against include loops.
void read_chrony(const fs::path& file, std::vector<std::string>& out, int depth) {
  if (depth > 8) return;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const auto w = words(line);
    if (is_comment(w)) continue;
    const std::string& directive = w[0];
    if ((directive == "server" || directive == "pool" || directive == "peer") && w.size() >= 2) {
      std::string port;
      for (std::size_t i = 2; i + 1 < w.size(); ++i) {
        if (w[i] == "port") port = w[i + 1];
      }
      add_unique(out, with_port(w[1], port));
    } else if (directive == "sourcedir" && w.size() >= 2) {
      for (const auto& f : files_in(relative_to(file, w[1]), ".sources")) read_chrony(f, out, depth + 1);
    } else if (directive == "confdir" && w.size() >= 2) {
      for (std::size_t i = 1; i < w.size(); ++i) {
        for (const auto& f : files_in(relative_to(file, w[i]), ".conf")) read_chrony(f, out, depth + 1);
      }
    } else if (directive == "include" && w.size() >= 2) {
      for (const auto& f : glob_files(relative_to(file, w[1]).string())) read_chrony(f, out, depth + 1);
    }
  }
}

}  // namespace

std::vector<std::string> servers_in_chrony_config(const fs::path& file) {
  std::vector<std::string> out;
  read_chrony(file, out, 0);
  return out;
}

std::vector<std::string> servers_in_ntp_config(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto w = words(line);
    if (w.empty() || (w[0] != "server" && w[0] != "pool" && w[0] != "peer")) continue;
    // `server -4 host`: skip the address-family flags.
    std::size_t i = 1;
    while (i < w.size() && (w[i] == "-4" || w[i] == "-6")) ++i;
    if (i >= w.size()) continue;
    if (w[i].rfind("127.127.", 0) == 0) continue;  // a refclock, not something we can ask
    add_unique(out, w[i]);
  }
  return out;
}

DefaultServers default_servers(const TimeDaemonConfigs& configs) {
  for (const auto& file : configs.chrony) {
    auto servers = servers_in_chrony_config(file);
    if (!servers.empty()) return {std::move(servers), file.string()};
  }
  for (const auto& file : configs.ntp) {
    auto servers = servers_in_ntp_config(file);
    if (!servers.empty()) return {std::move(servers), file.string()};
  }
  return {{"pool.ntp.org"}, "built-in default"};
}

}  // namespace hsops::checks
