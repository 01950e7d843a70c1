# shellcheck shell=bash
# Source this to use the project's venv and the collection from this checkout:
#   source scripts/env.sh
HOSTPODS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The link lives in HOSTPODS_COLLECTIONS (default: hostpods-collections-<uid> in TMPDIR, else /tmp); give each
# checkout that runs at the same time as another its own (tests/hostpods_paths.py takes the same one).
HOSTPODS_COLLECTIONS=${HOSTPODS_COLLECTIONS:-${TMPDIR:-/tmp}/hostpods-collections-$(id -u)}
mkdir -p "$HOSTPODS_COLLECTIONS/ansible_collections/hostpods"
ln -sfn "$HOSTPODS_ROOT" "$HOSTPODS_COLLECTIONS/ansible_collections/hostpods/core"
export ANSIBLE_COLLECTIONS_PATH="$HOSTPODS_COLLECTIONS"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PATH="$HOSTPODS_ROOT/.venv/bin:$PATH"
