"""Fixtures of the integration tests (helpers live in harness.py)."""

import pytest

from harness import Pods, cleanup, new_prefix


@pytest.fixture
def pods(tmp_path):
    """A runner for module calls whose pods share a unique name prefix, removed afterwards."""
    prefix = new_prefix()
    runner = Pods(str(tmp_path), prefix)
    yield runner
    cleanup(prefix)
