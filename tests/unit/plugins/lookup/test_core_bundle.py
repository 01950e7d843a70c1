"""Unit tests of the core_bundle lookup: the core library as one deterministic archive a node unpacks."""

import base64
import io
import os
import subprocess
import sys
import tarfile

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.hostpods.core.plugins.lookup.core_bundle import PREFIX, LookupModule, core_bundle
from hostpods_paths import ROOT


def test_the_archive_is_the_library_with_its_packages():
    bundle = core_bundle(ROOT)
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(bundle['archive']))) as tar:
        names = tar.getnames()
        members = tar.getmembers()
    assert 'ansible_collections/__init__.py' in names and PREFIX + '/__init__.py' in names
    assert PREFIX + '/_cli/__init__.py' in names and PREFIX + '/_runtime/docker_client.py' in names
    assert PREFIX + '/_spec/schema/v1.json' in names  # the official schema hostpods explain reads
    assert not [name for name in names if '__pycache__' in name or not name.endswith(('.py', '.json'))]
    assert {(m.mtime, m.uid, m.gid, m.mode) for m in members} == {(0, 0, 0, 0o644)}
    assert bundle['files'] == len(names)


def test_the_same_files_make_the_same_archive():
    assert core_bundle(ROOT)['digest'] == core_bundle(ROOT)['digest']
    assert LookupModule().run([])[0]['digest'] == core_bundle(ROOT)['digest']
    with pytest.raises(AnsibleLookupError):
        LookupModule().run(['x'])


def test_the_nodes_python_runs_the_unpacked_command(tmp_path):
    """Unpacked as the node role unpacks it, the library runs with a python that has no Ansible."""
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(core_bundle(ROOT)['archive']))) as tar:
        tar.extractall(tmp_path)
    launcher = os.path.join(ROOT, 'roles', 'node', 'files', 'hostpods')
    env = dict(os.environ, HOSTPODS_LIB=str(tmp_path), HOSTPODS_PYTHON=sys.executable)
    proc = subprocess.run([launcher, 'run', 'web', '--image=busybox', '--dry-run=client', '-o', 'name'],
                          capture_output=True, text=True, env=env, check=False)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, 'pod/web\n', '')


def test_the_nodes_python_explains_from_the_shipped_schema(tmp_path):
    """Debian's python3, which has no kubernetes-validate (as on a node), explains from the schema in the archive:
    kubectl's text of every field and hostpods' support line."""
    python = '/usr/bin/python3'
    assert subprocess.run([python, '-I', '-c', 'import kubernetes_validate'], capture_output=True,
                          check=False).returncode == 1
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(core_bundle(ROOT)['archive']))) as tar:
        tar.extractall(tmp_path)
    launcher = os.path.join(ROOT, 'roles', 'node', 'files', 'hostpods')
    env = dict(os.environ, HOSTPODS_LIB=str(tmp_path), HOSTPODS_PYTHON=python)
    proc = subprocess.run([launcher, 'explain', 'pod.spec.containers.livenessProbe'], capture_output=True, text=True,
                          env=env, check=False)
    assert (proc.returncode, proc.stderr) == (0, '')
    assert proc.stdout.startswith('KIND:       Pod\nVERSION:    v1\n\nFIELD: livenessProbe <Probe>\n\n\nDESCRIPTION:\n'
                                  '    Periodic probe of container liveness.')
    assert '  exec\t<ExecAction>\n    Exec specifies a command to execute in the container.\n    hostpods: supported' \
        in proc.stdout
