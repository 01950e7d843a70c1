"""A pod's life on the real engine: init containers, restarts, command/args, updates, drift, deletion,
ports and process sharing. Kubernetes (reference/kubelet.md §1.9, §3, §4, §6, §7, §10) is the spec."""

import datetime
import json
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

from harness import BUSYBOX, containers, docker, inspect, ok, pod, shell_container, sleeper, wait_until


# ---------------------------------------------------------------------------------------------- helpers
def cname(container, pod_name, uid, attempt, namespace='default'):
    """The dockershim name of a container (``POD`` for the sandbox)."""
    return 'k8s_%s_%s_%s_%s_%d' % (container, pod_name, namespace, uid, attempt)


def of_pod(pods, pod_name):
    """``{docker name: state}`` of the containers of one pod (any namespace)."""
    return {name: state for name, state in containers(pods.prefix).items() if name.split('_')[2] == pod_name}


def instances(pods, pod_name, container):
    """``{attempt: state}`` of the Docker instances of one container of a pod."""
    out = {}
    for name, state in of_pod(pods, pod_name).items():
        parts = name.split('_')
        if parts[1] == container:
            out[int(parts[-1])] = state
    return out


def running_attempt(pods, pod_name, container):
    found = [attempt for attempt, state in instances(pods, pod_name, container).items() if state == 'running']
    assert len(found) == 1, (container, instances(pods, pod_name, container))
    return found[0]


def logs(container):
    proc = subprocess.run(['docker', 'logs', container], capture_output=True, text=True, check=False)
    return proc.stdout + proc.stderr


def docker_time(text):
    """Docker's RFC 3339 timestamp with nanoseconds -> an aware datetime (microsecond precision)."""
    match = re.match(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z', text)
    assert match, text
    micro = (match.group(2) or '0')[:6].ljust(6, '0')
    return datetime.datetime.strptime(match.group(1), '%Y-%m-%dT%H:%M:%S').replace(
        microsecond=int(micro), tzinfo=datetime.timezone.utc)


def pod_volumes(pod_name):
    return [v for v in docker('volume', 'ls', '-q').splitlines() if pod_name in v]


def status_of(obj, container, init=False):
    key = 'initContainerStatuses' if init else 'containerStatuses'
    found = [s for s in obj['status'].get(key) or [] if s['name'] == container]
    assert found, (container, obj['status'])
    return found[0]


def http_get(url, timeout=15.0):
    """The body at ``url``, retried until the server answers or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode().strip()
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.3)


def can_connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def host_port(prefix, offset=0):
    """An unusual port in 20000-29999 derived from the test's unique prefix."""
    return 20000 + (int(prefix[1:], 16) % 9990) + offset


def cleanup_pods(pods):
    """Remove the test's containers now (before removing an image they use); the fixture does the rest."""
    names = list(containers(pods.prefix))
    if names:
        docker('rm', '-f', *names, check=False)


def image_tag(tag, dockerfile=None):
    """Make ``tag`` locally: a second tag of busybox, or a local build of ``dockerfile`` (no registry)."""
    if dockerfile is None:
        docker('tag', BUSYBOX, tag)
        return
    with tempfile.TemporaryDirectory() as context:
        with open(context + '/Dockerfile', 'w') as handle:
            handle.write(dockerfile)
        docker('build', '-q', '-t', tag, context)


class ContainerEvents:
    """Docker container events while the block runs (read by a thread, so none is lost to buffering).

    ``first(name, action, signal)`` gives the event's time in seconds; leaving the block waits until every
    name in ``until_gone`` has its ``destroy`` event (or 15 s)."""

    def __init__(self, until_gone=()):
        self.until_gone = set(until_gone)
        self.events = []

    def __enter__(self):
        self.proc = subprocess.Popen(['docker', 'events', '--since', '%.3f' % (time.time() - 1), '--filter',
                                      'type=container', '--format', '{{json .}}'], stdout=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        time.sleep(0.3)
        return self

    def _read(self):
        for line in self.proc.stdout:
            if line.strip():
                event = json.loads(line)
                attrs = (event.get('Actor') or {}).get('Attributes') or {}
                self.events.append((attrs.get('name'), event.get('Action') or event.get('status'), attrs.get('signal'),
                                    event['timeNano'] / 1e9))

    def __exit__(self, *exc):
        try:  # the containers' removal is what the events end with; a test that failed may not get there
            wait_until(lambda: all(self.first(name, 'destroy') for name in self.until_gone), 15)
        except AssertionError:
            pass
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=5)
        return False

    def of(self, name):
        return [(action, signal, at) for who, action, signal, at in list(self.events) if who == name]

    def first(self, name, action, signal=None):
        for event_action, event_signal, at in self.of(name):
            if event_action == action and (signal is None or event_signal == signal):
                return at
        return None


# ------------------------------------------------------------------------------------- 1. init containers
def test_init_containers_run_one_by_one_in_order_before_app_containers(pods):
    name = pods.name('init')
    mount = [{'name': 'work', 'mountPath': '/work'}]

    def step(ordinal):
        # No "$(" in the script: that would be Kubernetes' $(VAR) syntax.
        return shell_container('init-%d' % ordinal, 'read up rest < /proc/uptime; echo "init-%d $up" >> /work/log; sleep 1'
                               % ordinal, volumeMounts=mount)

    app = shell_container('app', 'read up rest < /proc/uptime; echo "app $up" >> /work/log; cat /work/log; '
                          'trap "exit 0" TERM; sleep 3600 & wait', volumeMounts=mount)
    manifest = pod(name, [app], initContainers=[step(1), step(2), step(3)], volumes=[{'name': 'work', 'emptyDir': {}}])
    result = pods.four_step(manifest)
    obj = result['pods'][0]
    uid = obj['metadata']['uid']

    app_name = cname('app', name, uid, 0)
    assert wait_until(lambda: len(logs(app_name).split()) >= 8, 10), logs(app_name)
    lines = [line.split() for line in logs(app_name).splitlines() if line.strip()]
    assert [line[0] for line in lines] == ['init-1', 'init-2', 'init-3', 'app'], lines
    stamps = [float(line[1]) for line in lines]
    # Each init container sleeps 1 s after writing: the next one can only start after it exited.
    for before, after in zip(stamps, stamps[1:]):
        assert after - before >= 0.9, stamps

    # On the engine: each init container ran to completion (exit 0) before the next one (and the app) started.
    infos = [inspect(cname('init-%d' % i, name, uid, 0)) for i in (1, 2, 3)] + [inspect(app_name)]
    for info in infos[:3]:
        assert info['State']['Status'] == 'exited' and info['State']['ExitCode'] == 0
    for before, after in zip(infos, infos[1:]):
        assert docker_time(before['State']['FinishedAt']) <= docker_time(after['State']['StartedAt'])

    assert obj['status']['phase'] == 'Running'
    assert [s['name'] for s in obj['status']['initContainerStatuses']] == ['init-1', 'init-2', 'init-3']
    for status in obj['status']['initContainerStatuses']:
        assert status['state']['terminated']['exitCode'] == 0
        assert status['state']['terminated']['reason'] == 'Completed'
        assert status['ready'] is True
    initialized = [c for c in obj['status']['conditions'] if c['type'] == 'Initialized']
    assert initialized and initialized[0]['status'] == 'True'


# ----------------------------------------------------------------------------- 2. failing init, Never
def test_failing_init_container_under_never_fails_the_pod(pods):
    name = pods.name('initfail')
    init = shell_container('setup', 'echo step one; echo "cannot reach the database" >&2; exit 3')
    manifest = pod(name, [sleeper('app')], initContainers=[init], restartPolicy='Never',
                   terminationGracePeriodSeconds=1)
    result = pods.apply(manifest)
    assert result.get('failed') is True
    msg = result['msg']
    assert '"setup"' in msg or "'setup'" in msg or ' setup ' in msg, msg
    assert re.search(r'(exit|code)\D{0,20}\b3\b', msg), msg
    assert 'cannot reach the database' in msg, msg
    obj = result['pods'][0]
    uid = obj['metadata']['uid']
    assert obj['error']
    assert obj['status']['phase'] == 'Failed'
    init_status = status_of(obj, 'setup', init=True)
    assert init_status['state']['terminated']['exitCode'] == 3
    assert init_status['state']['terminated']['reason'] == 'Error'
    assert instances(pods, name, 'app') == {}, 'the app container must never be created'
    assert inspect(cname('setup', name, uid, 0))['State']['ExitCode'] == 3

    # A Failed pod is terminal: re-applying the same manifest leaves it as it is.
    again = ok(pods.apply(manifest))
    assert again['changed'] is False
    assert again['pods'][0]['action'] == 'unchanged'
    assert again['pods'][0]['metadata']['uid'] == uid
    assert again['pods'][0]['status']['phase'] == 'Failed'
    assert again['docker_calls']['write'] == 0
    assert instances(pods, name, 'app') == {}
    checked = ok(pods.apply(manifest, check=True))
    assert checked['changed'] is False


# ------------------------------------------------------------------------ 3. failing init, retried
@pytest.mark.parametrize('policy', ['OnFailure', 'Always'])
def test_failing_init_container_is_retried_with_backoff(pods, policy):
    name = pods.name('crashinit')
    manifest = pod(name, [sleeper('app')], restartPolicy=policy, terminationGracePeriodSeconds=1,
                   initContainers=[shell_container('flaky', 'echo "flaky attempt failed"; exit 2')])
    started = time.monotonic()
    result = pods.apply(manifest, wait_timeout=8)
    elapsed = time.monotonic() - started
    assert result.get('failed') is True
    msg = result['msg']
    assert 'Init:CrashLoopBackOff' in msg, msg
    assert 'flaky' in msg and 'flaky attempt failed' in msg, msg
    assert re.search(r'(exit|code)\D{0,20}\b2\b', msg), msg
    count = re.search(r'(\d+) attempt', msg)
    assert count, msg
    attempts = int(count.group(1))
    # The first restart after a crash is immediate, so at least two runs fit in the budget.
    assert attempts >= 2, msg
    assert elapsed < 30, 'the retries must stay within wait_timeout'
    obj = result['pods'][0]
    assert obj['status']['phase'] == 'Pending'
    assert status_of(obj, 'flaky', init=True)['restartCount'] == attempts - 1
    runs = instances(pods, name, 'flaky')
    assert max(runs) >= attempts - 1, runs   # the node agent carries on retrying after the module returned
    assert all(state == 'exited' for state in runs.values()), runs
    assert instances(pods, name, 'app') == {}, 'the app container must not start before init succeeds'


def test_init_container_that_fails_once_then_succeeds_starts_the_app(pods):
    name = pods.name('initonce')
    mount = [{'name': 'work', 'mountPath': '/work'}]
    init = shell_container('check', 'if [ -e /work/marker ]; then echo second try ok; exit 0; fi; '
                           'touch /work/marker; echo first try fails; exit 1', volumeMounts=mount)
    manifest = pod(name, [sleeper('app', volumeMounts=mount)], initContainers=[init],
                   volumes=[{'name': 'work', 'emptyDir': {}}])
    result = ok(pods.apply(manifest, wait_timeout=60))
    obj = result['pods'][0]
    uid = obj['metadata']['uid']
    assert obj['action'] == 'created'
    assert obj['status']['phase'] == 'Running'
    assert of_pod(pods, name)[cname('app', name, uid, 0)] == 'running'
    second = inspect(cname('check', name, uid, 1))
    assert second['State']['ExitCode'] == 0
    assert 'second try ok' in logs(second['Name'].lstrip('/'))
    init_status = status_of(obj, 'check', init=True)
    assert init_status['restartCount'] == 1
    assert init_status['state']['terminated']['exitCode'] == 0
    # Initialized: the next apply changes nothing.
    again = ok(pods.apply(manifest))
    assert again['changed'] is False and again['docker_calls']['write'] == 0


# --------------------------------------------------------------------------------- 4. restartPolicy
def test_restart_policy_the_node_agent_restarts_crashed_containers_as_new_instances(pods):
    """The node agent restarts what exited by restartPolicy (kubelet §3): new instances (attempt + 1), the first
    at once; the engine restarts nothing (its restart policy is ``no``)."""
    crasher = shell_container('main', 'echo run; sleep 1; exit 3')
    policies = ('Always', 'OnFailure', 'Never')
    names = {policy: pods.name(policy.lower()) for policy in policies}
    manifests = [pod(names[policy], [dict(crasher)], restartPolicy=policy, terminationGracePeriodSeconds=1)
                 for policy in policies]
    result = ok(pods.apply(manifests))
    uids = {p['metadata']['name']: p['metadata']['uid'] for p in result['pods']}
    for policy in policies:
        first = inspect(cname('main', names[policy], uids[names[policy]], 0))
        assert first['HostConfig']['RestartPolicy']['Name'] == 'no', policy

    # No Ansible run from here on: the agent brings crashed containers back under Always and OnFailure.
    for policy in ('Always', 'OnFailure'):
        wait_until(lambda: 1 in instances(pods, names[policy], 'main'), 30)
        again = cname('main', names[policy], uids[names[policy]], 1)
        assert wait_until(lambda: logs(again).count('run') == 1, 10), (policy, logs(again))
        assert inspect(again)['RestartCount'] == 0   # a new instance, not the engine's restart in place
    # The Never pod's container exited as long ago, in the same passes of the agent: nothing restarted it.
    assert instances(pods, names['Never'], 'main') == {0: 'exited'}
    never = inspect(cname('main', names['Never'], uids[names['Never']], 0))
    assert never['State']['ExitCode'] == 3 and logs(never['Name'].lstrip('/')).count('run') == 1

    # The agent's restarts are the pod's restarts: the next apply sees them and changes nothing.
    again = ok(pods.apply(manifests))
    assert again['changed'] is False and again['docker_calls']['write'] == 0
    phases = {p['metadata']['name']: p['status']['phase'] for p in again['pods']}
    restarts = {p['metadata']['name']: status_of(p, 'main')['restartCount'] for p in again['pods']}
    assert phases == {names['Always']: 'Running', names['OnFailure']: 'Running', names['Never']: 'Failed'}
    assert restarts[names['Always']] >= 1 and restarts[names['OnFailure']] >= 1 and restarts[names['Never']] == 0


# ------------------------------------------------------------------------------------ 5. command/args
def test_command_args_env_and_working_dir(pods):
    image = '%s/echo:1' % pods.prefix
    image_tag(image, 'FROM %s\nENTRYPOINT ["echo", "entrypoint"]\nCMD ["image-cmd"]\n' % BUSYBOX)
    try:
        name = pods.name('cmd')
        env = [{'name': 'GREETING', 'value': 'hello'},
               {'name': 'WHO', 'value': 'world'},
               {'name': 'MSG', 'value': '$(GREETING), $(WHO)!'},
               {'name': 'LITERAL', 'value': '$$(GREETING)'},
               {'name': 'EARLY', 'value': '[$(LATE)]'},
               {'name': 'LATE', 'value': 'late'}]
        script = ('echo "argv=$0|$1|$2|$3|$4"; echo "pwd=`pwd`"; echo "msg=$MSG"; echo "literal=$LITERAL"; '
                  'echo "early=$EARLY"')
        manifest = pod(name, [
            {'name': 'defaults', 'image': image},
            {'name': 'args-only', 'image': image, 'args': ['from-args', '$(GREETING)'], 'env': env[:1]},
            {'name': 'command-only', 'image': image, 'command': ['echo', 'command-only']},
            {'name': 'both', 'image': BUSYBOX, 'env': env, 'workingDir': '/srv/work',
             'command': ['sh', '-c', script],
             'args': ['$(GREETING)', '$$(GREETING)', '$(NOT_SET)', '$(LATE)', '$(MSG)']},
        ], restartPolicy='Never')
        result = ok(pods.apply(manifest, wait=True, wait_timeout=60))
        obj = result['pods'][0]
        uid = obj['metadata']['uid']
        assert obj['status']['phase'] == 'Succeeded'

        def out(container):
            return logs(cname(container, name, uid, 0)).strip()

        # No command, no args: the image's ENTRYPOINT and CMD.
        assert out('defaults') == 'entrypoint image-cmd'
        # args replace only the CMD (the ENTRYPOINT stays), with $(VAR) expanded.
        assert out('args-only') == 'entrypoint from-args hello'
        # command replaces the ENTRYPOINT, and the image's CMD is not used.
        assert out('command-only') == 'command-only'
        lines = out('both').splitlines()
        assert lines == [
            'argv=hello|$(GREETING)|$(NOT_SET)|late|hello, world!',  # args: $(VAR), $$(VAR), unknown, complete env
            'pwd=/srv/work',
            'msg=hello, world!',        # env values expand earlier variables
            'literal=$(GREETING)',      # $$(VAR) is the literal $(VAR)
            'early=[$(LATE)]',          # a variable defined later is not expanded in env
        ], lines
        both = inspect(cname('both', name, uid, 0))
        assert both['Config']['WorkingDir'] == '/srv/work'
        assert 'MSG=hello, world!' in both['Config']['Env']
    finally:
        cleanup_pods(pods)
        docker('rmi', image, check=False)


# ------------------------------------------------------------------------------------- 6. image change
def test_image_change_replaces_only_that_container(pods):
    new_image = '%s/busybox:2' % pods.prefix
    image_tag(new_image)
    try:
        name = pods.name('img')
        manifest = pod(name, [sleeper('a'), sleeper('b')])
        first = pods.four_step(manifest)['pods'][0]
        uid = first['metadata']['uid']
        sandbox = inspect(cname('POD', name, uid, 0))
        b_before = inspect(cname('b', name, uid, 0))['Id']
        ip = first['status']['podIP']
        assert ip

        changed = pod(name, [sleeper('a', image=new_image), sleeper('b')])
        before = containers(pods.prefix)
        checked = ok(pods.apply(changed, check=True))
        assert checked['changed'] is True and checked['pods'][0]['action'] == 'updated'
        assert containers(pods.prefix) == before, 'check mode changed the host'

        result = ok(pods.apply(changed))
        obj = result['pods'][0]
        assert result['changed'] is True
        assert obj['action'] == 'updated'
        assert obj['metadata']['uid'] == uid
        new_a = inspect(cname('a', name, uid, 1))
        assert new_a['State']['Running']
        assert new_a['Config']['Image'] == new_image
        assert new_a['HostConfig']['NetworkMode'] == 'container:' + sandbox['Id']
        assert instances(pods, name, 'a').get(0) in (None, 'exited'), 'the old instance must be stopped'
        assert instances(pods, name, 'POD') == {0: 'running'}
        assert inspect(cname('POD', name, uid, 0))['Id'] == sandbox['Id']
        b_after = inspect(cname('b', name, uid, 0))
        assert b_after['Id'] == b_before and b_after['State']['Running']
        assert obj['status']['podIP'] == ip
        assert inspect(cname('POD', name, uid, 0))['NetworkSettings']['IPAddress'] == ip
        a_status = status_of(obj, 'a')
        assert a_status['restartCount'] == 1
        assert a_status['image'] == new_image
        assert 'terminated' in a_status['lastState'], a_status
        assert status_of(obj, 'b')['restartCount'] == 0

        again = ok(pods.apply(changed))
        assert again['changed'] is False
        assert again['pods'][0]['action'] == 'unchanged'
        assert again['docker_calls']['write'] == 0
    finally:
        cleanup_pods(pods)
        docker('rmi', new_image, check=False)


# -------------------------------------------------------------------------- 7. other changes, force
def test_spec_changes_and_force_recreate_the_pod_labels_change_in_place(pods):
    name = pods.name('recreate')

    def manifest(value, tier):
        return pod(name, [sleeper('main', env=[{'name': 'MODE', 'value': value}])], labels={'tier': tier},
                   terminationGracePeriodSeconds=1)

    first = ok(pods.apply(manifest('one', 'a')))['pods'][0]
    uid = first['metadata']['uid']
    assert set(of_pod(pods, name)) == {cname('POD', name, uid, 0), cname('main', name, uid, 0)}

    def recreated(result, attempt):
        ok(result)
        obj = result['pods'][0]
        assert result['changed'] is True
        assert obj['action'] == 'recreated'
        assert obj['metadata']['uid'] == uid
        found = of_pod(pods, name)
        sandboxes = {n: s for n, s in found.items() if n.split('_')[1] == 'POD'}
        assert sandboxes == {cname('POD', name, uid, attempt): 'running'}, found
        assert running_attempt(pods, name, 'main') is not None
        return obj

    # An env value: the pod is recreated (sandbox attempt + 1), same uid.
    before = containers(pods.prefix)
    checked = ok(pods.apply(manifest('two', 'a'), check=True))
    assert checked['changed'] is True and checked['pods'][0]['action'] == 'recreated'
    assert containers(pods.prefix) == before
    recreated(pods.apply(manifest('two', 'a')), 1)
    main = [n for n, s in of_pod(pods, name).items() if n.startswith('k8s_main_') and s == 'running'][0]
    assert 'MODE=two' in inspect(main)['Config']['Env']

    # A label changes in place, as on Kubernetes: nothing restarts, no Docker write, and the
    # pod reports the new label (check mode first reports the update and changes nothing).
    running_before = of_pod(pods, name)
    checked = ok(pods.apply(manifest('two', 'b'), check=True))
    assert checked['changed'] is True and checked['pods'][0]['action'] == 'updated'
    assert checked['pods'][0]['metadata']['labels'] == {'tier': 'a'}
    relabelled = ok(pods.apply(manifest('two', 'b')))
    assert relabelled['changed'] is True and relabelled['pods'][0]['action'] == 'updated'
    assert relabelled['docker_calls']['write'] == 0
    assert relabelled['pods'][0]['metadata']['labels'] == {'tier': 'b'}
    assert of_pod(pods, name) == running_before
    listed = ok(pods.run({'label_selectors': ['tier=b']}, module='hostpods.core.pod_info'))
    assert [p['metadata']['name'] for p in listed['pods']] == [name]
    unchanged = ok(pods.apply(manifest('two', 'b')))
    assert unchanged['changed'] is False and unchanged['docker_calls']['write'] == 0

    # force: true recreates an unchanged pod; the new sandbox carries the current labels.
    recreated(pods.apply(manifest('two', 'b'), force=True), 2)
    assert inspect(cname('POD', name, uid, 2))['Config']['Labels']['tier'] == 'b'
    again = ok(pods.apply(manifest('two', 'b')))
    assert again['changed'] is False and again['pods'][0]['action'] == 'unchanged'


# ----------------------------------------------------------------------------------- 8. drift repair
def test_drift_is_repaired_by_the_node_agent_and_an_apply_then_changes_nothing(pods):
    """Containers removed or stopped behind Ansible's back, then the sandbox: the node agent repairs each as a
    kubelet does (new instances, attempt + 1; a new sandbox restarts every container and runs the init
    containers again); the emptyDir lives as long as the pod UID; the next apply changes nothing."""
    name = pods.name('drift')
    mount = [{'name': 'data', 'mountPath': '/data'}]
    manifest = pod(name, [sleeper('a', volumeMounts=mount), sleeper('b', volumeMounts=mount)],
                   initContainers=[shell_container('stamp', 'echo init >> /data/runs', volumeMounts=mount)],
                   volumes=[{'name': 'data', 'emptyDir': {}}], terminationGracePeriodSeconds=1)
    obj = ok(pods.apply(manifest))['pods'][0]
    uid = obj['metadata']['uid']
    sandbox_id = inspect(cname('POD', name, uid, 0))['Id']
    b_id = inspect(cname('b', name, uid, 0))['Id']

    def settled():
        again = ok(pods.apply(manifest))
        assert again['changed'] is False and again['docker_calls']['write'] == 0
        assert again['pods'][0]['metadata']['uid'] == uid
        return again['pods'][0]

    # 1. An app container removed: it comes back in the same sandbox; the init container does not run again.
    docker('rm', '-f', cname('a', name, uid, 0))
    wait_until(lambda: instances(pods, name, 'a') == {1: 'running'}, 60)
    a_info = inspect(cname('a', name, uid, 1))
    assert a_info['HostConfig']['NetworkMode'] == 'container:' + sandbox_id
    assert inspect(cname('POD', name, uid, 0))['Id'] == sandbox_id
    assert inspect(cname('b', name, uid, 0))['Id'] == b_id
    assert docker('exec', cname('a', name, uid, 1), 'cat', '/data/runs') == 'init', 'init must not run again'
    settled()

    # 2. An app container stopped (the engine restarts nothing): a new instance.
    docker('stop', cname('b', name, uid, 0))
    wait_until(lambda: instances(pods, name, 'b').get(1) == 'running', 60)
    assert status_of(settled(), 'b')['restartCount'] == 1
    assert inspect(cname('POD', name, uid, 0))['Id'] == sandbox_id

    # 3. The sandbox stopped: a new sandbox (attempt + 1), every container restarted in it.
    docker('stop', cname('POD', name, uid, 0))
    wait_until(lambda: instances(pods, name, 'POD') == {1: 'running'} and instances(pods, name, 'a').get(2) == 'running'
               and instances(pods, name, 'b').get(2) == 'running', 90)
    new_sandbox = inspect(cname('POD', name, uid, 1))
    for container in ('a', 'b'):
        info = inspect(cname(container, name, uid, 2))
        assert info['HostConfig']['NetworkMode'] == 'container:' + new_sandbox['Id']
    # A new sandbox runs the init containers again; the emptyDir lives as long as the pod (same uid).
    assert docker('exec', cname('b', name, uid, 2), 'cat', '/data/runs').split() == ['init', 'init']
    assert settled()['status']['podIP'] == new_sandbox['NetworkSettings']['IPAddress']


def test_dead_sandbox_of_a_never_pod_is_not_replaced(pods):
    """kubelet §1.9: with restartPolicy Never and containers that already ran, a dead sandbox is not
    re-created: the pod is killed and ends instead of being restarted."""
    name = pods.name('neversb')
    manifest = pod(name, [sleeper('main')], restartPolicy='Never')
    uid = ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    docker('stop', cname('POD', name, uid, 0))
    result = ok(pods.apply(manifest))
    obj = result['pods'][0]
    assert obj['metadata']['uid'] == uid
    sandboxes = instances(pods, name, 'POD')
    assert 1 not in sandboxes, 'no new sandbox for a Never pod: %s' % sandboxes
    assert all(state != 'running' for state in instances(pods, name, 'main').values()), of_pod(pods, name)
    assert 1 not in instances(pods, name, 'main'), 'containers of a Never pod are not restarted'
    assert obj['status']['phase'] in ('Succeeded', 'Failed')
    again = ok(pods.apply(manifest))
    assert again['changed'] is False and again['docker_calls']['write'] == 0


# ----------------------------------------------------------------------------------- 9. state: absent
def test_delete_uses_the_grace_period_and_removes_everything(pods):
    stubborn_name = pods.name('stubborn')
    polite_name = pods.name('polite')
    mount = [{'name': 'scratch', 'mountPath': '/scratch'}]
    stubborn = pod(stubborn_name, [
        # PID 1 with no TERM handler: SIGTERM is ignored, only SIGKILL after the grace period ends it.
        {'name': 'deaf', 'image': BUSYBOX, 'command': ['sleep', '3600']},
        sleeper('polite'),
    ], terminationGracePeriodSeconds=2)
    # Default grace period (30 s): only a container that traps TERM makes this quick.
    polite = pod(polite_name, [sleeper('main', volumeMounts=mount)], volumes=[{'name': 'scratch', 'emptyDir': {}}])
    manifests = [stubborn, polite]
    created = ok(pods.apply(manifests))
    uids = [p['metadata']['uid'] for p in created['pods']]
    assert pod_volumes(polite_name), 'the emptyDir volume should exist'
    assert len(containers(pods.prefix)) == 5

    before = containers(pods.prefix)
    checked = ok(pods.apply(manifests, state='absent', check=True))
    assert checked['changed'] is True
    assert [p['action'] for p in checked['pods']] == ['deleted', 'deleted']
    assert containers(pods.prefix) == before, 'check mode deleted something'
    assert pod_volumes(polite_name)

    deaf = cname('deaf', stubborn_name, uids[0], 0)
    quick = cname('main', polite_name, uids[1], 0)
    with ContainerEvents(until_gone=(deaf, quick)) as events:
        started = time.monotonic()
        deleted = ok(pods.apply(manifests, state='absent'))
        elapsed = time.monotonic() - started
    assert deleted['changed'] is True
    assert [p['action'] for p in deleted['pods']] == ['deleted', 'deleted']
    assert [p['metadata'].get('uid') for p in deleted['pods']] == uids
    # 30 s (the default) for the polite pod, or no grace for the other, would show here.
    assert elapsed < 28, 'deleting took %.0f s' % elapsed
    # SIGTERM first; the container that ignores it is killed once its 2 s grace period is over.
    term, kill = events.first(deaf, 'kill', '15'), events.first(deaf, 'kill', '9')
    assert term and kill, events.of(deaf)
    assert 1.9 <= kill - term <= 8, 'the grace period of 2 s took %.1f s' % (kill - term)
    assert events.first(deaf, 'die'), events.of(deaf)
    # The one that traps TERM exits at once although its grace period is 30 s.
    term, die = events.first(quick, 'kill', '15'), events.first(quick, 'die')
    assert term and die, events.of(quick)
    assert die - term < 5
    assert not events.first(quick, 'kill', '9')
    assert [e for e in events.of(deaf) + events.of(quick) if e[0] == 'destroy'], 'containers must be removed'
    assert containers(pods.prefix) == {}
    assert pod_volumes(polite_name) == []

    again = ok(pods.apply(manifests, state='absent'))
    assert again['changed'] is False
    assert [p['action'] for p in again['pods']] == ['absent', 'absent']
    assert again['docker_calls']['write'] == 0
    checked_again = ok(pods.apply(manifests, state='absent', check=True))
    assert checked_again['changed'] is False


def test_a_grace_period_below_two_seconds_still_gives_two_seconds(pods):
    """kubelet killContainer: "always give containers a minimal shutdown window" (minimumGracePeriodInSeconds = 2)."""
    name = pods.name('short')
    manifest = pod(name, [{'name': 'deaf', 'image': BUSYBOX, 'command': ['sleep', '3600']}],
                   terminationGracePeriodSeconds=1)
    uid = ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    deaf = cname('deaf', name, uid, 0)
    with ContainerEvents(until_gone=(deaf,)) as events:
        ok(pods.apply(manifest, state='absent'))
    term, kill = events.first(deaf, 'kill', '15'), events.first(deaf, 'kill', '9')
    assert term and kill, events.of(deaf)
    assert kill - term >= 1.9, 'SIGKILL came %.1f s after SIGTERM; the kubelet waits at least 2 s' % (kill - term)


# ------------------------------------------------------------------------------------------ 10. hostPort
def test_host_ports_are_published_on_the_sandbox(pods):
    any_port, loopback_port = host_port(pods.prefix), host_port(pods.prefix, 1)

    def server(pod_name, port):
        return pod(pod_name, [shell_container('web', 'mkdir -p /w && echo hi-%s > /w/index.html && exec httpd -f -p 8080 -h /w'
                                              % pod_name, ports=[dict({'containerPort': 8080}, **port)])],
                   terminationGracePeriodSeconds=1)

    open_name, lo_name = pods.name('open'), pods.name('lo')
    with_init = server(open_name, {'hostPort': any_port})
    # Ports of init containers are never published (dockershim: only app containers' hostPorts).
    with_init['spec']['initContainers'] = [shell_container('setup', 'true', ports=[{'containerPort': 9999,
                                                                                    'hostPort': host_port(pods.prefix, 2)}])]
    result = ok(pods.apply([with_init, server(lo_name, {'hostPort': loopback_port, 'hostIP': '127.0.0.1'})]))
    objs = {p['metadata']['name']: p for p in result['pods']}

    open_sandbox = inspect(cname('POD', open_name, objs[open_name]['metadata']['uid'], 0))
    lo_sandbox = inspect(cname('POD', lo_name, objs[lo_name]['metadata']['uid'], 0))
    assert set(open_sandbox['HostConfig']['PortBindings']) == {'8080/tcp'}
    open_bindings = open_sandbox['HostConfig']['PortBindings']['8080/tcp']
    assert [b['HostPort'] for b in open_bindings] == [str(any_port)]
    assert open_bindings[0]['HostIp'] in ('', '0.0.0.0')
    assert lo_sandbox['HostConfig']['PortBindings'] == {'8080/tcp': [{'HostIp': '127.0.0.1',
                                                                      'HostPort': str(loopback_port)}]}
    # The app container itself publishes nothing: it shares the sandbox's network.
    web = inspect(cname('web', open_name, objs[open_name]['metadata']['uid'], 0))
    assert not web['HostConfig'].get('PortBindings')

    assert http_get('http://127.0.0.1:%d/' % any_port) == 'hi-' + open_name
    assert http_get('http://127.0.0.1:%d/' % loopback_port) == 'hi-' + lo_name
    for name in (open_name, lo_name):
        ip = objs[name]['status']['podIP']
        assert ip
        assert http_get('http://%s:8080/' % ip) == 'hi-' + name

    # hostIP 127.0.0.1: not reachable on the host's other addresses; the unbound one is.
    gateway = open_sandbox['NetworkSettings']['Gateway']
    assert gateway
    assert http_get('http://%s:%d/' % (gateway, any_port)) == 'hi-' + open_name
    assert not can_connect(gateway, loopback_port)


# -------------------------------------------------------------------------------- 11. shared PID namespace
def test_share_process_namespace(pods):
    shared_name, private_name = pods.name('shared'), pods.name('private')

    def manifest(pod_name, share):
        return pod(pod_name, [sleeper('a'), shell_container('b', 'trap "exit 0" TERM; sleep 3599 & wait')],
                   shareProcessNamespace=share)

    result = ok(pods.apply([manifest(shared_name, True), manifest(private_name, False)]))
    uids = {p['metadata']['name']: p['metadata']['uid'] for p in result['pods']}
    shared_a = cname('a', shared_name, uids[shared_name], 0)
    private_a = cname('a', private_name, uids[private_name], 0)

    sandbox_id = inspect(cname('POD', shared_name, uids[shared_name], 0))['Id']
    assert inspect(shared_a)['HostConfig']['PidMode'] == 'container:' + sandbox_id
    assert wait_until(lambda: 'sleep 3599' in docker('exec', shared_a, 'ps'), 5), docker('exec', shared_a, 'ps')
    # Without it, each container has its own PID namespace.
    assert inspect(private_a)['HostConfig']['PidMode'] in ('', 'private')
    assert 'sleep 3599' not in docker('exec', private_a, 'ps')
    assert 'sleep 3600' in docker('exec', private_a, 'ps')


# ---------------------------------------------------------------------------- 12. imagePullPolicy: Never
def test_image_pull_policy_never_with_a_missing_image(pods):
    """As on a kubelet the missing image is the container's problem (ErrImageNeverPull, pod Pending): the task
    fails naming it, that container is never created, and it starts on the next apply once the image is there."""
    name = pods.name('neverpull')
    missing = '%s/missing:1' % pods.prefix
    manifest = pod(name, [sleeper('ok'), sleeper('app', image=missing, imagePullPolicy='Never')],
                   volumes=[{'name': 'scratch', 'emptyDir': {}}])
    try:
        result = pods.apply(manifest)
        assert result.get('failed') is True
        assert 'ErrImageNeverPull' in result['msg'], result['msg']
        assert missing in result['msg'] and 'app' in result['msg'], result['msg']
        assert instances(pods, name, 'app') == {}, 'no container may be created for the missing image'
        assert not any(missing in inspect(n)['Config']['Image'] for n in of_pod(pods, name))
        obj = result['pods'][0]
        assert obj['status']['phase'] == 'Pending'
        waiting = status_of(obj, 'app')['state'].get('waiting') or {}
        assert waiting.get('reason') == 'ErrImageNeverPull', status_of(obj, 'app')
        assert 'is not present with pull policy of Never' in waiting.get('message', '')

        # The image shows up (no registry: a local tag): the node agent, trying again, starts the container.
        image_tag(missing)
        wait_until(lambda: instances(pods, name, 'app') == {0: 'running'}, 60)
        fixed = ok(pods.apply(manifest))
        assert fixed['changed'] is False
        uid = fixed['pods'][0]['metadata']['uid']
        assert uid == obj['metadata']['uid']
        assert inspect(cname('app', name, uid, 0))['Config']['Image'] == missing
        assert fixed['pods'][0]['status']['phase'] == 'Running'
    finally:
        cleanup_pods(pods)
        docker('rmi', missing, check=False)


def test_image_pull_policy_never_with_a_missing_image_in_check_mode_changes_nothing(pods):
    name = pods.name('neverchk')
    manifest = pod(name, [sleeper('app', image='%s/missing:1' % pods.prefix, imagePullPolicy='Never')])
    result = pods.apply(manifest, check=True)
    assert of_pod(pods, name) == {}
    assert pod_volumes(name) == []
    steps = ' '.join(result['pods'][0].get('planned_steps') or []) + result.get('msg', '')
    assert 'ErrImageNeverPull' in steps, result
