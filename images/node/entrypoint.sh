#!/bin/sh
# Entrypoint of the hostpods node image (hostpods/node). catatonit is PID 1 (it reaps orphans and
# forwards signals); it runs this script, which starts the node's own Docker engine in the
# background (log: /var/log/dockerd.log) and then sleeps until the container is stopped.
#
# The engine's settings live in /etc/docker/daemon.json. It is written once, on the first start,
# from these environment variables (the hostpods.core.cluster role sets them); later starts and
# other tools (the hostpods.core.node role) own the file:
#   HOSTPODS_BIP             the node's pod bridge address, e.g. 10.244.1.1/24 (default: Docker's)
#   HOSTPODS_STORAGE_DRIVER  overlay2 | vfs | auto (default auto: overlay2 unless
#                            /var/lib/docker is itself on overlayfs, where only vfs works)
#   HOSTPODS_CGROUP_PARENT   cgroup parent of the node's containers; default auto: below the
#                            node container's own cgroup (<own cgroup>/docker), so that with the
#                            host's cgroup namespace the node's limits cover its pods and removing
#                            the node removes their cgroups; "none": dockerd's default
#   HOSTPODS_DOCKERD_ARGS    extra dockerd command-line arguments
set -eu

LOG=/var/log/dockerd.log
CONF=/etc/docker/daemon.json
mkdir -p /var/log /etc/docker /var/lib/docker

fs_type() {
  stat -f -c %T "$1" 2>/dev/null || echo unknown
}

own_cgroup() {
  # The path of this container's cgroup in the memory hierarchy (cgroup v1), or "/" when the
  # container has its own cgroup namespace or the host uses cgroup v2 only.
  sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup | head -n1
}

if [ ! -s "$CONF" ]; then
  parent=${HOSTPODS_CGROUP_PARENT:-auto}
  if [ "$parent" = auto ]; then
    parent=$(own_cgroup)
    case "$parent" in
      ""|/) parent="" ;;
      *) parent="$parent/docker" ;;
    esac
  elif [ "$parent" = none ]; then
    parent=""
  fi
  driver=${HOSTPODS_STORAGE_DRIVER:-auto}
  if [ "$driver" = auto ]; then
    case "$(fs_type /var/lib/docker)" in
      overlayfs) driver=vfs ;;
      *) driver=overlay2 ;;
    esac
  fi
  {
    printf '{\n  "storage-driver": "%s"' "$driver"
    if [ -n "${HOSTPODS_BIP:-}" ]; then
      printf ',\n  "bip": "%s"' "$HOSTPODS_BIP"
    fi
    if [ -n "$parent" ]; then
      printf ',\n  "cgroup-parent": "%s"' "$parent"
    fi
    # Stop the node's containers within 10 s, so that `docker stop <node>` (--stop-timeout 20) ends cleanly.
    printf ',\n  "shutdown-timeout": 10'
    printf ',\n  "log-driver": "json-file",\n  "log-opts": {"max-size": "10m", "max-file": "3"}\n}\n'
  } >"$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
fi

# A stale pid file from a previous run of this container would stop dockerd from starting.
rm -f /var/run/docker.pid /run/docker/containerd/containerd.pid

echo "hostpods node: starting dockerd $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG"
# shellcheck disable=SC2086  # HOSTPODS_DOCKERD_ARGS is a list of words on purpose
dockerd ${HOSTPODS_DOCKERD_ARGS:-} >>"$LOG" 2>&1 &
DOCKERD_PID=$!

stop() {
  kill -TERM "$DOCKERD_PID" 2>/dev/null || true
  wait "$DOCKERD_PID" 2>/dev/null || true
  exit 0
}
trap stop TERM INT

while :; do
  sleep 3600 &
  wait $! || true
done
