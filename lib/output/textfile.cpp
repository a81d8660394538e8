#include "output/textfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hsops::output {
namespace {

Error io_error(const std::filesystem::path& path, const std::string& what) {
  return Error{ErrorKind::io, "cannot write " + path.string() + ": " + what + ": " + std::strerror(errno)};
}

}  // namespace

Result<bool> write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error(path, "creating a temporary file in " + dir.string());
  const std::filesystem::path tmp = tmpl;
  auto fail = [&](const std::string& what) {
    Error e = io_error(path, what);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return fail("chmod");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return io_error(path, "closing");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = io_error(path, "renaming into place");
    ::unlink(tmp.c_str());
    return e;
  }
  return true;
}

}  // namespace hsops::output
