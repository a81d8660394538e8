#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

#include "checks/disk/check.h"

using namespace hsops::checks::disk;
using hsops::Status;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kProc = std::filesystem::path(HSOPS_FIXTURES_DIR) / "proc";
constexpr std::uint64_t kGiB = 1ull << 30;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hsops-disk-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Filesystems the fake statfs reports; the test changes them between runs.
struct FakeDisks {
  std::mutex mutex;
  std::map<std::string, FsStats> disks;
  void set(const std::string& path, FsStats s) {
    std::lock_guard lock(mutex);
    disks[path] = s;
  }
};

FsStats fs(std::uint64_t size, std::uint64_t avail, std::uint64_t reserve = 0, std::uint64_t inodes = 1000,
           std::uint64_t inodes_free = 900) {
  FsStats s;
  s.size_bytes = size;
  s.avail_bytes = avail;
  s.free_bytes = avail + reserve;
  s.inodes_total = inodes;
  s.inodes_free = s.inodes_avail = inodes_free;
  return s;
}

StatfsFn fake(std::shared_ptr<FakeDisks> d) {
  return [d](const std::string& path) -> hsops::Result<FsStats> {
    std::lock_guard lock(d->mutex);
    auto it = d->disks.find(path);
    if (it == d->disks.end()) return hsops::Error{hsops::ErrorKind::statfs, "statfs " + path + ": No such file or directory"};
    return it->second;
  };
}

const hsops::Measurement* find(const hsops::CheckResult& r, const std::string& label) {
  for (const auto& m : r.measurements) {
    if (m.label == label) return &m;
  }
  return nullptr;
}

Options options_for(const TempDir& tmp, std::vector<std::string> paths) {
  Options o;
  o.paths = std::move(paths);
  o.state_file = tmp.path / "disk-samples.json";
  o.statfs_timeout = 500ms;
  o.min_span = 10min;
  return o;
}

}  // namespace

TEST_CASE("disk check: all default filesystems measured / nothing filling is OK", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto disks = std::make_shared<FakeDisks>();
  for (const char* p : {"/run", "/", "/var", "/var/lib/postgresql", "/mnt/backup disk", "/mnt/nfs", "/boot/efi"}) {
    disks->set(p, fs(100 * kGiB, 60 * kGiB, 5 * kGiB));
  }
  disks->set("/srv/media", fs(100 * kGiB, 50 * kGiB, 0, 0, 0));  // btrfs: no inode figures
  auto check = make_disk_check(options_for(tmp, {}), Deps{clock, kProc / "disk-host", fake(disks)});
  const auto r = check->run();
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "/srv/media 50.0% avail (50.0 GiB of 100.0 GiB); 7 other filesystems OK");
  REQUIRE(find(r, "/var avail") != nullptr);
  CHECK(find(r, "/var avail")->value == 60.0 * kGiB);
  CHECK(find(r, "/var avail")->max == 100.0 * kGiB);
  CHECK(find(r, "/var avail")->metric_labels.at("mountpoint") == "/var");
  CHECK(find(r, "/var root_reserved")->value == 5.0 * kGiB);
  CHECK(find(r, "/var avail_pct")->metric == "hsops_disk_avail_ratio");
  CHECK(find(r, "/var avail_pct")->warning->text() == "5:");
  CHECK(find(r, "/var inodes_free_pct")->value == Approx(90));
  CHECK(find(r, "/srv/media inodes_free_pct") == nullptr);
  CHECK(find(r, "/var full_in") == nullptr);  // no prediction from one sample
  CHECK(find(r, "/mnt/backup disk readonly")->value == 1);
  CHECK(r.details.size() == 8);
  CHECK(r.details[1].find("collecting samples (1 of 3") != std::string::npos);
}

TEST_CASE("disk check: a steady fill predicts the time until full and alerts", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto disks = std::make_shared<FakeDisks>();
  // /var loses 1 GiB per 10 min: from 30 GiB of 100 GiB avail.
  std::uint64_t avail = 30 * kGiB;
  disks->set("/", fs(100 * kGiB, 70 * kGiB));
  auto check = make_disk_check(options_for(tmp, {"/", "/var"}), Deps{clock, kProc / "disk-host", fake(disks)});
  hsops::CheckResult r;
  for (int i = 0; i < 4; ++i) {
    disks->set("/var", fs(100 * kGiB, avail, 5 * kGiB));
    r = check->run();
    avail -= kGiB;
    clock.advance(10min);
  }
  // Last run saw 27 GiB at 1 GiB / 600 s: 27 * 600 s = 4 h 30 min; 27 % < 40 % -> WARNING.
  REQUIRE(find(r, "/var full_in") != nullptr);
  CHECK(std::fabs(find(r, "/var full_in")->value - 27 * 600.0) < 1e-6);
  CHECK(find(r, "/var fill_rate")->value == Approx(kGiB / 600.0));
  CHECK(find(r, "/ full_in") == nullptr);  // constant: not filling
  CHECK(find(r, "/ fill_rate")->value == 0);
  CHECK(r.status == Status::warning);
  CHECK(r.summary == "/var 27.0% avail (27.0 GiB of 100.0 GiB), full in 4 h 30 min; 1 other filesystem OK");
  bool advised = false;
  for (const auto& d : r.details) advised = advised || d.find("root reserve of 5.0 GiB") != std::string::npos;
  CHECK(advised);

  // Down to 19 GiB and still filling at the same rate: < 20 % and full within 4 h -> CRITICAL.
  for (int i = 0; i < 8; ++i) {
    disks->set("/var", fs(100 * kGiB, avail, 5 * kGiB));
    r = check->run();
    avail -= kGiB;
    clock.advance(10min);
  }
  CHECK(find(r, "/var avail_pct")->value == Approx(19));
  CHECK(r.status == Status::critical);
}

TEST_CASE("disk check: -w/-c style floors and read-only filesystems", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto disks = std::make_shared<FakeDisks>();
  auto ro = fs(100 * kGiB, 1 * kGiB);
  ro.readonly = true;
  disks->set("/mnt/backup disk", ro);
  disks->set("/", fs(100 * kGiB, 8 * kGiB));
  auto options = options_for(tmp, {"/", "/mnt/backup disk"});
  options.space.warn_floor = hsops::Range::parse("10:").value();
  options.space.crit_floor = hsops::Range::parse("0.5:").value();
  auto check = make_disk_check(options, Deps{clock, kProc / "disk-host", fake(disks)});
  // The read-only backup at 1 % is under the floor (floors apply regardless of trend) ...
  auto r = check->run();
  CHECK(r.status == Status::warning);
  CHECK(r.summary.find("/mnt/backup disk 1.0% avail") == 0);
  CHECK(r.summary.find("read-only") != std::string::npos);
  // ... but never gets a prediction, however its figure moves.
  for (int i = 0; i < 5; ++i) {
    clock.advance(10min);
    ro.avail_bytes -= 100 * 1024 * 1024;
    disks->set("/mnt/backup disk", ro);
    r = check->run();
  }
  CHECK(find(r, "/mnt/backup disk full_in") == nullptr);
  CHECK(find(r, "/mnt/backup disk fill_rate") == nullptr);
}

TEST_CASE("disk check: failures are reported per path and never OK overall", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto disks = std::make_shared<FakeDisks>();
  disks->set("/", fs(100 * kGiB, 70 * kGiB));
  auto check = make_disk_check(options_for(tmp, {"/", "/gone"}), Deps{clock, kProc / "disk-host", fake(disks)});
  auto r = check->run();
  CHECK(r.status == Status::unknown);
  CHECK(r.summary == "/gone device error: statfs /gone: No such file or directory; 1 other filesystem OK");
  CHECK(find(r, "/gone device_error")->value == 1);
  CHECK(find(r, "/ device_error")->value == 0);

  auto none = make_disk_check(options_for(tmp, {"/gone"}), Deps{clock, kProc / "disk-host", fake(disks)});
  r = none->run();
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("no filesystem could be checked") == 0);

  auto excluded = make_disk_check(options_for(tmp, {}), Deps{clock, kProc / "disk-none", fake(disks)});
  r = excluded->run();
  CHECK(r.status == Status::unknown);
  CHECK(r.summary == "no filesystem checked: no filesystem left to check after the exclusions");

  auto no_proc = make_disk_check(options_for(tmp, {}), Deps{clock, kProc / "missing", fake(disks)});
  CHECK(no_proc->run().status == Status::unknown);
}

TEST_CASE("disk check: state file trouble costs the prediction / not the check", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto disks = std::make_shared<FakeDisks>();
  disks->set("/", fs(100 * kGiB, 2 * kGiB));
  auto options = options_for(tmp, {"/"});
  std::ofstream(options.state_file) << "{corrupt";
  auto r = make_disk_check(options, Deps{clock, kProc / "disk-host", fake(disks)})->run();
  CHECK(r.status == Status::critical);  // 2 % is under the 3 % floor, prediction or not
  bool said = false;
  for (const auto& d : r.details) said = said || d.find("was unreadable") != std::string::npos;
  CHECK(said);
  std::ifstream in(options.state_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"version\":1") != std::string::npos);  // started fresh

  std::ofstream(tmp.path / "blocker") << "x";
  options.state_file = tmp.path / "blocker" / "disk-samples.json";
  r = make_disk_check(options, Deps{clock, kProc / "disk-host", fake(disks)})->run();
  CHECK(r.status == Status::critical);
  said = false;
  for (const auto& d : r.details) said = said || d.find("time-until-full UNKNOWN") != std::string::npos;
  CHECK(said);
}

TEST_CASE("disk check: a hung statfs is UNKNOWN for that path within the deadline", "[disk][check]") {
  TempDir tmp;
  hsops::FakeClock clock;
  auto gate = std::make_shared<std::timed_mutex>();
  gate->lock();  // never released while the test runs: the NFS server is gone
  StatfsFn hanging = [gate](const std::string& path) -> hsops::Result<FsStats> {
    if (path == "/mnt/nfs") {
      (void)gate->try_lock_for(10s);
      return hsops::Error{hsops::ErrorKind::statfs, "late"};
    }
    return fs(100 * kGiB, 70 * kGiB);
  };
  auto options = options_for(tmp, {"/", "/mnt/nfs"});
  options.statfs_timeout = 300ms;
  auto check = make_disk_check(options, Deps{clock, kProc / "disk-host", hanging});
  const auto started = std::chrono::steady_clock::now();
  const auto r = check->run();
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary == "/mnt/nfs device error: statfs timed out; 1 other filesystem OK");
  CHECK(find(r, "/ avail")->value == 70.0 * kGiB);
}
