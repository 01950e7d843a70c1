"""Unit tests of _runtime.cgroups: a pod's cgroup made and its limits written, on cgroup v1 and v2 (a
temporary directory stands for /sys/fs/cgroup), and removed with the pod."""

import os

from ansible_collections.hostpods.core.plugins.module_utils._runtime import cgroups

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
