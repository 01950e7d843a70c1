#!/usr/bin/env bash
# Every test: set the machine up, then unit tests, integration tests against the real engine,
# the Molecule scenarios (node, cluster), ansible-test sanity and ansible-lint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> unit and integration tests"
.venv/bin/pytest -n 2 --dist loadfile tests/unit tests/integration
echo "==> molecule scenarios"
bash .ci/molecule
echo "==> ansible-test sanity"
bash .ci/sanity
echo "==> ansible-lint"
bash .ci/lint
