#include "checks/common/samples.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace hsops::checks::disk {
namespace {

constexpr int kFormatVersion = 1;

std::string errno_text(const std::string& what, const std::filesystem::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

}  // namespace

void prune(SampleMap& samples, double now, const SampleBounds& bounds) {
  const double oldest_kept = now - static_cast<double>(bounds.window.count());
  const double forget_before = now - static_cast<double>(bounds.forget_after.count());
  for (auto it = samples.begin(); it != samples.end();) {
    auto& series = it->second;
    const bool stale = series.empty() || series.back().t < forget_before;
    std::erase_if(series, [&](const Sample& s) { return s.t < oldest_kept || s.t > now || !std::isfinite(s.t); });
    if (series.size() > bounds.max_samples) {
      series.erase(series.begin(), series.end() - static_cast<std::ptrdiff_t>(bounds.max_samples));
    }
    it = (stale || series.empty()) ? samples.erase(it) : std::next(it);
  }
}

bool add_sample(SampleMap& samples, const std::string& path, const Sample& sample, const SampleBounds& bounds) {
  auto& series = samples[path];
  const double min_spacing = static_cast<double>(bounds.window.count()) / static_cast<double>(std::max<std::size_t>(bounds.max_samples, 1));
  if (!series.empty() && sample.t - series.back().t < min_spacing) return false;
  series.push_back(sample);
  if (series.size() > bounds.max_samples) series.erase(series.begin());
  return true;
}

std::string to_json(const SampleMap& samples) {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& [path, series] : samples) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : series) rows.push_back({s.t, s.avail_bytes, s.inodes_avail});
    paths[path] = std::move(rows);
  }
  return nlohmann::json{{"version", kFormatVersion}, {"paths", std::move(paths)}}.dump() + "\n";
}

Result<SampleMap> from_json(const std::string& text) {
  try {
    const auto doc = nlohmann::json::parse(text);
    if (doc.value("version", 0) != kFormatVersion) return Error{ErrorKind::parse, "unknown state file version"};
    SampleMap samples;
    for (const auto& [path, rows] : doc.at("paths").items()) {
      auto& series = samples[path];
      for (const auto& row : rows) {
        series.push_back(Sample{row.at(0).get<double>(), row.at(1).get<double>(), row.at(2).get<double>()});
      }
      std::sort(series.begin(), series.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
    }
    return samples;
  } catch (const std::exception& e) {
    return Error{ErrorKind::parse, e.what()};
  }
}

Result<SampleFile> SampleFile::open(const std::filesystem::path& file, std::chrono::milliseconds lock_wait) {
  const auto dir = file.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
      std::filesystem::permissions(dir, std::filesystem::perms(0755), ec);
    } else if (ec) {
      return Error{ErrorKind::io, "cannot create state directory " + dir.string() + ": " + ec.message()};
    }
  }
  const auto lock_path = file.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{ErrorKind::io, errno_text("cannot open lock file", lock_path)};
  // flock has no timeout; poll so a stuck holder cannot hang the check.
  const auto until = std::chrono::steady_clock::now() + lock_wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const auto msg = errno_text("cannot lock", lock_path);
      ::close(fd);
      return Error{ErrorKind::io, msg};
    }
    if (std::chrono::steady_clock::now() >= until) {
      ::close(fd);
      return Error{ErrorKind::timeout, "state file " + file.string() + " is locked by another hsops run"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return SampleFile(file, fd);
}

SampleFile::SampleFile(SampleFile&& other) noexcept : file_(std::move(other.file_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

SampleFile::~SampleFile() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

Result<SampleMap> SampleFile::load() const {
  std::ifstream in(file_);
  if (!in) {
    if (!std::filesystem::exists(file_)) return SampleMap{};
    return Error{ErrorKind::io, errno_text("cannot read", file_)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return from_json(text.str());
}

Result<bool> SampleFile::save(const SampleMap& samples) const {
  const std::string text = to_json(samples);
  const auto tmp = file_.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{ErrorKind::io, errno_text("cannot write", tmp)};
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto msg = errno_text("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{ErrorKind::io, msg};
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const auto msg = errno_text("cannot sync", tmp);
    ::unlink(tmp.c_str());
    return Error{ErrorKind::io, msg};
  }
  if (::rename(tmp.c_str(), file_.c_str()) != 0) {
    const auto msg = errno_text("cannot rename onto", file_);
    ::unlink(tmp.c_str());
    return Error{ErrorKind::io, msg};
  }
  // Make the rename itself durable.
  const auto dir = file_.has_parent_path() ? file_.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return true;
}

}  // namespace hsops::checks::disk
