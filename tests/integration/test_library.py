"""The reconcile is a library call: a short Python program applies, re-applies and deletes a pod through
the same code as hostpods.core.pod, with the node's own Debian python3 and python3-docker, no Ansible."""

import json
import subprocess

from harness import BUSYBOX, PAUSE, containers, sleeper, pod
from hostpods_paths import COLLECTIONS_ROOT

SYSTEM_PYTHON = '/usr/bin/python3'

PROGRAM = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
try:
    import ansible  # noqa: F401
    sys.exit('ansible is importable here: the test proves nothing')
except ImportError:
    pass
from ansible_collections.hostpods.core.plugins.module_utils._reconcile import ApplyError, apply_pods
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient

request = json.loads(sys.argv[2])
client = DockerClient()
try:
    result = apply_pods(client, request, check_mode=request.pop('check_mode', False))
except ApplyError as exc:
    result = dict(exc.details, failed=True, msg=exc.msg)
print(json.dumps(result))
'''


def library_apply(**request):
    proc = subprocess.run([SYSTEM_PYTHON, '-I', '-c', PROGRAM, COLLECTIONS_ROOT, json.dumps(request)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_program_without_ansible_applies_through_the_same_core(pods):
    name = pods.name('lib')
    manifest = pod(name, [sleeper('app', image=BUSYBOX)])
    checked = library_apply(definition=manifest, sandbox_image=PAUSE, check_mode=True)
    assert checked['changed'] is True and checked['pods'][0]['action'] == 'created'
    steps = checked['pods'][0]['planned_steps']
    assert steps[0].startswith('pod cgroup kubepods/besteffort/pod') and steps[1] == 'sandbox attempt 0', steps
    assert containers(pods.prefix) == {}

    applied = library_apply(definition=manifest, sandbox_image=PAUSE, wait=True)
    assert applied['changed'] is True and applied['pods'][0]['action'] == 'created'
    assert applied['pods'][0]['status']['phase'] == 'Running'
    assert sorted(state for state in containers(pods.prefix).values()) == ['running', 'running']

    again = library_apply(definition=manifest, sandbox_image=PAUSE)
    assert again['changed'] is False and again['docker_calls']['write'] == 0

    # the module sees the pod the library made, and agrees nothing changed
    assert pods.apply(manifest)['changed'] is False

    bad = library_apply(definition=dict(manifest, spec={'containers': [{'name': 'x'}]}), sandbox_image=PAUSE)
    assert bad['failed'] is True and 'spec.containers[0].image: Required value' in bad['msg']

    deleted = library_apply(definition=manifest, state='absent')
    assert deleted['pods'][0]['action'] == 'deleted' and containers(pods.prefix) == {}
