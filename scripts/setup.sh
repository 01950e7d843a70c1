#!/usr/bin/env bash
# Set up this machine for hostpods: Debian packages, a running Docker engine,
# the project's .venv, the offline images and the hostpods command. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '==> %s\n' "$*"; }

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

# 4. Offline images, FROM scratch (no registry needed). The pause image from the node role's Dockerfile,
#    the one the role builds on nodes from.
build_image() {  # tag, binary, dockerfile, docker build arguments...
  local tag=$1 bin=$2 dockerfile=$3 ctx
  shift 3
  if docker image inspect "$tag" >/dev/null 2>&1; then return 0; fi
  log "building $tag"
  ctx=$(mktemp -d)
  cp "$bin" "$ctx/"
  cp "$dockerfile" "$ctx/Dockerfile"
  docker build -q "$@" -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}
build_image hostpods/pause:3.10 "$(command -v catatonit)" roles/node/files/pause.Dockerfile --build-arg BUILT_BY=scripts/setup.sh
build_image hostpods/busybox:1.35 /bin/busybox images/busybox/Dockerfile

# 5. The hostpods command (kubectl's verbs on this node), installed by the node role's own tasks
#    (roles/node/tasks/tools.yml, run by scripts/install-tools.yml); skipped when what is installed is current.
HOSTPODS_LIB_DIR=/usr/local/lib/hostpods/ansible_collections/hostpods/core/plugins/module_utils
tools_current() {
  local changes
  cmp -s roles/node/files/hostpods /usr/local/bin/hostpods && [ -d "$HOSTPODS_LIB_DIR" ] || return 1
  # the installed library has one file more: the package __init__.py the role adds to plugins/module_utils
  changes=$(diff -rq --exclude=__pycache__ plugins/module_utils "$HOSTPODS_LIB_DIR" \
    | grep -vx "Only in $HOSTPODS_LIB_DIR: __init__.py" || true)
  [ -z "$changes" ]
}
if ! tools_current; then
  log "installing the hostpods command (the node role's tools tasks)"
  (
    # shellcheck source=scripts/env.sh
    source scripts/env.sh
    ansible-playbook -i localhost, scripts/install-tools.yml >/dev/null
  )
fi
log "ready: $(docker version --format 'engine {{.Server.Version}}'), images hostpods/pause:3.10 hostpods/busybox:1.35, $(command -v hostpods)"
