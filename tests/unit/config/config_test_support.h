// Helpers for the config tests: the text of the ConfigError a call throws, and temp files.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "config/config.h"

namespace hsops::config::test {

// The ConfigError message `action` throws, or "(no error)" so a REQUIRE shows what happened.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A file under a fresh temp directory, removed with the directory at scope exit.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content, mode_t mode) {
    dir_ = std::filesystem::temp_directory_path() / ("hsops-config-test-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
    std::ofstream(path_) << content;
    ::chmod(path_.c_str(), mode);
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

}  // namespace hsops::config::test
