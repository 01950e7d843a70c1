# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the pods' cgroups on the node, as the kubelet's cgroupfs driver keeps them.

A pod's cgroup (``naming.pod_cgroup``: ``kubepods/burstable/pod<uid>``...) is made before its sandbox,
which the engine then creates inside it (``CgroupParent``), with the containers next to it. Its limits
(``resources.pod_cgroup``) are written here: on cgroup v1 in the ``cpu`` and ``memory`` hierarchies
(``cpu.shares``, ``cpu.cfs_period_us``, ``cpu.cfs_quota_us``, ``memory.limit_in_bytes``; -1 is
unlimited), on cgroup v2 in the unified tree (``cpu.weight``, ``cpu.max``, ``memory.max``), its parents'
controllers enabled first. The QoS cgroups are made on the way (``besteffort`` gets the kubelet's 2
shares). A pod's removal removes its cgroups once the engine removed its containers'.
"""

from __future__ import annotations

import errno
import os

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

ROOT = '/sys/fs/cgroup'
V1_WRITES = (('cpu', 'cpu.shares', 'cpuShares'), ('cpu', 'cpu.cfs_period_us', 'cpuPeriod'),
             ('cpu', 'cpu.cfs_quota_us', 'cpuQuota'), ('memory', 'memory.limit_in_bytes', 'memory'))
BESTEFFORT_SHARES = resources.MIN_SHARES


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


def configure(version, cgroup, config, root=ROOT):
    """Make the pod's cgroup ``cgroup`` and write its limits ``config`` (see the module)."""
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


def hierarchies(root=ROOT):
    """The directories a cgroup may have (one a v1 hierarchy, or the v2 tree)."""
    if os.path.exists(os.path.join(root, 'cgroup.controllers')):
        return [root]
    return sorted(os.path.join(root, name) for name in os.listdir(root) if os.path.isdir(os.path.join(root, name)))


def remove(uid, root=ROOT):
    """Remove the cgroups of a pod UID (every QoS class it may have had), deepest first; a cgroup some
    process still holds stays (the engine's own removal of a container's cgroup may lag a moment)."""
    for base in hierarchies(root):
        for cgroup in naming.pod_cgroups(uid):
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
