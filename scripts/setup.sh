#!/usr/bin/env bash
# Set up this machine for hostpods: Debian packages, a running Docker engine,
# the project's .venv, the offline images and the hostpods command. Safe to run again.
#   --max-pods N   the pods this node takes at most (the kubelet's maxPods, the node role's node_max_pods);
#                  without it a node keeps the capacity an earlier run gave it, else 110 (the kubelet's default)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '==> %s\n' "$*"; }

MAX_PODS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --max-pods) MAX_PODS=${2:-}; shift 2 || { echo "--max-pods needs a number" >&2; exit 2; } ;;
    --max-pods=*) MAX_PODS=${1#*=}; shift ;;
    *) echo "usage: $0 [--max-pods N]" >&2; exit 2 ;;
  esac
done
if [ -z "$MAX_PODS" ] && [ -r /etc/ansible/facts.d/hostpods.fact ]; then
  MAX_PODS=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["capacity"]["pods"])' \
    /etc/ansible/facts.d/hostpods.fact 2>/dev/null || true)
fi
case "${MAX_PODS:=110}" in
  ''|0|*[!0-9]*) echo "--max-pods must be a positive number, not '$MAX_PODS'" >&2; exit 2 ;;
esac

# 1. Debian packages (only those that are missing).
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v catatonit >/dev/null 2>&1 || need+=(catatonit)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)   # a registry on loopback, for pull tests
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
dpkg -s python3-docker >/dev/null 2>&1 || need+=(python3-docker)   # the node's own python3 drives the core (no Ansible)
dpkg -s python3-grpcio >/dev/null 2>&1 || need+=(python3-grpcio)   # the node agent's grpc probes
dpkg -s python3-yaml >/dev/null 2>&1 || need+=(python3-yaml)       # ... and reads YAML (the hostpods command)
if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. A Docker engine that answers; one that already answers is left alone. No systemd here: dockerd runs
#    under the node role's supervisor, installed as the role installs it on a node without systemd (the node
#    image runs the same one); `start` waits up to 60 s for the engine to answer.
SUPERVISOR=/usr/local/sbin/hostpods-dockerd-supervisor
DOCKERD_LOG=/var/log/hostpods-dockerd.log
if ! docker version >/dev/null 2>&1; then
  log "starting dockerd under $SUPERVISOR (log: $DOCKERD_LOG)"
  cmp -s roles/node/files/hostpods-dockerd-supervisor "$SUPERVISOR" \
    || install -D -m 0755 roles/node/files/hostpods-dockerd-supervisor "$SUPERVISOR"
  HOSTPODS_DOCKERD_LOG=$DOCKERD_LOG HOSTPODS_DOCKERD_TIMEOUT=60 "$SUPERVISOR" start \
    || { tail -n 30 "$DOCKERD_LOG"; echo "dockerd did not start" >&2; exit 1; }
fi

# 3. The Python environment (pinned).
if [ ! -x .venv/bin/python ] || ! cmp -s requirements.txt .venv/.requirements.txt; then
  log "creating .venv from requirements.txt"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/pip install -q -r requirements.txt
  cp requirements.txt .venv/.requirements.txt
fi

# 4. Offline images, FROM scratch (no registry needed): busybox for the examples and tests (the node role builds
#    it too, from the same roles/node/files/busybox.Dockerfile). The pause image is the node role's (built from
#    roles/node/files/pause.Dockerfile, step 5).
if ! docker image inspect hostpods/busybox:1.35 >/dev/null 2>&1; then
  log "building hostpods/busybox:1.35"
  ctx=$(mktemp -d)
  cp /bin/busybox "$ctx/" && cp roles/node/files/busybox.Dockerfile "$ctx/Dockerfile"
  docker build -q -t hostpods/busybox:1.35 "$ctx" >/dev/null
  rm -rf "$ctx"
fi

# 5. This machine becomes a node, exactly as the node role leaves one (playbooks/node.yml): the engine's
#    settings (log rotation, live-restore), the sandbox image hostpods/pause:3.10 built offline, the node facts
#    that name it (so hostpods.core.apply needs no extra variable here), the node agent (supervised) and the
#    hostpods command. Idempotent: a second run changes nothing.
log "making this machine a node (the hostpods.core.node role; log: /var/log/hostpods-setup-node.log)"
(
  # shellcheck source=scripts/env.sh
  source scripts/env.sh
  ansible-playbook -i localhost, -c local playbooks/node.yml -e node_name="$(hostname)" \
    -e node_sandbox_image=hostpods/pause:3.10 -e node_sandbox_source=build -e node_pod_network=false \
    -e node_max_pods="$MAX_PODS" \
    -e ansible_python_interpreter="$PWD/.venv/bin/python" >/var/log/hostpods-setup-node.log 2>&1 \
    || { tail -n 40 /var/log/hostpods-setup-node.log; echo "the node role failed on this machine" >&2; exit 1; }
)
# The role restarts the agent when its library changed: wait (30 s at most) until the heartbeat is the running
# agent's, not the one its predecessor left.
for _ in $(seq 30); do
  pid=$(/usr/local/sbin/hostpods-agent status | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin).get("pid") or 0)')
  [ "$pid" != 0 ] && kill -0 "$pid" 2>/dev/null && break
  sleep 1
done
log "ready: $(docker version --format 'engine {{.Server.Version}}'), at most $MAX_PODS pods, images hostpods/pause:3.10 hostpods/busybox:1.35, $(command -v hostpods), agent: $(/usr/local/sbin/hostpods-agent status)"
