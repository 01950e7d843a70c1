"""Unit tests of _runtime.cgroups: a pod's cgroup made and its limits written, on cgroup v1 and v2 (a
temporary directory stands for /sys/fs/cgroup), and removed with the pod."""

import os
import shutil

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._runtime import cgroups
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

UID = '6a1f3c2e-1111-4d2b-9c1e-0123456789ab'
GUARANTEED = {'cpuShares': 512, 'cpuQuota': 50000, 'memory': 67108864}
UNLIMITED = {'cpuShares': 2, 'cpuQuota': None, 'memory': None}


def read(*parts):
    with open(os.path.join(*parts)) as handle:
        return handle.read()


def v1_root(tmp_path):
    for hierarchy in ('cpu', 'memory', 'pids'):
        (tmp_path / hierarchy).mkdir()
    return str(tmp_path)


def test_v1_writes_the_cpu_and_memory_hierarchies(tmp_path):
    root = v1_root(tmp_path)
    cgroups.configure('1', 'kubepods/pod' + UID, GUARANTEED, root=root)
    pod = 'kubepods/pod' + UID
    assert read(root, 'cpu', pod, 'cpu.shares') == '512'
    assert read(root, 'cpu', pod, 'cpu.cfs_period_us') == '100000'
    assert read(root, 'cpu', pod, 'cpu.cfs_quota_us') == '50000'
    assert read(root, 'memory', pod, 'memory.limit_in_bytes') == '67108864'


def test_v1_unlimited_is_minus_one_and_besteffort_gets_two_shares(tmp_path):
    root = v1_root(tmp_path)
    cgroups.configure('1', 'kubepods/besteffort/pod' + UID, UNLIMITED, root=root)
    assert read(root, 'cpu', 'kubepods/besteffort/pod' + UID, 'cpu.cfs_quota_us') == '-1'
    assert read(root, 'memory', 'kubepods/besteffort/pod' + UID, 'memory.limit_in_bytes') == '-1'
    assert read(root, 'cpu', 'kubepods/besteffort', 'cpu.shares') == '2'


def test_v2_writes_the_unified_tree_and_enables_the_controllers(tmp_path):
    root = str(tmp_path)
    (tmp_path / 'cgroup.controllers').write_text('cpu memory')
    (tmp_path / 'cgroup.subtree_control').write_text('')
    cgroups.configure('2', 'kubepods/burstable/pod' + UID, GUARANTEED, root=root)
    pod = os.path.join(root, 'kubepods/burstable/pod' + UID)
    assert read(pod, 'cpu.weight') == str(cgroups.weight(512)) == '20'
    assert read(pod, 'cpu.max') == '50000 100000'
    assert read(pod, 'memory.max') == '67108864'
    assert read(root, 'cgroup.subtree_control') == '+memory'  # the last write a file stands for
    assert cgroups.v2_values(UNLIMITED) == {'cpu.weight': 1, 'cpu.max': 'max 100000', 'memory.max': 'max'}


def test_remove_takes_every_qos_variant_in_every_hierarchy(tmp_path):
    root = v1_root(tmp_path)
    for hierarchy in ('cpu', 'memory', 'pids'):
        os.makedirs(os.path.join(root, hierarchy, 'kubepods/burstable/pod' + UID, 'container-id'))
        os.makedirs(os.path.join(root, hierarchy, 'kubepods/besteffort/pod' + UID))
        os.makedirs(os.path.join(root, hierarchy, 'kubepods/burstable/pod-other'))
    cgroups.remove(UID, root=root)
    for hierarchy in ('cpu', 'memory', 'pids'):
        assert os.listdir(os.path.join(root, hierarchy, 'kubepods/burstable')) == ['pod-other']
        assert os.listdir(os.path.join(root, hierarchy, 'kubepods/besteffort')) == []


def test_slice_properties_are_the_kubelets_systemd_ones_per_cgroup_version():
    """A quota of 0.25 cpu is 250 ms a second; 0.255 cpu rounds up to systemd's whole percent (260 ms)."""
    assert cgroups.slice_properties('1', GUARANTEED) == [
        ('CPUAccounting', 'b', 'true'), ('MemoryAccounting', 'b', 'true'), ('CPUQuotaPerSecUSec', 't', 500000),
        ('CPUShares', 't', 512), ('MemoryLimit', 't', 67108864)]
    assert cgroups.slice_properties('2', dict(GUARANTEED, cpuQuota=25500))[2:] == [
        ('CPUQuotaPerSecUSec', 't', 260000), ('CPUWeight', 't', 20), ('MemoryMax', 't', 67108864)]
    assert cgroups.slice_properties('2', UNLIMITED)[2:] == [
        ('CPUQuotaPerSecUSec', 't', 2 ** 64 - 1), ('CPUWeight', 't', 1), ('MemoryMax', 't', 2 ** 64 - 1)]


class FakeSystemd:
    """busctl as systemd would answer it: a started slice gets its cgroup directories (cgroup v1 here)."""

    def __init__(self, root, running=()):
        self.root, self.running, self.calls = root, set(running), []

    def __call__(self, argv, **_kwargs):
        method, unit = argv[len(cgroups.SYSTEMD)], argv[len(cgroups.SYSTEMD) + 2]
        self.calls.append((method, unit))
        failed = method == 'StartTransientUnit' and unit in self.running
        parts = unit[:-len('.slice')].split('-')
        path = '/'.join('-'.join(parts[:depth]) + '.slice' for depth in range(1, len(parts) + 1))
        if method == 'StartUnit' or (method == 'StartTransientUnit' and not failed):
            self.running.add(unit)
            for hierarchy in ('cpu', 'memory'):
                os.makedirs(os.path.join(self.root, hierarchy, path), exist_ok=True)
        if method == 'StopUnit':  # systemd removes the slice's cgroup
            self.running.discard(unit)
            for hierarchy in ('cpu', 'memory'):
                shutil.rmtree(os.path.join(self.root, hierarchy, path))
        return type('Proc', (), {'returncode': 1 if failed else 0,
                                 'stderr': 'Unit %s was already loaded or has a fragment file.' % unit})()


@pytest.fixture
def systemd(tmp_path, monkeypatch):
    """A host whose PID 1 is systemd (cgroup v1): the fake systemd, whose ``root`` stands for /sys/fs/cgroup."""
    fake = FakeSystemd(v1_root(tmp_path))
    monkeypatch.setattr(cgroups.subprocess, 'run', fake)
    monkeypatch.setattr(cgroups, 'systemd_root', lambda: '')
    return fake


def test_systemd_starts_the_pods_slice_and_the_exact_limits_are_written(systemd):
    root = systemd.root
    cgroup = naming.pod_cgroup(UID, 'BestEffort', 'systemd')
    cgroups.configure('1', cgroup, dict(GUARANTEED, cpuQuota=25500), 'systemd', root=root)
    unit = os.path.basename(cgroup)
    assert systemd.calls == [('StartTransientUnit', unit), ('SetUnitProperties', 'kubepods-besteffort.slice')]
    assert read(root, 'cpu', cgroup, 'cpu.cfs_quota_us') == '25500'  # not systemd's rounded 26000
    assert read(root, 'memory', cgroup, 'memory.limit_in_bytes') == '67108864'
    # a resize of the running pod: its slice's properties are set
    cgroups.configure('1', cgroup, GUARANTEED, 'systemd', root=root)
    assert systemd.calls[2:] == [('StartTransientUnit', unit), ('SetUnitProperties', unit), ('StartUnit', unit),
                                 ('SetUnitProperties', 'kubepods-besteffort.slice')]
    assert read(root, 'cpu', cgroup, 'cpu.cfs_quota_us') == '50000'


def test_a_slice_systemd_does_not_make_is_an_error_naming_it(tmp_path, monkeypatch):
    def refuse(argv, **_kwargs):
        return type('Proc', (), {'returncode': 1, 'stderr': 'Access denied'})()
    monkeypatch.setattr(cgroups.subprocess, 'run', refuse)
    with pytest.raises(OSError, match=r'systemd cannot start the slice kubepods-podx\.slice \(Access denied\) nor '
                                      r'set its limits \(Access denied\)'):
        cgroups.configure('1', 'kubepods.slice/kubepods-podx.slice', GUARANTEED, 'systemd', root=v1_root(tmp_path))


def test_remove_stops_the_pods_slice(systemd):
    root = systemd.root
    cgroup = naming.pod_cgroup(UID, 'Burstable', 'systemd')
    cgroups.configure('1', cgroup, GUARANTEED, 'systemd', root=root)
    cgroups.remove(UID, root=root)
    assert systemd.calls[-1] == ('StopUnit', os.path.basename(cgroup))
    assert not os.path.exists(os.path.join(root, 'cpu', cgroup))
    assert os.listdir(os.path.join(root, 'cpu', 'kubepods.slice', 'kubepods-burstable.slice')) == []


def test_systemds_root_is_where_pid_1_runs_without_init_scope(tmp_path):
    """On a host, the root; in a container whose PID 1 is systemd, the container's cgroup (hybrid v1 and v2)."""
    host = tmp_path / 'host'
    host.write_text('12:pids:/init.scope\n1:name=systemd:/init.scope\n0::/init.scope\n')
    node = tmp_path / 'node'
    node.write_text('5:memory:/docker/abc\n1:name=systemd:/docker/abc/init.scope\n0::/docker/abc/init.scope\n')
    unified = tmp_path / 'unified'
    unified.write_text('0::/system.slice/x.scope/init.scope\n')
    assert cgroups.systemd_root(str(host)) == ''
    assert cgroups.systemd_root(str(node)) == 'docker/abc'
    assert cgroups.systemd_root(str(unified)) == 'system.slice/x.scope'
    assert cgroups.systemd_root(str(tmp_path / 'missing')) == ''


def test_a_slice_stopped_but_not_yet_forgotten_by_systemd_is_started_again_with_the_new_limits(systemd):
    """A pod made again under its UID right after its removal: systemd still has the stopped transient slice."""
    cgroup = naming.pod_cgroup(UID, 'Guaranteed', 'systemd')
    unit = os.path.basename(cgroup)
    systemd.running.add(unit)  # StartTransientUnit fails: the unit is loaded
    cgroups.configure('1', cgroup, GUARANTEED, 'systemd', root=systemd.root)
    assert systemd.calls == [('StartTransientUnit', unit), ('SetUnitProperties', unit), ('StartUnit', unit)]
    assert read(systemd.root, 'memory', cgroup, 'memory.limit_in_bytes') == '67108864'
