"""The node agent (hostpods-agent) keeps pods between applies, as a kubelet: restarts with the kubelet's
back-off (CrashLoopBackOff), probes (liveness kills, readiness holds READY and wait), init containers
retried after the call, activeDeadlineSeconds, events; it survives kill -9 and engine restarts, and a
node without it refuses probes.

The tests run on a node container of hostpods.core.cluster (the node role installed the agent there,
supervised), so killing the agent or restarting the engine touches no other test. Time-dependent checks
poll with deadlines and assert order and counts, never exact times.
"""

import calendar
import json
import os
import subprocess
import time

import pytest

from harness import BIN, Pods, ansible_env, cleanup, docker, free_subnet, new_prefix, ok, pod, poll, shell_container, sleeper

CLUSTER_SUBNET = '10.213.43.0/24'  # the cluster network; no other test uses it (else a free /24 beside it)
POD_SUBNET = '10.243.0.0/16'


def node_sh(node, script, check=True):
    proc = subprocess.run(['docker', 'exec', node, 'sh', '-c', script], capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError('%s: %s %s' % (script, proc.stdout, proc.stderr))
    return proc.stdout.strip()


class Node:
    """A one-node cluster with the agent installed by the node role."""

    def __init__(self, workdir):
        self.name = 'agent%s' % new_prefix()[1:5]
        self.workdir = workdir
        self.inventory = os.path.join(workdir, 'inventory', 'inventory.yml')
        self.node = 'hostpods-%s-node1' % self.name
        self.subnet = free_subnet(CLUSTER_SUBNET)  # another free /24 when a network of the engine holds this one

    def playbook(self, state='present', **extra):
        argv = [os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=%s' % state,
                '-e', 'cluster_name=%s' % self.name, '-e', 'cluster_nodes=1', '-e', 'cluster_subnet=%s' % self.subnet,
                '-e', 'cluster_pod_subnet=%s' % POD_SUBNET, '-e', 'cluster_inventory_dir=%s' % os.path.dirname(self.inventory)]
        for key, value in extra.items():
            argv += ['-e', '%s=%s' % (key, value)]
        proc = subprocess.run(argv, capture_output=True, text=True, env=ansible_env(), cwd=self.workdir, check=False,
                              timeout=900)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        return proc.stdout

    def agent_status(self):
        return json.loads(node_sh(self.node, '/usr/local/sbin/hostpods-agent status'))

    def agent_pid(self):
        return node_sh(self.node, 'cat /run/hostpods-agent.pid', check=False)


@pytest.fixture(scope='module')
def node(tmp_path_factory):
    cluster = Node(str(tmp_path_factory.mktemp('agent-node')))
    cluster.playbook()
    yield cluster
    cluster.playbook('absent')


@pytest.fixture
def pods(node, tmp_path):
    prefix = new_prefix()
    runner = Pods(str(tmp_path), prefix, inventory=node.inventory, hosts='hostpods_nodes', node=node.node)
    yield runner
    cleanup(prefix, node=node.node)


def info(pods, name):
    return ok(pods.run({'name': name}, module='hostpods.core.pod_info'))


def container_status(result, container='app'):
    pod_ = result['pods'][0]
    statuses = pod_['status'].get('containerStatuses', []) + pod_['status'].get('initContainerStatuses', [])
    return next(s for s in statuses if s['name'] == container)


def crasher(pods, name, **spec):
    return pod(pods.name(name), [shell_container('app', 'echo run; sleep 1; exit 3')], terminationGracePeriodSeconds=1,
               **spec)


# ----------------------------------------------------------------------------- the agent itself

def test_the_node_role_installs_and_supervises_the_agent(node, pods):
    status = node.agent_status()
    assert status['running'] is True and status['runtime_ready'] is True and status['version']
    facts = ok(pods.run({'filter': 'ansible_local'}, module='ansible.builtin.setup'))
    assert facts['ansible_facts']['ansible_local']['hostpods_agent']['running'] is True
    listed = ok(pods.run({'all_namespaces': True}, module='hostpods.core.pod_info'))
    assert listed['agent']['running'] is True and not listed.get('warnings')
    assert 'hostpods-agent' in node_sh(node.node, 'cat /proc/$(cat /run/hostpods-agent.pid)/cmdline | tr "\\0" " "')


def test_a_crashing_container_restarts_with_the_kubelets_back_off(node, pods):
    manifest = crasher(pods, 'crash')
    applied = ok(pods.apply(manifest))
    assert applied['changed'] is True
    seen_backoff = poll(lambda: info(pods, pods.name('crash')),
                        lambda r: container_status(r)['state'].get('waiting', {}).get('reason') == 'CrashLoopBackOff'
                        and container_status(r)['restartCount'] >= 2, timeout=90)
    app = container_status(seen_backoff)
    assert app['state']['waiting']['message'].startswith('back-off ') and 'restarting failed container=app pod=' in \
        app['state']['waiting']['message']
    assert app['lastState']['terminated']['exitCode'] == 3
    assert seen_backoff['rows'][0]['status'] == 'CrashLoopBackOff'
    reasons = [e['reason'] for e in seen_backoff['events']]
    assert {'Created', 'Started', 'BackOff'} <= set(reasons), reasons
    started = [e for e in seen_backoff['events'] if e['reason'] == 'Started']
    assert sum(e['count'] for e in started) >= 3  # the module's start, then the agent's restarts, counted
    assert {e['involvedObject']['fieldPath'] for e in started} == {'spec.containers{app}'}
    assert {e['source']['component'] for e in seen_backoff['events']} == {'hostpods', 'hostpods-agent'}
    # the newest exited instance is kept (previous logs), older ones are removed; names never repeat
    names = docker('ps', '-a', '--format', '{{.Names}}', '--filter', 'label=io.kubernetes.container.name=app',
                   '--filter', 'label=io.kubernetes.pod.name=%s' % pods.name('crash'), node=node.node).split()
    assert len(names) <= 2 and len(set(names)) == len(names)
    # an unchanged re-apply during the back-off changes nothing and makes no mutating call
    again = ok(pods.apply(manifest))
    assert again['changed'] is False and again['docker_calls']['write'] == 0
    logs = ok(pods.run({'name': pods.name('crash'), 'previous': True}, module='hostpods.core.pod_logs'))
    assert logs['log_lines'] == ['run']


def test_liveness_failures_kill_and_restart_and_readiness_holds_ready(node, pods):
    server = ('mkdir -p /www && echo ok > /www/index.html && httpd -f -p 8080 -h /www & '
              'trap "exit 0" TERM; sleep 3600 & wait')
    probe = {'httpGet': {'path': '/healthz', 'port': 'http'}, 'periodSeconds': 1, 'failureThreshold': 2}
    ready = {'exec': {'command': ['cat', '/tmp/ready']}, 'periodSeconds': 1}
    manifest = pod(pods.name('probed'), [shell_container('app', server, ports=[{'name': 'http', 'containerPort': 8080}],
                                                         livenessProbe=probe),
                                         sleeper('side', readinessProbe=ready)], terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest))

    def probe_events(result):
        return [e['message'] for e in result['events'] if e['reason'] in ('Unhealthy', 'Killing')]

    # restarted, and its events written (the pod's sync records them under its lock, a moment after the restart)
    killed = poll(lambda: info(pods, pods.name('probed')), lambda r: container_status(r)['restartCount'] >= 1 and any(
        m.startswith('Liveness probe failed: HTTP probe failed with statuscode: 404') for m in probe_events(r)), timeout=60)
    messages = probe_events(killed)
    assert 'Container app failed liveness probe, will be restarted' in messages, messages
    assert container_status(killed, 'side')['ready'] is False and killed['rows'][0]['ready'] in ('0/2', '1/2')
    ok(pods.run({'name': pods.name('probed'), 'container': 'side', 'command': 'touch /tmp/ready'},
                module='hostpods.core.pod_exec'))
    poll(lambda: info(pods, pods.name('probed')), lambda r: container_status(r, 'side')['ready'] is True, timeout=30)


def test_wait_holds_until_the_readiness_probe_passes(node, pods):
    ready = {'exec': {'command': ['cat', '/tmp/ready']}, 'periodSeconds': 1}
    slow = shell_container('app', 'sleep 4; touch /tmp/ready; trap "exit 0" TERM; sleep 3600 & wait', readinessProbe=ready)
    started = time.monotonic()
    result = ok(pods.apply(pod(pods.name('ready'), [slow], terminationGracePeriodSeconds=1), wait=True, wait_timeout=60))
    assert time.monotonic() - started >= 4
    assert container_status(result)['ready'] is True and result['pods'][0]['status']['phase'] == 'Running'


def test_an_init_container_is_retried_by_the_agent_after_the_call(node, pods):
    flaky = shell_container('setup', 'n=$(cat /work/n 2>/dev/null || echo 0); echo $((n+1)) > /work/n; [ "$n" -ge 2 ]',
                            volumeMounts=[{'name': 'work', 'mountPath': '/work'}])
    manifest = pod(pods.name('init'), [sleeper('app')], initContainers=[flaky], terminationGracePeriodSeconds=1,
                   volumes=[{'name': 'work', 'emptyDir': {}}])
    first = pods.apply(manifest, wait_timeout=3)
    assert first.get('failed') and 'Init:CrashLoopBackOff' in first['msg']
    running = poll(lambda: info(pods, pods.name('init')), lambda r: r['pods'][0]['status']['phase'] == 'Running', 120)
    assert container_status(running, 'setup')['state']['terminated']['exitCode'] == 0
    assert container_status(running, 'setup')['restartCount'] >= 2


def test_active_deadline_seconds_fails_the_pod_and_stops_it(node, pods):
    manifest = pod(pods.name('deadline'), [sleeper('app')], activeDeadlineSeconds=3, terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest))
    failed = poll(lambda: info(pods, pods.name('deadline')), lambda r: r['pods'][0]['status']['phase'] == 'Failed', 60)
    status = failed['pods'][0]['status']
    assert status['reason'] == 'DeadlineExceeded'
    assert status['message'] == 'Pod was active on the node longer than the specified deadline'
    assert any(e['reason'] == 'DeadlineExceeded' for e in failed['events'])
    poll(lambda: docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % pods.name('deadline'), node=node.node),
         lambda out: out == '', timeout=30)
    assert ok(pods.apply(manifest))['changed'] is False  # nothing restarts a Failed pod


def test_four_steps_with_probes_under_the_agent(node, pods):
    probe = {'tcpSocket': {'port': 8080}, 'periodSeconds': 2}
    server = shell_container('app', 'nc -lk -p 8080 -e true & trap "exit 0" TERM; sleep 3600 & wait', readinessProbe=probe)
    pods.four_step(pod(pods.name('four'), [server], terminationGracePeriodSeconds=1))


# ----------------------------------------------------------------------------- faults: the agent and the engine

def test_kill_9_of_the_agent_mid_crash_loop(node, pods):
    ok(pods.apply(crasher(pods, 'kill9')))
    poll(lambda: info(pods, pods.name('kill9')), lambda r: container_status(r)['restartCount'] >= 1, timeout=60)
    before = container_status(info(pods, pods.name('kill9')))['restartCount']
    old = node.agent_pid()
    node_sh(node.node, 'kill -9 %s' % old)
    poll(node.agent_pid, lambda pid: pid and pid != old and node_sh(node.node, 'kill -0 %s' % pid, check=False) == '',
         timeout=30)
    poll(node.agent_status, lambda s: s['running'], timeout=30)
    after = poll(lambda: info(pods, pods.name('kill9')), lambda r: container_status(r)['restartCount'] > before, 120)
    assert container_status(after)['restartCount'] >= before  # never goes down
    names = docker('ps', '-a', '--format', '{{.Names}}', '--filter', 'label=io.kubernetes.pod.name=%s' % pods.name('kill9'),
                   node=node.node).split()
    assert len(set(names)) == len(names)


@pytest.mark.parametrize('live_restore', [True, False])
def test_an_engine_restart_keeps_or_brings_back_the_pods(node, pods, live_restore):
    config = json.loads(node_sh(node.node, 'cat /etc/docker/daemon.json'))
    config['live-restore'] = live_restore
    node_sh(node.node, "cat > /etc/docker/daemon.json <<'EOF'\n%s\nEOF" % json.dumps(config))
    manifest = pod(pods.name('engine'), [sleeper('app')], terminationGracePeriodSeconds=1)
    uid = ok(pods.apply(manifest, wait=True))['pods'][0]['metadata']['uid']
    node_sh(node.node, '/usr/local/sbin/hostpods-dockerd-supervisor restart')
    poll(node.agent_status, lambda s: s['running'] and s['runtime_ready'], timeout=60)
    running = poll(lambda: info(pods, pods.name('engine')), lambda r: r['pods'] and r['rows'][0]['ready'] == '1/1', 90)
    assert running['pods'][0]['metadata']['uid'] == uid
    states = {name.split('_')[1]: state for name, state in
              (line.split() for line in docker('ps', '-a', '--format', '{{.Names}} {{.State}}', '--filter',
                                               'label=io.kubernetes.pod.name=%s' % pods.name('engine'),
                                               node=node.node).splitlines())
              if state == 'running'}
    assert states == {'POD': 'running', 'app': 'running'}
    assert ok(pods.apply(manifest))['changed'] is False


def test_pods_applied_before_the_agent_are_adopted_and_a_node_without_it_refuses_probes(node, pods):
    node_sh(node.node, 'HOSTPODS_SERVICES=agent /usr/local/sbin/hostpods-dockerd-supervisor stop; '
                       'sleep 1; rm -f /run/hostpods/agent.json')
    try:
        listed = ok(pods.run({'all_namespaces': True}, module='hostpods.core.pod_info'))
        assert listed['agent']['running'] is False and 'hostpods-agent is not running' in listed['warnings'][0]
        probe = {'exec': {'command': ['true']}}
        refused = pods.apply(pod(pods.name('probe'), [sleeper('app', livenessProbe=probe)]))
        assert refused.get('failed') and 'spec.containers[0].livenessProbe: needs the node agent' in refused['msg']
        limited = pod(pods.name('limited'), [sleeper('app')], volumes=[{'name': 'cache', 'emptyDir': {'sizeLimit': '1Mi'}}])
        refused = pods.apply(limited)  # its evictions are the agent's: never ignored
        assert refused.get('failed') and 'spec.volumes[0].emptyDir.sizeLimit: needs the node agent' in refused['msg']
        assert docker('ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=%s' % pods.name('probe'), node=node.node) == ''
        old = ok(pods.apply(pod(pods.name('old'), [sleeper('app')], terminationGracePeriodSeconds=1)))
        app = 'k8s_app_%s_default_%s_0' % (pods.name('old'), old['pods'][0]['metadata']['uid'])
        assert docker('inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', app, node=node.node) == 'always'
    finally:
        node_sh(node.node, 'HOSTPODS_SERVICES=agent /usr/local/sbin/hostpods-dockerd-supervisor start')
    poll(node.agent_status, lambda s: s['running'], timeout=30)
    poll(lambda: docker('inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', app, node=node.node),
         lambda policy: policy == 'no', timeout=30)  # adopted: the agent restarts it from now on
    docker('stop', '-t', '1', app, node=node.node)
    poll(lambda: info(pods, pods.name('old')), lambda r: r['rows'][0]['ready'] == '1/1'
         and container_status(r)['restartCount'] >= 1, timeout=60)


def synced_at(status):
    """The agent's last completed pass (its heartbeat's ``last_sync``), in epoch seconds."""
    return calendar.timegm(time.strptime(status['last_sync'], '%Y-%m-%dT%H:%M:%SZ'))


def test_an_in_place_resize_is_no_drift_to_the_agent_and_it_restarts_with_the_new_resources(node, pods):
    name = pods.name('resize')

    def manifest(cpu):
        return pod(name, [sleeper('app', resources={'limits': {'cpu': cpu, 'memory': '32Mi'}})],
                   terminationGracePeriodSeconds=1)
    uid = ok(pods.apply(manifest('200m')))['pods'][0]['metadata']['uid']
    app = 'k8s_app_%s_default_%s_0' % (name, uid)
    app_id = docker('inspect', '--format', '{{.Id}}', app, node=node.node)
    resized = ok(pods.apply(manifest('500m')))
    assert resized['pods'][0]['action'] == 'updated'
    resized_at = synced_at(node.agent_status())
    # the agent syncs each pod at least every 10 s: 12 s of its passes later nothing was replaced or restarted
    poll(node.agent_status, lambda status: synced_at(status) >= resized_at + 12, timeout=60)
    seen = info(pods, name)
    assert docker('inspect', '--format', '{{.Id}} {{.State.Running}} {{.RestartCount}} {{.HostConfig.CpuQuota}}', app,
                  node=node.node) == '%s true 0 50000' % app_id
    assert container_status(seen)['restartCount'] == 0
    assert not [e for e in seen['events'] if e['reason'] == 'Killing'], seen['events']
    # a crash now: the agent restarts it as the pod was resized (not as first applied)
    docker('kill', app, node=node.node)
    restarted = 'k8s_app_%s_default_%s_1' % (name, uid)
    poll(lambda: docker('ps', '-q', '--filter', 'name=%s' % restarted, node=node.node), bool, timeout=60)
    assert docker('inspect', '--format', '{{.HostConfig.CpuQuota}}', restarted, node=node.node) == '50000'


# ----------------------------------------------------------------------------- local storage evictions

def evicted(pods, name, timeout=120):
    return poll(lambda: info(pods, pods.name(name)), lambda r: r['pods'][0]['status']['phase'] == 'Failed', timeout)


def test_a_pod_writing_past_its_empty_dirs_size_limit_is_evicted(node, pods):
    writer = shell_container('app', 'dd if=/dev/zero of=/cache/blob bs=1M count=4; trap "exit 0" TERM; sleep 3600 & wait',
                             volumeMounts=[{'name': 'cache', 'mountPath': '/cache'}])
    manifest = pod(pods.name('edir'), [writer], volumes=[{'name': 'cache', 'emptyDir': {'sizeLimit': '1Mi'}}],
                   terminationGracePeriodSeconds=30)
    quiet = pod(pods.name('under'), [sleeper('app', resources={'limits': {'ephemeral-storage': '64Mi'}})],
                volumes=[{'name': 'cache', 'emptyDir': {'sizeLimit': '1Mi'}}], terminationGracePeriodSeconds=1)
    ok(pods.apply(quiet))
    ok(pods.apply(manifest))
    failed = evicted(pods, 'edir')
    status = failed['pods'][0]['status']
    message = 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". '
    assert (status['reason'], status['message']) == ('Evicted', message)
    assert [(e['type'], e['message']) for e in failed['events'] if e['reason'] == 'Evicted'] == [('Warning', message)]
    # kubectl's STATUS is the container's terminated reason when it has one (printPod), as for an evicted pod of a cluster
    assert failed['rows'][0]['status'] == container_status(failed)['state']['terminated']['reason']
    poll(lambda: docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % pods.name('edir'), node=node.node),
         lambda out: out == '', timeout=30)  # killed with a 1 s grace period, not its 30 s
    time.sleep(12)  # past the agent's back-off and housekeeping: an evicted pod is never restarted
    again = info(pods, pods.name('edir'))
    assert again['pods'][0]['status']['reason'] == 'Evicted'
    assert container_status(again)['restartCount'] == 0 and 'running' not in container_status(again)['state']
    assert ok(pods.apply(manifest))['changed'] is False  # as any Failed pod: an unchanged re-apply leaves it
    calm = info(pods, pods.name('under'))['pods'][0]['status']
    assert calm['phase'] == 'Running' and 'reason' not in calm  # under its limits it keeps running


def test_a_container_writing_past_its_ephemeral_storage_limit_is_evicted(node, pods):
    writer = shell_container('app', 'dd if=/dev/zero of=/blob bs=1M count=8; trap "exit 0" TERM; sleep 3600 & wait',
                             resources={'limits': {'ephemeral-storage': '2Mi'}})
    manifest = pod(pods.name('layer'), [writer, sleeper('idle', resources={'limits': {'ephemeral-storage': '64Mi'}})],
                   terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest))
    status = evicted(pods, 'layer')['pods'][0]['status']
    assert status['reason'] == 'Evicted'
    assert status['message'] == 'Container app exceeded its local ephemeral storage limit "2Mi". '
    changed = json.loads(json.dumps(manifest))
    changed['spec']['containers'][0]['resources']['limits']['ephemeral-storage'] = '64Mi'
    result = ok(pods.apply(changed, wait=True, wait_timeout=120))  # a changed spec makes the pod again
    assert result['pods'][0]['action'] == 'recreated' and result['pods'][0]['status']['phase'] == 'Running'
    assert 'reason' not in result['pods'][0]['status']
