# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a pod's cpu and memory as Kubernetes adds them up, and what its cgroups get. Pure.

- ``aggregate``: resourcehelper's sidecar formula (``AggregateContainerRequests``/``Limits``): the app
  containers and the sidecars add up; a regular init container runs beside the sidecars started before
  it; the pod needs the larger of the two, resource by resource.
- pod-level ``spec.resources`` (KEP 2837): validated and defaulted as the API server does, and, when
  set, the pod's requests and limits (``pod_requests``, ``pod_limits``).
- ``pod_cgroup``: the kubelet's ``ResourceConfigForPod`` (cpu shares from the requests, a CFS quota and
  a memory limit when every container has one or the pod sets one), by QoS class;
  ``container_limits``: a container without its own limit takes the pod-level one (the KEP's
  "implied" container limit), as the kubelet writes it into the container's cgroup.
- ``spec.overhead`` (what a RuntimeClass adds to its pods, set on a cluster by the RuntimeClass admission
  plugin): added to the pod's requests, and to each limit it has, as ``PodRequests``/``PodLimits`` add it.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resource_names

COMPUTE = ('cpu', 'memory')  # what pod-level resources, cgroups and in-place resize take
CFS_PERIOD = 100000          # microseconds, the kubelet's --cpu-cfs-quota-period
MIN_SHARES, MAX_SHARES, SHARES_PER_CPU = 2, 262144, 1024
MIN_QUOTA = 1000             # the kernel's smallest CFS quota (1 ms)


def amount(name, value):
    """A quantity as the integer the node counts: millicores for cpu, bytes (whole units) otherwise."""
    return quantity.cpu_millicores(value) if name == 'cpu' else quantity.value(value)


def container_amounts(container, kind):
    """``{resource: int}`` of a container's ``requests`` (each missing one is its limit, as the API server
    defaults it) or ``limits``."""
    resources = container.get('resources') or {}
    values = dict(resources.get(kind) or {})
    if kind == 'requests':
        for name, value in (resources.get('limits') or {}).items():
            values.setdefault(name, value)
    return {name: amount(name, value) for name, value in values.items()}


def add(total, values):
    """Add ``values`` into ``total``, resource by resource."""
    for name, value in values.items():
        total[name] = total.get(name, 0) + value


def _maximum(total, values):
    for name, value in values.items():
        total[name] = max(total.get(name, 0), value)


def aggregate(spec, amounts_of):
    """``{resource: int}`` the containers of a pod spec need together (``amounts_of(container, path)``
    gives one container's), by the sidecar formula."""
    total = {}
    for index, container in enumerate(spec.get('containers') or []):
        add(total, amounts_of(container, 'spec.containers[%d]' % index))
    sidecars, init_peak = {}, {}
    for index, container in enumerate(spec.get('initContainers') or []):
        values = amounts_of(container, 'spec.initContainers[%d]' % index)
        if podspec.is_sidecar(container):  # a sidecar keeps running beside the app containers
            add(total, values)
            add(sidecars, values)
            values = dict(sidecars)
        else:
            add(values, sidecars)
        _maximum(init_peak, values)
    _maximum(total, init_peak)
    return total


def pod_level(spec, kind):
    """``{resource: int}`` of the pod-level ``spec.resources`` ``requests`` or ``limits`` (cpu and memory)."""
    values = ((spec.get('resources') or {}).get(kind)) or {}
    return {name: amount(name, value) for name, value in values.items() if name in COMPUTE}


def overhead(spec):
    """``{resource: int}`` of the pod's ``spec.overhead``."""
    return {name: amount(name, value) for name, value in (spec.get('overhead') or {}).items()}


def pod_requests(spec):
    """``PodRequests``: the containers' requests added up, the pod-level requests instead where set, and the
    pod's overhead."""
    total = aggregate(spec, lambda container, _path: container_amounts(container, 'requests'))
    total.update(pod_level(spec, 'requests'))
    add(total, overhead(spec))
    return total


def pod_limits(spec):
    """``PodLimits``: the containers' limits added up, the pod-level limits instead where set; the overhead
    is added to each limit there is (none is made of it)."""
    total = aggregate(spec, lambda container, _path: container_amounts(container, 'limits'))
    total.update(pod_level(spec, 'limits'))
    add(total, {name: value for name, value in overhead(spec).items() if total.get(name)})
    return total


def _every_container_limits(spec, name):
    """Whether every container (init containers too) has a non-zero limit of ``name``."""
    containers = (spec.get('initContainers') or []) + (spec.get('containers') or [])
    return all(container_amounts(container, 'limits').get(name) for container in containers)


def shares(millicores):
    """``MilliCPUToShares``: cpu.shares of a cpu request (2 for none)."""
    if not millicores:
        return MIN_SHARES
    return min(MAX_SHARES, max(MIN_SHARES, millicores * SHARES_PER_CPU // 1000))


def quota(millicores):
    """``MilliCPUToQuota``: the CFS quota (microseconds a period) of a cpu limit, at least 1 ms."""
    return max(MIN_QUOTA, millicores * CFS_PERIOD // 1000)


def pod_cgroup(spec):
    """``ResourceConfigForPod``: ``{'cpuShares', 'cpuQuota', 'memory'}`` of the pod's cgroup; ``cpuQuota``
    and ``memory`` are None (unlimited) unless the pod is Guaranteed, or every container has that limit,
    or the pod sets it."""
    qos = podspec.qos_class(spec)
    if qos == 'BestEffort':
        return {'cpuShares': MIN_SHARES, 'cpuQuota': None, 'memory': None}
    requests, limits = pod_requests(spec), pod_limits(spec)
    declared = {name: qos == 'Guaranteed' or name in pod_level(spec, 'limits') or _every_container_limits(spec, name)
                for name in COMPUTE}
    return {'cpuShares': shares(requests.get('cpu', 0)),
            'cpuQuota': quota(limits.get('cpu', 0)) if declared['cpu'] and limits.get('cpu') else None,
            'memory': limits.get('memory') if declared['memory'] and limits.get('memory') else None}


def container_limits(spec, container):
    """The limits a container's cgroup gets: its own, else the pod-level ones (as quantities)."""
    own = dict(((container.get('resources') or {}).get('limits')) or {})
    for name, value in ((((spec.get('resources') or {}).get('limits')) or {}).items()):
        if name in COMPUTE:
            own.setdefault(name, value)
    return own


# ----------------------------------------------------------------------------- the API server

def apply_defaults(spec):
    """Pod-level requests default to the pod-level limits (``defaultPodRequests``)."""
    resources = spec.get('resources')
    if not resources:
        spec.pop('resources', None)
        return
    limits = resources.get('limits') or {}
    if limits:
        resources['requests'] = dict({k: v for k, v in limits.items() if k in COMPUTE}, **(resources.get('requests') or {}))


def pod_level_errors(spec):
    """``validatePodResources``: pod-level requests and limits are valid quantities, a request is at most
    its limit, the pod requests cover the containers' and no container limit exceeds the pod's."""
    resources = spec.get('resources')
    if not resources:
        return []
    errors = quantity.resources_errors(resources, 'spec.resources')
    if errors:
        return errors
    try:
        requested = aggregate(spec, lambda container, _path: container_amounts(container, 'requests'))
        limits = pod_level(spec, 'limits')
    except ValueError:
        return []  # the container's own quantity errors say it
    for name, value in sorted(pod_level(spec, 'requests').items()):
        if requested.get(name, 0) > value:
            errors.append('spec.resources.requests[%s]: Invalid value: %s: must be greater than or equal to aggregate '
                          'container requests of %s' % (name, podspec.quoted(str(resources['requests'][name])),
                                                        shown(name, requested[name])))
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(spec.get(key) or []):
            for name, value in sorted(container_amounts(container, 'limits').items()):
                if name in limits and value > limits[name]:
                    errors.append('spec.%s[%d].resources.limits[%s]: Invalid value: %s: must be less than or equal to '
                                  'pod limits of %s' % (key, index, name, podspec.quoted(str(
                                      container['resources']['limits'][name])), shown(name, limits[name])))
    return errors


def overhead_errors(spec):
    """``validateOverhead``: the API server checks ``spec.overhead`` as a container's limits (hence its paths,
    ``spec.overhead.limits[cpu]``)."""
    if not spec.get('overhead'):
        return []
    as_limits = {'limits': spec['overhead']}
    return (quantity.resources_errors(as_limits, 'spec.overhead')
            + resource_names.resources_errors(as_limits, 'spec.overhead'))


RESIZE_POLICIES = ('NotRequired', 'RestartContainer')


def resize_policy_errors(container, path, init, pod_policy):
    """``validateResizePolicy``: cpu and memory once each, NotRequired or RestartContainer (NotRequired only in
    a pod that never restarts its containers), and not on a regular init container (it is never resized)."""
    items = container.get('resizePolicy') or []
    if items and init and not podspec.is_sidecar(container):
        return ['%s.resizePolicy: Forbidden: must not be set for init containers' % path]
    errors, seen = [], set()
    for index, item in enumerate(items):
        where = '%s.resizePolicy[%d]' % (path, index)
        name, policy = item.get('resourceName'), item.get('restartPolicy')
        if not name:
            errors.append('%s.resourceName: Required value' % where)
        elif name not in COMPUTE:
            errors.append('%s.resourceName: Unsupported value: %s: supported values: "cpu", "memory"'
                          % (where, podspec.quoted(name)))
        elif name in seen:
            errors.append('%s.resourceName: Duplicate value: %s' % (where, podspec.quoted(name)))
        seen.add(name)
        if not policy:
            errors.append('%s.restartPolicy: Required value' % where)
        elif policy not in RESIZE_POLICIES:
            errors.append('%s.restartPolicy: Unsupported value: %s: supported values: "NotRequired", "RestartContainer"'
                          % (where, podspec.quoted(policy)))
        elif pod_policy == 'Never' and policy != 'NotRequired' and not podspec.is_sidecar(container):
            errors.append("%s.restartPolicy: Invalid value: %s: must be 'NotRequired' when `restartPolicy` is 'Never'"
                          % (where, podspec.quoted(policy)))
    return errors


def shown(name, value):
    """An amount as Kubernetes prints it: ``1500m`` or ``2`` cpu, bytes with a binary suffix when exact."""
    if name == 'cpu':
        return '%d' % (value // 1000) if value % 1000 == 0 else '%dm' % value
    for suffix, unit in (('Gi', 1024 ** 3), ('Mi', 1024 ** 2), ('Ki', 1024)):
        if value and value % unit == 0:
            return '%d%s' % (value // unit, suffix)
    return str(value)


def actual(container, host_config):
    """``status.containerStatuses[].resources`` of a running container (``ResourceRequirements``): its spec's
    requests and limits, with what its cgroup really has for the cpu request (cpu.shares), the cpu limit
    (the CFS quota) and the memory limit, as the kubelet reads them back from the runtime (a resize shows)."""
    wanted = container.get('resources') or {}
    requests, limits = dict(wanted.get('requests') or {}), dict(wanted.get('limits') or {})
    if 'cpu' in requests and host_config.get('CpuShares'):
        requests['cpu'] = shown('cpu', -(-host_config['CpuShares'] * 1000 // SHARES_PER_CPU))
    quota, period = host_config.get('CpuQuota') or 0, host_config.get('CpuPeriod') or CFS_PERIOD
    if 'cpu' in limits and quota > 0:
        limits['cpu'] = shown('cpu', quota * 1000 // period)
    if 'memory' in limits and host_config.get('Memory'):
        limits['memory'] = shown('memory', host_config['Memory'])
    return {kind: values for kind, values in (('requests', requests), ('limits', limits)) if values}
