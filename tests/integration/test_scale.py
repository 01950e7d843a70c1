"""Many pods in one call: their waits overlap, as on a kubelet, which terminates every pod at once
(reference/kubelet.md §6). Speed itself is measured by bench/bench.py, never here: these tests assert
the order a user can see, with more pods than the engine calls the client runs at once."""

import os

import pytest

from harness import BUSYBOX, containers, ok, pod
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import MAX_ENGINE_CALLS

PODS = MAX_ENGINE_CALLS + 3
HOOK_SECONDS = 8


def _pods(pods, folder, env='1'):
    """Pods whose preStop hook writes ``hook <pod>`` to a shared log, then waits; their container writes
    ``term <pod>`` there when SIGTERM comes (after the hook)."""
    out = []
    for index in range(PODS):
        name = pods.name('p%02d' % index)
        script = 'trap "echo term %s >> /log/events; exit 0" TERM; sleep 3600 & wait' % name
        out.append(pod(name, [{
            'name': 'app', 'image': BUSYBOX, 'command': ['sh', '-c', script], 'env': [{'name': 'V', 'value': env}],
            'volumeMounts': [{'name': 'log', 'mountPath': '/log'}],
            'lifecycle': {'preStop': {'exec': {'command': [
                'sh', '-c', 'echo hook %s >> /log/events; sleep %d' % (name, HOOK_SECONDS)]}}}}],
            terminationGracePeriodSeconds=30,
            volumes=[{'name': 'log', 'hostPath': {'path': folder, 'type': 'Directory'}}]))
    return out


def _events(folder):
    with open(os.path.join(folder, 'events')) as handle:
        return [line.split() for line in handle.read().splitlines()]


@pytest.mark.parametrize('how', ['delete', 'recreate'])
def test_every_pod_is_stopped_at_once(pods, tmp_path, how):
    """Stopping the containers of more pods than the engine calls the client runs at once: every pod's
    preStop hook starts before any hook has ended (the old behaviour waited for 8 pods at a time), and
    each pod still runs its hook before its container gets SIGTERM."""
    folder = str(tmp_path / 'shared')
    os.makedirs(folder)
    ok(pods.apply(_pods(pods, folder), wait=True))
    open(os.path.join(folder, 'events'), 'w').close()
    if how == 'delete':
        result = ok(pods.apply(_pods(pods, folder), state='absent'))
        assert {p['action'] for p in result['pods']} == {'deleted'}
        assert containers(pods.prefix) == {}
    else:
        result = ok(pods.apply(_pods(pods, folder, env='2')))
        assert {p['action'] for p in result['pods']} == {'recreated'}
    events = _events(folder)
    assert sorted(name for word, name in events if word == 'hook') == sorted(p['metadata']['name'] for p in _pods(pods, folder))
    first_term = min(index for index, (word, _name) in enumerate(events) if word == 'term')
    assert first_term == PODS, events  # every hook began before the first container got SIGTERM
    for word, name in events:  # and each pod's own order is the kubelet's: hook, then SIGTERM
        if word == 'term':
            assert events.index(['hook', name]) < events.index(['term', name])
    assert len([1 for word, _name in events if word == 'term']) == PODS
