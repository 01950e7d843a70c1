"""Unit tests of _runtime.host: this node read once into a NodeContext (facts files in a temporary directory)."""

import json
import os

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host

GI = 1024 ** 3


class Bridge:
    """A stand-in for the docker client: only the bridge's gateway and the engine's info are read, and counted."""

    def __init__(self, gateway='172.17.0.1', driver='cgroupfs'):
        self.gateway = gateway
        self.driver = driver
        self.reads = 0

    def bridge_gateway(self):
        self.reads += 1
        return self.gateway

    def engine_info(self):
        self.reads += 1
        return {'version': '20.10.24', 'api': '1.41', 'cgroupDriver': self.driver, 'cgroupVersion': '1'}


@pytest.fixture(autouse=True)
def no_agent(monkeypatch):
    """No node agent's heartbeat, whatever runs on the machine the tests run on."""
    monkeypatch.setattr(host.nodestate, 'read_heartbeat', lambda: None)


def facts_file(tmp_path, content):
    path = str(tmp_path / 'hostpods.fact')
    with open(path, 'w') as handle:
        handle.write(content if isinstance(content, str) else json.dumps(content))
    return path


def test_read_node_facts(tmp_path):
    path = str(tmp_path / 'hostpods.fact')
    assert host.read_node_facts(path) is None
    facts_file(tmp_path, {'name': 'n1'})
    assert host.read_node_facts(path) == {'name': 'n1'}
    facts_file(tmp_path, '#!/bin/sh\necho \'{"name": "from-script"}\'\n')
    with pytest.raises(HostpodsError):  # not JSON and not executable
        host.read_node_facts(path)
    os.chmod(path, 0o755)
    assert host.read_node_facts(path) == {'name': 'from-script'}
    facts_file(tmp_path, '[1]')
    with pytest.raises(HostpodsError) as info:
        host.read_node_facts(path)
    assert 'not a JSON object' in info.value.msg


def test_node_from_its_facts_file(tmp_path, monkeypatch):
    monkeypatch.setattr(host.nodestate, 'HEARTBEAT', str(tmp_path / 'agent.json'))  # no agent here, whatever the host runs
    path = facts_file(tmp_path, {'name': 'n7', 'labels': {'a': 'b'}, 'address': '10.213.0.2', 'podCIDR': '10.244.1.0/24',
                                 'allocatable': {'cpu': '1500m', 'memory': '1Gi', 'pods': '10'}})
    bridge = Bridge()
    node = host.read_node(bridge, facts_path=path)
    assert (node.name, node.scheduling['labels']['a'], node.address, node.pod_cidr) == ('n7', 'b', '10.213.0.2', '10.244.1.0/24')
    assert node.allocatable == {'cpu': 1500, 'memory': GI}  # what the downward API reads
    assert node.host_ip == '10.213.0.2' and bridge.reads == 0  # the facts' address: the engine is not asked
    assert node.runtime() == {'hostIP': '10.213.0.2', 'nodeName': 'n7', 'allocatable': {'cpu': 1500, 'memory': GI},
                              'supervised': False, 'podCgroups': '', 'engineApi': ''}  # the engine was not asked


@pytest.mark.parametrize('driver, pod_cgroups', [('cgroupfs', 'cgroupfs'), ('systemd', 'systemd'), ('none', '')])
def test_an_apply_reads_the_engine_and_pods_get_cgroups_under_its_cgroup_driver(tmp_path, driver, pod_cgroups):
    bridge = Bridge(driver=driver)
    node = host.read_node(bridge, facts_path=str(tmp_path / 'missing'), with_engine=True)
    assert node.engine == {'version': '20.10.24', 'api': '1.41', 'cgroupDriver': driver, 'cgroupVersion': '1'}
    assert node.pod_cgroups == pod_cgroups and node.runtime()['podCgroups'] == pod_cgroups
    assert bridge.reads == 2
    assert host.read_node(bridge, facts_path=str(tmp_path / 'missing'), with_engine=True, strict=False).engine == {}


def test_node_without_an_address_reports_the_bridge_gateway(tmp_path):
    bridge = Bridge('10.244.0.1')
    node = host.read_node(bridge, node_name='chosen', facts_path=str(tmp_path / 'missing'))
    assert node.name == 'chosen' and node.scheduling['name'] == 'chosen'
    assert node.host_ip == '10.244.0.1' and bridge.reads == 1
    assert node.address == '' and node.facts == {}


def test_sandbox_image_given_then_node_facts_then_the_kubelet_default(tmp_path):
    missing = str(tmp_path / 'missing')
    assert host.read_node(Bridge(), facts_path=missing).sandbox_image == 'registry.k8s.io/pause:3.10'
    path = facts_file(tmp_path, {'name': 'n1'})
    assert host.read_node(Bridge(), facts_path=path).sandbox_image == 'registry.k8s.io/pause:3.10'
    facts_file(tmp_path, {'name': 'n1', 'sandboxImage': 'hostpods/pause:3.10'})
    assert host.read_node(Bridge(), facts_path=path).sandbox_image == 'hostpods/pause:3.10'
    assert host.read_node(Bridge(), sandbox_image='example.org/pause:9', facts_path=path).sandbox_image == 'example.org/pause:9'


def test_unreadable_facts_fail_an_apply_and_not_a_delete(tmp_path):
    path = facts_file(tmp_path, 'not json')
    with pytest.raises(HostpodsError):
        host.read_node(Bridge(), facts_path=path)
    bridge = Bridge()
    node = host.read_node(bridge, facts_path=path, strict=False)
    assert node.facts == {} and bridge.reads == 0  # deleting reads nothing of the engine


def test_host_path_kinds(tmp_path):
    (tmp_path / 'file').write_text('x')
    kinds = host.host_path_kinds([str(tmp_path), str(tmp_path / 'file'), str(tmp_path / 'nope'), '/dev/null'])
    assert kinds == {str(tmp_path): 'directory', str(tmp_path / 'file'): 'file', str(tmp_path / 'nope'): 'missing',
                     '/dev/null': 'char'}


def test_write_atomic_dir_switches_versions(tmp_path):
    target = str(tmp_path / 'pods' / 'uid' / 'volumes' / 'config')
    files.write_atomic_dir(target, {'a': (b'1', 0o644), 'sub/b': (b'2', 0o600)})
    assert open(os.path.join(target, 'a')).read() == '1' and open(os.path.join(target, 'sub', 'b')).read() == '2'
    first = os.readlink(os.path.join(target, '..data'))
    files.write_atomic_dir(target, {'a': (b'3', 0o644)})
    assert open(os.path.join(target, 'a')).read() == '3'
    assert not os.path.lexists(os.path.join(target, 'sub'))  # gone with the old version
    assert os.readlink(os.path.join(target, '..data')) != first and not os.path.exists(os.path.join(target, first))


def test_lock_paths_fit_a_file_name():
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import locks
    short = locks.lock_path('default', 'web')
    assert short == '/var/lib/hostpods/locks/default/web.lock'
    long_name = 'n' * 253
    path = locks.lock_path('default', long_name)
    assert len(os.path.basename(path)) <= 255 and path != locks.lock_path('default', 'n' * 252)


def security_root(tmp_path, apparmor_fs=False, enabled=None, selinux=False):
    for wanted, path, text in ((apparmor_fs, 'sys/kernel/security/apparmor/profiles', ''),
                               (enabled is not None, 'sys/module/apparmor/parameters/enabled', enabled or ''),
                               (selinux, 'sys/fs/selinux/enforce', '1')):
        if wanted:
            os.makedirs(os.path.dirname(str(tmp_path / path)), exist_ok=True)
            (tmp_path / path).write_text(text)
    return str(tmp_path)


@pytest.mark.parametrize('apparmor_fs, enabled, selinux, expected', [
    (False, None, False, ()),
    (True, 'Y\n', False, ('apparmor',)),
    (True, 'N\n', False, ()),                 # the module is there but off: the kubelet says not enabled
    (False, 'Y\n', False, ()),                # no securityfs: nothing can load a profile
    (True, 'Y\n', True, ('apparmor', 'selinux')),
    (False, None, True, ('selinux',)),
])
def test_the_kernels_security_modules(tmp_path, apparmor_fs, enabled, selinux, expected):
    assert host.security_modules(security_root(tmp_path, apparmor_fs, enabled, selinux)) == expected


class _Engine:
    def __init__(self, docker_host, name):
        self.docker_host, self.name = docker_host, name

    def engine_host(self):
        return {'name': self.name, 'cpu': 4000, 'memory': 2 ** 30}


def test_an_engine_elsewhere_is_one_a_docker_host_reaches_on_another_machine():
    import socket
    here = socket.gethostname()
    assert host.engine_elsewhere(None) == '' and host.engine_elsewhere(_Engine(None, 'n1')) == ''
    assert host.engine_elsewhere(_Engine('tcp://127.0.0.1:2375', here)) == ''
    assert host.engine_elsewhere(_Engine('tcp://n1:2375', 'n1')) == 'n1'
    host.refuse_elsewhere(_Engine('unix:///run/user/1000/docker.sock', here), 'apply pods', 'why')
    with pytest.raises(HostpodsError) as caught:
        host.refuse_elsewhere(_Engine('tcp://n1:2375', 'n1'), 'apply pods', 'why')
    assert caught.value.msg == ('cannot apply pods through the Docker engine at tcp://n1:2375: it runs on n1, not on '
                                'this host (%s): why' % here)
