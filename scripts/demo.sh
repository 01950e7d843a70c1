#!/usr/bin/env bash
# The main job: set this machine up, apply examples/ to it, show the pods as
# `kubectl get pods -o wide` would, and fetch a page from a pod over its pod IP and its hostPort.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
ansible-playbook hostpods.core.apply -e manifests="$PWD/examples"
ip=$(docker inspect --format '{{.NetworkSettings.IPAddress}}' "$(docker ps -q --filter label=io.kubernetes.pod.name=web --filter label=io.kubernetes.container.name=POD)")
echo "==> GET http://$ip:8080/ (pod web, over its pod IP)"
wget -qO- "http://$ip:8080/" 2>/dev/null || curl -s "http://$ip:8080/"
echo "==> GET http://127.0.0.1:30081/ (pod init-content, over its hostPort)"
wget -qO- "http://127.0.0.1:30081/" 2>/dev/null || curl -s "http://127.0.0.1:30081/"
echo "==> GET http://127.0.0.1:30080/ (pod web, over its hostPort)"
wget -qO- "http://127.0.0.1:30080/" 2>/dev/null || curl -s "http://127.0.0.1:30080/"
