// `hsops check wal` where the prediction means something: a separate small PostgreSQL created
// by the test with pg_wal on a loop-mounted ext4 (initdb -X), a slot nobody uses (the broken
// standby), and WAL written between runs: the check must say how long until that filesystem
// is full. The shared stack's WAL is never moved. Also: a server that is down or never answers
// is CRITICAL with the libpq error, in time. Needs root (mount) and PostgreSQL 15.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>

#include <cmath>

#include "wal_test_support.h"

using namespace std::chrono_literals;
using namespace hsops::test::wal;
using hsops::test::stack_env;
namespace pg = hsops::pg;

namespace {

constexpr const char* kPort = "25571";
constexpr const char* kSlot = "it_dead_standby";

// initdb with pg_wal on its own 192 MiB loop-mounted ext4; stopped and unmounted on exit.
class SmallWalInstance {
 public:
  explicit SmallWalInstance(const fs::path& dir) : dir_(dir) {
    const auto& env = stack_env();
    user_ = env.get("HSOPS_PG_OS_USER");
    bin_ = env.get("HSOPS_PG_BIN");
    mnt = dir / "walfs";
    sock = dir / "sock";
    const std::string d = dir.string();
    must("install -d -m 0755 " + mnt.string() + " && truncate -s 192M " + d + "/wal.img && mkfs.ext4 -q -F " + d +
         "/wal.img && mount -o loop " + d + "/wal.img " + mnt.string());
    mounted_ = true;
    must("chown " + user_ + " " + mnt.string() + " && install -d -m 0700 -o " + user_ + " " + d + "/data " +
         sock.string() + " && chmod 0755 " + d);
    must(as_pg(bin_ + "/initdb -D " + d + "/data -X " + mnt.string() + "/pg_wal -U postgres --auth=trust --no-sync"), 120);
    must("printf \"%s\\n\" \"listen_addresses = ''\" \"unix_socket_directories = '" + sock.string() +
         "'\" \"max_wal_size = 1GB\" \"min_wal_size = 32MB\" \"fsync = off\" >> " + d + "/data/postgresql.conf");
    must(as_pg(bin_ + "/pg_ctl -D " + d + "/data -l " + d + "/sock/pg.log -o \"-p " + kPort + "\" -w -t 60 start"), 90);
    started_ = true;
    conninfo = "host=" + sock.string() + " port=" + kPort + " user=postgres dbname=postgres";
  }
  ~SmallWalInstance() {
    if (started_) sh(as_pg(bin_ + "/pg_ctl -D " + dir_.string() + "/data -m immediate -w -t 30 stop"), 60);
    if (mounted_) sh("umount " + mnt.string(), 60);
  }
  SmallWalInstance(const SmallWalInstance&) = delete;
  SmallWalInstance& operator=(const SmallWalInstance&) = delete;

  fs::path mnt;
  fs::path sock;
  std::string conninfo;

 private:
  std::string as_pg(const std::string& cmd) const { return "runuser -u " + user_ + " -- " + cmd; }
  static void must(const std::string& cmd, int seconds = 60) {
    const auto r = sh(cmd, seconds);
    INFO(cmd << "\n" << r.out);
    REQUIRE(r.exit_code == 0);
  }
  fs::path dir_;
  std::string user_;
  std::string bin_;
  bool mounted_ = false;
  bool started_ = false;
};

}  // namespace

TEST_CASE("wal: a dead standby's slot on a small WAL filesystem gives a finite time until full", "[wal][stack]") {
  const Workdir w("wal-fs");
  const SmallWalInstance pgi(w.dir);
  auto db = superuser(pgi.conninfo);
  (void)one(db, "SELECT pg_create_physical_replication_slot($1, true)::text", {kSlot});
  // No wal_path: the default data_directory/pg_wal is initdb -X's symlink to the loop mount.
  const auto config = w.write("hsops.yaml", "state_dir: " + (w.dir / "state").string() +
                                                "\nchecks:\n  wal:\n    conninfo: \"" + pgi.conninfo +
                                                "\"\n    inactive_slot_warn_bytes: 1MiB\n    fit_window: 5m\n"
                                                "    max_samples: 3000\n    min_samples: 3\n    min_span: 1s\n");
  CheckRun last;
  for (int round = 0; round < 4; ++round) {
    generate_wal(db, "fill", 12);
    std::this_thread::sleep_for(1100ms);
    last = run_check("wal", config);
  }
  INFO(last.raw);
  const auto full_in = metric(last.check, "hsops_pg_wal_fs_predicted_full_seconds");
  const auto avail = metric(last.check, "hsops_pg_wal_fs_avail_bytes");
  const auto growth = metric(last.check, "hsops_pg_wal_growth_bytes_per_second");
  REQUIRE(full_in);
  REQUIRE(avail);
  REQUIRE(growth);
  CHECK(std::isfinite(*full_in));
  CHECK(*full_in > 0);
  CHECK(*growth > 1e6);  // ~12 MiB per ~1.5 s round
  CHECK(*full_in == Approx(*avail / *growth).epsilon(0.001));
  // It measured the loop mount (through the pg_wal symlink), not /tmp.
  struct statvfs st {};
  REQUIRE(::statvfs(pgi.mnt.c_str(), &st) == 0);
  const double avail_now = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  CHECK(std::abs(*avail - avail_now) < 32.0 * 1048576);
  CHECK(*avail < 192.0 * 1048576);
  // Full within minutes: CRITICAL (crit_within 4 h), said in the summary.
  CHECK(last.status() == "CRITICAL");
  CHECK_THAT(last.summary(), Catch::Contains("WAL filesystem full in"));
  CHECK_THAT(last.summary(), Catch::Contains(std::string("slot '") + kSlot + "' is inactive"));
  const auto retained = metric(last.check, "hsops_pg_slot_retained_bytes", "slot", kSlot);
  REQUIRE(retained);
  CHECK(*retained > 40.0 * 1048576);
  // The slot is dropped: pg_wal stops growing once checkpoints recycle it.
  (void)one(db, "SELECT pg_drop_replication_slot($1)::text", {kSlot});
  const auto after = run_check("wal", config);
  CHECK(metric(after.check, "hsops_pg_slot_active", "slot", kSlot) == std::nullopt);
}

TEST_CASE("wal/replication: a server that is down or never answers is CRITICAL with the libpq error in time", "[wal][stack]") {
  const Workdir w("wal-down");
  // A listener that never accepts: the TCP handshake completes, PostgreSQL's greeting never comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 16) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string hole = "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) + " user=hsops dbname=postgres";
  const std::string closed = "host=" + (w.dir / "nowhere").string() + " port=5432 user=hsops dbname=postgres";
  for (const auto& conninfo : {hole, closed}) {
    const auto config = w.write("hsops.yaml", "state_dir: " + (w.dir / "state").string() +
                                                  "\nchecks:\n  wal:\n    conninfo: \"" + conninfo +
                                                  "\"\n    connect_timeout: 2s\n  replication:\n    conninfo: \"" +
                                                  conninfo + "\"\n    connect_timeout: 2s\n");
    for (const char* name : {"wal", "replication"}) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = run_check(name, config);
      const auto took = std::chrono::steady_clock::now() - t0;
      INFO(name << " " << conninfo << "\n" << r.raw);
      CHECK(r.status() == "CRITICAL");
      CHECK_THAT(r.summary(), Catch::Contains("cannot connect to PostgreSQL"));
      CHECK(took < 6s);
    }
  }
  ::close(fd);
}
