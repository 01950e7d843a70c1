"""The Docker edge: an object removed by someone else in the middle of an apply is a clean, per-pod
failure naming it (no traceback), and the next apply repairs the pod."""

import re
import threading

from harness import containers, docker, ok, pod, shell_container, sleeper, wait_until


def test_a_sandbox_removed_mid_apply_fails_cleanly_and_the_next_apply_repairs_it(pods):
    name = pods.name('midway')
    manifest = pod(name, [sleeper('app')], initContainers=[shell_container('setup', 'sleep 4')],
                   terminationGracePeriodSeconds=1)
    results = []
    runner = threading.Thread(target=lambda: results.append(pods.apply(manifest)))
    runner.start()
    try:
        # while the init container runs, someone removes the pod's sandbox
        setup = wait_until(lambda: [n for n, s in containers(pods.prefix).items() if '_setup_' in n and s == 'running'])
        sandbox = [n for n in containers(pods.prefix) if n.startswith('k8s_POD_')]
        docker('rm', '-f', *sandbox)
        runner.join(120)
        [failed] = results
        assert failed.get('failed'), failed
        assert 'pod "default/%s": ' % name in failed['msg'] and 'No such container' in failed['msg'], failed['msg']
        assert 'Traceback' not in failed['msg'] and 'MODULE FAILURE' not in failed['msg']
        assert setup
        # the next apply makes the pod run (the node agent may have made its new sandbox first: then it finds
        # nothing to change), and the one after changes nothing
        repaired = ok(pods.apply(manifest, wait=True))
        assert repaired['pods'][0]['status']['phase'] == 'Running', repaired['pods'][0]['status']
        assert ok(pods.apply(manifest))['changed'] is False
        running = sorted(n.split('_')[1] for n, s in containers(pods.prefix).items() if s == 'running')
        assert running == ['POD', 'app']
        assert ok(pods.apply(manifest))['changed'] is False
    finally:
        runner.join(120)
        pods.apply(manifest, state='absent')


def test_an_init_container_removed_while_it_runs_fails_cleanly_and_the_next_apply_runs_it_again(pods):
    name = pods.name('initgone')
    manifest = pod(name, [sleeper('app')], initContainers=[shell_container('setup', 'sleep 4')],
                   terminationGracePeriodSeconds=1)
    results = []
    runner = threading.Thread(target=lambda: results.append(pods.apply(manifest)))
    runner.start()
    try:
        [setup] = wait_until(lambda: [n for n, s in containers(pods.prefix).items() if '_setup_' in n and s == 'running'])
        docker('rm', '-f', setup)
        runner.join(120)
        [failed] = results
        assert failed.get('failed'), failed
        # the engine's refusal, naming the pod, the call and the container
        # (the wait on it broken off, or its logs read after it ended: either no such container, or, when the
        # read comes while the engine is still removing it, dead or marked for removal)
        assert re.search(r'pod "default/%s": Docker (wait|logs) \S+ failed: '
                         r'(No such container|can not get logs from container which is dead or marked for removal)'
                         % name, failed['msg']) \
            and failed['pods'][0]['error'], failed['msg']
        assert 'Traceback' not in failed['msg'] and 'MODULE FAILURE' not in failed['msg']
        repaired = ok(pods.apply(manifest, wait=True))
        assert repaired['pods'][0]['status']['phase'] == 'Running'
        states = {n.split('_')[1]: s for n, s in containers(pods.prefix).items()}
        assert states == {'POD': 'running', 'setup': 'exited', 'app': 'running'}
    finally:
        runner.join(120)
        pods.apply(manifest, state='absent')


def test_a_missing_sandbox_image_fails_naming_it_why_and_how_to_provide_it(pods):
    """A sandbox image that is not on the node and cannot be pulled (a registry nobody serves, on loopback):
    the apply fails before anything is made, saying which image, who named it and how to provide it."""
    image = '127.0.0.1:9/hostpods-missing/pause:3.10'
    failed = pods.apply(pod(pods.name('nosandbox'), [sleeper()]), sandbox_image=image)
    assert failed.get('failed'), failed
    assert failed['msg'].startswith('pod "default/%s": the sandbox (pause) image %s is not on node '
                                    % (pods.name('nosandbox'), image)), failed['msg']
    for part in ('cannot be pulled (Docker pull %s failed: ' % image, 'the sandbox_image option names it',
                 'run the hostpods.core.node role on this node', 'give its name as sandbox_image'):
        assert part in failed['msg'], failed['msg']
    assert containers(pods.prefix) == {}
