"""Pods' cgroups under the engine's systemd cgroup driver, for real: a node container whose PID 1 is systemd and whose
own dockerd uses ``native.cgroupdriver=systemd`` (as a Debian 12 host with systemd runs its
engine; tests/integration/files/node-systemd), the module run there through the docker_node connection.

As under a kubelet with the systemd driver, each pod gets its slice (``kubepods-burstable-pod<uid>.slice``), started
with the pod's limits before its sandbox; the sandbox and the containers are scopes in it; an in-place resize sets
the slice's new limits without restarting the container; a delete stops the slice, and systemd removes its cgroup."""

import json
import os
import subprocess
import uuid

import pytest

from harness import BIN, BUSYBOX, PAUSE, Pods, ansible_env, docker, new_prefix, ok, poll, sleeper
from hostpods_paths import ROOT

IMAGE = 'hostpods/node-systemd:test'
MI = 1024 * 1024


def _run(argv, timeout=900):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError('%s failed (%d): %s' % (' '.join(argv), proc.returncode, proc.stderr[-3000:]))
    return proc.stdout


def build_image():
    """The node image of scripts/build-node-image.sh (cached), with systemd as PID 1 over it (Docker's build cache
    keeps a second build to a moment)."""
    last = _run(['bash', os.path.join(ROOT, 'scripts', 'build-node-image.sh')]).strip().splitlines()[-1]
    base = dict(item.split('=', 1) for item in last.split())['HOSTPODS_NODE_IMAGE']
    context = os.path.join(ROOT, 'tests', 'integration', 'files', 'node-systemd')
    _run(['docker', 'build', '-q', '--build-arg', 'BASE=%s' % base, '-t', IMAGE, context])
    return IMAGE


def _cgroup_mounts():
    """The host's cgroup hierarchies, bound one by one into the node (never /sys/fs/cgroup itself: the node's systemd
    would remount that tmpfs read-only, the host's with it), and an empty tmpfs where the kernel has a controller the
    host did not mount (systemd would mount its whole hierarchy, and the node's cgroups would land at the host's top)."""
    args = ['--cgroupns=host', '--mount', 'type=tmpfs,destination=/sys/fs/cgroup']
    mounted = set()
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            fields = line.split()
            kind = fields[fields.index('-') + 1]
            if fields[4].startswith('/sys/fs/cgroup/') and kind in ('cgroup', 'cgroup2'):
                args += ['--volume', '%s:%s:rw' % (fields[4], fields[4])]
                mounted.add(os.path.basename(fields[4]))
    controllers = set(','.join(mounted).split(','))
    with open('/proc/cgroups') as handle:
        for line in handle:
            name, _hierarchy, _count, enabled = (line.split() + ['0'] * 4)[:4]
            if line.startswith('#') or enabled != '1' or name in controllers:
                continue
            point = 'net_cls,net_prio' if name in ('net_cls', 'net_prio') else name
            if point not in mounted:
                mounted.add(point)
                args += ['--tmpfs', '/sys/fs/cgroup/%s:ro,size=4k' % point]
    return args


def _security():
    """Privileged where the engine allows it; else every capability but CAP_SYS_RESOURCE, as the cluster role's
    nodes run."""
    probe = subprocess.run(['docker', 'run', '--rm', '--privileged', '--network=none', '--entrypoint=/bin/true', IMAGE],
                           capture_output=True, check=False)
    if probe.returncode == 0:
        return ['--privileged']
    return ['--cap-add=ALL', '--cap-drop=SYS_RESOURCE', '--security-opt=seccomp=unconfined',
            '--security-opt=apparmor=unconfined', '--security-opt=systempaths=unconfined']


@pytest.fixture(scope='module')
def node(tmp_path_factory):
    """The systemd node, its engine answering with the systemd driver and holding the pause and busybox images."""
    build_image()
    name = 'hostpods-sd%s' % uuid.uuid4().hex[:6]
    _run(['docker', 'run', '--detach', '--name', name, '--hostname', name, '--tmpfs', '/run', '--tmpfs', '/run/lock',
          '--tmpfs', '/tmp:exec,mode=1777', '--volume', '%s-docker:/var/lib/docker' % name, '--stop-timeout', '20']
         + _security() + _cgroup_mounts() + [IMAGE])
    try:
        def driver():
            return subprocess.run(['docker', 'exec', name, 'docker', 'info', '-f', '{{.CgroupDriver}}'],
                                  capture_output=True, text=True, check=False).stdout.strip()
        assert poll(driver, 'systemd'.__eq__, timeout=180)
        for image in (PAUSE, BUSYBOX):
            saved = subprocess.Popen(['docker', 'save', image], stdout=subprocess.PIPE)
            subprocess.run(['docker', 'exec', '-i', name, 'docker', 'load', '-q'], stdin=saved.stdout,
                           capture_output=True, check=True)
            saved.wait()
        workdir = tmp_path_factory.mktemp('systemd-node')
        inventory = workdir / 'inventory.yml'
        inventory.write_text(json.dumps({'all': {'hosts': {name: {
            'ansible_connection': 'hostpods.core.docker_node', 'ansible_python_interpreter': '/usr/bin/python3'}}}}))
        yield name, str(workdir), str(inventory)
    finally:
        subprocess.run(['docker', 'rm', '--force', '--volumes', name], capture_output=True, check=False)
        subprocess.run(['docker', 'volume', 'rm', '--force', '%s-docker' % name], capture_output=True, check=False)


def on_node(name, *argv):
    return _run(['docker', 'exec', name] + list(argv)).strip()


def unit(name, slice_unit, *properties):
    """systemd's word on a unit: ``{property: value}``."""
    out = on_node(name, 'systemctl', 'show', slice_unit, *('--property=%s' % prop for prop in properties))
    return dict(line.split('=', 1) for line in out.splitlines())


def cgroup_of(name, container):
    """The memory and cpu cgroup directories (on the node) of a container of the node's engine."""
    pid = docker('inspect', '-f', '{{.State.Pid}}', container, node=name)
    lines = [line.split(':', 2) for line in on_node(name, 'cat', '/proc/%s/cgroup' % pid).splitlines()]
    paths = dict((controllers, path) for _id, controllers, path in lines)
    return {'memory': '/sys/fs/cgroup/memory' + paths['memory'], 'cpu': '/sys/fs/cgroup/cpu' + paths['cpu']}


def read(name, path):
    return on_node(name, 'cat', path)


def test_each_pod_gets_its_slice_with_its_limits_resized_in_place_and_stopped_with_it(node):
    name, workdir, inventory = node
    prefix = new_prefix()
    pods = Pods(workdir, prefix, inventory=inventory, hosts=name, node=name)
    burstable = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': prefix + '-b'}, 'spec': {'containers': [
        sleeper('app', resources={'requests': {'cpu': '250m', 'memory': '32Mi'},
                                  'limits': {'cpu': '500m', 'memory': '64Mi'}},
                resizePolicy=[{'resourceName': 'cpu', 'restartPolicy': 'NotRequired'},
                              {'resourceName': 'memory', 'restartPolicy': 'NotRequired'}])]}}
    pod_level = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': prefix + '-g'}, 'spec': {
        'resources': {'limits': {'cpu': '300m', 'memory': '48Mi'}}, 'containers': [sleeper('app')]}}

    applied = pods.four_step([burstable, pod_level])
    by_name = {item['metadata']['name']: item for item in applied['pods']}
    assert by_name[prefix + '-b']['status']['qosClass'] == 'Burstable'
    assert by_name[prefix + '-g']['status']['qosClass'] == 'Guaranteed'  # the pod's own limits are its requests
    slices = {}
    for pod_name, qos in ((prefix + '-b', 'burstable'), (prefix + '-g', '')):
        listing = docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % pod_name, node=name).split()
        assert len(listing) == 2, listing  # the sandbox and app
        uid = docker('inspect', '-f', '{{index .Config.Labels "io.kubernetes.pod.uid"}}', listing[0], node=name)
        expected = 'kubepods-%spod%s.slice' % (qos + '-' if qos else '', uid.replace('-', '_'))
        for container in listing:  # the engine got the slice: systemd made a scope of the container in it
            assert docker('inspect', '-f', '{{.HostConfig.CgroupParent}}', container, node=name) == expected
            assert cgroup_of(name, container)['memory'].split('/')[-2] == expected
        slices[pod_name] = (expected, listing)

    # the slices' limits, in systemd's words and in their cgroups (the pod's: the sum of its containers', or its own)
    b_slice, b_containers = slices[prefix + '-b']
    assert unit(name, b_slice, 'ActiveState', 'MemoryLimit', 'CPUQuotaPerSecUSec') == {
        'ActiveState': 'active', 'MemoryLimit': str(64 * MI), 'CPUQuotaPerSecUSec': '500ms'}
    slice_dirs = {key: os.path.dirname(path) for key, path in cgroup_of(name, b_containers[0]).items()}
    assert read(name, slice_dirs['memory'] + '/memory.limit_in_bytes') == str(64 * MI)
    assert read(name, slice_dirs['cpu'] + '/cpu.cfs_quota_us') == '50000'
    assert read(name, slice_dirs['cpu'] + '/cpu.shares') == '256'
    g_slice, g_containers = slices[prefix + '-g']
    assert unit(name, g_slice, 'MemoryLimit', 'CPUQuotaPerSecUSec') == {
        'MemoryLimit': str(48 * MI), 'CPUQuotaPerSecUSec': '300ms'}
    g_memory = os.path.dirname(cgroup_of(name, g_containers[0])['memory'])
    assert read(name, g_memory + '/memory.limit_in_bytes') == str(48 * MI)

    # an in-place resize: the same container, the slice's new limits
    app = docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % (prefix + '-b'),
                 '--filter', 'label=io.kubernetes.container.name=app', node=name)
    burstable['spec']['containers'][0]['resources']['limits'] = {'cpu': '750m', 'memory': '96Mi'}
    resized = ok(pods.apply([burstable, pod_level]))
    actions = {item['metadata']['name']: item['action'] for item in resized['pods']}
    assert actions == {prefix + '-b': 'updated', prefix + '-g': 'unchanged'}
    assert docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % (prefix + '-b'),
                  '--filter', 'label=io.kubernetes.container.name=app', node=name) == app
    assert unit(name, b_slice, 'MemoryLimit', 'CPUQuotaPerSecUSec') == {
        'MemoryLimit': str(96 * MI), 'CPUQuotaPerSecUSec': '750ms'}
    assert read(name, slice_dirs['memory'] + '/memory.limit_in_bytes') == str(96 * MI)
    assert read(name, slice_dirs['cpu'] + '/cpu.cfs_quota_us') == '75000'

    # a change that is no resize makes the pod again, under its UID: its slice is stopped with the old pod and
    # started again with the limits, at once
    burstable['spec']['containers'][0]['env'] = [{'name': 'AGAIN', 'value': '1'}]
    remade = ok(pods.apply([burstable, pod_level]))
    assert {item['metadata']['name']: item['action'] for item in remade['pods']}[prefix + '-b'] != 'unchanged'
    again = docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % (prefix + '-b'), node=name).split()
    assert len(again) == 2 and app not in again
    for container in again:
        assert docker('inspect', '-f', '{{.HostConfig.CgroupParent}}', container, node=name) == b_slice
    assert unit(name, b_slice, 'ActiveState', 'MemoryLimit') == {'ActiveState': 'active', 'MemoryLimit': str(96 * MI)}
    assert read(name, slice_dirs['memory'] + '/memory.limit_in_bytes') == str(96 * MI)

    # the delete stops the slices: systemd removes their cgroups
    deleted = ok(pods.apply([burstable, pod_level], state='absent'))
    assert deleted['changed'] is True
    for pod_slice, _containers in slices.values():
        assert unit(name, pod_slice, 'ActiveState')['ActiveState'] == 'inactive'
    assert on_node(name, 'sh', '-c', 'test -e %s && echo left || echo gone' % slice_dirs['memory']) == 'gone'
    assert on_node(name, 'sh', '-c', 'test -e %s && echo left || echo gone' % g_memory) == 'gone'


def converge(name, workdir, inventory, check=False):
    """The hostpods.core.node role on the systemd node: the engine and the agent as systemd's services."""
    playbook = os.path.join(workdir, 'converge.yml')
    with open(playbook, 'w') as handle:
        json.dump([{'hosts': name, 'gather_facts': False, 'roles': [{'role': 'hostpods.core.node', 'vars': {
            'node_sandbox_image': PAUSE, 'node_sandbox_source': 'build', 'node_cgroup_driver': 'systemd',
            'node_engine_timeout': 120}}]}], handle)
    env = ansible_env()
    env.pop('ANSIBLE_PYTHON_INTERPRETER', None)  # the node's own python3 (the inventory's)
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, playbook]
                          + (['--check'] if check else []), capture_output=True, text=True, env=env, cwd=workdir,
                          check=False, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc.stdout


def test_the_node_role_runs_the_engine_and_the_agent_with_systemd_and_the_agent_keeps_a_pod(node):
    """What a Debian 12 host with systemd gets from the role: dockerd and hostpods-agent as systemd services, the
    engine's systemd cgroup driver kept; the agent restarts a crashing container of a pod in its slice."""
    name, workdir, inventory = node
    first = converge(name, workdir, inventory)
    assert 'failed=0' in first
    again = converge(name, workdir, inventory)
    assert 'changed=0' in again and 'failed=0' in again, again[-3000:]
    assert on_node(name, 'systemctl', 'is-active', 'docker', 'hostpods-agent') == 'active\nactive'
    assert on_node(name, 'systemctl', 'is-enabled', 'hostpods-agent') == 'enabled'
    assert docker('info', '-f', '{{.CgroupDriver}}', node=name) == 'systemd'
    settings = json.loads(on_node(name, 'cat', '/etc/docker/daemon.json'))
    assert settings['exec-opts'] == ['native.cgroupdriver=systemd'] and settings['live-restore'] is True

    prefix = new_prefix()
    pods = Pods(workdir, prefix, inventory=inventory, hosts=name, node=name)
    crasher = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': prefix + '-c'}, 'spec': {
        'terminationGracePeriodSeconds': 1, 'containers': [
            {'name': 'app', 'image': BUSYBOX, 'command': ['sh', '-c', 'sleep 1; exit 3'],
             'resources': {'limits': {'cpu': '200m', 'memory': '32Mi'}}}]}}
    ok(pods.apply(crasher))

    def restarts():
        listed = ok(pods.run({'name': prefix + '-c'}, module='hostpods.core.pod_info'))['pods']
        statuses = (listed[0]['status'].get('containerStatuses') if listed else None) or [{}]
        return statuses[0].get('restartCount', 0)
    assert poll(restarts, lambda count: count >= 2, timeout=120, period=2) >= 2  # the agent, with its back-off
    sandbox = docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s' % (prefix + '-c'),
                     '--filter', 'label=io.kubernetes.container.name=POD', node=name)
    pod_slice = docker('inspect', '-f', '{{.HostConfig.CgroupParent}}', sandbox, node=name)
    assert pod_slice.startswith('kubepods-pod') and unit(name, pod_slice, 'MemoryLimit') == {'MemoryLimit': str(32 * MI)}
    ok(pods.apply(crasher, state='absent'))
    assert unit(name, pod_slice, 'ActiveState')['ActiveState'] == 'inactive'


def test_the_node_role_refuses_the_systemd_driver_where_systemd_is_not_the_init_system(tmp_path):
    """This machine's init is not systemd: the role says so before it touches the engine (check mode: nothing else)."""
    with open('/proc/1/comm') as handle:
        init = handle.read().strip()
    assert init != 'systemd'
    playbook = tmp_path / 'converge.yml'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'roles': [
        {'role': 'hostpods.core.node', 'vars': {'node_cgroup_driver': 'systemd'}}]}]))
    before = on_host_daemon_json()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', '--check',
                           str(playbook)], capture_output=True, text=True, env=ansible_env(), cwd=str(tmp_path),
                          check=False, timeout=600)
    assert proc.returncode != 0
    assert ('node_cgroup_driver systemd needs systemd as the init system of localhost, which runs %s' % init
            in ' '.join(proc.stdout.split())), proc.stdout[-3000:]
    assert on_host_daemon_json() == before


def on_host_daemon_json():
    try:
        with open('/etc/docker/daemon.json') as handle:
            return handle.read()
    except OSError:
        return None
