#!/bin/sh
# Entrypoint of the hostpods node image (hostpods/node). catatonit is PID 1 (it reaps orphans and
# forwards signals); it runs this script, which writes the engine's first settings and then starts
# the engine's supervisor in the background (hostpods-dockerd-supervisor run, the one the
# hostpods.core.node role installs on hosts without systemd): it runs the node's own dockerd (log:
# /var/log/dockerd.log), starts it again when it exits (so the node role can restart it to apply new
# settings) and brings the pod network back after each start (when the node role set it up). The
# script stays as the node's "init": it stops the supervisor and dockerd cleanly when the container
# is stopped, and keeps the node running when the supervisor is stopped by hand.
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

HOSTPODS_DOCKERD_LOG=$LOG
export HOSTPODS_DOCKERD_LOG
HOSTPODS_DOCKERD_ARGS=${HOSTPODS_DOCKERD_ARGS:-}
export HOSTPODS_DOCKERD_ARGS
if command -v dockerd >/dev/null 2>&1; then
  echo "hostpods node: starting dockerd $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG"
  /usr/local/sbin/hostpods-dockerd-supervisor run &
else
  # A node without an engine (docker.io removed): the hostpods.core.node role installs and starts it.
  echo "hostpods node: no dockerd installed $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG"
fi
# The node agent, once the node role installed it (it starts when the engine answers).
if [ -x /usr/local/sbin/hostpods-agent ]; then
  HOSTPODS_SERVICES=agent /usr/local/sbin/hostpods-dockerd-supervisor start || true
fi

# The supervisor is a service of the node, as on a host: stopping it leaves the node running.
stop() {
  HOSTPODS_SERVICES=agent /usr/local/sbin/hostpods-dockerd-supervisor stop || true
  /usr/local/sbin/hostpods-dockerd-supervisor stop || true
  exit 0
}
trap stop TERM INT
while :; do
  sleep 3600 &
  wait $! || true
done
