"""Faults an operator meets: concurrent applies, a killed run, containers removed or stopped behind
Ansible's back. Each test asserts the exact end state: one UID and one sandbox per pod, data kept,
nothing left after a delete."""

import json
import os
import signal
import subprocess
import threading

import pytest

from harness import containers, docker, ok, pod, shell_container, sleeper, wait_until

STATE = '/var/lib/hostpods/pods'


def pod_uids(prefix):
    """``{pod name: {uids of its containers}}``."""
    out = {}
    lines = docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.name', '--format',
                   '{{.Label "io.kubernetes.pod.name"}} {{.Label "io.kubernetes.pod.uid"}}').splitlines()
    for line in lines:
        name, uid = line.split(' ', 1)
        if name.startswith(prefix):
            out.setdefault(name, set()).add(uid)
    return out


def sandboxes(prefix):
    return sorted(name for name in containers(prefix) if name.startswith('k8s_POD_'))


def volumes_of(uid):
    return docker('volume', 'ls', '-q', '--filter', 'label=io.kubernetes.pod.uid=%s' % uid).split()


def web(pods, suffix, port=None, init_seconds=0):
    ports = [{'containerPort': 8080, 'hostPort': port}] if port else []
    inits = [shell_container('setup', 'sleep %d' % init_seconds)] if init_seconds else []
    return pod(pods.name(suffix), [sleeper('app', ports=ports)], initContainers=inits, terminationGracePeriodSeconds=1,
               volumes=[{'name': 'data', 'emptyDir': {}}])


def test_concurrent_applies_make_one_copy_of_each_pod(pods):
    batch = [web(pods, 'a', port=31000 + int(pods.prefix[1:5], 16) % 500, init_seconds=3), web(pods, 'b')]
    results = []
    runners = [threading.Thread(target=lambda: results.append(pods.apply(batch))) for _run in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(300)
    assert len(results) == 2
    assert all(not result.get('failed') for result in results), [r.get('msg') for r in results]
    assert sorted(r['changed'] for r in results) == [False, True]  # the second run found the first's pods
    uids = pod_uids(pods.prefix)
    assert sorted(uids) == [pods.name('a'), pods.name('b')] and all(len(u) == 1 for u in uids.values()), uids
    assert len(sandboxes(pods.prefix)) == 2
    again = ok(pods.apply(batch))
    assert again['changed'] is False and again['docker_calls']['write'] == 0


def test_a_second_run_waits_a_bounded_time_then_says_who_holds_the_pod(pods):
    slow = web(pods, 'slow', init_seconds=8)
    first = []
    runner = threading.Thread(target=lambda: first.append(pods.apply(slow)))
    runner.start()
    wait_until(lambda: [n for n, s in containers(pods.prefix).items() if '_setup_' in n and s == 'running'])
    second = pods.apply(slow, wait_timeout=2)
    runner.join(120)
    assert second.get('failed') and 'is being applied by another run' in second['msg'], second.get('msg')
    assert 'hostpods.core.pod, pid ' in second['msg'] and second['changed'] is False
    assert not first[0].get('failed'), first[0].get('msg')
    assert len(sandboxes(pods.prefix)) == 1


def test_a_killed_run_finishes_and_a_re_apply_right_after_converges(pods, tmp_path):
    slow = web(pods, 'killed', init_seconds=5)
    playbook = tmp_path / 'apply.yml'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'hostpods.core.pod': {'definition': slow, 'sandbox_image': 'hostpods/pause:3.10'}}]}]))
    from harness import BIN, ansible_env
    proc = subprocess.Popen([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(playbook)],
                            env=ansible_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_until(lambda: [n for n, s in containers(pods.prefix).items() if '_setup_' in n and s == 'running'])
    os.killpg(proc.pid, signal.SIGKILL)  # Ctrl-C of a CI job: its module goes on in its own session
    proc.wait(30)
    applied = ok(pods.apply(slow, wait=True))
    assert applied['pods'][0]['status']['phase'] == 'Running'
    uids = pod_uids(pods.prefix)
    assert len(uids[pods.name('killed')]) == 1 and len(sandboxes(pods.prefix)) == 1


@pytest.mark.parametrize('what', ['removed', 'stopped'])
def test_containers_removed_or_stopped_keep_the_uid_and_the_data(pods, what):
    manifest = web(pods, what)
    manifest['spec']['containers'][0]['volumeMounts'] = [{'name': 'data', 'mountPath': '/data'}]
    uid = ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    app = next(n for n, s in containers(pods.prefix).items() if n.startswith('k8s_app_') and s == 'running')
    docker('exec', app, 'sh', '-c', 'echo kept > /data/file')
    names = list(containers(pods.prefix))
    if what == 'removed':
        docker('rm', '-f', *names)
    else:
        docker('stop', '-t', '1', *names)
    # the node agent brings the pod back, sandbox first; attempt numbers never repeat, even after docker rm -f:
    # the node remembers them
    wait_until(lambda: sorted(n.rsplit('_', 1)[1] for n, s in containers(pods.prefix).items() if s == 'running')
               == ['1', '1'], 60)
    app = next(n for n, s in containers(pods.prefix).items() if n.startswith('k8s_app_') and s == 'running')
    assert docker('exec', app, 'cat', '/data/file') == 'kept'
    assert set(pod_uids(pods.prefix)[manifest['metadata']['name']]) == {uid}
    again = ok(pods.apply(manifest, wait=True))
    assert again['changed'] is False and again['pods'][0]['metadata']['uid'] == uid


def test_a_stray_copy_is_removed_with_its_volumes_and_directory_and_delete_leaves_nothing(pods):
    manifest = web(pods, 'stray')
    uid = ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    # a copy under another UID, as an interrupted run of an older version left it
    other = '00000000-0000-4000-8000-%s' % pods.prefix[1:].ljust(12, '0')[:12]
    labels = ['--label', 'io.kubernetes.pod.name=%s' % pods.name('stray'), '--label', 'io.kubernetes.pod.namespace=default',
              '--label', 'io.kubernetes.pod.uid=%s' % other]
    docker('volume', 'create', *labels, '--label', 'hostpods.io/volume-type=emptyDir', 'k8s_emptydir_%s_x' % other)
    docker('run', '-d', '--name', 'k8s_POD_%s_default_%s_0' % (pods.name('stray'), other), *labels,
           '--label', 'io.kubernetes.container.name=POD', 'hostpods/pause:3.10')
    os.makedirs(os.path.join(STATE, other), exist_ok=True)
    fixed = ok(pods.apply(manifest))
    assert fixed['changed'] is True and fixed['pods'][0]['action'] == 'updated'
    assert set(pod_uids(pods.prefix)[pods.name('stray')]) == {uid}
    assert volumes_of(other) == [] and not os.path.exists(os.path.join(STATE, other))
    ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {} and volumes_of(uid) == [] and not os.path.exists(os.path.join(STATE, uid))
