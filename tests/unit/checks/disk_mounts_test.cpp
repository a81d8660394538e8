#include <catch2/catch.hpp>

#include "checks/disk/mounts.h"

using namespace hsops::checks::disk;

namespace {

const std::filesystem::path kHost = std::filesystem::path(HSOPS_FIXTURES_DIR) / "proc" / "disk-host";

std::vector<std::string> mountpoints(const std::vector<MountEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.mountpoint);
  return out;
}

}  // namespace

TEST_CASE("disk mounts: mountinfo fields are parsed and unescaped", "[disk][mounts]") {
  const auto all = read_mountinfo(kHost);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 20);
  const auto& root = (*all)[5];
  CHECK(root.mountpoint == "/");
  CHECK(root.device_id == "8:2");
  CHECK(root.root == "/");
  CHECK(root.fs_type == "ext4");
  CHECK(root.source == "/dev/sda2");
  CHECK_FALSE(root.readonly);
  const auto backup = mount_for_path(all.value(), "/mnt/backup disk");
  REQUIRE(backup != nullptr);
  CHECK(backup->mountpoint == "/mnt/backup disk");  // \040 -> space
  CHECK(backup->readonly);
  const auto bind = (*all)[12];
  CHECK(bind.root == "/lib/matrix-synapse");
}

TEST_CASE("disk mounts: default filter keeps real filesystems as node_exporter does", "[disk][mounts]") {
  const auto all = read_mountinfo(kHost);
  REQUIRE(all.ok());
  const auto kept = select_mounts(all.value(), MountFilter{});
  // Gone: /sys, /proc, /dev* (mount points), autofs, squashfs, overlay, iso9660 (types),
  // /run/credentials/*, /var/lib/docker/* (mount points) and the bind mount of /var.
  CHECK(mountpoints(kept) == std::vector<std::string>{"/run", "/", "/var", "/var/lib/postgresql", "/srv/media",
                                                      "/mnt/backup disk", "/mnt/nfs", "/boot/efi"});
}

TEST_CASE("disk mounts: the root mount wins over an earlier bind mount of the same device", "[disk][mounts]") {
  const auto all = parse_mountinfo(
      "43 28 8:3 /lib/matrix-synapse /srv/synapse-bind rw - ext4 /dev/sda3 rw\n"
      "40 28 8:3 / /var rw,relatime shared:20 - ext4 /dev/sda3 rw\n"
      "41 28 8:4 /data /only-bind rw - ext4 /dev/sda4 rw\n");
  const auto kept = select_mounts(all, MountFilter{});
  // A device only ever bind-mounted is still checked (through its bind mount).
  CHECK(mountpoints(kept) == std::vector<std::string>{"/var", "/only-bind"});
}

TEST_CASE("disk mounts: configured exclude patterns replace the defaults", "[disk][mounts]") {
  const auto all = read_mountinfo(kHost);
  REQUIRE(all.ok());
  MountFilter filter;
  filter.mount_points_exclude = {std::regex("^/(dev|proc|sys|run)($|/)"), std::regex("^/mnt/")};
  filter.fs_types_exclude = {std::regex("^(sysfs|proc|devtmpfs|devpts|securityfs|cgroup2|autofs|overlay|vfat)$")};
  const auto kept = select_mounts(all.value(), filter);
  CHECK(mountpoints(kept) ==
        std::vector<std::string>{"/", "/var", "/var/lib/postgresql", "/srv/media", "/snap/core/123", "/media/cdrom"});
}

TEST_CASE("disk mounts: a path maps to the longest mountpoint above it", "[disk][mounts]") {
  const auto all = read_mountinfo(kHost);
  REQUIRE(all.ok());
  CHECK(mount_for_path(all.value(), "/var/lib/postgresql/15/main")->mountpoint == "/var/lib/postgresql");
  CHECK(mount_for_path(all.value(), "/var/lib/postgresqlX")->mountpoint == "/var");
  CHECK(mount_for_path(all.value(), "/home/alice")->mountpoint == "/");
  CHECK(mount_for_path(all.value(), "relative") == nullptr);
}

TEST_CASE("disk mounts: malformed lines are skipped / a missing file is an error", "[disk][mounts]") {
  CHECK(parse_mountinfo("garbage\n36 35 98:0 / /x rw no-separator-here\n\n").empty());
  const auto missing = read_mountinfo(std::filesystem::path(HSOPS_FIXTURES_DIR) / "proc" / "does-not-exist");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("mountinfo") != std::string::npos);
}
