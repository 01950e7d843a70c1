# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what this node's engine cannot do for a pod, by path with the reason. Pure.

Kubernetes accepts these fields; whether a node can honour them depends on it (its engine's cgroup
driver, its version). A pod that needs what the node cannot do is refused before anything of the
batch is touched, naming the field, the node and what it lacks, instead of running without it.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._plan import translate


def refusals(pod, node):
    """``['<path>: <why>']`` of what ``node`` (a NodeContext whose ``engine`` was read) cannot do for ``pod``."""
    out = []
    engine = node.engine or {}
    if not engine:
        return out  # the engine was not asked (a delete): nothing is made
    if pod['spec'].get('resources') and not node.pod_cgroups:
        out.append('spec.resources: needs a cgroup of the pod\'s own, which hostpods makes under the engine\'s cgroupfs '
                   'or systemd driver; the engine of node %s uses the %s driver' % (node.name, engine.get('cgroupDriver') or '?'))
    if not translate.engine_api_at_least(engine.get('api'), translate.RRO_API):
        out.extend('%s.recursiveReadOnly: Enabled needs an engine that makes recursive read-only mounts (API %s, Docker 25 '
                   'or later); the engine of node %s is Docker %s (API %s)'
                   % (path, '.'.join(map(str, translate.RRO_API)), node.name, engine.get('version') or '?',
                      engine.get('api') or '?') for path in _recursive_mounts(pod))
    out.extend(_image_volume_refusals(pod, node))
    return out


def _image_volume_refusals(pod, node):
    """``volumes[].image``: an image's file system mounted read-only. The engine mounts it itself from API 1.48
    (``Mount.Type=image``, Docker 28); before it hostpods mounts the image's layers, which it finds with the
    engine's overlay2 storage driver only."""
    engine = node.engine or {}
    if not node.image_mounts_on_node or engine.get('storageDriver') == 'overlay2':
        return []
    why = ('needs an engine that mounts images (Mount.Type=image: API %s, Docker 28 or later) or, before it, the '
           'overlay2 storage driver, whose image layers hostpods mounts; the engine of node %s is Docker %s (API %s) '
           'with the %s storage driver' % ('.'.join(map(str, translate.IMAGE_MOUNT_API)), node.name,
                                           engine.get('version') or '?', engine.get('api') or '?',
                                           engine.get('storageDriver') or '?'))
    return ['spec.volumes[%d].image: %s' % (index, why)
            for index, volume in enumerate(pod['spec'].get('volumes') or []) if 'image' in volume]


def _recursive_mounts(pod):
    """The paths of the volume mounts that ask for a recursive read-only mount (``recursiveReadOnly: Enabled``)."""
    spec = pod['spec']
    return ['spec.%s[%d].volumeMounts[%d]' % (key, index, position)
            for key in ('initContainers', 'containers') for index, container in enumerate(spec.get(key) or [])
            for position, mount in enumerate(container.get('volumeMounts') or [])
            if mount.get('recursiveReadOnly') == 'Enabled']
