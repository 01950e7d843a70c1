# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the names of a container's resources, with the API server's rules and messages. Pure.

``cpu`` and ``memory`` set the container's cgroup (``_plan.translate``); ``hugepages-<size>`` and
extended resources (``example.com/dongle``: a fully qualified name outside ``kubernetes.io/``) are
counted by the scheduler against what each node declares in its allocatable (the node role's
``node_allocatable``), as kube-scheduler counts them; a node with no device plugin gives the container
nothing else, as a kubelet without one does. ``ephemeral-storage`` requests are counted by the scheduler
against the node's (the file system of the engine's data root); its limits are the node agent's local
storage evictions (``_plan.eviction``).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec.scheduling import label_name_problems

HUGEPAGES_PREFIX = 'hugepages-'
QOS_RESOURCES = ('cpu', 'memory')
EPHEMERAL_STORAGE = 'ephemeral-storage'
STANDARD = QOS_RESOURCES + (EPHEMERAL_STORAGE,)  # the standard container resources without a domain
REQUESTS_PREFIX = 'requests.'  # quota's name of a request: an extended resource's name must fit behind it


def is_hugepages(name):
    return name.startswith(HUGEPAGES_PREFIX)


def is_native(name):
    """``IsNativeResource``: no domain, or a ``kubernetes.io/`` one."""
    return '/' not in name or 'kubernetes.io/' in name


def is_extended(name):
    """``IsExtendedResourceName``: not native, and ``requests.<name>`` is a qualified name."""
    return not is_native(name) and not name.startswith(REQUESTS_PREFIX) and not label_name_problems(REQUESTS_PREFIX + name)


def overcommit_allowed(name):
    """``IsOvercommitAllowed``: a request may be below its limit (cpu, memory); hugepages and extended
    resources must request exactly their limit."""
    return is_native(name) and not is_hugepages(name)


def page_size(name):
    """The page size (bytes) of a ``hugepages-<size>`` resource, or None when it is not a quantity > 0."""
    try:
        size = quantity.value(name[len(HUGEPAGES_PREFIX):])
    except ValueError:
        return None
    return size if size > 0 else None


def _name_problems(name):
    """``validateContainerResourceName``: a qualified name; without a domain, a standard container resource."""
    problems = label_name_problems(name)
    if problems:
        return problems
    if '/' not in name:
        if is_hugepages(name):
            return [] if page_size(name) else ['must be hugepages-<page size>, the page size a quantity such as 2Mi or 1Gi']
        return [] if name in STANDARD else ['must be a standard resource for containers']
    if not is_native(name) and not is_extended(name):
        return ["doesn't follow extended resource name standard"]
    return []


def _quantity_problem(name, amount):
    """``ValidateResourceQuantityValue``: extended resources count whole units; a huge page size divides hugepages."""
    try:
        parsed = quantity.parse(amount)
    except ValueError:
        return None  # quantity.resources_errors reports it
    if is_extended(name) and parsed.denominator != 1:
        return 'must be an integer'
    if is_hugepages(name) and page_size(name) and parsed % page_size(name):
        return '%s is not positive integer multiple of %s' % (podspec.excerpt(amount), name[len(HUGEPAGES_PREFIX):])
    return None


def resources_errors(resources, path):
    """The API server's messages for the names in a container's ``requests`` and ``limits``, and its rules for
    the resources that may not be overcommitted (hugepages and extended resources)."""
    errors, names = [], set()
    for kind in ('limits', 'requests'):
        for name, amount in sorted(((resources or {}).get(kind) or {}).items()):
            where = '%s.%s[%s]' % (path, kind, name)
            names.add(name)
            errors += podspec.invalid(where, name, _name_problems(name))
            problem = _quantity_problem(name, amount)
            if problem:
                errors.append('%s: Invalid value: %s: %s' % (where, podspec.quoted(amount), problem))
    requests, limits = (resources or {}).get('requests') or {}, (resources or {}).get('limits') or {}
    for name in sorted(requests):
        if overcommit_allowed(name):
            continue
        if name not in limits:
            errors.append('%s.limits: Required value: Limit must be set for non overcommitable resources' % path)
        elif _compare(requests[name], limits[name]) < 0:
            errors.append('%s.requests: Invalid value: %s: must be equal to %s limit of %s'
                          % (path, podspec.quoted(requests[name]), name, podspec.excerpt(limits[name])))
    if any(is_hugepages(name) for name in names) and not any(name in QOS_RESOURCES for name in names):
        errors.append('%s: Forbidden: HugePages require cpu or memory' % path)
    return errors


def _compare(one, other):
    try:
        first, second = quantity.parse(one), quantity.parse(other)
    except ValueError:
        return 0
    return (first > second) - (first < second)


def hugepages_warning(pods):
    """The one warning of a call whose pods limit huge pages: the scheduler counts them, the engine cannot
    enforce them (Docker's API sets no hugetlb limit). None when no pod asks for any."""
    names = ['%s/%s' % (pod['metadata']['namespace'], pod['metadata']['name']) for pod in pods
             if any(is_hugepages(name) for key in ('initContainers', 'containers')
                    for item in pod['spec'].get(key) or [] for name in (item.get('resources') or {}).get('limits') or {})]
    if not names:
        return None
    return ('hugepages-* of %s: counted against the node\'s allocatable as the scheduler counts them; the containers get '
            'no hugetlb limit (the Docker engine has no setting for it)' % ', '.join(names))
