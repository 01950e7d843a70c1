# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the pods' cgroups on the node, as the kubelet's cgroup drivers keep them.

A pod's cgroup (``naming.pod_cgroup``: ``kubepods/burstable/pod<uid>``...) is made before its sandbox,
which the engine then creates inside it (``CgroupParent``), with the containers next to it. Its limits
(``resources.pod_cgroup``) are written here: on cgroup v1 in the ``cpu`` and ``memory`` hierarchies
(``cpu.shares``, ``cpu.cfs_period_us``, ``cpu.cfs_quota_us``, ``memory.limit_in_bytes``; -1 is
unlimited), on cgroup v2 in the unified tree (``cpu.weight``, ``cpu.max``, ``memory.max``), its parents'
controllers enabled first. The QoS cgroups are made on the way (``besteffort`` gets the kubelet's 2
shares). A pod's removal removes its cgroups once the engine removed its containers'.

Under the engine's systemd cgroup driver the cgroups are systemd's: as the kubelet's systemd driver does, the
pod's slice (``kubepods-burstable-pod<uid>.slice``) is started as a transient unit with the limits as its
properties (systemd makes its parent slices and the cgroup directories), then the same files are written as
under cgroupfs, which keeps the exact values (systemd keeps a cpu quota in whole percents). A pod's removal
stops its slice. systemd is asked with ``busctl``, which comes with it.
"""

from __future__ import annotations

import errno
import os
import subprocess
import time

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

ROOT = '/sys/fs/cgroup'
V1_WRITES = (('cpu', 'cpu.shares', 'cpuShares'), ('cpu', 'cpu.cfs_period_us', 'cpuPeriod'),
             ('cpu', 'cpu.cfs_quota_us', 'cpuQuota'), ('memory', 'memory.limit_in_bytes', 'memory'))
BESTEFFORT_SHARES = resources.MIN_SHARES
SYSTEMD = ['busctl', 'call', '--quiet', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1',
           'org.freedesktop.systemd1.Manager']
INFINITY = 2 ** 64 - 1  # systemd's "no limit" of a uint64 property
SLICE_TIMEOUT = 10.0  # seconds for systemd to make a started slice's cgroup, or to remove a stopped one's
BESTEFFORT_SLICE = naming.systemd_slice([naming.CGROUP_ROOT, naming.QOS_CGROUPS['BestEffort']])


def _write(path, value):
    with open(path, 'w', encoding='ascii') as handle:
        handle.write(str(value))


def _ensure(path, made=None):
    """Make a cgroup directory and its parents; ``made(path)`` is called for each one made."""
    if os.path.isdir(path):
        return
    _ensure(os.path.dirname(path), made)
    try:
        os.mkdir(path)
    except FileExistsError:
        return
    if made:
        made(path)


def v1_values(config):
    """``{(hierarchy, file): value}`` of a pod cgroup config on cgroup v1 (None is -1: unlimited)."""
    values = dict(config, cpuPeriod=resources.CFS_PERIOD)
    return {(hierarchy, name): -1 if values[key] is None else values[key] for hierarchy, name, key in V1_WRITES}


def weight(shares):
    """cgroup v2's ``cpu.weight`` of v1 ``cpu.shares`` (the conversion runc and the kubelet use)."""
    return 1 + ((shares - 2) * 9999) // 262142


def v2_values(config):
    """``{file: value}`` of a pod cgroup config on cgroup v2."""
    quota = 'max' if config['cpuQuota'] is None else config['cpuQuota']
    return {'cpu.weight': weight(config['cpuShares']), 'cpu.max': '%s %d' % (quota, resources.CFS_PERIOD),
            'memory.max': 'max' if config['memory'] is None else config['memory']}


def _besteffort_shares(path):
    if os.path.basename(path) == 'besteffort':
        _write(os.path.join(path, 'cpu.shares'), BESTEFFORT_SHARES)


def configure(version, cgroup, config, driver='cgroupfs', root=ROOT):
    """Make the pod's cgroup ``cgroup`` under the engine's cgroup driver ``driver`` and write its limits ``config``
    (see the module)."""
    if driver == 'systemd':
        cgroup = _start_slice(version, cgroup, config, root)
    if str(version) == '2':
        path = os.path.join(root, cgroup)
        for parent in _parents(root, cgroup):
            _ensure(parent)
            _enable_controllers(parent)
        _ensure(path)
        for name, value in v2_values(config).items():
            _write(os.path.join(path, name), value)
        return
    values = v1_values(config)
    for hierarchy in ('cpu', 'memory'):
        path = os.path.join(root, hierarchy, cgroup)
        _ensure(path, _besteffort_shares if hierarchy == 'cpu' else None)
    for (hierarchy, name), value in sorted(values.items(), key=lambda item: item[0][1] != 'cpu.cfs_period_us'):
        _write(os.path.join(root, hierarchy, cgroup, name), value)


def slice_properties(version, config):
    """The systemd properties of a pod slice with the limits ``config``: ``[(name, D-Bus type, value)]``, as the
    kubelet's systemd driver sets them (v1: ``CPUShares``, ``MemoryLimit``; v2: ``CPUWeight``, ``MemoryMax``). The
    quota is per second of time, rounded up to systemd's whole percent of a cpu."""
    quota = config['cpuQuota']
    per_second = INFINITY if quota is None else -(-quota * 1000000 // resources.CFS_PERIOD // 10000) * 10000
    memory = INFINITY if config['memory'] is None else config['memory']
    limits = ([('CPUWeight', 't', weight(config['cpuShares'])), ('MemoryMax', 't', memory)] if str(version) == '2'
              else [('CPUShares', 't', config['cpuShares']), ('MemoryLimit', 't', memory)])
    return [('CPUAccounting', 'b', 'true'), ('MemoryAccounting', 'b', 'true'),
            ('CPUQuotaPerSecUSec', 't', per_second)] + limits


def _busctl(method, signature, *args):
    """One call of systemd's manager; the error text of a failed call, else ''."""
    try:
        proc = subprocess.run(SYSTEMD + [method, signature] + [str(arg) for arg in args], capture_output=True,
                              text=True, check=False, timeout=60)
    except OSError as exc:
        return 'cannot run busctl to ask systemd: %s' % (exc.strerror or exc)
    except subprocess.TimeoutExpired:
        return 'systemd did not answer busctl in 60 s'
    return '' if proc.returncode == 0 else (proc.stderr.strip() or 'busctl exited %d' % proc.returncode)


def _flat(properties):
    return [len(properties)] + [item for prop in properties for item in prop]


def systemd_root(proc_cgroup='/proc/1/cgroup'):
    """Where systemd (PID 1) keeps its tree, relative to each hierarchy's root: '' on a host; in a container whose
    PID 1 is systemd, the container's own cgroup (its units' cgroups are below it), as systemd finds its root: PID 1's
    cgroup without ``/init.scope``."""
    try:
        with open(proc_cgroup, encoding='ascii') as handle:
            lines = [line.rstrip('\n').split(':', 2) for line in handle if line.count(':') >= 2]
    except OSError:
        return ''
    paths = dict((controllers, path) for _hierarchy, controllers, path in lines)
    path = paths.get('name=systemd', paths.get('', '/'))
    if path.endswith('/init.scope'):
        path = path[:-len('/init.scope')]
    return path.strip('/')


def _start_slice(version, cgroup, config, root):
    """Start the pod's slice with its limits, or set them on the slice that runs; wait for its cgroup, and return
    it relative to each hierarchy's root."""
    unit = os.path.basename(cgroup)
    properties = slice_properties(version, config)
    started = _busctl('StartTransientUnit', 'ssa(sv)a(sa(sv))', unit, 'fail',
                      *_flat([('Description', 's', 'hostpods pod slice %s' % unit), ('DefaultDependencies', 'b',
                                                                                     'false')] + properties), 0)
    if started:  # the slice is there (a resize), or stopped and not yet forgotten: its limits set, it (re)started
        problem = _busctl('SetUnitProperties', 'sba(sv)', unit, 'true', *_flat(properties)) or \
            _busctl('StartUnit', 'ss', unit, 'replace')
        if problem:
            raise OSError(errno.EIO, 'systemd cannot start the slice %s (%s) nor set its limits (%s)'
                          % (unit, started, problem))
    if os.path.basename(os.path.dirname(cgroup)) == BESTEFFORT_SLICE:
        share = [('CPUWeight', 't', weight(BESTEFFORT_SHARES))] if str(version) == '2' else [
            ('CPUShares', 't', BESTEFFORT_SHARES)]
        _busctl('SetUnitProperties', 'sba(sv)', BESTEFFORT_SLICE, 'true', *_flat(share))
    cgroup = os.path.join(systemd_root(), cgroup)
    paths = [os.path.join(root, cgroup)] if str(version) == '2' else [
        os.path.join(root, hierarchy, cgroup) for hierarchy in ('cpu', 'memory')]
    if not _wait_for_systemd(lambda: all(os.path.isdir(path) for path in paths)):
        raise OSError(errno.ETIMEDOUT, 'systemd started the slice %s but made no cgroup %s in %.0f s'
                      % (unit, ' '.join(paths), SLICE_TIMEOUT))
    return cgroup


def _wait_for_systemd(done):
    """Poll ``done()`` while systemd works on a slice's job, at most ``SLICE_TIMEOUT`` s: whether it came true."""
    deadline = time.monotonic() + SLICE_TIMEOUT
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _parents(root, cgroup):
    parts = cgroup.split('/')[:-1]
    return [os.path.join(root, *parts[:index + 1]) for index in range(len(parts))]


def _enable_controllers(path):
    """cgroup v2: the cpu and memory controllers for the children of ``path`` (and of the root first)."""
    for directory in (os.path.dirname(path), path):
        control = os.path.join(directory, 'cgroup.subtree_control')
        if os.path.exists(control):
            for controller in ('+cpu', '+memory'):
                try:
                    _write(control, controller)
                except OSError:
                    pass  # not delegated here: the write of the limits says what is missing


def _unified(root):
    """Whether ``root`` is the cgroup v2 tree (else the v1 hierarchies' directory)."""
    return os.path.exists(os.path.join(root, 'cgroup.controllers'))


def hierarchies(root=ROOT):
    """The directories a cgroup may have (one a v1 hierarchy, or the v2 tree)."""
    if _unified(root):
        return [root]
    return sorted(os.path.join(root, name) for name in os.listdir(root) if os.path.isdir(os.path.join(root, name)))


def remove(uid, root=ROOT):
    """Remove the cgroups of a pod UID (every QoS class and cgroup driver it may have had), deepest first: a pod
    slice is stopped (systemd removes its cgroup); a cgroup some process still holds stays (the engine's own removal
    of a container's cgroup may lag a moment)."""
    bases = hierarchies(root)
    under = systemd_root()
    paths = [os.path.join(under, cgroup) if cgroup.endswith('.slice') else cgroup for cgroup in naming.pod_cgroups(uid)]
    stopped = [cgroup for cgroup in paths
               if cgroup.endswith('.slice') and any(os.path.isdir(os.path.join(base, cgroup)) for base in bases)]
    stopped = [cgroup for cgroup in stopped if not _busctl('StopUnit', 'ss', os.path.basename(cgroup), 'replace')]
    # the stop is a job of systemd's, whose end removes the slice's cgroups where systemd keeps them (its own tree:
    # the unified one, or the name=systemd hierarchy of cgroup v1); the other v1 hierarchies' are removed below
    tree = root if _unified(root) else os.path.join(root, 'systemd')
    _wait_for_systemd(lambda: not any(os.path.isdir(os.path.join(tree, cgroup)) for cgroup in stopped))
    for base in bases:
        for cgroup in paths:
            path = os.path.join(base, cgroup)
            if not os.path.isdir(path):
                continue
            children = sorted((os.path.join(top, name) for top, names, _files in os.walk(path) for name in names),
                              key=lambda item: -item.count('/'))
            for directory in children + [path]:
                try:
                    os.rmdir(directory)
                except OSError as exc:
                    if exc.errno not in (errno.ENOENT, errno.EBUSY, errno.ENOTEMPTY):
                        raise
