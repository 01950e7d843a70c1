"""Unit tests of _runtime.observe's readers of the node's files: the stored objects."""

import json
import os

from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import _log_window
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs


def store(root, kind, namespace, name):
    path = configs.store_path(kind, namespace, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump({'kind': kind, 'metadata': {'name': name, 'namespace': namespace}}, handle)


def test_list_objects_by_namespace_or_all(tmp_path, monkeypatch):
    monkeypatch.setattr(configs, 'STORE', str(tmp_path))
    store(tmp_path, 'ConfigMap', 'default', 'b')
    store(tmp_path, 'ConfigMap', 'default', 'a')
    store(tmp_path, 'ConfigMap', 'other', 'c')
    store(tmp_path, 'Secret', 'default', 's')
    assert [obj['metadata']['name'] for obj, _t in observe.list_objects('ConfigMap', 'default')] == ['a', 'b']
    assert [obj['metadata']['name'] for obj, _t in observe.list_objects('ConfigMap')] == ['a', 'b', 'c']
    assert all(written > 0 for _obj, written in observe.list_objects('Secret'))
    assert observe.list_objects('PersistentVolumeClaim') == []


def test_log_windows_keep_their_fractions():
    """Debian 12's docker SDK (5.0.3) takes only ints for since/until; the engine takes fractions."""
    window = _log_window(since=1714557600.25, until=1714557660.5)
    assert all(isinstance(value, int) for value in window.values())
    assert (str(window['since']), str(window['until'])) == ('1714557600.250000000', '1714557660.500000000')
    assert _log_window() == {}
