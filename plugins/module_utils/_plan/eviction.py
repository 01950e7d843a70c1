# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the kubelet eviction manager's local storage evictions (``localStorageEviction``). Pure.

Which pods are watched (``watched``: a disk emptyDir with a ``sizeLimit``, or an ``ephemeral-storage`` limit; the
others cost the node agent nothing), when they are measured (``due``: at most every ``HOUSEKEEPING_SECONDS``, the
kubelet's housekeeping), and what a measure decides (``decision``), in the kubelet's order and with its messages:

1. ``emptyDirLimitEviction``: a disk emptyDir using more than its ``sizeLimit``;
2. ``podEphemeralStorageLimitEviction``: the pod's containers (writable layer and logs) and emptyDirs using more
   than its ``PodLimits`` of ``ephemeral-storage`` (the containers' limits added up as ``_spec.resources`` adds them);
3. ``containerEphemeralStorageLimitEviction``: a container's writable layer and logs using more than its limit.

An evicted pod is killed with ``GRACE_SECONDS`` (``immediateEvictionGracePeriodSeconds``) and is ``Failed`` with
reason ``Evicted`` for good (``_plan.keeper``).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources
from ansible_collections.hostpods.core.plugins.module_utils._spec.resource_names import EPHEMERAL_STORAGE

REASON = 'Evicted'
GRACE_SECONDS = 1            # the kubelet's immediateEvictionGracePeriodSeconds
HOUSEKEEPING_SECONDS = 10    # the kubelet's housekeeping: how often a watched pod is measured
EMPTY_DIR_MESSAGE = 'Usage of EmptyDir volume "%s" exceeds the limit "%s". '
POD_MESSAGE = 'Pod ephemeral local storage usage exceeds the total limit of containers %s. '
CONTAINER_MESSAGE = 'Container %s exceeded its local ephemeral storage limit "%s". '


def disk_empty_dirs(spec):
    """``{volume name: sizeLimit}`` of the pod's emptyDir volumes on the node's disk with a positive size limit."""
    out = {}
    for volume in spec.get('volumes') or []:
        source = volume.get('emptyDir')
        if source is None or source.get('medium', '') == 'Memory' or source.get('sizeLimit') in (None, ''):
            continue
        if quantity.value(source['sizeLimit']) > 0:
            out[volume['name']] = source['sizeLimit']
    return out


def _limit(container):
    return ((container.get('resources') or {}).get('limits') or {}).get(EPHEMERAL_STORAGE)


def container_limits(spec):
    """``{container name: limit}`` of the app containers with a non-zero ``ephemeral-storage`` limit."""
    return {container['name']: _limit(container) for container in spec['containers']
            if _limit(container) is not None and quantity.value(_limit(container)) != 0}


def pod_limit(spec):
    """The pod's ``ephemeral-storage`` limit as ``PodLimits`` gives it (``(bytes, as the kubelet writes it)``), or
    None when no container has one."""
    containers = (spec.get('initContainers') or []) + spec['containers']
    given = [_limit(container) for container in containers if _limit(container) is not None]
    if not given:
        return None
    total = resources.pod_limits(spec).get(EPHEMERAL_STORAGE, 0)
    return total, quantity.canonical(total, given[0])


def measured(spec):
    """What a measure of the pod reads: ``(emptyDir names, container names or None for all of them)``: with a pod
    limit every disk emptyDir and every container counts; else only those with a limit of their own."""
    if pod_limit(spec):
        disk = [volume['name'] for volume in spec.get('volumes') or []
                if 'emptyDir' in volume and (volume['emptyDir'] or {}).get('medium', '') != 'Memory']
        return disk, None
    return list(disk_empty_dirs(spec)), list(container_limits(spec))


def watched(spec):
    """Whether the pod has anything the local storage evictions measure."""
    return bool(disk_empty_dirs(spec) or pod_limit(spec))


def due(last_measured, now):
    """Whether a watched pod is measured at this sync (``last_measured``: epoch seconds, or None)."""
    return last_measured is None or now - last_measured >= HOUSEKEEPING_SECONDS


def decision(spec, usage):
    """The eviction message of a pod, or None. ``usage``: ``{'volumes': {name: bytes}, 'containers': {name: bytes}}``
    (a container's writable layer plus its logs); what was not measured is not judged."""
    volumes, containers = usage.get('volumes') or {}, usage.get('containers') or {}
    for name, size in disk_empty_dirs(spec).items():
        if name in volumes and volumes[name] > quantity.value(size):
            return EMPTY_DIR_MESSAGE % (name, quantity.canonical(quantity.value(size), size))
    limit = pod_limit(spec)
    if limit is not None and sum(volumes.values()) + sum(containers.values()) > limit[0]:
        return POD_MESSAGE % limit[1]
    for name, size in container_limits(spec).items():
        if name in containers and containers[name] > quantity.value(size):
            return CONTAINER_MESSAGE % (name, quantity.canonical(quantity.value(size), size))
    return None
