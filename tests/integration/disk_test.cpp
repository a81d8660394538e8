// `hsops check disk` against a real ext4 filesystem: a 64 MiB image made with a 5 % root
// reserve, loop-mounted, filled in equal fsync'ed chunks. The check runs after each chunk with
// a FakeClock advanced by a fixed step, so the true fill rate is known exactly and the test is
// fast. Needs root (mount); CI runs it as root. Not being root is a failure, never a pass.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "exec/exec.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "checks/disk/check.h"

using namespace hsops;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Shell out for the few system tools (mkfs, mount) through lib/exec: every child has a deadline.
std::string sh_output(const std::string& command, int& status) {
  exec::Command c("/bin/sh", {"-c", command});
  c.deadline = 60s;
  auto r = exec::run(c);
  status = (r.ok() && !r->timed_out) ? r->exit_code : -1;
  return r.ok() ? r->out : std::string();
}

int sh(const std::string& command) {
  int status = 0;
  sh_output(command, status);
  return status;
}

// A loop-mounted ext4 in a temp dir; unmounted and removed on every exit path.
struct LoopFs {
  fs::path dir;
  fs::path image;
  fs::path mountpoint;
  bool mounted = false;

  LoopFs() {
    std::string tmpl = (fs::temp_directory_path() / "hsops-it-disk-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    image = dir / "fs.img";
    mountpoint = dir / "mnt";
    fs::create_directory(mountpoint);
    if (::geteuid() != 0) FAIL("the disk integration test must run as root (it loop-mounts an ext4 image)");
    REQUIRE(sh("truncate -s 64M " + quoted(image)) == 0);
    REQUIRE(sh("mkfs.ext4 -q -F -m 5 " + quoted(image)) == 0);
    if (sh("mount -o loop " + quoted(image) + " " + quoted(mountpoint)) != 0) {
      FAIL("mount -o loop failed (no loop devices in this container?); this test cannot pass without it");
    }
    mounted = true;
  }
  ~LoopFs() {
    if (mounted && ::umount(mountpoint.c_str()) != 0) ::umount2(mountpoint.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  LoopFs(const LoopFs&) = delete;
  LoopFs& operator=(const LoopFs&) = delete;
};

void write_chunk(const fs::path& file, std::size_t bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  const std::vector<char> block(1 << 20, 'x');
  for (std::size_t done = 0; done < bytes;) {
    const auto n = ::write(fd, block.data(), std::min(block.size(), bytes - done));
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
  REQUIRE(::fsync(fd) == 0);  // allocate the blocks now, not at some later writeback
  ::close(fd);
}

const Measurement* find(const CheckResult& r, const std::string& label) {
  for (const auto& m : r.measurements) {
    if (m.label == label) return &m;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("disk: root reserve and time until full on a filling loop-mounted ext4", "[disk][integration]") {
  LoopFs loop;
  const std::string mnt = loop.mountpoint.string();
  FakeClock clock;
  checks::disk::Options options;
  options.paths = {mnt};
  options.state_file = loop.dir / "state" / "disk-samples.json";  // outside the filesystem it measures
  options.min_span = 10min;
  const checks::disk::Deps deps{clock, "/proc", checks::disk::statfs_real};
  auto check = checks::disk::make_disk_check(options, deps);

  constexpr std::size_t kChunk = 4 * 1024 * 1024;
  constexpr auto kStep = 10min;
  const double rate = static_cast<double>(kChunk) / std::chrono::duration<double>(kStep).count();
  CheckResult r;
  for (int sample = 1; sample <= 5; ++sample) {
    if (sample > 1) {
      clock.advance(kStep);
      write_chunk(loop.mountpoint / "fill.bin", kChunk);
    }
    r = check->run();
    INFO(r.summary);
    REQUIRE(r.status == Status::ok);
  }

  const double size = find(r, mnt + " size")->value;
  const double reserved = find(r, mnt + " root_reserved")->value;
  const double avail = find(r, mnt + " avail")->value;
  const double reserve_pct = reserved / size * 100;
  const auto* full_in = find(r, mnt + " full_in");
  REQUIRE(full_in != nullptr);
  const double true_seconds = avail / rate;
  std::printf("disk integration: size %.2f MiB, avail %.2f MiB, root reserve %.3f MiB = %.2f%% of size\n",
              size / kMiB, avail / kMiB, reserved / kMiB, reserve_pct);
  std::printf("disk integration: true time to full %.0f s, predicted %.0f s (error %.2f%%), fill rate %.1f B/s\n",
              true_seconds, full_in->value, (full_in->value - true_seconds) / true_seconds * 100,
              find(r, mnt + " fill_rate")->value);
  for (const auto& line : r.details) std::printf("  %s\n", line.c_str());

  // What the 5 % means: mkfs -m 5 reserves 5 % of *all* blocks for root. statvfs's
  // f_bfree - f_bavail adds ext4's own reserved clusters (2 % of blocks, at most 4096;
  // /sys/fs/ext4/<dev>/reserved_clusters), and f_blocks leaves out metadata, so on a 64 MiB
  // filesystem the reported reserve is ~8 % of the reported size. Check both parts exactly.
  int status = 0;
  const std::string source = sh_output("findmnt -n -o SOURCE " + quoted(loop.mountpoint), status);
  REQUIRE(status == 0);
  const std::string device = fs::path(source.substr(0, source.find('\n'))).filename().string();
  const std::string super = sh_output("dumpe2fs -h " + quoted(loop.image) + " 2>/dev/null", status);
  REQUIRE(status == 0);
  auto field = [&](const std::string& name) {
    const auto at = super.find(name + ":");
    REQUIRE(at != std::string::npos);
    return std::stod(super.substr(at + name.size() + 1));
  };
  const double block_size = field("Block size");
  const double block_count = field("Block count");
  const double root_blocks = field("Reserved block count");
  double fs_clusters = 0;
  std::ifstream(fs::path("/sys/fs/ext4") / device / "reserved_clusters") >> fs_clusters;
  const double mkfs_reserve_pct = root_blocks / block_count * 100;
  std::printf("disk integration: -m 5 reserve %.0f of %.0f blocks = %.3f%%; ext4 reserved clusters %.0f; "
              "expected root_reserved %.0f B, reported %.0f B\n",
              root_blocks, block_count, mkfs_reserve_pct, fs_clusters, (root_blocks + fs_clusters) * block_size,
              reserved);
  CHECK(std::fabs(mkfs_reserve_pct - 5.0) < 0.01);
  CHECK(fs_clusters > 0);
  CHECK(reserved == (root_blocks + fs_clusters) * block_size);
  CHECK(std::fabs(full_in->value - true_seconds) <= 0.10 * true_seconds);

  // Fill to below the 3 % floor: CRITICAL whatever the trend, naming this mount.
  const auto left = static_cast<std::size_t>(avail - size * 0.02);
  clock.advance(kStep);
  write_chunk(loop.mountpoint / "fill2.bin", left - left % 4096);
  r = check->run();
  INFO(r.summary);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.rfind(mnt + " ", 0) == 0);
  CHECK(find(r, mnt + " avail_pct")->value < 3);
  // Root can still write into the reserve although non-root avail is (nearly) gone.
  CHECK(find(r, mnt + " root_reserved")->value > 0.04 * size);
}

TEST_CASE("disk: the hsops CLI reports the loop mount as JSON", "[disk][integration][cli]") {
  LoopFs loop;
  const std::string mnt = loop.mountpoint.string();
  const fs::path config = loop.dir / "hsops.yaml";
  std::ofstream(config) << "state_dir: " << (loop.dir / "state").string() << "\n"
                        << "checks:\n  disk:\n    paths: ['" << mnt << "']\n";
  int status = 0;
  const std::string out = sh_output("env HSOPS_CONFIG= " HSOPS_BINARY_DIR "/cmd/hsops/hsops --config " +
                                        quoted(config) + " check disk --format json", status);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const auto doc = nlohmann::json::parse(out);
  REQUIRE(doc.at("checks").size() == 1);
  const auto& disk = doc.at("checks").at(0);
  CHECK(disk.at("check") == "disk");
  CHECK(disk.at("status") == "OK");
  bool saw_reserve = false;
  for (const auto& m : disk.at("measurements")) {
    if (m.at("label") == mnt + " root_reserved") {
      saw_reserve = true;
      CHECK(m.at("metric") == "hsops_disk_root_reserved_bytes");
      CHECK(m.at("labels").at("mountpoint") == mnt);
      CHECK(m.at("value").get<double>() > 0);
    }
  }
  CHECK(saw_reserve);
  CHECK(fs::exists(loop.dir / "state" / "disk-samples.json"));
}
