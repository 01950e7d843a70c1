#!/usr/bin/env bash
# Build the hostpods node image (hostpods/node:<version>) without any container registry:
# a Debian 12 (bookworm) root file system made with debootstrap from Debian's mirror, holding
# python3, the docker SDK, docker.io, iproute2, iptables, busybox-static and catatonit, imported
# with `docker import`. catatonit is PID 1; images/node/entrypoint.sh writes the engine's first
# settings and runs dockerd under roles/node/files/hostpods-dockerd-supervisor.
#
# Build once, reuse: the image carries a label with the hash of everything that goes into it
# (this script, the entrypoint, the supervisor, the suite and the package list). When an image with
# that tag and hash exists, nothing is done.
#
# Usage: scripts/build-node-image.sh [--tag TAG] [--force] [--print-tag]
#   --tag TAG     image to build (default $HOSTPODS_NODE_IMAGE, else hostpods/node:<collection version
#                 from galaxy.yml>)
#   --force       build even when the cached image is current
#   --print-tag   print the tag and the input hash, build nothing
# Environment: HOSTPODS_NODE_IMAGE (the default tag, which the cluster role then uses too: a checkout
# whose node image inputs differ from another's on the same machine builds and uses its own image),
# HOSTPODS_DEBIAN_MIRROR (default: the Debian mirror of apt's sources, else
# http://deb.debian.org/debian), HOSTPODS_NODE_EXTRA_PACKAGES (more packages, space-separated),
# HOSTPODS_BUILD_DIR (scratch space, default /var/tmp).
# The last line printed is machine-readable:
#   HOSTPODS_NODE_IMAGE=<tag> STATE=built|cached INPUTS=<hash> SECONDS=<build seconds>
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENTRYPOINT_SRC="$ROOT/images/node/entrypoint.sh"
SUPERVISOR_SRC="$ROOT/roles/node/files/hostpods-dockerd-supervisor"
SUITE=bookworm
PACKAGES="python3 python3-docker python3-grpcio python3-apt docker.io iproute2 iptables busybox-static catatonit procps"
PACKAGES="$PACKAGES ${HOSTPODS_NODE_EXTRA_PACKAGES:-}"
HASH_LABEL=io.hostpods.node-image.inputs

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-node-image: %s\n' "$*" >&2; exit 1; }

version=$(sed -n 's/^version:[[:space:]]*//p' "$ROOT/galaxy.yml" | tr -d "\"'" | head -n1)
TAG=${HOSTPODS_NODE_IMAGE:-hostpods/node:${version:-latest}}
FORCE=0
PRINT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=${2:?--tag needs a value}; shift 2 ;;
    --force) FORCE=1; shift ;;
    --print-tag) PRINT=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

INPUTS=$( { cat "$0" "$ENTRYPOINT_SRC" "$SUPERVISOR_SRC"; echo "$SUITE"; echo "$PACKAGES"; } | sha256sum | cut -c1-16)
if [ "$PRINT" = 1 ]; then
  echo "$TAG $INPUTS"
  exit 0
fi

current() {
  [ "$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$TAG" 2>/dev/null)" = "$INPUTS" ]
}

# One build at a time on this machine; a second caller waits and then finds the image cached.
exec 9>"/tmp/hostpods-build-node-image.lock"
flock 9

if [ "$FORCE" = 0 ] && current; then
  log "$TAG is current (inputs $INPUTS): nothing to build"
  echo "HOSTPODS_NODE_IMAGE=$TAG STATE=cached INPUTS=$INPUTS SECONDS=0"
  exit 0
fi

mirror() {
  if [ -n "${HOSTPODS_DEBIAN_MIRROR:-}" ]; then
    echo "$HOSTPODS_DEBIAN_MIRROR"
    return
  fi
  local uri
  # deb822 sources first (URIs: …/debian), then one-line sources (deb URI bookworm main).
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
fi

START=$(date +%s)
MIRROR=$(mirror)
WORK=$(mktemp -d "${HOSTPODS_BUILD_DIR:-/var/tmp}/hostpods-node-image.XXXXXX")
ROOTFS="$WORK/rootfs"
cleanup() {
  umount "$ROOTFS/proc" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

log "debootstrap $SUITE from $MIRROR (minbase)"
debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }

log "installing: $PACKAGES"
# No service may start while packages are installed in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mount -t proc proc "$ROOTFS/proc"
# shellcheck disable=SC2086  # PACKAGES is a list of words
# The caller's TMPDIR does not exist in the chroot (ca-certificates' postinst runs mktemp there).
chroot "$ROOTFS" /usr/bin/env -u TMPDIR DEBIAN_FRONTEND=noninteractive LC_ALL=C \
  sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES" \
  >"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed"; }
umount "$ROOTFS/proc"

log "configuring the node"
install -m 0755 "$ENTRYPOINT_SRC" "$ROOTFS/usr/local/sbin/hostpods-node-entrypoint"
# The engine's supervisor, the same file the hostpods.core.node role installs on hosts without systemd.
install -m 0755 "$SUPERVISOR_SRC" "$ROOTFS/usr/local/sbin/hostpods-dockerd-supervisor"
rm -f "$ROOTFS/usr/sbin/policy-rc.d" "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/hostname"
# iptables: the nft backend, as on the host (rules of one network namespace are seen by one backend).
chroot "$ROOTFS" update-alternatives --set iptables /usr/sbin/iptables-nft >/dev/null 2>&1 || true
chroot "$ROOTFS" update-alternatives --set ip6tables /usr/sbin/ip6tables-nft >/dev/null 2>&1 || true
# busybox applets (wget, nc, vi, …) where Debian has no command of that name.
# shellcheck disable=SC2016  # expanded by the shell in the chroot
chroot "$ROOTFS" sh -c 'for a in $(busybox --list); do
  command -v "$a" >/dev/null 2>&1 || ln -s /bin/busybox "/usr/local/bin/$a"; done'
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/usr/share/doc/* \
  "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/log/*.log \
  "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/var/lib/dpkg/*-old
# Translations are not needed on a node (about 35 MB).
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
mkdir -p "$ROOTFS/var/lib/docker"

log "importing $TAG"
tar --numeric-owner --xattrs -C "$ROOTFS" -c . | docker import \
  --change 'ENTRYPOINT ["/usr/bin/catatonit", "--", "/usr/local/sbin/hostpods-node-entrypoint"]' \
  --change 'ENV container=docker' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'VOLUME /var/lib/docker' \
  --change "LABEL $HASH_LABEL=$INPUTS" \
  --change "LABEL org.opencontainers.image.title=hostpods-node" \
  --change "LABEL org.opencontainers.image.description=\"Debian $SUITE with docker.io: a hostpods node\"" \
  - "$TAG" >/dev/null

SECS=$(( $(date +%s) - START ))
log "built $TAG in ${SECS}s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1000000}'))"
echo "HOSTPODS_NODE_IMAGE=$TAG STATE=built INPUTS=$INPUTS SECONDS=$SECS"
