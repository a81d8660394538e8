# shellcheck shell=bash
# The Debian sid chroot that Synapse runs in: built once with debootstrap, cached outside
# the source tree, marked complete only at the very end of a successful build.

CHROOT_MARKER=$CHROOT_DIR/.hsops-chroot-complete
CHROOT_BUILD_LOG=${CHROOT_DIR%/*}/synapse-sid-chroot-build.log
CHROOT_PACKAGES="matrix-synapse python3-psycopg2"

chroot_complete() { [ -f "$CHROOT_MARKER" ] && [ -x "$CHROOT_DIR/usr/bin/python3" ]; }

# Mount points (from /proc/self/mounts) at or under DIR, deepest first.
mounts_under() {
  local dir=$1
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

umount_under() {
  local dir=$1 m
  for m in $(mounts_under "$dir"); do
    umount "$m" 2>/dev/null || umount -l "$m" || warn "could not unmount $m"
  done
}

# Removes a directory tree only once nothing is mounted inside it, and never crosses into
# another filesystem (a forgotten bind mount of /proc or / must not be deleted through).
safe_rm_tree() {
  local dir=$1
  [ -e "$dir" ] || return 0
  umount_under "$dir"
  if [ -n "$(mounts_under "$dir")" ]; then
    die "$dir still has mounts inside ($(mounts_under "$dir" | tr '\n' ' ')); unmount them, then retry"
  fi
  rm -rf --one-file-system -- "$dir"
}

mirror_reachable() {
  timeout 25 wget -q --tries=1 --timeout=15 -O /dev/null "$DEBIAN_MIRROR/dists/sid/Release"
}

chroot_apt() {
  # shellcheck disable=SC2086
  timeout "$CHROOT_BUILD_TIMEOUT" chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    apt-get -o Acquire::Check-Valid-Until=false -o Acquire::http::Timeout=20 -o Acquire::Retries=3 \
    -o Dpkg::Use-Pty=0 "${@:2}"
}

# build_chroot [--rebuild]: no-op when a complete chroot is cached.
ensure_chroot() {
  local rebuild=${1:-}
  if chroot_complete && [ "$rebuild" != --rebuild ]; then
    return 0
  fi
  # One build at a time, even for stacks in different state dirs.
  mkdir -p "${CHROOT_DIR%/*}"
  exec 8>"$CHROOT_DIR.lock"
  flock -w "$CHROOT_BUILD_TIMEOUT" 8 || die "another chroot build holds $CHROOT_DIR.lock; wait for it, then rerun"
  if chroot_complete && [ "$rebuild" != --rebuild ]; then exec 8>&-; return 0; fi
  command -v debootstrap >/dev/null ||
    die "debootstrap is not installed; run: apt-get install debootstrap (scripts/setup installs it)"
  command -v wget >/dev/null || die "wget is not installed (debootstrap needs it); run: apt-get install wget"
  if ! mirror_reachable; then
    if [ -d "$CHROOT_DIR" ] && [ ! -f "$CHROOT_MARKER" ]; then
      die "the Synapse chroot at $CHROOT_DIR is incomplete and $DEBIAN_MIRROR is unreachable (no network?); restore network access to the Debian archive (or set HSOPS_DEBIAN_MIRROR) and rerun"
    fi
    die "the Synapse chroot $CHROOT_DIR is missing and $DEBIAN_MIRROR is unreachable (no network?); restore access to the Debian archive or set HSOPS_DEBIAN_MIRROR to a reachable mirror, then rerun"
  fi

  mkdir -p "${CHROOT_DIR%/*}"
  local build=$CHROOT_DIR.building
  if [ -e "$build" ]; then note "removing a half-built chroot from a killed run: $build"; fi
  safe_rm_tree "$build"
  if [ -d "$CHROOT_DIR" ] && [ ! -f "$CHROOT_MARKER" ]; then
    note "removing an incomplete chroot (no completion marker): $CHROOT_DIR"
  fi
  note "building the Synapse chroot (Debian sid, minbase) in $CHROOT_DIR; log: $CHROOT_BUILD_LOG"
  : >"$CHROOT_BUILD_LOG"

  local t0
  t0=$(now)
  if ! timeout "$CHROOT_BUILD_TIMEOUT" debootstrap --variant=minbase sid "$build" "$DEBIAN_MIRROR" \
    >>"$CHROOT_BUILD_LOG" 2>&1; then
    umount_under "$build"
    die "debootstrap of Debian sid failed or timed out (${CHROOT_BUILD_TIMEOUT} s); check network access to $DEBIAN_MIRROR, then rerun" "$CHROOT_BUILD_LOG"
  fi
  note "debootstrap done in $(elapsed "$t0") s; installing $CHROOT_PACKAGES"

  # Never start services from package scripts inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
  chmod 0755 "$build/usr/sbin/policy-rc.d"
  mount --bind /proc "$build/proc"
  local ok=1
  # shellcheck disable=SC2086 # CHROOT_PACKAGES is a word list
  {
    chroot_apt "$build" update &&
      chroot_apt "$build" install -y --no-install-recommends $CHROOT_PACKAGES &&
      chroot_apt "$build" clean
  } >>"$CHROOT_BUILD_LOG" 2>&1 || ok=0
  umount_under "$build"
  [ "$ok" = 1 ] ||
    die "installing $CHROOT_PACKAGES in the sid chroot failed or timed out; check network access to $DEBIAN_MIRROR, then rerun" "$CHROOT_BUILD_LOG"
  chroot "$build" /usr/bin/python3 -c 'import synapse, psycopg2' >>"$CHROOT_BUILD_LOG" 2>&1 ||
    die "the chroot was built but python3 cannot import synapse and psycopg2" "$CHROOT_BUILD_LOG"

  local version
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's format, not shell
  version=$(chroot "$build" /usr/bin/dpkg-query -W -f '${Version}' matrix-synapse)
  # Swap the new chroot in, then mark it complete (the marker is the last thing written).
  safe_rm_tree "$CHROOT_DIR"
  mv "$build" "$CHROOT_DIR"
  printf 'built %s\nmatrix-synapse %s\nmirror %s\n' "$(date -u +%FT%TZ)" "$version" "$DEBIAN_MIRROR" \
    >"$CHROOT_MARKER"
  exec 8>&-
  note "chroot built in $(elapsed "$t0") s: matrix-synapse $version, $(du -sh --one-file-system "$CHROOT_DIR" | cut -f1)"
}

chroot_synapse_version() { sed -n 's/^matrix-synapse //p' "$CHROOT_MARKER" 2>/dev/null; }

# uid:gid of the chroot's matrix-synapse system user (created by the package).
chroot_synapse_ids() {
  awk -F: '$1 == "matrix-synapse" { print $3 ":" $4 }' "$CHROOT_DIR/etc/passwd"
}

# Per-stack bind mount of the state dir into the chroot, so several state dirs can share
# one chroot. /proc is shared and unmounted when the last stack leaves.
stack_mount_id() { printf '%s' "$STACK_DIR" | cksum | cut -d' ' -f1; }
chroot_stack_dir() { echo "/srv/hsops/$(stack_mount_id)"; }

chroot_mount() {
  local inside
  inside=$CHROOT_DIR$(chroot_stack_dir)
  mkdir -p "$inside"
  mountpoint -q "$CHROOT_DIR/proc" || mount --bind /proc "$CHROOT_DIR/proc"
  mountpoint -q "$inside" || mount --bind "$STACK_DIR" "$inside"
  [ -c "$CHROOT_DIR/dev/urandom" ] || mountpoint -q "$CHROOT_DIR/dev" || mount --bind /dev "$CHROOT_DIR/dev"
}

chroot_unmount() {
  [ -d "$CHROOT_DIR" ] || return 0
  local inside
  inside=$CHROOT_DIR$(chroot_stack_dir)
  if mountpoint -q "$inside"; then umount "$inside" || umount -l "$inside"; fi
  rmdir "$inside" 2>/dev/null || true
  # Leave /proc and /dev mounted while another stack still uses this chroot.
  if [ -z "$(mounts_under "$CHROOT_DIR/srv/hsops")" ]; then
    if mountpoint -q "$CHROOT_DIR/dev"; then umount "$CHROOT_DIR/dev" || umount -l "$CHROOT_DIR/dev"; fi
    if mountpoint -q "$CHROOT_DIR/proc"; then umount "$CHROOT_DIR/proc" || umount -l "$CHROOT_DIR/proc"; fi
  fi
}
