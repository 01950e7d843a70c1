# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: in-place resize (KEP 1287): a re-apply that changes only the cpu and memory of running
containers resizes them where they run, as the kubelet does after a ``/resize``. Pure.

A change is a resize when the pod, with the cpu and memory requests and limits of its app containers
and sidecars left out, is the pod as applied, its QoS class stays, and its sandbox runs; anything else
recreates the pod, as every other spec change does. Each changed container then follows its
``resizePolicy`` (``NotRequired`` when unset): ``NotRequired`` updates it in place (the engine's
container update: same container, same ID, no restart); ``RestartContainer`` for a resource that
changed restarts that container alone (a new instance, restartCount + 1). The engine cannot lift a
memory limit in place, so removing one restarts that container too. A container that is not running
takes its new resources when it starts again.

The pod's cgroup follows the kubelet's order: its limits are raised first (to the larger of the old
and new values), then the containers are updated, then the pod's new limits are set. Docker cannot
relabel a container, so what was resized is kept in the node's ``resources.json``
(``RecordResources``): the pod's hash now, the resized containers' resources and the spec hash each
updated instance now runs with. The node agent plans with it, so a resize is never drift to it.
"""

from __future__ import annotations

import copy

from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

NOT_REQUIRED, RESTART = 'NotRequired', 'RestartContainer'
POLICIES = (NOT_REQUIRED, RESTART)


def pod_cgroup_step(pod, driver, config=None):
    """The step that makes the pod's cgroup under the engine's cgroup driver ``driver`` and writes its limits
    (``config``, else the pod's own)."""
    return S.PodCgroup(naming.pod_cgroup(pod['metadata']['uid'], podspec.qos_class(pod['spec']), driver), driver,
                       config or resources.pod_cgroup(pod['spec']))


def _resizable(spec):
    return list(spec['containers']) + [c for c in spec.get('initContainers') or [] if podspec.is_sidecar(c)]


def _compute(container_resources):
    """A container's cpu and memory requests and limits."""
    return {kind: {name: value for name, value in ((container_resources or {}).get(kind) or {}).items()
                   if name in resources.COMPUTE}
            for kind in ('requests', 'limits')}


def _without_compute(spec):
    """The spec with the cpu and memory of its app containers and sidecars left out."""
    spec = copy.deepcopy(spec)
    for container in _resizable(spec):
        wanted = container.get('resources') or {}
        for kind in ('requests', 'limits'):
            rest = {name: value for name, value in (wanted.get(kind) or {}).items() if name not in resources.COMPUTE}
            if rest:
                wanted[kind] = rest
            else:
                wanted.pop(kind, None)
    return spec


def changed_containers(applied_spec, spec):
    """``[(container, old resources)]`` whose cpu or memory alone changed, when the rest of the spec is the one
    applied and the QoS class stays; None when the change is not a resize (or there is none)."""
    if naming.canonical(_without_compute(applied_spec)) != naming.canonical(_without_compute(spec)):
        return None
    if podspec.qos_class(applied_spec) != podspec.qos_class(spec):
        return None  # "Pod QOS Class may not change as a result of resizing"
    before = {c['name']: c.get('resources') or {} for c in _resizable(applied_spec)}
    out = [(c, before[c['name']]) for c in _resizable(spec)
           if naming.canonical(_compute(c.get('resources'))) != naming.canonical(_compute(before[c['name']]))]
    return out or None


def _changed_resources(old, new):
    old, new = _compute(old), _compute(new)
    return {name for name in resources.COMPUTE
            if any(old[kind].get(name) != new[kind].get(name) for kind in ('requests', 'limits'))}


def needs_restart(container, old):
    """Why resizing ``container`` (from its ``old`` resources) restarts it, or '': its resizePolicy says
    RestartContainer for a resource that changed, or its memory limit goes (the engine cannot lift it)."""
    policy = {item['resourceName']: item['restartPolicy'] for item in container.get('resizePolicy') or []}
    changed = _changed_resources(old, container.get('resources'))
    restart = sorted(name for name in changed if policy.get(name, NOT_REQUIRED) == RESTART)
    if restart:
        return 'resizePolicy RestartContainer for %s' % ' and '.join(restart)
    if 'memory' in _compute(old)['limits'] and 'memory' not in _compute(container.get('resources'))['limits']:
        return 'its memory limit is removed, which the engine cannot do in place'
    return ''


def update_settings(container, spec):
    """The engine's container update of a resize: the container's cgroup settings (``translate``), a cpu
    limit that goes being an unlimited quota (-1)."""
    settings = translate.resource_settings(container, spec)
    settings.setdefault('CpuQuota', -1)
    settings.setdefault('CpuPeriod', resources.CFS_PERIOD)
    return settings


def _cgroup_steps(pod, applied_spec, driver):
    """The pod cgroup's limits raised first (to the larger of old and new), then set: ``(before, after)``."""
    old, new = resources.pod_cgroup(applied_spec), resources.pod_cgroup(pod['spec'])
    if old == new:
        return [], []

    def larger(key):
        return None if old[key] is None or new[key] is None else max(old[key], new[key])
    loose = {key: larger(key) for key in new}
    before = [pod_cgroup_step(pod, driver, loose)] if loose != old else []
    after = [pod_cgroup_step(pod, driver, new)] if loose != new else []
    return before, after


def plan_steps(pod, record, pod_cgroups, sandbox_image, image_action):
    """The steps that resize ``record``'s running pod to ``pod`` in place, or None when the change is not a
    resize (the caller recreates the pod then). ``pod_cgroups`` is the cgroup driver of the pods' cgroups ('' for
    none: see ``NodeContext.pod_cgroups``); ``image_action(container)`` is the image manager's word for a container
    that restarts."""
    applied = record.applied
    sandbox = record.sandbox
    if not applied or sandbox is None or not sandbox.running:
        return None
    changed = changed_containers(applied['spec'], pod['spec'])
    if changed is None:
        return None
    updates, restarts, instances = [], [], dict((record.resized or {}).get('instances') or {})
    for container, old in changed:
        latest = record.latest(container['name'])
        if latest is None or not latest.running:
            if latest is not None:  # it takes its new resources when it starts again
                instances[latest.id] = naming.container_hash(container)
            continue
        why = needs_restart(container, old)
        if why and pod['spec']['restartPolicy'] == 'Never' and not podspec.is_sidecar(container):
            return None  # nothing restarts in a Never pod: it is recreated, as for any other change
        if why:
            restarts.append(S.StartContainer(container, record.next_attempt(container['name']), image_action(container),
                                             sidecar=podspec.is_sidecar(container), replaces=latest,
                                             prune=tuple(item.id for item in record.older(container['name']))))
        else:
            updates.append(S.UpdateResources(latest, container, update_settings(container, pod['spec'])))
            instances[latest.id] = naming.container_hash(container)
    before, after = _cgroup_steps(pod, applied['spec'], pod_cgroups) if pod_cgroups else ([], [])
    sized = dict((record.resized or {}).get('containers') or {})
    sized.update((container['name'], container.get('resources') or {}) for container, _old in changed)
    record_step = S.RecordResources(naming.pod_hash(pod, sandbox_image), sized, instances)
    return before + updates + restarts + after + [record_step]
